"""Command stage: a Lagrangian start for the static WTA with several rounds per weapon.

In: a target-based :class:`~iadsim.command.assignment.WTAProblem`. Out: an (n, m) assignment
that respects every weapon's rounds and every fire unit's channels (not necessarily all
rounds used), for :func:`~iadsim.command.wta_fast.solve_fast` to complete and improve.

The column formulation of the exact solver (one column per threat and multiset of rounds)
has a tight LP relaxation; its Lagrangian dual, with the weapons' round constraints relaxed
at prices ``lam_i >= 0``, separates by threat:

    L(lam) = sum_j min_S (V_j prod_{i in S} q_ij + sum_{i in S} lam_i) - sum_i lam_i r_i.

Here the columns of threat j are the multisets of at most ``max_size`` rounds drawn from its
``top`` best weapons (highest p_ij), a few hundred per threat, priced all at once. The prices
follow the subgradient method with Polyak steps towards the fast solver's objective (Held,
Wolfe and Crowder 1974; Fisher 1981, Management Science 27(1)); the columns each threat picks
at the best prices form a coordinated allocation (which threats get two or three rounds and
which none), the decision that round-by-round greedy and exchange moves get wrong when
weapons hold several rounds. Excess rounds are then dropped, lowest marginal value first.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iadsim.command.assignment import WTAProblem


def combinations(n: int, k: int) -> NDArray[np.intp]:
    """All k-subsets of ``range(n)`` in lexicographic order, shape ``(C(n, k), k)``."""
    if k == 0:
        return np.zeros((1, 0), dtype=np.intp)
    if k > n:
        return np.zeros((0, k), dtype=np.intp)
    c = np.arange(n, dtype=np.intp)[:, None]
    for _ in range(k - 1):
        last = c[:, -1]
        cnt = n - 1 - last
        rep = np.repeat(c, cnt, axis=0)
        offs = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        c = np.hstack([rep, (np.repeat(last + 1, cnt) + offs)[:, None]])
    return c


def multisets(n: int, k: int) -> NDArray[np.intp]:
    """All k-multisets of ``range(n)`` as nondecreasing rows, shape ``(C(n + k - 1, k), k)``."""
    if n == 0:
        return np.zeros((0 if k else 1, k), dtype=np.intp)
    return combinations(n + k - 1, k) - np.arange(k, dtype=np.intp)[None, :]


def within_rounds(members: NDArray[np.int64], rounds: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Rows of nondecreasing weapon ids (c, k) that use no weapon more than its rounds."""
    c, k = members.shape
    run = np.zeros((c, k), dtype=np.int64)
    for col in range(1, k):
        same = members[:, col] == members[:, col - 1]
        run[:, col] = np.where(same, run[:, col - 1] + 1, 0)
    return np.asarray(np.all(run < rounds[members], axis=1), dtype=bool)


def _candidate_columns(
    problem: WTAProblem, top: int, max_size: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Threat (c,), members (c, max_size) padded with -1, cost (c,), sorted by threat."""
    n, m = problem.pk.shape
    q = 1.0 - problem.pk
    top = min(top, n)
    score = np.where(problem.feasible, problem.pk, -1.0)
    best = np.argsort(-score, axis=0, kind="stable")[:top].T  # (m, top)
    tgts, mems = [], []
    for k in range(max_size + 1):
        ms = multisets(top, k)
        w = best[:, ms].reshape(m * ms.shape[0], k)
        t = np.repeat(np.arange(m, dtype=np.int64), ms.shape[0])
        ok = problem.target_capacity[t] >= k
        if k:
            ok &= within_rounds(w, problem.rounds) & np.all(problem.feasible[w, t[:, None]], axis=1)
        pad = -np.ones((int(ok.sum()), max_size), dtype=np.int64)
        pad[:, :k] = w[ok]
        tgts.append(t[ok])
        mems.append(pad)
    tgt = np.concatenate(tgts)
    mem = np.concatenate(mems)
    order = np.argsort(tgt, kind="stable")
    tgt, mem = tgt[order], mem[order]
    qq = np.where(mem >= 0, q[np.maximum(mem, 0), tgt[:, None]], 1.0)
    return tgt, mem, problem.value[tgt] * np.prod(qq, axis=1)


def _pick(
    tgt: NDArray[np.int64], rc: NDArray[np.float64], start: NDArray[np.intp]
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Each threat's cheapest column (first on ties) and the minima."""
    mins = np.minimum.reduceat(rc, start)
    first = np.flatnonzero(rc <= mins[tgt])
    lead = np.ones(first.size, dtype=bool)  # first of each threat's (sorted) ties
    lead[1:] = tgt[first[1:]] != tgt[first[:-1]]
    return first[lead], mins


def lagrangian_starts(
    problem: WTAProblem,
    upper: float,
    *,
    keep: int = 1,
    top: int = 8,
    max_size: int = 3,
    iterations: int = 300,
) -> list[NDArray[np.int64]]:
    """Allocations (n, m) from the columns picked at the ``keep`` best prices found (distinct
    picks, best Lagrangian value first), excess rounds dropped.

    ``upper`` is an objective value reached (the Polyak step's target). Several starts pay
    because which near-optimal prices' picks the local search completes best varies
    (benchmarks/wta.py --family: the best of 6 is 0.1-0.5% better than the best-dual one
    at 50 x 100).
    """
    n, m = problem.pk.shape
    if n == 0 or m == 0:
        return [np.zeros((n, m), dtype=np.int64)]
    tgt, mem, cost = _candidate_columns(problem, top, max_size)
    start = np.searchsorted(tgt, np.arange(m))
    mem_cols = [np.ascontiguousarray(mem[:, k]) for k in range(mem.shape[1])]
    lam = np.zeros(n)
    best_dual = -np.inf
    picks: dict[bytes, tuple[float, NDArray[np.intp]]] = {}
    theta, stall = 1.0, 0
    price = np.zeros(n + 1)  # the last entry prices the padding (-1)
    for _ in range(iterations):
        price[:n] = lam
        rc = cost.copy()
        for col in mem_cols:
            rc += price[col]
        chosen, mins = _pick(tgt, rc, start)
        dual = float(mins.sum() - lam @ problem.rounds)
        key = chosen.tobytes()
        if key not in picks or picks[key][0] < dual:
            picks[key] = (dual, chosen)
        if dual > best_dual + 1e-12 * max(1.0, abs(dual)):
            best_dual, stall = dual, 0
        else:
            stall += 1
            if stall >= 10:
                theta, stall = theta / 2.0, 0
        used_mem = mem[chosen]
        used = np.bincount(used_mem[used_mem >= 0], minlength=n)
        g = (used - problem.rounds).astype(float)
        g[(lam <= 0.0) & (g < 0.0)] = 0.0
        norm = float(g @ g)
        if norm == 0.0 or theta < 1e-4:
            break
        lam = np.maximum(0.0, lam + theta * max(upper - dual, 1e-9 * upper) / norm * g)
    best = sorted(picks.values(), key=lambda dc: -dc[0])[: max(1, keep)]
    out = []
    for _, chosen in best:
        x = np.zeros((n, m), dtype=np.int64)
        cm = mem[chosen]
        ct = np.broadcast_to(tgt[chosen][:, None], cm.shape)
        np.add.at(x, (cm[cm >= 0], ct[cm >= 0]), 1)
        out.append(_drop_excess(problem, x))
    return out


def lagrangian_start(problem: WTAProblem, upper: float, **kw: int) -> NDArray[np.int64]:
    """The start of :func:`lagrangian_starts` at the best prices found."""
    return lagrangian_starts(problem, upper, keep=1, **kw)[0]


def _drop_excess(problem: WTAProblem, x: NDArray[np.int64]) -> NDArray[np.int64]:
    """Remove rounds over a weapon's rounds or a fire unit's channels, the round whose
    removal costs least (``V_j S_j p_ij / q_ij``, at the survivals before any removal) first.

    Vectorised: every weapon's excess is dropped at once, ranked by that loss (the survival
    of a threat that loses a round rises, which the ranking ignores: a start, not a solution).
    """
    q = 1.0 - problem.pk
    x = x.copy()
    surv = problem.value * np.prod(q**x, axis=0)
    lost = surv[None, :] * problem.pk / np.maximum(q, 1e-12)
    over = x.sum(axis=1) - problem.rounds
    if np.any(over > 0):
        _drop_ranked(x, lost, np.arange(x.shape[0]), over)
    for g in range(problem.group_capacity.size):
        rows = np.flatnonzero(problem.group == g)
        excess = int(x[rows].sum() - problem.group_capacity[g])
        if excess > 0:
            _drop_ranked(x, lost, rows, np.array([excess]), pooled=True)
    return x


def _drop_ranked(
    x: NDArray[np.int64],
    lost: NDArray[np.float64],
    rows: NDArray[np.intp],
    excess: NDArray[np.int64],
    pooled: bool = False,
) -> None:
    """Take ``excess`` rounds off each of ``rows`` (or off ``rows`` together when ``pooled``),
    cheapest ``lost`` first, in place; a threat's several rounds from one weapon are units."""
    w_idx, t_idx = np.nonzero(x[rows])
    reps = x[rows][w_idx, t_idx]
    uw, ut = np.repeat(w_idx, reps), np.repeat(t_idx, reps)
    key = np.zeros(uw.size, dtype=np.int64) if pooled else uw
    order = np.lexsort((lost[rows[uw], ut], key))
    uw, ut, key = uw[order], ut[order], key[order]
    cnt = np.bincount(key, minlength=excess.size if pooled else rows.size)
    rank = np.arange(key.size) - (np.cumsum(cnt) - cnt)[key]
    cut = rank < np.maximum(excess, 0)[key]
    np.subtract.at(x, (rows[uw[cut]], ut[cut]), 1)
