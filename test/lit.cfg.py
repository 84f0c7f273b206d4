# lit configuration for dlc's IR and tool tests.

import os
import sys

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "DLC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "Unit", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]

config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dlc_obj_root, "test")

config.substitutions.append(("%dlc_src_root", config.dlc_src_root))
config.substitutions.append(("%dlc_obj_root", config.dlc_obj_root))
config.substitutions.append(("%python", sys.executable))
# Debian's interpreter, which has python3-onnx / numpy / torch for fixtures.
config.substitutions.append(("%debian_python", "/usr/bin/python3"))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.dlc_tools_dir, config.llvm_tools_dir]
tools = ["dlc-opt", "dlc-translate", "dlc-run", "dlc-onnx-conformance", ToolSubst("FileCheck", unresolved="fatal"),
         ToolSubst("not", unresolved="fatal")]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# The ARM backend's end-to-end tests: cross-compile the emitted C and run it
# under user-mode qemu (scripts/setup.sh installs both).
import shutil

arm_cc = shutil.which("aarch64-linux-gnu-gcc")
qemu = shutil.which("qemu-aarch64")
if arm_cc and qemu:
    config.available_features.add("arm-toolchain")
    config.substitutions.append(
        ("%arm-cc", f"{arm_cc} -std=c11 -O3 -Wall -Wextra -Werror"))
    config.substitutions.append(
        ("%qemu-arm", f"{qemu} -L /usr/aarch64-linux-gnu"))
    # Clang cross-compiles the same code (users bring their own toolchain).
    config.substitutions.append(
        ("%arm-clang", os.path.join(config.llvm_tools_dir, "clang") +
         " --target=aarch64-linux-gnu -std=c11 -O3 -Wall -Wextra -Werror"))

# The CUDA backend's tests compile the emitted code with nvcc (no GPU needed).
nvcc = "/usr/local/cuda/bin/nvcc"
if os.path.exists(nvcc):
    config.available_features.add("cuda")
    config.substitutions.append(
        ("%nvcc", f"{nvcc} -O3 -Werror all-warnings "
         "-Xcompiler -Wall,-Wextra,-Werror"))
