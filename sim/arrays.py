"""numpy on small arrays, lean: the hot path's reductions and bounds without the Python-level
wrappers of ``ndarray.mean``, ``np.clip`` and friends (a few microseconds each, on arrays of
tens to hundreds of entries, thousands of times a run).

Each helper does the same floating-point operations as the function it stands in for, so the
numbers are the same to the last bit (``tests/test_golden.py``): ``mean(x)`` is numpy's
pairwise sum divided by the count, as ``x.mean()`` computes it.
"""

from __future__ import annotations

import numpy as np

#: ``x.sum()`` of a 1-d array (numpy's pairwise summation)
add = np.add.reduce
#: ``x.min()`` of a non-empty 1-d array
low = np.minimum.reduce


def mean(x: np.ndarray) -> np.float64:
    """``x.mean()`` of a 1-d float64 array, bit for bit (an empty one: numpy's own NaN)."""
    return add(x) / x.size if x.size else x.mean()


def clip(x, lo, hi, out=None):
    """``np.clip(x, lo, hi, out=out)`` for float arrays (NaN stays NaN), bit for bit."""
    return np.minimum(np.maximum(x, lo, out=out), hi, out=out)


def weighted_sum(a: np.ndarray, b: np.ndarray) -> float:
    """Σ a·b as numpy's pairwise sum of the products, not ``a @ b``: BLAS's dot product sums in
    an order that depends on the processor's kernel (AVX2 and AVX-512 differ in the last bit,
    which can flip a later decision), and on these ~50-element vectors it is no faster."""
    return float(add(np.multiply(a, b)))


def normal(rng: np.random.Generator, loc: np.ndarray, scale: float) -> np.ndarray:
    """``rng.normal(loc, scale)`` for an array of means `loc`, bit for bit and the same draws:
    numpy computes loc + scale·z element by element from its standard normal z; this skips the
    Generator's broadcasting of array arguments (several microseconds a call)."""
    z = rng.standard_normal(np.shape(loc))
    z *= scale
    z += loc
    return z
