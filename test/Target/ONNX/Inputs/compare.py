#!/usr/bin/env python3
"""compare.py GOT.npy WANT.npy TOL: max |got - want| / max |want| <= TOL."""

import sys

import numpy as np

got, want, tol = np.load(sys.argv[1]), np.load(sys.argv[2]), float(sys.argv[3])
if got.shape != want.shape:
    sys.exit(f"shape {got.shape} != expected {want.shape}")
err = float(np.abs(got - want).max() / max(np.abs(want).max(), 1e-30))
print(f"relative error {err:.3e} (tolerance {tol:g})")
sys.exit(0 if err <= tol else 1)
