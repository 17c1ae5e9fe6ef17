"""Intercept planning with speed profiles and launch windows, against closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.engagement.intercept import (
    Envelope,
    SpeedProfile,
    inside_envelope,
    intercept_boost_coast,
    intercept_time_s,
    launch_window,
)
from iadsim.world.frames import GRAVITY_MPS2

BOOST = SpeedProfile(
    initial_speed_mps=np.array([50.0]),
    boost_accel_mps2=np.array([200.0]),
    boost_s=np.array([6.0]),
    coast_decay_s=np.array([40.0]),
    max_flight_s=np.array([120.0]),
)


def test_constant_profile_matches_closed_form_for_many_pairs():
    rng = np.random.default_rng(0)
    n = 200
    p = rng.uniform(-40_000, 40_000, (n, 3))
    p[:, 2] = rng.uniform(100, 12_000, n)
    v = rng.uniform(-300, 300, (n, 3))
    launcher = rng.uniform(-5_000, 5_000, (n, 3))
    speed = rng.uniform(800, 1500, n)
    profile = SpeedProfile.constant(speed, 200.0)
    tof, point = intercept_boost_coast(p, v, launcher, profile, np.arange(n))
    want = intercept_time_s(p, v, launcher, speed)
    np.testing.assert_allclose(tof, want, rtol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(point - launcher, axis=1), speed * tof, rtol=1e-9)


def test_boost_and_coast_reach_closed_form_for_stationary_targets():
    v0, a, tb, tau = 50.0, 200.0, 6.0, 40.0
    vb = v0 + a * tb
    d_boost = v0 * tb + 0.5 * a * tb**2
    for d in (1_000.0, 3_000.0, 10_000.0, 30_000.0):
        if d <= d_boost:
            want = (-v0 + np.sqrt(v0**2 + 2 * a * d)) / a
        else:
            want = tb - tau * np.log(1.0 - (d - d_boost) / (vb * tau))
        tof, _ = intercept_boost_coast(
            [[d, 0.0, 0.0]], [[0.0, 0.0, 0.0]], [0.0, 0.0, 0.0], BOOST, 0
        )
        assert tof[0] == pytest.approx(want, rel=1e-9)
        assert BOOST.reach_m(np.array([0]), np.array([want]))[0] == pytest.approx(d, rel=1e-9)
    # beyond the coast's asymptotic reach d_boost + vb tau: never
    far = d_boost + vb * tau + 1.0
    tof, point = intercept_boost_coast([[far, 0, 0]], [[0, 0, 0]], [0, 0, 0], BOOST, 0)
    assert np.isinf(tof[0]) and np.isnan(point).all()


def test_ballistic_target_meets_interceptor_where_predicted():
    p0, v0 = np.array([[60_000.0, 0.0, 30_000.0]]), np.array([[-1_500.0, 0.0, -500.0]])
    g = np.array([0.0, 0.0, -GRAVITY_MPS2])
    tof, point = intercept_boost_coast(p0, v0, np.zeros(3), BOOST, 0, target_accel_mps2=g)
    t = tof[0]
    truth = p0[0] + v0[0] * t + 0.5 * g * t**2
    np.testing.assert_allclose(point[0], truth)
    assert np.linalg.norm(truth) == pytest.approx(BOOST.reach_m(np.array([0]), np.array([t]))[0])
    # the first meeting: at every earlier time the interceptor has not reached the target
    ts = np.linspace(0.0, t, 400)[:-1]
    dist = np.linalg.norm(p0[0] + v0[0] * ts[:, None] + 0.5 * g * ts[:, None] ** 2, axis=1)
    assert np.all(BOOST.reach_m(np.zeros(ts.size, np.intp), ts) < dist)


@pytest.mark.parametrize("n", [0, 1, 5])
def test_shapes(n):
    tof, point = intercept_boost_coast(
        np.ones((n, 3)) * 5_000, np.zeros((n, 3)), np.zeros((n, 3)), BOOST, np.zeros(n, np.intp)
    )
    assert tof.shape == (n,) and point.shape == (n, 3)


def test_launch_window_head_on_closed_form():
    s, u, d0 = 1_000.0, 250.0, 120_000.0
    env = Envelope(
        min_range_m=np.array([5_000.0]),
        max_range_m=np.array([60_000.0]),
        min_altitude_m=np.array([0.0]),
        max_altitude_m=np.array([20_000.0]),
        min_flight_s=np.array([8.0]),
    )
    profile = SpeedProfile.constant([s], 200.0)
    early, late = launch_window(
        [[d0, 0.0, 1_000.0]],
        [[-u, 0.0, 0.0]],
        [0.0, 0.0, 1_000.0],
        profile,
        env,
        0,
        horizon_s=470.0,  # before the target passes overhead
        step_s=0.25,
    )
    # intercept range r = s D / (s + u) for launch range D = d0 - u t
    want_early = (d0 - 60_000.0 * (s + u) / s) / u
    want_late = (d0 - max(5_000.0 * (s + u) / s, 8.0 * (s + u))) / u
    assert early[0] == pytest.approx(want_early, abs=0.25)
    assert late[0] == pytest.approx(want_late, abs=0.25)
    # never a launch whose intercept falls outside the envelope
    for delay in np.arange(0.0, 470.0, 2.5):
        p = np.array([[d0 - u * delay, 0.0, 1_000.0]])
        tof, pt = intercept_boost_coast(p, [[-u, 0.0, 0.0]], [0.0, 0.0, 1_000.0], profile, 0)
        ok = inside_envelope(tof, pt, np.array([[0.0, 0.0, 1_000.0]]), env, np.array([0]))
        assert bool(ok[0]) == bool(early[0] - 1e-9 <= delay <= late[0] + 1e-9)


def test_envelope_uses_height_above_the_earth_not_enu_up(default_scenario) -> None:
    """A 30 m sea-skimmer 130 km out sits 1.3 km below the tangent plane: the long class (25 m
    floor) must still engage it, and a point 30 m above the tangent plane there (1.35 km up) is
    a different altitude altogether."""
    from iadsim.engagement.geometry import ground_range_height
    from iadsim.engagement.launchers import InterceptorClasses
    from iadsim.world.frames import scenario_origin, surface_point_to_enu

    classes = InterceptorClasses.from_scenario(default_scenario)
    origin = scenario_origin(default_scenario)
    env = classes.envelope()
    long = classes.name.index("long")
    point = surface_point_to_enu(np.array([0.0]), np.array([-130_000.0]), np.array([30.0]), origin)
    assert point[0, 2] < -1_000.0  # ENU up: the bug's "altitude"
    ground, height = ground_range_height(point, np.zeros(3), origin)
    assert height[0] == pytest.approx(30.0, abs=0.5) and ground[0] == pytest.approx(130_000, 1)
    cls = np.array([long])
    assert inside_envelope(np.array([100.0]), point, np.zeros((1, 3)), env, cls)[0]
    flat = Envelope(env.min_range_m, env.max_range_m, env.min_altitude_m, env.max_altitude_m,
                    env.min_flight_s)  # the tangent-plane test this replaces
    assert not inside_envelope(np.array([100.0]), point, np.zeros((1, 3)), flat, cls)[0]
    # planning from the fly-out table: a target closing at 240 m/s along the surface
    profile = classes.profile()
    ahead = surface_point_to_enu(np.array([0.0]), np.array([-129_760.0]), np.array([30.0]),
                                 origin)
    tof, pip = intercept_boost_coast(point, ahead - point, np.zeros(3), profile, long)
    assert 100.0 < tof[0] < 180.0
    assert profile.arrival_s(cls, pip, np.zeros((1, 3)))[0] == pytest.approx(tof[0], abs=1e-3)
    assert inside_envelope(tof, pip, np.zeros((1, 3)), env, cls)[0]


@pytest.mark.parametrize(("cls_name", "ground_m"), [("short", 45_000.0), ("long", 110_000.0)])
def test_sea_skimmer_plan_holds_its_height_whatever_the_vertical_noise(
    default_scenario, cls_name: str, ground_m: float
) -> None:
    """A 30 m sea-skimmer closing at 250 m/s over the earth, its track's vertical velocity off
    by N(0, 8 m/s) (a realistic track at long range): held at its height, every plan finds the
    noise-free intercept (time and point, brute-forced on the true surface path) at 30 m;
    extrapolating the noisy climb rate over the flight loses many of them."""
    from iadsim.engagement.geometry import ground_range_height
    from iadsim.engagement.launchers import InterceptorClasses
    from iadsim.world.frames import scenario_origin, surface_point_to_enu

    classes = InterceptorClasses.from_scenario(default_scenario)
    origin = scenario_origin(default_scenario)
    env, profile = classes.envelope(), classes.profile()
    c = classes.name.index(cls_name)

    def on_path(t_s: np.ndarray) -> np.ndarray:  # the true track point t_s later
        t_s = np.asarray(t_s, float)
        return surface_point_to_enu(np.zeros_like(t_s), -(ground_m - 250.0 * t_s),
                                    np.full_like(t_s, 30.0), origin)

    p0 = on_path(np.array([0.0]))
    v_true = (on_path(np.array([0.5])) - on_path(np.array([-0.5])))  # per second
    noise = np.random.default_rng(3).normal(0.0, 8.0, 40)
    n = noise.size
    vel = np.repeat(v_true, n, 0)
    vel[:, 2] += noise
    cls = np.full(n, c)
    site = np.zeros((n, 3))
    pos = np.repeat(p0, n, 0)
    tof, pip = intercept_boost_coast(pos, vel, site, profile, cls,
                                     hold_height=np.ones(n, bool))
    # brute force: the first time on the true path that the table's arrival time matches
    t = np.arange(0.0, 200.0, 0.01)
    pts = on_path(t)
    arrive = profile.arrival_s(np.full(t.size, c), pts, np.zeros((t.size, 3)))
    first = np.flatnonzero(np.isfinite(arrive) & (arrive <= t))[0]
    np.testing.assert_allclose(tof, t[first], atol=0.03)
    np.testing.assert_allclose(pip, np.repeat(on_path(np.array([t[first]])), n, 0), atol=8.0)
    assert np.all(np.abs(ground_range_height(pip, site, origin)[1] - 30.0) < 0.5)
    assert inside_envelope(tof, pip, site, env, cls).all()
    tof_n, pip_n = intercept_boost_coast(pos, vel, site, profile, cls)  # noise extrapolated
    assert (~inside_envelope(tof_n, pip_n, site, env, cls)).sum() >= n // 4
