"""Command stage: firing doctrines as sequences of salvos, in closed form and by Monte Carlo.

A doctrine against one threat is a sequence of *salvos* separated by a *look* (kill
assessment): ``(2,)`` is a two-round salvo, ``(1, 1)`` is shoot-look-shoot, ``(2, 2)`` is
shoot-shoot-look-shoot-shoot. Every round of a salvo flies; the next salvo fires only if the
look finds the threat alive. Rounds are independent with single-shot kill probability ``pk``
(one value, or one per salvo for layered defence, e.g. a long-range salvo then a short-range
one).

In: pk, salvo sizes, a number of engagements and an ``rng``. Out: kill probability and
rounds spent per engagement (closed form: ``P = 1 - prod_k (1 - pk_k)^s_k``,
``E[rounds] = sum_k s_k prod_{l<k} (1 - pk_l)^s_l``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.errors import InputDataError


@dataclass(frozen=True, slots=True)
class DoctrineOutcome:
    """Kill probability and mean rounds spent per engaged threat."""

    p_kill: float
    mean_rounds: float

    @property
    def rounds_per_kill(self) -> float:
        return self.mean_rounds / self.p_kill if self.p_kill > 0 else float("inf")


def _check(pk: ArrayLike, salvos: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    s = np.asarray(salvos)
    if s.ndim != 1 or s.size == 0:
        raise InputDataError(f"salvos must be a non-empty sequence of sizes (got {salvos!r})")
    if np.any(s != np.round(s)) or np.any(s < 1):
        k = int(np.flatnonzero((s != np.round(s)) | (s < 1))[0])
        raise InputDataError(f"salvos[{k}] must be an integer >= 1 (got {s[k]})")
    p = np.broadcast_to(np.asarray(pk, dtype=np.float64), s.shape)
    bad = ~((p >= 0.0) & (p <= 1.0))
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputDataError(f"pk[{k}] must be in [0, 1] (got {p[k]})")
    return p, s.astype(np.int64)


def doctrine_closed_form(pk: ArrayLike, salvos: ArrayLike) -> DoctrineOutcome:
    """Exact kill probability and mean rounds of a salvo sequence (independent rounds)."""
    p, s = _check(pk, salvos)
    survive_stage = (1.0 - p) ** s  # (k,) threat survives salvo k
    alive_before = np.concatenate([[1.0], np.cumprod(survive_stage)[:-1]])
    return DoctrineOutcome(
        p_kill=float(1.0 - np.prod(survive_stage)),
        mean_rounds=float(np.sum(s * alive_before)),
    )


def simulate_doctrine(
    pk: ArrayLike, salvos: ArrayLike, n_engagements: int, *, rng: np.random.Generator
) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """Monte Carlo of ``n_engagements`` independent engagements under a salvo sequence.

    Returns
    -------
    killed : (n,) bool, the threat was killed.
    rounds : (n,) int, rounds fired at it (whole salvos until the look finds it dead).
    """
    p, s = _check(pk, salvos)
    n = int(n_engagements)
    per_round_pk = np.repeat(p, s)  # (R,)
    hits = rng.random((n, per_round_pk.size)) < per_round_pk[None, :]
    starts = np.cumsum(s) - s
    stage_kill = (
        np.logical_or.reduceat(hits, starts, axis=1) if n else np.zeros((0, s.size), dtype=bool)
    )
    killed = np.asarray(stage_kill.any(axis=1), dtype=bool)
    first = np.where(killed, np.argmax(stage_kill, axis=1), s.size - 1)
    rounds = np.cumsum(s)[first]
    return killed, rounds.astype(np.int64)
