"""Command stage: static weapon-target assignment (WTA).

In: the values of the threats in view, the kill probabilities of every weapon (launcher) against
every threat, the ready rounds per weapon, a feasibility mask (engagement windows) and optional
fire-control channel limits per fire unit. Out: how many rounds each weapon fires at each threat.

The target-based objective (Manne 1958; Ahuja et al., Operations Research 55(6), 2007) is the
expected surviving threat value

    F(x) = sum_j V_j prod_i (1 - p_ij) ** x_ij,

minimised over integer x_ij >= 0 with sum_j x_ij <= rounds_i, x_ij = 0 where the pair is not
feasible, and sum_{i in unit g} sum_j x_ij <= channels_g. The asset-based variant (Hosein and
Athans 1990) protects assets instead: threat j, if it survives, destroys its aimed asset a(j)
with probability ``lethality_j``; the objective is the expected lost asset value

    A(x) = sum_k W_k (1 - prod_{j: a(j) = k} (1 - lethality_j * S_j(x))),

where ``S_j(x) = prod_i (1 - p_ij) ** x_ij`` is threat j's survival probability.

Solvers: :func:`iadsim.command.wta_exact.solve_exact` (column formulation, proves optimality)
and :func:`iadsim.command.wta_fast.solve_fast` (maximum marginal return, then very-large-scale
neighbourhood search); :func:`solve` picks one by ``method`` (``exact``, ``fast``, ``auto``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.errors import InputDataError

Method = Literal["exact", "fast", "auto"]
METHODS: tuple[str, ...] = ("exact", "fast", "auto")

AUTO_EXACT_MAX_PAIRS = 2500
"""``auto`` uses the exact solver when rounds x threats is at most this (and threats get few
rounds each, see ``AUTO_EXACT_ROUNDS_PER_THREAT``), else the fast one."""
AUTO_EXACT_ROUNDS_PER_THREAT = 2
"""Rounds per threat above which ``auto`` prefers the fast solver: the exact solver's columns
(threat, set of rounds) grow combinatorially with the rounds a threat receives."""


@dataclass(frozen=True, slots=True)
class WTAProblem:
    """One static WTA instance (weapons are launchers or fire units, targets are threats).

    Build it with :func:`make_problem`, which validates the arrays.
    """

    value: NDArray[np.float64]  # (m,) threat value V_j >= 0
    pk: NDArray[np.float64]  # (n, m) single-shot kill probability p_ij in [0, 1]
    rounds: NDArray[np.int64]  # (n,) rounds weapon i may fire now
    feasible: NDArray[np.bool_]  # (n, m) weapon i may engage threat j now
    group: NDArray[np.int64]  # (n,) fire unit of weapon i, -1 for none
    group_capacity: NDArray[np.int64]  # (g,) rounds fire unit g may fire now (channels)
    target_capacity: NDArray[np.int64]  # (m,) most rounds threat j may receive (doctrine)
    asset: NDArray[np.int64] | None = None  # (m,) aimed asset of threat j (asset-based only)
    asset_value: NDArray[np.float64] | None = None  # (k,) asset value W_k
    lethality: NDArray[np.float64] | None = None  # (m,) P(threat j kills its asset | leaks)

    @property
    def n_weapons(self) -> int:
        return int(self.pk.shape[0])

    @property
    def n_targets(self) -> int:
        return int(self.pk.shape[1])

    @property
    def asset_based(self) -> bool:
        return self.asset is not None

    @property
    def n_rounds(self) -> int:
        return int(self.rounds.sum())


@dataclass(frozen=True, slots=True)
class WTASolution:
    """A solved WTA instance.

    ``lower_bound`` is a proven lower bound on the optimum (``-inf`` when none was computed);
    ``proven_optimal`` says the exact solver closed the gap (within ``1e-9`` relative);
    ``stop_reason`` says why it did not (``time_limit``, ``column_limit``, ..., ``no_proof`` for
    the fast solver; ``optimal`` when proven).
    """

    x: NDArray[np.int64]  # (n, m) rounds weapon i fires at threat j
    objective: float
    lower_bound: float
    proven_optimal: bool
    method: str
    wall_time_s: float
    stop_reason: str = "optimal"

    @property
    def gap_pct(self) -> float:
        """Gap between the objective and the lower bound, in percent of the objective."""
        if not np.isfinite(self.lower_bound) or self.objective <= 0.0:
            return float("nan") if not np.isfinite(self.lower_bound) else 0.0
        return 100.0 * (self.objective - self.lower_bound) / self.objective


def _fail(message: str, rows: NDArray[np.intp] | None = None) -> InputDataError:
    return InputDataError(message, rows=None if rows is None else [int(r) for r in rows])


def make_problem(
    value: ArrayLike,
    pk: ArrayLike,
    *,
    rounds: ArrayLike | None = None,
    feasible: ArrayLike | None = None,
    group: ArrayLike | None = None,
    group_capacity: ArrayLike | None = None,
    target_capacity: ArrayLike | None = None,
    asset: ArrayLike | None = None,
    asset_value: ArrayLike | None = None,
    lethality: ArrayLike | None = None,
) -> WTAProblem:
    """Validate arrays into a :class:`WTAProblem`.

    Parameters
    ----------
    value : (m,) threat values, >= 0.
    pk : (n, m) kill probabilities in [0, 1].
    rounds : (n,) non-negative integers; default one round per weapon.
    feasible : (n, m) bool; default all pairs feasible.
    group, group_capacity : fire unit per weapon (-1 for none) and rounds per unit.
    target_capacity : (m,) most rounds per threat (e.g. one salvo under shoot-look-shoot);
        default unlimited.
    asset, asset_value, lethality : all three for the asset-based objective.

    Raises
    ------
    InputDataError
        Naming the field, the bad value and the rule.
    """
    v = np.asarray(value, dtype=np.float64)
    p = np.asarray(pk, dtype=np.float64)
    if v.ndim != 1:
        raise _fail(f"value must be a 1-D array (got shape {v.shape})")
    if p.ndim != 2 or p.shape[1] != v.shape[0]:
        raise _fail(f"pk must have shape (n_weapons, {v.shape[0]}) (got {p.shape})")
    n, m = p.shape
    bad = ~np.isfinite(v) | (v < 0.0)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise _fail(f"value[{j}] must be finite and >= 0 (got {v[j]})", np.flatnonzero(bad))
    bad_pk = ~((p >= 0.0) & (p <= 1.0))
    if bad_pk.any():
        i, j = (int(a[0]) for a in np.nonzero(bad_pk))
        raise _fail(f"pk[{i}, {j}] must be in [0, 1] (got {p[i, j]})", np.nonzero(bad_pk)[0])
    r = np.ones(n, dtype=np.int64) if rounds is None else np.asarray(rounds)
    if r.shape != (n,) or not np.all(np.isfinite(r)) or np.any(r < 0) or np.any(r != np.round(r)):
        raise _fail(f"rounds must be {n} non-negative integers (got {r!r})")
    f = np.ones((n, m), dtype=bool) if feasible is None else np.asarray(feasible, dtype=bool)
    if f.shape != (n, m):
        raise _fail(f"feasible must have shape ({n}, {m}) (got {f.shape})")
    g = -np.ones(n, dtype=np.int64) if group is None else np.asarray(group, dtype=np.int64)
    cap = np.zeros(0, np.int64) if group_capacity is None else np.asarray(group_capacity)
    if g.shape != (n,):
        raise _fail(f"group must have shape ({n},) (got {g.shape})")
    if cap.ndim != 1 or np.any(cap < 0) or np.any(cap != np.round(cap)):
        raise _fail(f"group_capacity must be non-negative integers (got {cap!r})")
    if np.any(g >= cap.shape[0]) or np.any(g < -1):
        i = int(np.flatnonzero((g >= cap.shape[0]) | (g < -1))[0])
        raise _fail(f"group[{i}] must be -1 or < len(group_capacity)={cap.shape[0]} (got {g[i]})")
    big = np.iinfo(np.int64).max // 4
    tcap = np.full(m, big, np.int64) if target_capacity is None else np.asarray(target_capacity)
    if tcap.shape != (m,) or np.any(tcap < 0) or np.any(tcap != np.round(tcap)):
        raise _fail(f"target_capacity must be {m} non-negative integers (got {tcap!r})")
    given = [a is not None for a in (asset, asset_value, lethality)]
    a = w = leth = None
    if any(given):
        if not all(given):
            raise _fail("asset, asset_value and lethality must be given together")
        a = np.asarray(asset, dtype=np.int64)
        w = np.asarray(asset_value, dtype=np.float64)
        leth = np.asarray(lethality, dtype=np.float64)
        if a.shape != (m,) or np.any(a < 0) or np.any(a >= w.shape[0]):
            raise _fail(f"asset must be {m} indices into asset_value (got {a!r})")
        if np.any(~np.isfinite(w) | (w < 0)):
            raise _fail(f"asset_value must be finite and >= 0 (got {w!r})")
        if leth.shape != (m,) or np.any(~((leth >= 0) & (leth <= 1))):
            raise _fail(f"lethality must be {m} probabilities in [0, 1] (got {leth!r})")
    return WTAProblem(
        value=v,
        pk=p,
        rounds=r.astype(np.int64),
        feasible=f & (r[:, None] > 0),
        group=g,
        group_capacity=cap.astype(np.int64),
        target_capacity=np.minimum(tcap, big).astype(np.int64),
        asset=a,
        asset_value=w,
        lethality=leth,
    )


def target_survival(problem: WTAProblem, x: NDArray[np.int64]) -> NDArray[np.float64]:
    """Survival probability of each threat under assignment ``x``, shape ``(m,)``."""
    q = 1.0 - problem.pk
    return np.prod(np.where(x > 0, q ** np.maximum(x, 0), 1.0), axis=0)


def objective(problem: WTAProblem, x: NDArray[np.int64]) -> float:
    """The problem's objective (target- or asset-based) at assignment ``x`` (n, m)."""
    s = target_survival(problem, x)
    if not problem.asset_based:
        return float(np.sum(problem.value * s))
    assert problem.asset is not None and problem.asset_value is not None
    assert problem.lethality is not None
    factor = 1.0 - problem.lethality * s
    survive = np.ones(problem.asset_value.shape[0])
    np.multiply.at(survive, problem.asset, factor)
    return float(np.sum(problem.asset_value * (1.0 - survive)))


def check_feasible(problem: WTAProblem, x: NDArray[np.int64]) -> list[str]:
    """Rules that assignment ``x`` breaks (empty when feasible)."""
    problems: list[str] = []
    if x.shape != problem.pk.shape:
        return [f"x must have shape {problem.pk.shape} (got {x.shape})"]
    if np.any(x < 0):
        problems.append("x has negative entries")
    if np.any((x > 0) & ~problem.feasible):
        problems.append("x engages an infeasible weapon-target pair")
    over = x.sum(axis=1) > problem.rounds
    if over.any():
        problems.append(f"weapons {np.flatnonzero(over).tolist()} fire more than their rounds")
    many = x.sum(axis=0) > problem.target_capacity
    if many.any():
        problems.append(f"threats {np.flatnonzero(many).tolist()} receive more than their cap")
    if problem.group_capacity.size:
        fired = np.bincount(
            problem.group[problem.group >= 0],
            weights=x.sum(axis=1)[problem.group >= 0],
            minlength=problem.group_capacity.size,
        )
        bad = fired > problem.group_capacity
        if bad.any():
            problems.append(f"fire units {np.flatnonzero(bad).tolist()} exceed their channels")
    return problems


def solve(
    problem: WTAProblem,
    *,
    method: Method = "auto",
    time_limit_s: float = 60.0,
) -> WTASolution:
    """Solve a WTA instance with the named method.

    ``exact`` proves optimality (or returns the best found and a lower bound when the time
    limit or the column budget runs out, as on weapon-rich instances where every threat draws
    many rounds); ``fast`` is maximum marginal return followed by neighbourhood search;
    ``auto`` is ``exact`` for small instances (at most ``AUTO_EXACT_MAX_PAIRS`` rounds x
    threats, at most ``AUTO_EXACT_ROUNDS_PER_THREAT`` rounds per threat on average, or one
    round per threat) and ``fast`` otherwise.
    """
    from iadsim.command.wta_exact import ExactResult, solve_exact
    from iadsim.command.wta_fast import FastResult, solve_fast

    if method not in METHODS:
        raise _fail(f"method must be one of {METHODS} (got {method!r})")
    if method == "auto":
        small = problem.n_rounds * problem.n_targets <= AUTO_EXACT_MAX_PAIRS
        few_per_threat = (
            problem.target_capacity.max(initial=0) <= 1
            or problem.n_rounds <= AUTO_EXACT_ROUNDS_PER_THREAT * problem.n_targets
        )
        method = "exact" if small and few_per_threat else "fast"
    t0 = time.perf_counter()
    sol: FastResult | ExactResult
    if method == "fast":
        sol = solve_fast(problem, time_limit_s=time_limit_s)
    else:
        sol = solve_exact(problem, time_limit_s=time_limit_s)
    return WTASolution(
        x=sol.x,
        objective=sol.objective,
        lower_bound=sol.lower_bound,
        proven_optimal=sol.proven_optimal,
        method=method,
        wall_time_s=time.perf_counter() - t0,
        stop_reason=sol.stop_reason,
    )
