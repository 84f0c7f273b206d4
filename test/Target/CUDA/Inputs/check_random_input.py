"""Checks a runner's random:SEED input (echoed by an identity model)."""
import sys

import numpy as np

a, b, c = (np.load(path) for path in sys.argv[1:4])
seed = int(sys.argv[4])
mask = (1 << 64) - 1
state, expected = seed, []
for _ in range(a.size):
    state = (state + 0x9E3779B97F4A7C15) & mask
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    z ^= z >> 31
    expected.append(
        np.float32(z >> 40) * np.float32(1 / 8388608) - np.float32(1))
print(f"shape {a.shape}, in [-1, 1): {bool(a.min() >= -1 and a.max() < 1)}, "
      f"splitmix64 from seed {seed}: "
      f"{np.array_equal(a.ravel(), np.array(expected, np.float32))}, "
      f"repeatable: {np.array_equal(a, b)}, "
      f"seed {seed + 1} differs: {not np.array_equal(a, c)}")
