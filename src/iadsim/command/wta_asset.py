"""Command stage: the fast WTA solver's asset-based part (MMR and single moves).

In: an asset-based :class:`~iadsim.command.assignment.WTAProblem` seen round by round
(:func:`iadsim.command.wta_fast._rounds`). Out: round-level targets, -1 idle. Each candidate
is scored on the exact asset-based objective (Hosein and Athans 1990).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from iadsim.command.assignment import WTAProblem
from iadsim.command.wta_fast import _REL_TOL, _fired_per_group, _Rounds



def _asset_objective_rows(problem: WTAProblem, surv: NDArray[np.float64]) -> NDArray[np.float64]:
    """Asset-based objective for each row of threat survivals ``surv`` (c, m)."""
    assert problem.asset is not None and problem.asset_value is not None
    assert problem.lethality is not None
    factor = 1.0 - problem.lethality[None, :] * surv
    out = np.zeros(surv.shape[0])
    for k in range(problem.asset_value.shape[0]):
        members = problem.asset == k
        if members.any():
            out += problem.asset_value[k] * (1.0 - np.prod(factor[:, members], axis=1))
    return out


def _threat_survival(rd: _Rounds, tgt: NDArray[np.int64]) -> NDArray[np.float64]:
    s = np.ones(rd.value.shape[0])
    f = tgt >= 0
    np.multiply.at(s, tgt[f], rd.q[f, tgt[f]])
    return s


def asset_mmr(problem: WTAProblem, rd: _Rounds) -> NDArray[np.int64]:
    n_r, m = rd.q.shape
    tgt = -np.ones(n_r, dtype=np.int64)
    left = rd.capacity.copy()
    avail: NDArray[np.bool_] = np.asarray(rd.feasible.any(axis=1), dtype=bool)
    for _ in range(n_r):
        if not avail.any():
            break
        s = _threat_survival(rd, tgt)
        base = _asset_objective_rows(problem, s[None, :])[0]
        # candidate survivals: threat j's survival times q[r, j], one row per threat j
        cand = np.broadcast_to(s, (m, m)).copy()
        rows = np.flatnonzero(avail)
        best_gain, best_r, best_j = 0.0, -1, -1
        for r in rows.tolist():
            c = cand.copy()
            c[np.arange(m), np.arange(m)] *= rd.q[r]
            gain = base - _asset_objective_rows(problem, c)
            full = np.bincount(tgt[tgt >= 0], minlength=m) >= rd.target_cap
            gain = np.where(rd.feasible[r] & ~full, gain, -np.inf)
            j = int(np.argmax(gain))
            if gain[j] > best_gain:
                best_gain, best_r, best_j = float(gain[j]), r, j
        if best_r < 0:
            break
        tgt[best_r] = best_j
        avail[best_r] = False
        g = int(rd.group[best_r])
        if g >= 0:
            left[g] -= 1
            if left[g] == 0:
                avail &= rd.group != g
    return tgt


def asset_moves(
    problem: WTAProblem, rd: _Rounds, tgt: NDArray[np.int64], deadline: float,
    *, clock: Callable[[], float] = time.perf_counter,
) -> NDArray[np.int64]:
    """Best single move (re-target one round, or fire an idle one) until none improves."""
    m = rd.value.shape[0]
    while clock() < deadline:
        s = _threat_survival(rd, tgt)
        now = _asset_objective_rows(problem, s[None, :])[0]
        spare = rd.capacity - _fired_per_group(rd, tgt)
        best, best_r, best_k = now - _REL_TOL * max(1.0, now), -1, -1
        for r in range(rd.q.shape[0]):
            if not rd.feasible[r].any():
                continue
            g = int(rd.group[r])
            if tgt[r] < 0 and g >= 0 and spare[g] <= 0:
                continue
            base = s.copy()
            if tgt[r] >= 0:
                base[tgt[r]] = np.prod(rd.q[(tgt == tgt[r]) & (np.arange(tgt.size) != r), tgt[r]])
            c = np.broadcast_to(base, (m, m)).copy()
            c[np.arange(m), np.arange(m)] *= rd.q[r]
            full = np.bincount(tgt[tgt >= 0], minlength=m) >= rd.target_cap
            val = np.where(rd.feasible[r] & ~full, _asset_objective_rows(problem, c), np.inf)
            if tgt[r] >= 0:
                val[tgt[r]] = np.inf
            k = int(np.argmin(val))
            if val[k] < best:
                best, best_r, best_k = float(val[k]), r, k
        if best_r < 0:
            break
        tgt = tgt.copy()
        tgt[best_r] = best_k
    return tgt
