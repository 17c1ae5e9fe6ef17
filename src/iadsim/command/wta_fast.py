"""Command stage: the fast WTA solver (maximum marginal return, then neighbourhood search).

In: a :class:`~iadsim.command.assignment.WTAProblem`. Out: a feasible assignment, no proof.

Rounds are the unit of decision: weapon i with ``rounds_i`` rounds becomes that many rows.

1. Maximum marginal return (MMR, den Broeder et al. 1959): repeatedly give the round and threat
   with the largest drop in the objective; only the chosen threat's column changes per step.
   When weapons hold several rounds and threats may take several, the starts come from
   the Lagrangian dual of the column formulation (:mod:`iadsim.command.wta_lagrange`): the
   distinct picks at the best prices, up to ``MAX_STARTS`` by size, each filled up by MMR and
   improved; the best is kept (MMR's start only gives the subgradient's target).
2. Very-large-scale neighbourhood search in the style of Ahuja et al. (2007): take one round off
   every engaged threat and reassign all of them, at most one per threat, by a linear assignment
   problem. With one round in and one out per threat the change in the objective is additive,
   so the assignment problem finds the best of all path and cyclic multi-exchanges of those
   rounds exactly (``scipy.optimize.linear_sum_assignment``). The round taken off rotates
   between passes.
3. 2-exchange (swap the threats of two rounds) and single moves, vectorised over all pairs,
   applying non-overlapping improving ones together.

The asset-based objective uses MMR and single moves (:mod:`iadsim.command.wta_asset`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from iadsim.command.assignment import WTAProblem, objective
from iadsim.command.wta_lagrange import lagrangian_starts

_REL_TOL = 1e-12


@dataclass(frozen=True, slots=True)
class FastResult:
    """Best assignment found; ``lower_bound`` is ``-inf`` (the fast solver proves nothing)."""

    x: NDArray[np.int64]
    objective: float
    lower_bound: float = -np.inf
    proven_optimal: bool = False
    stop_reason: str = "no_proof"


@dataclass(frozen=True, slots=True)
class _Rounds:
    """The problem seen round by round (R rows)."""

    weapon: NDArray[np.intp]  # (R,)
    q: NDArray[np.float64]  # (R, m) miss probability 1 - pk
    feasible: NDArray[np.bool_]  # (R, m)
    group: NDArray[np.int64]  # (R,)
    capacity: NDArray[np.int64]  # (g,)
    value: NDArray[np.float64]  # (m,)
    target_cap: NDArray[np.int64]  # (m,)


def _rounds(problem: WTAProblem) -> _Rounds:
    w = np.repeat(np.arange(problem.n_weapons), problem.rounds)
    feas = problem.feasible[w] & (problem.value[None, :] > 0.0)
    grp = problem.group[w]
    if problem.group_capacity.size:
        shut = (grp >= 0) & (problem.group_capacity[np.maximum(grp, 0)] == 0)
        feas = feas & ~shut[:, None]
    feas = feas & (problem.target_capacity > 0)[None, :]
    return _Rounds(
        w,
        1.0 - problem.pk[w],
        feas,
        grp,
        problem.group_capacity,
        problem.value,
        problem.target_capacity,
    )


def to_matrix(
    problem: WTAProblem, weapon: NDArray[np.intp], tgt: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Round-level targets ``tgt`` (R,), -1 idle, to the (n, m) count matrix."""
    x = np.zeros(problem.pk.shape, dtype=np.int64)
    f = tgt >= 0
    np.add.at(x, (weapon[f], tgt[f]), 1)
    return x


def _fired_per_group(rd: _Rounds, tgt: NDArray[np.int64]) -> NDArray[np.int64]:
    f = (tgt >= 0) & (rd.group >= 0)
    return np.bincount(rd.group[f], minlength=rd.capacity.size).astype(np.int64)


# --------------------------------------------------------------------------- target-based


def _mmr(rd: _Rounds, start: NDArray[np.int64] | None = None) -> NDArray[np.int64]:
    """Maximum marginal return: round-level targets (R,), -1 idle; ``start`` (R,) optionally
    gives rounds already placed, which stay."""
    n_r, m = rd.q.shape
    tgt = -np.ones(n_r, dtype=np.int64) if start is None else start.copy()
    if n_r == 0 or m == 0:
        return tgt
    p = 1.0 - rd.q
    s, _, _ = _survival_parts(rd, tgt)
    left = rd.capacity - _fired_per_group(rd, tgt)
    room = rd.target_cap - np.bincount(tgt[tgt >= 0], minlength=m)
    usable = rd.feasible & (tgt < 0)[:, None] & (room > 0)[None, :]
    if rd.capacity.size:
        usable &= ~((rd.group >= 0) & (left[np.maximum(rd.group, 0)] <= 0))[:, None]
    gain = np.where(usable, p * s[None, :], -1.0)
    col_max = gain.max(axis=0)
    col_arg = gain.argmax(axis=0)
    for _ in range(n_r):
        j = int(np.argmax(col_max))
        if col_max[j] <= 0.0:
            break
        r = int(col_arg[j])
        tgt[r] = j
        s[j] *= rd.q[r, j]
        gain[r, :] = -1.0
        dirty = col_arg == r
        g = int(rd.group[r])
        if g >= 0:
            left[g] -= 1
            if left[g] == 0:
                gain[rd.group == g, :] = -1.0
                dirty[:] = True
        room[j] -= 1
        col = gain[:, j]
        gain[:, j] = np.where((col >= 0.0) & (room[j] > 0), p[:, j] * s[j], -1.0)
        dirty[j] = True
        d = np.flatnonzero(dirty)
        sub = gain[:, d]
        col_max[d] = sub.max(axis=0)
        col_arg[d] = sub.argmax(axis=0)
    return tgt


def _survival_parts(
    rd: _Rounds, tgt: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.intp], NDArray[np.float64]]:
    """Surviving value per threat (m,), fired rounds, and each fired round's threat value
    without that round (survival "excluding" it), robust to rounds with q = 0."""
    m = rd.value.shape[0]
    f = np.flatnonzero(tgt >= 0)
    t = tgt[f]
    qa = rd.q[f, t]
    zero = qa <= 0.0
    n_zero = np.bincount(t, weights=zero, minlength=m)
    prod_nz = rd.value.copy()
    np.multiply.at(prod_nz, t[~zero], qa[~zero])
    s = np.where(n_zero == 0, prod_nz, 0.0)
    others_zero = n_zero[t] - zero
    excl = np.where(others_zero == 0, prod_nz[t] / np.where(zero, 1.0, qa), 0.0)
    return s, f, excl


def _lsa_pass(
    rd: _Rounds, tgt: NDArray[np.int64], pass_no: int, pattern: int = 0, extra: bool = False
) -> NDArray[np.int64] | None:
    """Best multi-exchange of one round per engaged threat; None when it does not improve.

    ``pattern`` 0 takes one round off every engaged threat; pattern p > 0 takes 0, 1 or 2
    rounds off each threat (a fixed pseudo-random choice per threat), so some threats keep
    theirs and may gain one more, others may lose two (moves from one round on each of two
    threats to two on one that the full pass cannot make). Every threat still gains at most
    one round, so the assignment's change in the objective stays exact.

    ``extra`` adds a second column per threat that lost a round: one more round on top of the
    current ones, priced at the current survival (exact when the removed round comes back to
    its threat, approximate otherwise); the result is then checked on the true objective.
    With it one pass moves a round onto any number of engaged threats along a chain."""
    m = rd.value.shape[0]
    f = np.flatnonzero(tgt >= 0)
    s_now, _, _ = _survival_parts(rd, tgt)
    now = float(s_now.sum())
    t = tgt[f]
    order = np.lexsort((-rd.q[f, t], t))  # per threat, weakest round first
    fs, ts = f[order], t[order]
    cnt = np.bincount(ts, minlength=m)
    start = np.cumsum(cnt) - cnt
    rank = np.arange(fs.size) - start[ts]
    take = np.ones(m, dtype=np.int64) if pattern == 0 else _share(np.arange(m), pattern)
    pick = ((rank - pass_no) % np.maximum(cnt[ts], 1)) < take[ts]
    removed = fs[pick]
    idle = np.flatnonzero((tgt < 0) & rd.feasible.any(axis=1))
    if idle.size and rd.capacity.size:
        spare = rd.capacity - _fired_per_group(rd, tgt)
        g = rd.group[idle]
        best_p = np.max(np.where(rd.feasible[idle], 1.0 - rd.q[idle], 0.0), axis=1)
        o = np.lexsort((-best_p, g))
        idle, g = idle[o], g[o]
        gc = np.bincount(np.maximum(g, 0), minlength=rd.capacity.size)
        gstart = np.cumsum(gc) - gc
        grank = np.arange(idle.size) - gstart[np.maximum(g, 0)]
        idle = idle[(g < 0) | (grank < spare[np.maximum(g, 0)])]
    rows = np.concatenate([removed, idle])
    if rows.size == 0:
        return None
    new = tgt.copy()
    new[removed] = -1
    s_base, _, _ = _survival_parts(rd, new)
    full = np.bincount(new[new >= 0], minlength=m) >= rd.target_cap
    ok = rd.feasible[rows] & ~full[None, :]
    cost = np.where(ok, s_base[None, :] * (rd.q[rows] - 1.0), 0.0)
    if extra:
        lost = np.bincount(tgt[removed], minlength=m) > 0
        room = lost & (cnt + 1 <= rd.target_cap)
        ok2 = rd.feasible[rows] & room[None, :]
        cost = np.hstack([cost, np.where(ok2, s_now[None, :] * (rd.q[rows] - 1.0), 0.0)])
    r_i, c_i = _assign(cost, tgt[rows], TRANSPOSE and rd.weapon.size > m)
    use = cost[r_i, c_i] < 0.0
    new[rows[r_i[use]]] = c_i[use] % m
    if extra:
        after = _value(rd, new)
    else:
        after = float(s_base.sum() + cost[r_i[use], c_i[use]].sum())
    if after < now - _REL_TOL * max(1.0, abs(now)):
        return new
    return None


def _share(j: NDArray[np.int64], pattern: int) -> NDArray[np.int64]:
    """Rounds taken off threat ``j`` under ``pattern`` (a multiplicative hash): 0 or 1 for an
    even pattern, 0, 1 or 2 for an odd one."""
    h = (j.astype(np.uint64) + np.uint64(pattern)) * np.uint64(0x9E3779B97F4A7C15)
    h = (h ^ (h >> np.uint64(29))) * np.uint64(0xBF58476D1CE4E5B9)
    return ((h >> np.uint64(32)) % np.uint64(2 + pattern % 2)).astype(np.int64)


SPARSE_ASSIGNMENT_SIZE = 150_000
"""Rows x columns beyond which the multi-exchange assignment keeps, per threat, only the
``SPARSE_TOP_K`` rounds that hurt it most (plus every round's own threat) and is solved as a
sparse matching; the costs are column-scaled, which makes the dense solver slow at that size.
32 (was 16; a weapon's rounds are identical rows, so 16 rounds covered 5-8 weapons) was
0.2-0.6% better at 200 x 400 and 300 x 600, mu = 2; 48 and 64 no better than 32."""
SPARSE_TOP_K = 32
LARGE_PATH_SIZE = SPARSE_ASSIGNMENT_SIZE
"""Rounds x threats above which the search takes the large path (one start, no extra
multi-exchange neighbourhoods, see :func:`_multi_start`)."""
TRANSPOSE = True
"""With more rounds than threats the large path's assignment is solved on the candidate set
as a dense matrix (zeros off it), transposed: 5-10 times faster than the sparse matching at
300 x 600, mu = 3, same optima (at mu = 2 it is twice slower, so the matching stays)."""


def _assign(
    cost: NDArray[np.float64], own: NDArray[np.int64], transpose: bool = False
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Minimum-cost assignment of rows to columns (cost <= 0, 0 meaning "stay idle");
    ``own`` is each row's current column (-1 for none), always kept as an option.
    Above ``SPARSE_ASSIGNMENT_SIZE`` on the candidate set only; ``transpose`` solves that
    set densely on the transposed matrix instead of the sparse matching (see ``TRANSPOSE``)."""
    n_rows, n_cols = cost.shape
    if n_rows * n_cols <= SPARSE_ASSIGNMENT_SIZE or n_rows <= SPARSE_TOP_K:
        return linear_sum_assignment(cost)
    top = np.argpartition(cost, SPARSE_TOP_K, axis=0)[:SPARSE_TOP_K, :]  # (k, n_cols)
    if transpose:
        keep = np.zeros(cost.shape, dtype=bool)
        keep[top, np.arange(n_cols)[None, :]] = True
        mine = np.flatnonzero(own >= 0)
        keep[mine, own[mine]] = True
        c_i, r_i = linear_sum_assignment(np.where(keep, cost, 0.0).T)
        return r_i, c_i
    r = np.concatenate([top.ravel(), np.flatnonzero(own >= 0)])
    c = np.concatenate([np.tile(np.arange(n_cols), SPARSE_TOP_K), own[own >= 0]])
    key = np.unique(r.astype(np.int64) * n_cols + c)
    r, c = key // n_cols, key % n_cols
    w = cost[r, c]
    r, c, w = r[w < 0.0], c[w < 0.0], w[w < 0.0]
    shift = 1.0 - float(cost.min())  # all weights > 0; every row matched once, so no bias
    graph = csr_array(
        (
            np.concatenate([w + shift, np.full(n_rows, shift)]),
            (
                np.concatenate([r, np.arange(n_rows)]),
                np.concatenate([c, n_cols + np.arange(n_rows)]),
            ),
        ),
        shape=(n_rows, n_cols + n_rows),
    )
    rows, cols = min_weight_full_bipartite_matching(graph)
    real = cols < n_cols
    return rows[real], cols[real]


def _swap_pass(rd: _Rounds, tgt: NDArray[np.int64]) -> NDArray[np.int64] | None:
    """2-exchange: swap the threats of two fired rounds (non-overlapping improving swaps)."""
    s, f, excl = _survival_parts(rd, tgt)
    if f.size < 2:
        return None
    t = tgt[f]
    a_q = rd.q[np.ix_(f, t)]  # [b, a] = q of round b on a's threat
    a_f = rd.feasible[np.ix_(f, t)]
    diag = np.diagonal(a_q)
    half = (a_q - diag[None, :]) * excl[None, :]  # [b, a]: change at a's threat if b replaces a
    delta = half + half.T
    tol = _REL_TOL * max(1.0, float(s.sum()))
    good = np.triu(delta < -tol, k=1)  # each pair once, row b < column a
    good &= a_f & a_f.T & (t[:, None] != t[None, :])
    b_idx, a_idx = np.nonzero(good)
    if b_idx.size == 0:
        return None
    d = delta[b_idx, a_idx]
    ta, tb = t[a_idx], t[b_idx]
    # lock both threats: a swap touches exactly two threats, each through one key array
    lo, hi = np.minimum(ta, tb), np.maximum(ta, tb)
    keep = _apply_disjoint_pairs(d, lo, hi)
    new = tgt.copy()
    new[f[a_idx[keep]]] = tb[keep]
    new[f[b_idx[keep]]] = ta[keep]
    return new


def _apply_disjoint_pairs(
    delta: NDArray[np.float64], u: NDArray[np.int64], v: NDArray[np.int64], limit: int = 5000
) -> NDArray[np.intp]:
    """Improving candidates touching threats ``u`` and ``v``, no threat touched twice."""
    cand = np.flatnonzero(np.isfinite(delta) & (delta < 0.0))
    cand = cand[np.argsort(delta[cand], kind="stable")][:limit]
    used: set[int] = set()
    keep: list[int] = []
    for c in cand.tolist():
        a, b = int(u[c]), int(v[c])
        if a in used or b in used:
            continue
        used.add(a)
        used.add(b)
        keep.append(c)
    return np.asarray(keep, dtype=np.intp)


def _move_pass(rd: _Rounds, tgt: NDArray[np.int64]) -> NDArray[np.int64] | None:
    """Move one round to another threat, or fire an idle round (group spare permitting)."""
    m = rd.value.shape[0]
    s, f, excl = _survival_parts(rd, tgt)
    idle = np.flatnonzero((tgt < 0) & rd.feasible.any(axis=1))
    spare = rd.capacity - _fired_per_group(rd, tgt)
    if idle.size and rd.capacity.size:
        g = rd.group[idle]
        idle = idle[(g < 0) | (spare[np.maximum(g, 0)] > 0)]
    rows = np.concatenate([f, idle])
    if rows.size == 0:
        return None
    src = np.concatenate([tgt[f], np.full(idle.size, m)])
    release = np.concatenate([excl - s[tgt[f]], np.zeros(idle.size)])  # >= 0
    delta = release[:, None] + s[None, :] * (rd.q[rows] - 1.0)
    full = np.bincount(tgt[tgt >= 0], minlength=m) >= rd.target_cap
    ok = rd.feasible[rows] & (src[:, None] != np.arange(m)[None, :]) & ~full[None, :]
    delta = np.where(ok, delta, np.inf)
    tol = _REL_TOL * max(1.0, float(s.sum()))
    r_i, k_i = np.nonzero(delta < -tol)
    if r_i.size == 0:
        return None
    d = delta[r_i, k_i]
    # lock source and destination threats (an idle round's source m + its row keeps it unique)
    src_key = np.where(src[r_i] == m, m + r_i, src[r_i])
    keep = _apply_disjoint_pairs(d, src_key, k_i.astype(np.int64))
    new = tgt.copy()
    left = spare.copy()
    for c in keep.tolist():
        r = int(rows[r_i[c]])
        unit = int(rd.group[r])
        if tgt[r] < 0 and unit >= 0:
            if left[unit] <= 0:
                continue
            left[unit] -= 1
        new[r] = k_i[c]
    return new


HALF_PATTERNS = 8
"""Half-threat multi-exchange patterns tried after the full one (see :func:`_lsa_pass`)."""


def _local_search(
    rd: _Rounds,
    tgt: NDArray[np.int64],
    deadline: float,
    max_rotation: int = 8,
    patterns: int = HALF_PATTERNS,
    clock: Callable[[], float] = time.perf_counter,
    min_gain: float = 0.0,
) -> NDArray[np.int64]:
    """Alternate the neighbourhoods until none improves (by more than ``min_gain`` of the
    objective per pass: the improvements are still kept) or the deadline (of ``clock``)
    passes."""
    pass_no = 0
    stall = 0
    large = rd.q.size > LARGE_PATH_SIZE
    if large:  # the extra neighbourhoods cost more than they gain at this size (see docs)
        patterns = 0
    while clock() < deadline:
        improved = False
        before = _value(rd, tgt)
        pattern = pass_no % (patterns + 1)
        new = _lsa_pass(rd, tgt, pass_no // (patterns + 1), pattern)
        if new is not None:
            tgt, improved = new, True
        if pattern == 0 and (not large or LARGE_EXTRA):
            new = _lsa_pass(rd, tgt, pass_no // (patterns + 1), 0, extra=True)
            if new is not None:
                tgt, improved = new, True
        for step in (_swap_pass, _move_pass):
            new = step(rd, tgt)
            if new is not None and _value(rd, new) < _value(rd, tgt):
                tgt, improved = new, True
        pass_no += 1
        if improved and min_gain > 0.0:
            improved = _value(rd, tgt) < before * (1.0 - min_gain)
        if improved:
            stall = 0
        else:
            stall += 1
            m = rd.value.shape[0]
            most = int(np.bincount(tgt[tgt >= 0], minlength=m).max()) if (tgt >= 0).any() else 1
            if stall >= (patterns + 1) * min(max(most, 1), max_rotation):
                break
    return tgt


def _value(rd: _Rounds, tgt: NDArray[np.int64]) -> float:
    s, _, _ = _survival_parts(rd, tgt)
    return float(s.sum())


# --------------------------------------------------------------------------- entry points


def solve_fast(
    problem: WTAProblem,
    *,
    time_limit_s: float = 60.0,
    start: NDArray[np.int64] | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> FastResult:
    """MMR, then neighbourhood search until a local optimum (or the time limit).

    ``start`` optionally gives an (n, m) assignment to improve instead of the MMR one;
    ``clock`` (seconds) measures the time limit (a fake one in tests).
    """
    deadline = clock() + time_limit_s
    if problem.n_targets == 0 or problem.n_rounds == 0:
        x = np.zeros(problem.pk.shape, dtype=np.int64)
        return FastResult(x=x, objective=objective(problem, x))
    rd = _rounds(problem)
    if start is not None:
        tgt = _from_matrix(rd, start)
    elif problem.asset_based:
        from iadsim.command.wta_asset import asset_mmr  # a later module: imported here

        tgt = asset_mmr(problem, rd)
    else:
        tgt = _mmr(rd)
    if problem.asset_based:
        from iadsim.command.wta_asset import asset_moves

        tgt = asset_moves(problem, rd, tgt, deadline, clock=clock)
    elif start is None and _several_per_threat(problem):
        tgt = _multi_start(problem, rd, tgt, deadline, clock)
    else:
        tgt = _local_search(rd, tgt, deadline, clock=clock)
    x = to_matrix(problem, rd.weapon, tgt)
    return FastResult(x=x, objective=objective(problem, x))


START_WORK = 180_000
"""Lagrangian starts completed by the local search: ``START_WORK // (rounds x threats)``,
between 1 and ``MAX_STARTS`` (a count, not a clock, so the result is deterministic).
180,000 (was 100,000) gives 150 x 300 at mu = 2 two starts (seed 4: 0.66% -> below the
best long search) and 100 x 200 three or four."""
MAX_STARTS = 6
LARGE_ITERATIONS = 150
"""Subgradient iterations above ``SPARSE_ASSIGNMENT_SIZE`` (300 below)."""
LARGE_ROTATION = 1
LARGE_EXTRA = False
"""The "one more round" multi-exchange column on the large path: 0.1% better at 300 x 600,
mu = 3, at 2-4 times the CPU (over 1 s), so off."""
LARGE_MIN_GAIN = 2e-4
"""Above ``SPARSE_ASSIGNMENT_SIZE`` the search rotates the round taken off at most
``LARGE_ROTATION`` times without improving and stops after passes that gain less than
``LARGE_MIN_GAIN`` of the objective (at 300 x 600, mu = 3, each pass costs about 0.13 s;
rotation 2 was 0.3% better there in 1.9 s instead of 1.2 s)."""
MULTI_ROTATION, MULTI_PATTERNS = 1, 0
"""The local search's rotation and pattern limits per Lagrangian start below that size (the
best of several short searches pays more than a long search of one: 8 and 8 gave the same
best values on 50 x 100 in twice the time)."""


def _multi_start(
    problem: WTAProblem,
    rd: _Rounds,
    mmr: NDArray[np.int64],
    deadline: float,
    clock: Callable[[], float],
) -> NDArray[np.int64]:
    """Best local optimum from the Lagrangian starts at the best prices (each filled up by
    MMR); above ``LARGE_PATH_SIZE`` one start only, the best-dual Lagrangian one (MMR's
    start, used before when rounds were no more than threats, was 0.3-2.5% worse at
    200 x 400 and 300 x 600, mu = 2, seeds 0-4)."""
    small = rd.q.size <= LARGE_PATH_SIZE
    n_starts = int(np.clip(START_WORK // max(rd.q.size, 1), 1, MAX_STARTS)) if small else 1
    lags = lagrangian_starts(
        problem, _value(rd, mmr), keep=n_starts, iterations=300 if small else LARGE_ITERATIONS
    )
    # MMR's own local optimum is not among the starts: on the families it never beat the
    # Lagrangian ones (at mu = 3 it was 5-12% worse, and its search the slowest)
    starts = [_mmr(rd, _from_matrix(rd, x)) for x in lags]
    if not small:
        return _local_search(rd, starts[0], deadline, max_rotation=LARGE_ROTATION, clock=clock,
                             min_gain=LARGE_MIN_GAIN)
    best, best_v = mmr, np.inf
    for st in starts:
        got = _local_search(
            rd, st, deadline, max_rotation=MULTI_ROTATION, patterns=MULTI_PATTERNS, clock=clock
        )
        v = _value(rd, got)
        if v < best_v:
            best, best_v = got, v
    return best


def _several_per_threat(problem: WTAProblem) -> bool:
    """Threats may take several rounds and some weapon holds several: the case where which
    threats get two or three rounds matters, and the Lagrangian start pays."""
    return bool(
        problem.target_capacity.max(initial=0) > 1
        and problem.rounds.max(initial=0) > 1
        and problem.n_rounds > problem.n_weapons
    )


def _from_matrix(rd: _Rounds, x: NDArray[np.int64]) -> NDArray[np.int64]:
    """Matrix (n, m) to round-level targets: weapon i's first rounds take its targets."""
    tgt = -np.ones(rd.weapon.size, dtype=np.int64)
    w_idx, t_idx = np.nonzero(x)
    reps = x[w_idx, t_idx]
    want_w = np.repeat(w_idx, reps)
    want_t = np.repeat(t_idx, reps)
    first = np.searchsorted(rd.weapon, np.arange(x.shape[0]))
    order = np.argsort(want_w, kind="stable")
    want_w, want_t = want_w[order], want_t[order]
    cnt = np.bincount(want_w, minlength=x.shape[0])
    rank = np.arange(want_w.size) - (np.cumsum(cnt) - cnt)[want_w]
    tgt[first[want_w] + rank] = want_t
    return tgt


def search_longer(
    problem: WTAProblem,
    *,
    time_limit_s: float,
    rng: np.random.Generator,
    kick_fraction: float = 0.1,
) -> FastResult:
    """Iterated local search (target-based): random kicks of ``kick_fraction`` of the rounds,
    then :func:`solve_fast`'s neighbourhoods; keeps the best. For benchmarks and studies.
    Starts from :func:`solve_fast` run to completion; ``time_limit_s`` is the search after."""
    rd = _rounds(problem)
    best = _from_matrix(rd, solve_fast(problem).x)  # to completion: never worse than it
    deadline = time.perf_counter() + time_limit_s
    best_v = _value(rd, best)
    fireable = np.flatnonzero(rd.feasible.any(axis=1))
    while time.perf_counter() < deadline and fireable.size:
        cur = best.copy()
        k = max(2, int(kick_fraction * fireable.size))
        pick = rng.choice(fireable, size=min(k, fireable.size), replace=False)
        for r in pick.tolist():
            options = np.flatnonzero(rd.feasible[r])
            cur[r] = int(rng.choice(options))
        if rd.capacity.size and np.any(_fired_per_group(rd, cur) > rd.capacity):
            continue
        if np.any(np.bincount(cur[cur >= 0], minlength=rd.value.size) > rd.target_cap):
            continue
        cur = _local_search(rd, cur, deadline)
        v = _value(rd, cur)
        if v < best_v - _REL_TOL * max(1.0, best_v):
            best, best_v = cur, v
    x = to_matrix(problem, rd.weapon, best)
    return FastResult(x=x, objective=objective(problem, x))
