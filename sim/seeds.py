"""Seed derivation, once: every seed govsim draws from a master seed comes from here.

``derive_seeds(master, n)`` gives the replication seeds of ``govsim compare``, batches,
sensitivity studies, EMA and validation: ``numpy.random.SeedSequence(master).generate_state(n)``
as unsigned 32-bit integers. Replication r of every compared case uses seed r of this list
(common random numbers). A *stream* (further integers) gives an independent list for another
purpose from the same master seed — calibration grid values, SALib's sampler —
``SeedSequence([master, *stream])``. ``stream_rng`` is a numpy Generator on a spawn key of the
master seed (the Latin hypercube of an experiment), so its draws never overlap the seed lists.
"""

from __future__ import annotations

import numpy as np


def derive_seeds(master_seed: int, n: int, *stream: int) -> list[int]:
    """`n` seeds (uint32) from `master_seed`; `stream` selects an independent list of the same master seed."""
    entropy = [master_seed, *stream] if stream else master_seed
    return [int(s) for s in np.random.SeedSequence(entropy).generate_state(n, dtype=np.uint32)]


def stream_rng(master_seed: int, *spawn_key: int) -> np.random.Generator:
    """A Generator on the child stream `spawn_key` of `master_seed` (independent of `derive_seeds`)."""
    return np.random.default_rng(np.random.SeedSequence(master_seed, spawn_key=tuple(spawn_key)))
