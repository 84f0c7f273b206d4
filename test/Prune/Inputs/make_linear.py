#!/usr/bin/env python3
"""Writes a compute-bound linear layer (4096 x 1024 input, 1024 x 1024
random weight in a dense_resource blob) of element type f16 or f32."""
import sys
import numpy as np

path, element = sys.argv[1], sys.argv[2]
dtype = np.float16 if element == "f16" else np.float32
weight = np.random.default_rng(0).standard_normal((1024, 1024)).astype(dtype)
blob = (np.uint32(dtype().itemsize).tobytes() + weight.tobytes()).hex()
open(path, "w").write(f"""func.func @main(%x: tensor<4096x1024x{element}>) -> tensor<4096x1024x{element}> {{
  %w = dlc.constant dense_resource<w> : tensor<1024x1024x{element}>
  %y = dlc.linear %x, %w : (tensor<4096x1024x{element}>, tensor<1024x1024x{element}>) -> tensor<4096x1024x{element}>
  return %y : tensor<4096x1024x{element}>
}}
{{-#
  dialect_resources: {{
    builtin: {{
      w: "0x{blob}"
    }}
  }}
#-}}
""")
