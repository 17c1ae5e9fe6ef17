"""Predicted intercept against closed forms; launcher inventories and reloads."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.engagement.intercept import intercept_point_m, intercept_time_s
from iadsim.engagement.launchers import Launchers
from iadsim.scenario.model import Scenario
from iadsim.world.frames import Origin


def test_head_on_closed_form() -> None:
    # target 30 km away closing at 300 m/s, interceptor 900 m/s: t = d / (v + s)
    t = intercept_time_s(np.array([[30_000.0, 0.0, 0.0]]), np.array([[-300.0, 0.0, 0.0]]),
                         np.zeros((1, 3)), 900.0)
    assert t[0] == pytest.approx(30_000.0 / 1200.0)


def test_crossing_target_closed_form() -> None:
    # target at (0, d) moving along +x at v; interceptor s: (s^2 - v^2) t^2 = d^2
    d, v, s = 20_000.0, 250.0, 1000.0
    t = intercept_time_s(np.array([[0.0, d, 0.0]]), np.array([[v, 0.0, 0.0]]),
                         np.zeros((1, 3)), s)
    assert t[0] == pytest.approx(d / np.sqrt(s**2 - v**2))
    pip = intercept_point_m(np.array([[0.0, d, 0.0]]), np.array([[v, 0.0, 0.0]]), t)
    assert np.linalg.norm(pip[0]) == pytest.approx(s * t[0])


def test_uncatchable_target_is_infinite() -> None:
    t = intercept_time_s(np.array([[10_000.0, 0.0, 0.0]]), np.array([[2000.0, 0.0, 0.0]]),
                         np.zeros((1, 3)), 900.0)
    assert np.isinf(t[0])


def test_random_pairs_meet() -> None:
    rng = np.random.default_rng(5)
    p = rng.uniform(-1e5, 1e5, (200, 3))
    v = rng.uniform(-600, 600, (200, 3))
    launcher = rng.uniform(-1e4, 1e4, (200, 3))
    t = intercept_time_s(p, v, launcher, 1500.0)
    assert np.all(np.isfinite(t))
    pip = intercept_point_m(p, v, t)
    np.testing.assert_allclose(np.linalg.norm(pip - launcher, axis=1), 1500.0 * t, rtol=1e-9)
    assert intercept_time_s(np.empty((0, 3)), np.empty((0, 3)), np.empty((0, 3)), 1.0).shape == (0,)


def test_launcher_inventory_interval_and_reload(default_scenario: Scenario) -> None:
    lau = Launchers(default_scenario, Origin(44.5, 8.75))
    i = lau.name.index("short-1")
    spec = default_scenario.launchers[i]
    rounds, gap, reload_s = spec.ready_rounds, spec.min_launch_interval_s, spec.reload_time_s
    assert spec.reloads >= 1 and gap > 0
    for k in range(rounds):
        t = 10.0 + gap * k
        assert lau.available(t)[i]
        lau.fire(i, t)
        assert not lau.available(t + gap / 2)[i]
    last = 10.0 + gap * (rounds - 1)
    assert lau.ready_rounds[i] == 0
    with pytest.raises(RuntimeError):
        lau.fire(i, last + gap)
    assert lau.advance(last + reload_s - 1.0).size == 0
    assert lau.advance(last + reload_s).tolist() == [i]
    assert lau.ready_rounds[i] == rounds and lau.reloads_left[i] == spec.reloads - 1
