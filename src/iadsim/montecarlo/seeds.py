"""Monte Carlo stage: the seed of every replication of every sweep point.

Replication ``k`` of sweep point ``p`` runs with ``SeedSequence(entropy=seed, spawn_key=(p, k))``,
which is exactly ``SeedSequence(seed).spawn(n_points)[p].spawn(n_runs)[k]`` for any
``n_points > p`` and ``n_runs > k``: the seed does not depend on how many points or replications
were requested, on the chunking, the backend or the number of workers. So ``--runs 100`` then
``--runs 200 --resume`` extends a sweep consistently, and any replication replays alone.
"""

from __future__ import annotations

import numpy as np


def replication_seed(seed: int, point: int, replication: int) -> np.random.SeedSequence:
    """The ``SeedSequence`` of replication ``replication`` of sweep point ``point``.

    Parameters
    ----------
    seed
        The scenario seed (``simulation.seed`` of the sweep point), >= 0.
    point, replication
        Zero-based indices; a plain Monte Carlo run is sweep point 0.

    Returns
    -------
    numpy.random.SeedSequence
        A fresh sequence (callers may ``spawn`` from it without affecting other replications).
    """
    if seed < 0 or point < 0 or replication < 0:
        raise ValueError(
            f"seed, point and replication must be >= 0 (got {seed}, {point}, {replication})"
        )
    return np.random.SeedSequence(entropy=int(seed), spawn_key=(int(point), int(replication)))


def seed_fingerprint(seed: int, point: int, replication: int) -> int:
    """A 63-bit integer identifying the replication's random stream, stored in results tables.

    It is the first 64-bit word of the replication's ``SeedSequence`` state, masked to fit a
    signed int64 column; two replications with equal fingerprints drew the same numbers.
    """
    word = replication_seed(seed, point, replication).generate_state(1, np.uint64)[0]
    return int(word) & 0x7FFF_FFFF_FFFF_FFFF
