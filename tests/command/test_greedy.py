"""Greedy assignment plans with the fly-out envelope table, as the weapon-target assignment does:
a point the table says the class cannot reach draws no round, even inside the class's single
range limit; a reachable one does, with the table's time of flight."""

from __future__ import annotations

import numpy as np
import pytest
from command_fakes import make_tracks

from iadsim.command.greedy import assign_greedy
from iadsim.command.threat_evaluation import evaluate_threats
from iadsim.engagement.geometry import ground_range_height
from iadsim.engagement.launchers import InterceptorClasses
from iadsim.world.frames import scenario_origin


@pytest.fixture(scope="module")
def long_class(default_scenario):
    classes = InterceptorClasses.from_scenario(default_scenario)
    return classes, classes.name.index("long"), scenario_origin(default_scenario)


def _greedy(classes, c, tracks, site):
    assess = evaluate_threats(tracks, np.zeros((1, 3)), np.ones(1), np.full(1, 1_000.0))
    return assign_greedy(tracks, assess, np.ones(len(tracks), bool), np.ones(1, bool),
                         site[None, :], np.array([c]), classes, 0.0)


def test_a_point_the_table_cannot_reach_draws_no_greedy_round(long_class):
    """About 25 km above the earth, 146 km out: inside the long class's 150 km and 27 km limits
    (the old single range check passed it), outside its fly-out table's reach at that height."""
    classes, c, origin = long_class
    site = np.zeros(3)
    point = np.array([[146_000.0, 0.0, 23_500.0]])  # ENU up: the earth curves away
    ground, height = ground_range_height(point, site, origin)
    assert np.linalg.norm(point) < classes.max_range_m[c]
    assert classes.min_altitude_m[c] < height[0] < classes.max_altitude_m[c]
    assert np.isnan(classes.table.lookup(c, ground, height)[0][0])  # the table: unreachable
    hovering = make_tracks(point, [[-1.0, 0.0, 0.0]])  # barely moving: the point is the intercept
    assert _greedy(classes, c, hovering, site) == []


@pytest.mark.parametrize("n", [0, 1, 3])
def test_reachable_points_draw_a_round_timed_by_the_table(long_class, n):
    """Low, slow targets 30-50 km out (each a stationary point): one round for the highest
    ranked, its planned time of flight the table's at the intercept point."""
    classes, c, origin = long_class
    site = np.zeros(3)
    pos = np.array([[30_000.0 + 10_000.0 * k, 5_000.0, 3_000.0] for k in range(n)]).reshape(-1, 3)
    orders = _greedy(classes, c, make_tracks(pos, np.zeros((n, 3))), site)
    assert len(orders) == min(n, 1)  # one launcher fires once per cycle
    for o in orders:
        ground, height = ground_range_height(o.aim_point_enu_m, site, origin)
        expect = classes.table.lookup(c, ground, height, end_speed=False)[0]
        assert o.intercept_time_s == pytest.approx(float(expect), rel=1e-3)
        assert o.aim_point_enu_m == pytest.approx(pos[o.track_id])
