# lit configuration for dlc's GoogleTest unit tests.

import os

import lit.formats

config.name = "DLC-Unit"
config.suffixes = []
config.test_exec_root = os.path.join(config.dlc_obj_root, "test", "Unit")
config.test_source_root = config.test_exec_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
