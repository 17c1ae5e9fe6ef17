"""Tests of iadsim.command.assignment, wta_exact and wta_fast against brute-force enumeration."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iadsim.command.assignment import check_feasible, make_problem, objective, solve
from iadsim.command.wta_exact import combinations, multisets, solve_exact
from iadsim.command.wta_fast import search_longer, solve_fast
from iadsim.errors import InputDataError


def brute_force(problem):
    """Optimum by enumerating every round-level assignment (round -> threat or idle)."""
    weapon = np.repeat(np.arange(problem.n_weapons), problem.rounds)
    best, best_x = np.inf, None
    for combo in itertools.product(range(-1, problem.n_targets), repeat=weapon.size):
        t = np.asarray(combo, dtype=np.int64)
        x = np.zeros(problem.pk.shape, dtype=np.int64)
        f = t >= 0
        np.add.at(x, (weapon[f], t[f]), 1)
        if check_feasible(problem, x):
            continue
        v = objective(problem, x)
        if v < best:
            best, best_x = v, x
    return best, best_x


def random_problem(
    rng,
    n,
    m,
    *,
    rounds=False,
    mask=False,
    groups=False,
    assets=False,
    caps=False,
    single_group=False,
):
    kw = {}
    if caps:
        kw["target_capacity"] = rng.integers(0, 3, m)
    if caps == "one":
        kw["target_capacity"] = rng.integers(0, 2, m)
    if rounds:
        kw["rounds"] = rng.integers(0, 3, n)
    if mask:
        kw["feasible"] = rng.random((n, m)) < 0.7
    if groups:
        kw["group"] = rng.integers(-1, 2, n)
        kw["group_capacity"] = rng.integers(0, 3, 2)
    if single_group:
        kw["group"] = np.zeros(n, dtype=np.int64)
        kw["group_capacity"] = rng.integers(0, 3, 1)
    if assets:
        kw["asset"] = rng.integers(0, 2, m)
        kw["asset_value"] = rng.uniform(10, 100, 2)
        kw["lethality"] = rng.uniform(0.3, 1.0, m)
    return make_problem(rng.uniform(25, 100, m), rng.uniform(0.0, 0.95, (n, m)), **kw)


CASES = [
    {},
    {"rounds": True},
    {"mask": True},
    {"groups": True},
    {"rounds": True, "mask": True, "groups": True},
    {"rounds": True, "caps": True},
    {"rounds": True, "caps": "one"},
    {"rounds": True, "mask": True, "caps": "one", "single_group": True},
    {"rounds": True, "mask": True, "groups": True, "caps": True},
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: "+".join(c) or "plain")
def test_exact_equals_brute_force(case):
    rng = np.random.default_rng(7)
    for _ in range(6):
        n, m = int(rng.integers(1, 5)), int(rng.integers(1, 4))
        problem = random_problem(rng, n, m, **case)
        if problem.n_rounds > 6:
            continue
        want, _ = brute_force(problem)
        got = solve_exact(problem)
        assert got.proven_optimal
        assert not check_feasible(problem, got.x)
        assert got.objective == pytest.approx(want, rel=1e-9, abs=1e-9)
        assert got.lower_bound <= got.objective + 1e-9


def test_exact_matches_brute_force_on_ahuja_instances():
    rng = np.random.default_rng(11)
    for _ in range(4):
        problem = make_problem(rng.uniform(25, 100, 4), rng.uniform(0.6, 0.9, (6, 4)))
        want, _ = brute_force(problem)
        assert solve_exact(problem).objective == pytest.approx(want, rel=1e-9)


def test_asset_based_exact_equals_brute_force_and_differs_from_target_based():
    rng = np.random.default_rng(3)
    problem = random_problem(rng, 3, 3, assets=True)
    want, _ = brute_force(problem)
    for seed in range(4):
        hard = random_problem(
            np.random.default_rng(seed), 3, 3, rounds=True, mask=True, groups=True, assets=True
        )
        if hard.n_rounds <= 5:
            assert solve(hard, method="exact").objective == pytest.approx(brute_force(hard)[0])
            assert not check_feasible(hard, solve(hard, method="fast").x)
    capped = random_problem(np.random.default_rng(8), 3, 3, rounds=True, assets=True, caps=True)
    assert solve(capped, method="exact").objective == pytest.approx(brute_force(capped)[0])
    assert not check_feasible(capped, solve(capped, method="fast").x)
    got = solve(problem, method="exact")
    assert got.proven_optimal
    assert got.objective == pytest.approx(want, rel=1e-12)
    # an asset with no value is not worth protecting: nothing fires at threats aimed at it
    zero = make_problem(
        [50.0, 50.0], [[0.8, 0.8]], asset=[0, 1], asset_value=[0.0, 10.0], lethality=[1.0, 1.0]
    )
    x = solve(zero, method="exact").x
    assert x[0, 1] == 1 and x[0, 0] == 0


@pytest.mark.parametrize("case", CASES, ids=lambda c: "+".join(c) or "plain")
def test_fast_is_feasible_and_near_brute_force(case):
    rng = np.random.default_rng(5)
    for _ in range(6):
        n, m = int(rng.integers(1, 5)), int(rng.integers(1, 4))
        problem = random_problem(rng, n, m, **case)
        if problem.n_rounds > 6:
            continue
        got = solve_fast(problem)
        assert not check_feasible(problem, got.x)
        want, _ = brute_force(problem)
        assert got.objective >= want - 1e-9
        assert got.objective <= 1.05 * want + 1e-9


def test_fast_feasible_on_larger_constrained_instances():
    rng = np.random.default_rng(9)
    for _ in range(5):
        problem = random_problem(rng, 30, 20, rounds=True, mask=True, groups=True, caps=True)
        sol = solve_fast(problem)
        assert not check_feasible(problem, sol.x)
        longer = search_longer(problem, time_limit_s=0.2, rng=np.random.default_rng(1))
        assert not check_feasible(problem, longer.x)
        assert longer.objective <= sol.objective * (1 + 1e-9) + 1e-9


def test_exact_proves_20x20_and_fast_is_close():
    rng = np.random.default_rng(2007)
    problem = make_problem(rng.uniform(25, 100, 20), rng.uniform(0.6, 0.9, (20, 20)))
    exact = solve_exact(problem)
    fast = solve_fast(problem)
    assert exact.proven_optimal and exact.lower_bound == exact.objective
    assert exact.objective <= fast.objective + 1e-9
    assert fast.objective <= 1.005 * exact.objective


def test_lower_bound_never_exceeds_optimum_when_stopped_early():
    rng = np.random.default_rng(4)
    for _ in range(5):
        problem = random_problem(rng, 4, 3, rounds=True, mask=True)
        if problem.n_rounds > 6:
            continue
        want, _ = brute_force(problem)
        early = solve_exact(problem, max_column_size=1)
        assert early.lower_bound <= want + 1e-9
        assert early.objective >= want - 1e-9


@pytest.mark.parametrize("n, m", [(0, 3), (3, 0), (0, 0), (1, 1), (4, 2)])
def test_solvers_at_edge_sizes(n, m):
    rng = np.random.default_rng(n * 10 + m)
    problem = make_problem(rng.uniform(1, 2, m), rng.uniform(0, 1, (n, m)))
    for method in ("exact", "fast", "auto"):
        sol = solve(problem, method=method)
        assert sol.x.shape == (n, m)
        assert not check_feasible(problem, sol.x)


def test_combinations_matches_itertools():
    for n, k in [(5, 0), (5, 1), (5, 3), (6, 6), (3, 4)]:
        combos = list(itertools.combinations(range(n), k))
        want = np.array(combos, dtype=np.intp).reshape(len(combos), k)
        np.testing.assert_array_equal(combinations(n, k), want)


def test_bad_input_names_the_field():
    with pytest.raises(InputDataError, match=r"pk\[0, 1\] must be in \[0, 1\] \(got 1.5\)"):
        make_problem([1.0, 1.0], [[0.5, 1.5]])
    with pytest.raises(InputDataError, match=r"value\[1\]"):
        make_problem([1.0, -1.0], [[0.5, 0.5]])
    with pytest.raises(InputDataError, match=r"method must be one of"):
        solve(make_problem([1.0], [[0.5]]), method="best")  # type: ignore[arg-type]


@settings(derandomize=True, max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 12),
    m=st.integers(0, 9),
    flags=st.fixed_dictionaries(
        {k: st.booleans() for k in ("rounds", "mask", "groups", "caps", "assets")}
    ),
)
def test_fast_answer_is_always_feasible(seed, n, m, flags):
    problem = random_problem(np.random.default_rng(seed), n, m, **flags)
    for method in ("fast", "auto"):
        sol = solve(problem, method=method, time_limit_s=5.0)
        assert not check_feasible(problem, sol.x)
        assert sol.objective == pytest.approx(objective(problem, sol.x))


def standard_family(m: int, mu: int, seed: int):
    """m weapons x 2m threats, integer values 1..100, pk ~ U(0, 1), mu rounds per weapon."""
    rng = np.random.default_rng([13, m, mu, seed])
    return make_problem(
        rng.integers(1, 101, 2 * m).astype(float),
        rng.uniform(0.0, 1.0, (m, 2 * m)),
        rounds=np.full(m, mu),
    )


def test_multisets_matches_itertools():
    for n, k in [(0, 0), (0, 2), (3, 0), (3, 2), (4, 3), (1, 3)]:
        combos = list(itertools.combinations_with_replacement(range(n), k))
        want = np.array(combos, dtype=np.intp).reshape(len(combos), k)
        np.testing.assert_array_equal(multisets(n, k), want)


@pytest.mark.parametrize("mu", [2, 3])
def test_multi_round_solvers_against_brute_force(mu):
    """Several rounds per weapon, all of them on one threat allowed: both solvers against
    enumeration of every round-level assignment; the exact one proves every instance."""
    rng = np.random.default_rng(100 + mu)
    for _ in range(8):
        n, m = int(rng.integers(1, 3)), int(rng.integers(1, 4))
        problem = make_problem(
            rng.integers(1, 101, m).astype(float), rng.uniform(0, 1, (n, m)), rounds=[mu] * n
        )
        want, _ = brute_force(problem)
        exact = solve_exact(problem)
        assert exact.proven_optimal and exact.stop_reason == "optimal"
        assert exact.objective == pytest.approx(want, rel=1e-9, abs=1e-9)
        fast = solve_fast(problem)
        assert not check_feasible(problem, fast.x)
        assert fast.objective >= want - 1e-9


class FakeClock:
    """A clock that advances ``tick_s`` at every reading, and remembers the readings."""

    def __init__(self, tick_s: float) -> None:
        self.tick_s, self.now_s, self.reads = tick_s, 0.0, []

    def __call__(self) -> float:
        self.reads.append(self.now_s)
        self.now_s += self.tick_s
        return self.reads[-1]


def test_exact_keeps_its_time_limit_and_a_bound_in_range():
    """A 100 x 200 instance at 3 rounds per weapon, 1.5 s limit, on a fake clock that advances
    0.25 s at every reading (deterministic, no timed assertion): the solver notices the limit
    at once (at most two readings past it: the LP given the time left, then its check), stops
    with a reason and a bound in [0, objective]."""
    problem = standard_family(100, 3, 0)
    clock = FakeClock(0.25)
    got = solve_exact(problem, time_limit_s=1.5, clock=clock)
    deadline = clock.reads[0] + 1.5
    assert sum(r > deadline for r in clock.reads) <= 2
    assert not got.proven_optimal and got.stop_reason == "time_limit"
    assert 0.0 <= got.lower_bound <= got.objective
    assert not check_feasible(problem, got.x)


def test_exact_proves_a_two_round_standard_instance():
    problem = standard_family(20, 2, 1)
    got = solve_exact(problem, time_limit_s=60.0)
    assert got.proven_optimal and got.lower_bound == got.objective
    assert solve_fast(problem).objective >= got.objective - 1e-9


def test_sparse_assignment_transposed_equals_the_sparse_matching():
    """The two candidate-set assignment solvers of the large path (scipy's sparse matching,
    LAPJVsp, and the dense solver on the transposed sparsified matrix) are different
    algorithms for the same problem: equal optimal costs, each a matching."""
    from iadsim.command.wta_fast import SPARSE_ASSIGNMENT_SIZE, _assign

    rng = np.random.default_rng(5)
    n_rows, n_cols = 420, 400
    assert n_rows * n_cols > SPARSE_ASSIGNMENT_SIZE
    value = rng.integers(1, 101, n_cols).astype(float)
    cost = value[None, :] * (rng.uniform(0.0, 1.0, (n_rows, n_cols)) - 1.0)
    cost[rng.uniform(size=cost.shape) < 0.3] = 0.0  # infeasible pairs
    own = rng.integers(-1, n_cols, n_rows)
    totals = []
    for transpose in (False, True):
        r, c = _assign(cost, own, transpose)
        assert np.unique(r).size == r.size and np.unique(c).size == c.size
        totals.append(float(cost[r, c][cost[r, c] < 0.0].sum()))
    assert totals[1] == pytest.approx(totals[0], rel=1e-9)


@pytest.mark.parametrize("m, mu", [(200, 2), (160, 3)])
def test_large_path_answer_is_feasible(m, mu):
    """Above SPARSE_ASSIGNMENT_SIZE (the large path: Lagrangian start, sparse multi-exchange,
    transposed at mu = 3): every capacity respected and better than firing nothing."""
    problem = standard_family(m, mu, 0)
    got = solve_fast(problem)
    assert not check_feasible(problem, got.x)
    assert got.x.sum(axis=1).max() <= mu
    assert got.objective < 0.5 * problem.value.sum()
