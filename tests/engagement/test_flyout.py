"""Point-mass fly-out and its envelope table against an independent scipy integration."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from iadsim.engagement.atmosphere import density_kg_m3
from iadsim.engagement.flyout import (
    LAUNCH_SPEED_MPS,
    MIN_LAUNCH_ELEVATION_RAD,
    PURSUIT_TIME_S,
    EnvelopeTable,
    FlyoutParams,
    fly_to,
)
from iadsim.engagement.launchers import InterceptorClasses, flyout_params
from iadsim.errors import ScenarioError
from iadsim.scenario.load import scenario_from_dict
from iadsim.scenario.model import Scenario

G = 9.80665


def reference_flight(p: FlyoutParams, c: int, x_aim: float, z_aim: float) -> tuple[float, float]:
    """Time and speed at the pass of the aim point: the model's ODE written out once more,
    integrated by scipy's adaptive RK45 (boost and coast as two segments)."""
    tb, mr, dv = p.boost_s[c], p.mass_ratio[c], p.delta_v_mps[c]
    exhaust = dv / np.log(mr) if tb > 0 else 0.0
    mdot_frac = (1 - 1 / mr) / tb if tb > 0 else 0.0

    def rhs(t: float, y: np.ndarray, boosting: bool) -> list[float]:
        x, z, vx, vz = y
        v = np.hypot(vx, vz)
        m = 1 - mdot_frac * min(t, tb) if tb > 0 else 1.0
        thrust = exhaust * mdot_frac / m if boosting else 0.0
        beta = p.beta_kg_m2[c] * mr * m
        drag = 0.5 * float(density_kg_m3(z)) * v * v / beta
        limit = p.max_accel_mps2[c] if boosting else min(p.max_accel_mps2[c],
                                                         p.lift_to_drag[c] * drag)
        t_go = np.hypot(x_aim - x, z_aim - z) / max(v, p.lead_speed_mps[c])
        los = np.arctan2(z_aim - z + 0.5 * G * t_go**2, x_aim - x)
        gamma = np.arctan2(vz, vx)
        err = (los - gamma + np.pi) % (2 * np.pi) - np.pi
        a_n = float(np.clip(v * err / PURSUIT_TIME_S + G * np.cos(gamma), -limit, limit))
        return [vx, vz, (thrust - drag) * np.cos(gamma) - a_n * np.sin(gamma),
                (thrust - drag) * np.sin(gamma) + a_n * np.cos(gamma) - G]

    def passed(t: float, y: np.ndarray, *_: object) -> float:
        return (x_aim - y[0]) * y[2] + (z_aim - y[1]) * y[3]

    passed.terminal, passed.direction = True, -1  # type: ignore[attr-defined]
    gamma0 = max(np.arctan2(z_aim, x_aim), MIN_LAUNCH_ELEVATION_RAD)
    y0 = [0.0, 0.0, LAUNCH_SPEED_MPS * np.cos(gamma0), LAUNCH_SPEED_MPS * np.sin(gamma0)]
    kw = dict(rtol=1e-9, atol=1e-6, max_step=0.5, events=passed)
    first = solve_ivp(rhs, (0.0, tb), y0, args=(True,), **kw)
    assert first.status == 0
    second = solve_ivp(rhs, (tb, p.max_flight_s[c]), first.y[:, -1], args=(False,), **kw)
    assert second.t_events[0].size == 1, "the reference flight does not reach the point"
    y = second.y_events[0][0]
    return float(second.t_events[0][0]), float(np.hypot(y[2], y[3]))


@pytest.fixture(scope="module")
def params(default_scenario: Scenario) -> FlyoutParams:
    return flyout_params(default_scenario)


CELLS = [  # class (0 short, 1 long, 2 very_long), ground range m, height m
    (0, 20_000.0, 100.0), (0, 35_000.0, 8_000.0), (1, 60_000.0, 30.0), (1, 120_000.0, 12_000.0),
    (1, 40_000.0, 25_000.0), (2, 200_000.0, 15_000.0), (2, 50_000.0, 33_000.0),
    (0, 2_000.0, 30.0), (1, 5_000.0, 20.0), (2, 15_000.0, 10.0),  # low, short of the old reach
]


@pytest.mark.parametrize(("c", "x", "z"), CELLS)
def test_reach_time_and_end_speed_match_scipy(params: FlyoutParams, c: int, x: float,
                                              z: float) -> None:
    res = fly_to(params, [c], [x], [z])
    assert res.reached[0]
    tof, speed = reference_flight(params, c, x, z)
    assert res.tof_s[0] == pytest.approx(tof, rel=2e-3)
    assert res.end_speed_mps[0] == pytest.approx(speed, rel=2e-3)


def test_low_targets_reachable_from_min_to_near_max_range(default_scenario: Scenario) -> None:
    """Every class reaches 10-50 m heights over [min_range_m, 0.9 max_range_m] in the table
    (a canted launch and gravity-compensated pursuit hold a low path; no launch-artefact gap)."""
    classes = InterceptorClasses.from_scenario(default_scenario)
    tab = classes.table
    assert tab is not None
    for k, name in enumerate(classes.name):
        spec = default_scenario.interceptors[name]
        r = np.linspace(spec.min_range_m, 0.9 * spec.max_range_m, 60)
        for h_m in (10.0, 30.0, 50.0):
            tof, _ = tab.lookup(np.full(r.size, k), r, np.full(r.size, h_m))
            assert np.isfinite(tof).all(), (name, h_m, r[~np.isfinite(tof)])
            assert np.all(np.diff(tof) > 0)
    # ground-level points inside the old gap, flown directly
    direct = fly_to(flyout_params(default_scenario), [0, 1, 2],
                    [1_500.0, 4_100.0, 13_800.0], [0.0, 0.0, 0.0])
    assert direct.reached.all()


def test_reach_depends_on_altitude(default_scenario: Scenario) -> None:
    """One class: the longest ground range reached changes with the intercept height (and the
    top of its envelope is lift-limited), unlike one range limit at every height."""
    classes = InterceptorClasses.from_scenario(default_scenario)
    tab = classes.table
    assert tab is not None
    long = classes.name.index("long")
    ok = np.isfinite(tab.tof_s[long])  # (ranges, heights)
    reach_per_height = np.array([np.flatnonzero(col).max() if col.any() else -1
                                 for col in ok.T])
    assert reach_per_height.max() > reach_per_height.min() + 3
    # time of flight grows with range at a fixed height; end speed falls
    row = tab.tof_s[long, 5:20, 4]
    assert np.all(np.diff(row) > 0)
    assert np.all(np.diff(tab.end_speed_mps[long, 5:20, 4]) < 0)


def test_table_lookup_vectorised_and_exact_at_nodes(params: FlyoutParams) -> None:
    tab = EnvelopeTable.build(params, [44_000.0, 165_000.0, 275_000.0],
                              [15_000.0, 27_000.0, 35_000.0], n_range=12, n_height=7)
    r = 165_000.0 * 5 / 11
    h = 27_000.0 * 2 / 6
    tof, end = tab.lookup(1, r, h)
    direct = fly_to(params, [1], [r], [h])
    assert tof == pytest.approx(direct.tof_s[0], rel=1e-9)
    assert end == pytest.approx(direct.end_speed_mps[0], rel=1e-9)
    for shape in ((0,), (1,), (7, 3)):
        t, e = tab.lookup(np.ones(shape, np.intp), np.full(shape, r), np.full(shape, h))
        assert t.shape == shape and e.shape == shape
    t, _ = tab.lookup([1, 1, 1], [-1.0, 1e9, r], [h, h, -5.0])
    assert np.isnan(t).all()  # outside the table: unreachable


def test_unreachable_max_range_is_a_validation_error(scenario_data) -> None:
    short = scenario_data["interceptors"]["short"]
    short["burnout_speed_mps"] = 700
    with pytest.raises(ScenarioError, match=r"interceptors\.short\.max_range_m cannot be reached "
                       r"by the fly-out at any altitude .* reaches at most \d+ m"):
        scenario_from_dict(scenario_data, "t.yaml")
    ok = copy.deepcopy(scenario_data)
    ok["interceptors"]["short"]["burnout_speed_mps"] = 1100
    scenario_from_dict(ok, "t.yaml")
