#!/usr/bin/env python3
"""compare.py GOT.npy WANT.npy TOL: max |got - want| / max |want| <= TOL.

TOL 0 asks for identical values (and the same dtype): integer outputs and
bit-exact paths.
"""

import sys

import numpy as np

got, want, tol = np.load(sys.argv[1]), np.load(sys.argv[2]), float(sys.argv[3])
if got.shape != want.shape:
    sys.exit(f"shape {got.shape} != expected {want.shape}")
if got.dtype != want.dtype:
    sys.exit(f"dtype {got.dtype} != expected {want.dtype}")
diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
err = float(diff.max() / max(np.abs(want.astype(np.float64)).max(), 1e-30))
print(f"relative error {err:.3e} (tolerance {tol:g}), "
      f"{int((diff > 0).sum())} of {diff.size} values differ")
sys.exit(0 if err <= tol else 1)
