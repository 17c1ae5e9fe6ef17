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
    chosen = first[np.unique(tgt[first], return_index=True)[1]]
    return chosen, mins


def lagrangian_start(
    problem: WTAProblem,
    upper: float,
    *,
    top: int = 8,
    max_size: int = 3,
    iterations: int = 150,
) -> NDArray[np.int64]:
    """Allocation (n, m) from the columns picked at the best Lagrangian prices found.

    ``upper`` is an objective value reached (the Polyak step's target).
    """
    n, m = problem.pk.shape
    x = np.zeros((n, m), dtype=np.int64)
    if n == 0 or m == 0:
        return x
    tgt, mem, cost = _candidate_columns(problem, top, max_size)
    start = np.searchsorted(tgt, np.arange(m))
    lam = np.zeros(n)
    best_dual, best_lam = -np.inf, lam
    theta, stall = 1.0, 0
    price = np.zeros(n + 1)  # the last entry prices the padding (-1)
    for _ in range(iterations):
        price[:n] = lam
        chosen, mins = _pick(tgt, cost + price[mem].sum(axis=1), start)
        dual = float(mins.sum() - lam @ problem.rounds)
        if dual > best_dual + 1e-12 * max(1.0, abs(dual)):
            best_dual, best_lam, stall = dual, lam.copy(), 0
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
    price[:n] = best_lam
    chosen, _ = _pick(tgt, cost + price[mem].sum(axis=1), start)
    cm = mem[chosen]
    ct = np.broadcast_to(tgt[chosen][:, None], cm.shape)
    np.add.at(x, (cm[cm >= 0], ct[cm >= 0]), 1)
    return _drop_excess(problem, x)


def _drop_excess(problem: WTAProblem, x: NDArray[np.int64]) -> NDArray[np.int64]:
    """Remove rounds over a weapon's rounds or a fire unit's channels, the round whose
    removal costs least (``V_j S_j p_ij / q_ij``) first."""
    q = 1.0 - problem.pk
    x = x.copy()

    def worst(rows: NDArray[np.intp]) -> tuple[int, int]:
        surv = problem.value * np.prod(q**x, axis=0)
        lost = surv[None, :] * problem.pk[rows] / np.maximum(q[rows], 1e-12)
        loss = np.where(x[rows] > 0, lost, np.inf)
        r, j = np.unravel_index(int(np.argmin(loss)), loss.shape)
        return int(rows[r]), int(j)

    for i in np.flatnonzero(x.sum(axis=1) > problem.rounds).tolist():
        while x[i].sum() > problem.rounds[i]:
            _, j = worst(np.array([i]))
            x[i, j] -= 1
    for g in range(problem.group_capacity.size):
        rows = np.flatnonzero(problem.group == g)
        while x[rows].sum() > problem.group_capacity[g]:
            i, j = worst(rows)
            x[i, j] -= 1
    return x
