"""The lean helpers of sim.arrays give numpy's own numbers, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from sim.arrays import clip, mean, normal


def same_bits(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and np.array_equal(a.view(np.int64), b.view(np.int64))


@pytest.mark.parametrize("n", [1, 3, 7, 8, 9, 48, 140, 1000])
def test_mean_and_clip_are_numpys(n):
    x = np.random.default_rng(n).standard_normal(n) * 10.0 ** (np.arange(n) % 7)
    assert same_bits(mean(x), x.mean())
    assert same_bits(clip(x, 0.5, 2.0), np.clip(x, 0.5, 2.0))


@pytest.mark.parametrize("n", [1, 7, 33, 140])
def test_normal_with_array_means_draws_what_numpy_draws(n):
    ours, theirs = np.random.default_rng(n), np.random.default_rng(n)
    loc = ours.random(n) * 3.0 - 1.0
    assert same_bits(theirs.random(n) * 3.0 - 1.0, loc)
    assert same_bits(normal(ours, loc, 0.37), theirs.normal(loc, 0.37))
    assert ours.random() == theirs.random()  # the generator moved on by the same draws
