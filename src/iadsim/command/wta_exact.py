"""Command stage: the exact WTA solver (column formulation, proof of optimality).

In: a :class:`~iadsim.command.assignment.WTAProblem`. Out: an optimal assignment and the proof's
lower bound (equal to the objective when proven).

Formulation (the "enumerated" one): a *column* is one threat j with a multiset S of rounds
(weapon i at most ``rounds_i`` times) and costs its surviving value ``V_j prod_{i in S} q_ij``.
Choose exactly one column per threat (the empty one allowed) with every weapon's rounds and
every fire unit's channels respected: a set-partitioning MILP whose LP relaxation is tight.

There are too many columns to list, so the solver

1. takes an incumbent (upper bound U) from :func:`~iadsim.command.wta_fast.solve_fast`;
2. solves the LP over a working set of columns (HiGHS via ``scipy.optimize.linprog``) and
   prices *every* column of size <= K exactly (vectorised enumeration), adding the negative
   ones, until none is left: the LP is then optimal over all columns of size <= K;
3. bounds the reduced cost of every larger column of threat j from below by
   ``V_j * (product of the k smallest q) + (sum of the k smallest round prices) - mu_j``,
   minimised over k > K. With LP value z, any integer solution costs at least
   ``z + sum_j (reduced cost of its column for j)``, so ``z + sum_j min(0, bound_j)`` is a
   proven lower bound, and when every ``bound_j >= U - z`` no column larger than K can be in
   a solution better than U; otherwise K grows;
4. solves the set-partitioning MILP (``scipy.optimize.milp``) over the columns whose reduced
   cost is at most ``U - z`` (plus the incumbent's): its optimum is the global optimum.

The asset-based objective is not separable by threat; its exact solver enumerates all
assignments of small instances (at most ``ASSET_ENUMERATION_LIMIT``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, linprog, milp

from iadsim.command.assignment import WTAProblem, objective
from iadsim.command.wta_asset import _asset_objective_rows
from iadsim.command.wta_fast import solve_fast
from iadsim.command.wta_lagrange import combinations, multisets, within_rounds

__all__ = ["ExactResult", "combinations", "multisets", "solve_exact"]

ASSET_ENUMERATION_LIMIT = 100_000
"""Largest number of round-level assignments the asset-based exact solver enumerates."""
MAX_POOL_COLUMNS = 6_000_000
"""Largest number of enumerated columns; beyond it the solver stops with a lower bound."""
_REL_TOL = 1e-9


@dataclass(frozen=True, slots=True)
class ExactResult:
    """Best assignment, its objective, a proven lower bound, and whether they meet."""

    x: NDArray[np.int64]
    objective: float
    lower_bound: float
    proven_optimal: bool
    max_column_size: int = 0
    stop_reason: str = "optimal"
    """``optimal`` when proven, else ``time_limit``, ``column_limit`` (the next column size
    would pass ``max_pool_columns``), ``column_size_cap`` (``max_column_size`` reached),
    ``enumeration_limit`` (asset-based instance too large) or the MILP's message."""


@dataclass
class _Pool:
    """Enumerated columns: threat, members (weapon ids, -1 padded), cost."""

    tgt: NDArray[np.int64]
    mem: NDArray[np.int64]
    cost: NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.tgt.shape[0])


def _pad(mem: NDArray[np.int64], width: int) -> NDArray[np.int64]:
    out = -np.ones((mem.shape[0], width), dtype=np.int64)
    out[:, : mem.shape[1]] = mem
    return out


def _concat(pools: list[_Pool]) -> _Pool:
    width = max([p.mem.shape[1] for p in pools] + [1])
    return _Pool(
        np.concatenate([p.tgt for p in pools]),
        np.concatenate([_pad(p.mem, width) for p in pools]),
        np.concatenate([p.cost for p in pools]),
    )


def _columns_of_size(problem: WTAProblem, k: int) -> _Pool:
    """Every column of size k (multisets of rounds on one threat), all threats."""
    q = 1.0 - problem.pk
    if k == 0:
        m = problem.n_targets
        return _Pool(np.arange(m, dtype=np.int64), np.zeros((m, 0), np.int64), problem.value.copy())
    if k == 1:
        jj, ww = np.nonzero(problem.feasible.T & (problem.target_capacity >= 1)[:, None])
        order = np.lexsort((ww, jj))
        ww, jj = ww[order], jj[order]
        return _Pool(
            jj.astype(np.int64), ww[:, None].astype(np.int64), problem.value[jj] * q[ww, jj]
        )
    tgts, mems = [], []
    for j in range(problem.n_targets):
        if problem.target_capacity[j] < k:
            continue
        w = np.flatnonzero(problem.feasible[:, j])
        combo = w[multisets(w.size, k)]
        if np.any(problem.rounds[w] < k):  # drop multisets using a weapon more than its rounds
            combo = combo[within_rounds(combo, problem.rounds)]
        tgts.append(np.full(combo.shape[0], j, dtype=np.int64))
        mems.append(combo.astype(np.int64))
    tgt = np.concatenate(tgts) if tgts else np.zeros(0, np.int64)
    mem = np.concatenate(mems) if mems else np.zeros((0, k), np.int64)
    qq = q[mem, tgt[:, None]] if k else np.ones((tgt.size, 0))
    return _Pool(tgt, mem, problem.value[tgt] * np.prod(qq, axis=1))


def _count_columns(problem: WTAProblem, k: int) -> int:
    """Upper bound on the number of columns of size k (multisets, before the rounds filter)."""
    from math import comb

    total = 0
    for j in range(problem.n_targets):
        if problem.target_capacity[j] < k:
            continue
        n_w = int(problem.feasible[:, j].sum())
        total += comb(n_w + k - 1, k) if n_w else 0
    return total


def _incumbent_pool(problem: WTAProblem, x: NDArray[np.int64]) -> _Pool:
    cols = []
    width = max(1, int(x.sum(axis=0).max()) if x.size else 1)
    q = 1.0 - problem.pk
    for j in range(problem.n_targets):
        mem = np.repeat(np.arange(problem.n_weapons), x[:, j])
        cost = problem.value[j] * float(np.prod(q[mem, j]))
        cols.append(
            _Pool(np.array([j]), _pad(mem[None, :].astype(np.int64), width), np.array([cost]))
        )
    return (
        _concat(cols)
        if cols
        else _Pool(np.zeros(0, np.int64), np.zeros((0, 1), np.int64), np.zeros(0))
    )


def _matrices(
    problem: WTAProblem, pool: _Pool
) -> tuple[sp.csr_array, sp.csr_array, NDArray[np.float64]]:
    """Equality rows (one per threat) and inequality rows (weapons, then fire units)."""
    n, m, g = problem.n_weapons, problem.n_targets, problem.group_capacity.size
    c = len(pool)
    a_eq = sp.csr_array((np.ones(c), (pool.tgt, np.arange(c))), shape=(m, c))
    col, pos = np.nonzero(pool.mem >= 0)
    w = pool.mem[col, pos]
    rows = [w]
    cols = [col]
    if g:
        grp = problem.group[w]
        has = grp >= 0
        rows.append(n + grp[has])
        cols.append(col[has])
    r = np.concatenate(rows)
    cc = np.concatenate(cols)
    a_ub = sp.csr_array((np.ones(r.size), (r, cc)), shape=(n + g, c))
    b_ub = np.concatenate([problem.rounds, problem.group_capacity]).astype(float)
    return a_eq, a_ub, b_ub


def _round_prices(problem: WTAProblem, y_ub: NDArray[np.float64]) -> NDArray[np.float64]:
    """Price (>= 0) of one round of each weapon: its own row plus its fire unit's row."""
    n = problem.n_weapons
    price = -y_ub[:n].copy()
    if problem.group_capacity.size:
        has = problem.group >= 0
        price[has] += -y_ub[n + problem.group[has]]
    return np.maximum(price, 0.0)


def _reduced_costs(
    pool: _Pool, price: NDArray[np.float64], mu: NDArray[np.float64]
) -> NDArray[np.float64]:
    pad = np.concatenate([price, [0.0]])
    return pool.cost + pad[pool.mem].sum(axis=1) - mu[pool.tgt]


def _larger_column_bound(
    problem: WTAProblem, k_done: int, price: NDArray[np.float64], mu: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Lower bound on the reduced cost of every column of size > k_done, per threat.

    Two valid bounds, the larger kept: (a) the k smallest q and the k smallest prices taken
    separately; (b) a tangent of the convex ``V exp(-y)`` at y = t (y = sum of -log q over the
    column) makes the reduced cost separable in the rounds, ``V e^-t (1 + t) + sum_i
    (price_i + V e^-t log q_i) - mu``, minimised by the most negative terms; maximised over t.
    All threats at once; rounds that cannot engage a threat get q = 1 and price = inf.
    """
    weapon = np.repeat(np.arange(problem.n_weapons), problem.rounds)
    feas = problem.feasible[weapon]  # (R, m)
    n_feas = np.minimum(feas.sum(axis=0), problem.target_capacity)
    out = np.full(problem.n_targets, np.inf)
    live = n_feas > k_done
    if not live.any():
        return out
    feas = feas[:, live]
    v = problem.value[live]
    q = np.where(feas, 1.0 - problem.pk[weapon][:, live], 1.0)
    p = np.where(feas, price[weapon][:, None], np.inf)
    k = np.arange(1, weapon.size + 1)[:, None]
    with np.errstate(invalid="ignore"):
        sep = v * np.cumprod(np.sort(q, axis=0), axis=0) + np.cumsum(np.sort(p, axis=0), axis=0)
    sep = np.where((k > k_done) & (k <= problem.target_capacity[live][None, :]), sep, np.inf)
    sep = np.where(np.isnan(sep), np.inf, sep).min(axis=0)
    t = np.concatenate([np.linspace(0.0, 4.0, 41), np.linspace(4.5, 20.0, 32)])
    slope = v[None, :] * np.exp(-t)[:, None]  # (T, m')
    log_q = np.log(np.maximum(q, 1e-300))
    d = p[None, :, :] + slope[:, None, :] * log_q[None, :, :]  # (T, R, m')
    d.sort(axis=1)
    head = d[:, : k_done + 1, :].sum(axis=1)
    tail = np.minimum(d[:, k_done + 1 :, :], 0.0).sum(axis=1)
    tangent = (slope * (1.0 + t)[:, None] + head + tail).max(axis=0)
    out[live] = np.maximum(sep, tangent) - mu[live]
    return out


def _solve_lp(
    problem: WTAProblem, pool: _Pool, time_limit_s: float
) -> tuple[float, NDArray[np.float64], NDArray[np.float64]] | None:
    """Master LP over ``pool``: value, inequality and equality duals; None on the time limit."""
    a_eq, a_ub, b_ub = _matrices(problem, pool)
    res = linprog(
        pool.cost,
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=np.ones(problem.n_targets),
        bounds=(0, None),
        method="highs",
        options={"time_limit": max(time_limit_s, 1e-3)},
    )
    if res.status == 1:
        return None
    if res.status != 0:
        raise RuntimeError(f"WTA master LP failed: {res.message}")
    return float(res.fun), np.asarray(res.ineqlin.marginals), np.asarray(res.eqlin.marginals)


def _pool_to_x(problem: WTAProblem, pool: _Pool, chosen: NDArray[np.intp]) -> NDArray[np.int64]:
    x = np.zeros(problem.pk.shape, dtype=np.int64)
    mem = pool.mem[chosen]
    tg = np.broadcast_to(pool.tgt[chosen][:, None], mem.shape)
    ok = mem >= 0
    np.add.at(x, (mem[ok], tg[ok]), 1)
    return x


def _per_threat_min(pool: _Pool, rc: NDArray[np.float64], m: int) -> NDArray[np.float64]:
    out = np.full(m, np.inf)
    np.minimum.at(out, pool.tgt, rc)
    return out


def solve_exact(
    problem: WTAProblem,
    *,
    time_limit_s: float = 60.0,
    max_pool_columns: int = MAX_POOL_COLUMNS,
    max_column_size: int | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> ExactResult:
    """Optimal assignment with a proof, or the best found, a proven lower bound and a reason.

    Parameters
    ----------
    problem : the instance.
    time_limit_s : wall-clock budget, kept: every LP and the MILP get only what is left, and
        the enumeration of a larger column size is not started past it.
    max_pool_columns : stop growing the column size K when the enumeration would pass this.
    max_column_size : optional cap on K (for a quick lower bound on large instances).
    clock : seconds, for the time limit (a fake one in tests makes the stops deterministic;
        HiGHS is given the time left by it).

    The lower bound is never below zero (the objective cannot be) and never above the
    objective; ``stop_reason`` says why a result is unproven.
    """
    deadline = clock() + time_limit_s
    if problem.asset_based:
        return _asset_enumerate(problem, time_limit_s)
    if _is_matching(problem):
        return _solve_matching(problem)
    inc = solve_fast(problem, time_limit_s=max(0.01, 0.2 * time_limit_s), clock=clock)
    best_x, best = inc.x, inc.objective
    n, m = problem.pk.shape
    if m == 0 or n == 0 or problem.n_rounds == 0 or best <= 0.0:
        return ExactResult(best_x, best, best, True)
    tol = _REL_TOL * max(1.0, best)
    pools = [_columns_of_size(problem, 0), _columns_of_size(problem, 1)]
    incumbent = _incumbent_pool(problem, best_x)
    work = _concat([*pools, incumbent])
    k = 1
    lower = 0.0

    def stop(reason: str) -> ExactResult:
        return ExactResult(best_x, best, min(max(lower, 0.0), best), False, k, reason)

    everything = _concat(pools)
    while True:
        lp = _solve_lp(problem, work, deadline - clock())
        if lp is None:
            return stop("time_limit")
        z, y_ub, mu = lp
        price = _round_prices(problem, y_ub)
        rc = _reduced_costs(everything, price, mu)
        bound = _larger_column_bound(problem, k, price, mu)
        small = _per_threat_min(everything, rc, m)
        lower = max(lower, z + float(np.minimum(np.minimum(bound, small), 0.0).sum()))
        neg = np.flatnonzero(rc < -tol)
        if neg.size:
            if clock() > deadline:
                return stop("time_limit")
            neg = neg[np.argsort(rc[neg])][: max(50, 5 * m)]
            add = _Pool(everything.tgt[neg], everything.mem[neg], everything.cost[neg])
            work = _concat([work, add])
            continue
        gap = best - z
        if np.all(bound >= gap - tol):
            break
        if max_column_size is not None and k >= max_column_size:
            return stop("column_size_cap")
        if len(everything) + _count_columns(problem, k + 1) > max_pool_columns:
            return stop("column_limit")
        if clock() > deadline:
            return stop("time_limit")
        k += 1
        pools.append(_columns_of_size(problem, k))
        everything = _concat(pools)
    if gap <= tol:  # the LP bound meets the incumbent: it is optimal, no MILP needed
        return ExactResult(best_x, best, best, True, k)
    keep = np.flatnonzero(rc <= gap + tol)
    cand = _concat(
        [_Pool(everything.tgt[keep], everything.mem[keep], everything.cost[keep]), incumbent]
    )
    a_eq, a_ub, b_ub = _matrices(problem, cand)
    remaining = deadline - clock()
    if remaining <= 0.0:
        return stop("time_limit")
    res = milp(
        cand.cost,
        constraints=[LinearConstraint(a_eq, 1.0, 1.0), LinearConstraint(a_ub, -np.inf, b_ub)],
        integrality=np.ones(len(cand)),
        bounds=Bounds(0.0, 1.0),
        options={"time_limit": remaining, "mip_rel_gap": 1e-10},
    )
    if res.x is not None:
        x = _pool_to_x(problem, cand, np.flatnonzero(res.x > 0.5))
        val = objective(problem, x)
        if val < best:
            best_x, best = x, val
    if res.status == 0:
        return ExactResult(best_x, best, best, True, k)
    dual = getattr(res, "mip_dual_bound", None)
    if dual is not None and np.isfinite(dual):
        lower = max(lower, float(dual))
    return stop("time_limit" if res.status == 1 else f"milp: {res.message}")


def _is_matching(problem: WTAProblem) -> bool:
    """At most one round per threat and at most one fire unit: a linear assignment problem."""
    groups = np.unique(problem.group)
    return bool(
        problem.n_targets > 0
        and problem.target_capacity.max() <= 1
        and (problem.group_capacity.size == 0 or groups.size == 1)
    )


def _solve_matching(problem: WTAProblem) -> ExactResult:
    """Exact when every threat takes at most one round: each round's gain ``V_j p_ij`` is then
    independent of the others, so the optimum is a maximum-weight matching of rounds to
    threats (``linear_sum_assignment``). A single fire unit's channel limit C is kept exactly
    by ``m - C`` dummy rows that must each take a threat column, leaving C for real rounds."""
    weapon = np.repeat(np.arange(problem.n_weapons), problem.rounds)
    r, m = weapon.size, problem.n_targets
    x = np.zeros(problem.pk.shape, dtype=np.int64)
    if r == 0:
        return ExactResult(x, objective(problem, x), objective(problem, x), True)
    ok = problem.feasible[weapon] & (problem.target_capacity >= 1)[None, :]
    gain = np.where(ok, problem.value[None, :] * problem.pk[weapon], 0.0)
    limit = r
    if problem.group_capacity.size:
        g = int(problem.group[0])
        limit = r if g < 0 else int(problem.group_capacity[g])
    if limit < min(r, m):
        blocked = np.abs(gain).max() * (r + m + 1) + 1.0
        dummy = np.hstack([np.zeros((m - limit, m)), np.full((m - limit, r), blocked)])
        real = np.hstack([-gain, np.zeros((r, r))])
        rows, cols = linear_sum_assignment(np.vstack([real, dummy]))
        keep = (rows < r) & (cols < m)
        rows, cols = rows[keep], cols[keep]
    else:
        rows, cols = linear_sum_assignment(-gain)
    use = gain[rows, cols] > 0.0
    np.add.at(x, (weapon[rows[use]], cols[use]), 1)
    val = objective(problem, x)
    return ExactResult(x, val, val, True, 1)


def _asset_enumerate(problem: WTAProblem, time_limit_s: float) -> ExactResult:
    """Asset-based: enumerate every round-level assignment of a small instance, vectorised
    (one row per assignment); larger instances go to the fast solver, without a proof."""
    weapon = np.repeat(np.arange(problem.n_weapons), problem.rounds)
    r_count, m = weapon.size, problem.n_targets
    if m == 0 or r_count == 0:
        x = np.zeros(problem.pk.shape, dtype=np.int64)
        return ExactResult(x, objective(problem, x), objective(problem, x), True)
    n_assign = (m + 1) ** r_count
    if n_assign > ASSET_ENUMERATION_LIMIT:
        inc = solve_fast(problem, time_limit_s=time_limit_s)
        return ExactResult(inc.x, inc.objective, 0.0, False, 0, "enumeration_limit")
    codes = np.arange(n_assign, dtype=np.int64)
    tgt = np.empty((n_assign, r_count), dtype=np.int64)
    for r in range(r_count):
        tgt[:, r] = codes % (m + 1) - 1
        codes //= m + 1
    q = 1.0 - problem.pk
    ok = np.ones(n_assign, dtype=bool)
    surv = np.ones((n_assign, m))
    counts = np.zeros((n_assign, m), dtype=np.int64)
    fired = np.zeros((n_assign, problem.group_capacity.size), dtype=np.int64)
    cols = np.arange(m)
    for r in range(r_count):
        t, w = tgt[:, r], weapon[r]
        on = t >= 0
        ok &= ~on | problem.feasible[w, np.maximum(t, 0)]
        hot = t[:, None] == cols[None, :]
        surv *= np.where(hot, q[w][None, :], 1.0)
        counts += hot
        if problem.group[w] >= 0:
            fired[:, problem.group[w]] += on
    ok &= np.all(counts <= problem.target_capacity[None, :], axis=1)
    ok &= np.all(fired <= problem.group_capacity[None, :], axis=1)
    rows = np.flatnonzero(ok)
    vals = _asset_objective_rows(problem, surv[rows])
    best_row = int(rows[int(np.argmin(vals))])
    x = np.zeros(problem.pk.shape, dtype=np.int64)
    t = tgt[best_row]
    np.add.at(x, (weapon[t >= 0], t[t >= 0]), 1)
    val = objective(problem, x)
    return ExactResult(x, val, val, True)
