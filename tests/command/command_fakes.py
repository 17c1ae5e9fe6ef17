"""Fakes of the command stage's neighbours: track pictures, a command centre on the default."""

from __future__ import annotations

from typing import Any

import numpy as np

from iadsim.command.doctrine import CommandCentre
from iadsim.engagement.interceptors import InterceptorFlights, InterceptResults
from iadsim.engagement.launchers import InterceptorClasses, Launchers
from iadsim.scenario.model import Scenario
from iadsim.tracking.batch import TrackBatch
from iadsim.world.frames import scenario_origin


def make_tracks(pos: Any, vel: Any, time_s: float = 0.0, *, track_id: Any = None,
                sigma_m: float = 10.0, velocity_sigma_mps: float = 10.0,
                last_hit_s: Any = None) -> TrackBatch:
    """Confirmed tracks at ``time_s``; ``last_hit_s`` (n, S) per radar, None: not known."""
    pos = np.asarray(pos, float).reshape(-1, 3)
    n = pos.shape[0]
    cov = np.diag([sigma_m**2] * 3 + [velocity_sigma_mps**2] * 3)
    return TrackBatch(
        time_s=np.full(n, time_s),
        track_id=np.arange(n, dtype=np.int64) if track_id is None
        else np.asarray(track_id, np.int64).reshape(n),
        position_enu_m=pos,
        velocity_enu_mps=np.asarray(vel, float).reshape(-1, 3),
        covariance=np.tile(cov, (n, 1, 1)),
        confirmed=np.ones(n, bool),
        quality=np.ones(n),
        truth_id=np.arange(n, dtype=np.int64),
        last_hit_s=None if last_hit_s is None else np.asarray(last_hit_s, float).reshape(n, -1),
    )


def centre(scenario: Scenario, *, fire_control_sensor: Any = None, rng_seed: int = 0,
           **changes: Any) -> tuple[CommandCentre, Launchers, InterceptorClasses]:
    """A command centre on ``scenario`` with ``command`` fields changed, its launchers, classes.

    The one asset (value 100, radius 5 km) is at the ENU origin; tests move it.
    """
    s = scenario.model_copy(update={"command": scenario.command.model_copy(update=changes)})
    origin = scenario_origin(s)
    classes = InterceptorClasses.from_scenario(scenario)  # command changes leave it alone:
    # built once per scenario object (world.cache.per_scenario), not once per test
    launchers = Launchers(s, origin)
    assets = np.array([[0.0, 0.0, 0.0]]), np.array([100.0]), np.array([5_000.0])
    cc = CommandCentre(s.command, classes, origin, *assets, fire_control_sensor=fire_control_sensor,
                       rng=np.random.default_rng(rng_seed))
    return cc, launchers, classes


def fire(orders: list, launchers: Launchers, flights: InterceptorFlights, time_s: float) -> None:
    """Launch ``orders`` as the simulation would."""
    for o in orders:
        launchers.fire(o.launcher, time_s)
    flights.launch(orders, launchers.position_enu_m, launchers.class_index, time_s)


def resolve(flights: InterceptorFlights, ids: Any, threat_id: Any, killed: Any) -> InterceptResults:
    """End game of interceptors ``ids`` against ``threat_id`` with the given outcomes."""
    ids = np.asarray(ids, np.int64)
    flights.resolved[ids] = True
    k = np.asarray(killed, bool)
    return InterceptResults(
        interceptor_id=ids, time_s=flights.intercept_time_s[ids],
        threat_id=np.asarray(threat_id, np.int64), miss_distance_m=np.where(k, 1.0, 500.0),
        in_basket=k, killed=k,
    )
