"""Launchers: positions, interceptor classes, ready rounds, reloads and launch rate.

The one piece of mutable state in the engagement stage: inventories change as rounds fire and
reloads finish. Arrays hold one row per launcher, in scenario order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from iadsim.engagement.atmosphere import density_kg_m3
from iadsim.engagement.flyout import LAUNCH_SPEED_MPS, EnvelopeTable, FlyoutParams
from iadsim.engagement.intercept import Envelope, FlyoutProfile, LineOfSight, SpeedProfile
from iadsim.scenario.model import THREAT_TYPES, Scenario
from iadsim.world.cache import per_scenario
from iadsim.world.frames import GRAVITY_MPS2, Origin, geodetic_to_enu, scenario_origin


@dataclass(frozen=True, slots=True)
class InterceptorClasses:
    """Interceptor classes as arrays, one row per class (in the scenario's order)."""

    name: tuple[str, ...]
    min_range_m: NDArray[np.float64]
    max_range_m: NDArray[np.float64]
    min_altitude_m: NDArray[np.float64]
    max_altitude_m: NDArray[np.float64]
    speed_mps: NDArray[np.float64]
    kill_radius_m: NDArray[np.float64]
    pk: NDArray[np.float64]  # (classes, threat types)
    cost: NDArray[np.float64]
    boost_time_s: NDArray[np.float64]
    burnout_speed_mps: NDArray[np.float64]  # speed_mps where no boost is given
    coast_decay_s: NDArray[np.float64]  # inf for none
    min_flight_s: NDArray[np.float64]
    max_flight_s: NDArray[np.float64]
    origin: Origin | None = None
    flyout: FlyoutParams | None = None
    table: EnvelopeTable | None = None  # built once per scenario by ``from_scenario``
    navigation_constant: NDArray[np.float64] | None = None
    guidance_time_constant_s: NDArray[np.float64] | None = None
    handover_time_s: NDArray[np.float64] | None = None
    lethal_sigma_m: NDArray[np.float64] | None = None
    design_miss_m: NDArray[np.float64] | None = None
    min_closing_speed_mps: NDArray[np.float64] | None = None
    seeker_noise_rad: NDArray[np.float64] | None = None  # None: an ideal seeker
    seeker_glint_m: NDArray[np.float64] | None = None
    seeker_rate_hz: NDArray[np.float64] | None = None
    sight: LineOfSight | None = None  # terrain: launcher line of sight (terrain.launcher_sight)

    def profile(self) -> SpeedProfile | FlyoutProfile:
        """Fly-out per class: the point-mass envelope table when built (``from_scenario``),
        else the kinematic speed profile (``kinematic_profile``)."""
        if self.table is not None and self.origin is not None:
            return FlyoutProfile(self.table, self.origin, self.max_flight_s.copy())
        return self.kinematic_profile()

    def kinematic_profile(self) -> SpeedProfile:
        """Fly-out speed profiles: boost at constant acceleration from rest to burnout, then
        coast; a class with no boost flies at ``speed_mps`` throughout."""
        boosted = self.boost_time_s > 0.0
        accel = np.where(
            boosted, self.burnout_speed_mps / np.where(boosted, self.boost_time_s, 1.0), 0.0
        )
        return SpeedProfile(
            initial_speed_mps=np.where(boosted, 0.0, self.speed_mps),
            boost_accel_mps2=accel,
            boost_s=self.boost_time_s.copy(),
            coast_decay_s=np.where(boosted, self.coast_decay_s, np.inf),
            max_flight_s=self.max_flight_s.copy(),
        )

    def envelope(self) -> Envelope:
        """Engagement envelopes (range, altitude, minimum time of flight, fly-out table)."""
        return Envelope(
            self.min_range_m,
            self.max_range_m,
            self.min_altitude_m,
            self.max_altitude_m,
            self.min_flight_s,
            table=self.table,
            origin=self.origin,
            sight=self.sight,
        )

    @classmethod
    def from_scenario(
        cls, scenario: Scenario, *, table: EnvelopeTable | None = None
    ) -> InterceptorClasses:
        """Arrays from the ``interceptors`` section; a threat type not listed has Pk 0.

        The fly-out envelope table is built here (about a second for three classes), once per
        scenario object (``world.cache.per_scenario``), unless ``table`` is given.
        """
        specs = list(scenario.interceptors.values())
        params = flyout_params(scenario)

        def col(attr: str) -> NDArray[np.float64]:
            return np.array([getattr(s, attr) for s in specs], dtype=float)

        pk_of: list[dict[str, float]] = [{str(k): v for k, v in s.pk.items()} for s in specs]
        pk = np.array([[p.get(t, 0.0) for t in THREAT_TYPES] for p in pk_of], dtype=np.float64)
        return cls(
            name=tuple(scenario.interceptors),
            min_range_m=col("min_range_m"),
            max_range_m=col("max_range_m"),
            min_altitude_m=col("min_altitude_m"),
            max_altitude_m=col("max_altitude_m"),
            speed_mps=col("speed_mps"),
            kill_radius_m=col("kill_radius_m"),
            pk=pk,
            cost=col("cost"),
            boost_time_s=col("boost_time_s"),
            burnout_speed_mps=np.array(
                [s.burnout_speed_mps or s.speed_mps for s in specs], dtype=float
            ),
            coast_decay_s=np.array(
                [np.inf if s.coast_decay_s is None else s.coast_decay_s for s in specs], float
            ),
            min_flight_s=col("min_flight_time_s"),
            max_flight_s=np.array(
                [
                    s.max_flight_time_s or 1.5 * s.max_range_m / s.speed_mps + s.boost_time_s
                    for s in specs
                ],
                dtype=float,
            ),
            flyout=params,
            table=table if table is not None else per_scenario(
                scenario, "envelopes", lambda: envelope_table(scenario)),  # once per scenario
            navigation_constant=col("navigation_constant"),
            guidance_time_constant_s=col("guidance_time_constant_s"),
            handover_time_s=col("handover_time_s"),
            lethal_sigma_m=np.array(
                [s.lethal_sigma_m or s.kill_radius_m / 5.0 for s in specs], dtype=float),
            design_miss_m=col("design_miss_m"),
            min_closing_speed_mps=col("min_closing_speed_mps"),
            seeker_noise_rad=col("seeker_noise_rad"),
            seeker_glint_m=col("seeker_glint_m"),
            seeker_rate_hz=col("seeker_rate_hz"),
            origin=scenario_origin(scenario),
        )


def envelope_table(scenario: Scenario) -> EnvelopeTable:
    """The fly-out envelope table of the scenario's classes: built once per scenario (about a
    second), then passed to every run of it (``simulation.run(envelopes=...)``)."""
    specs = list(scenario.interceptors.values())
    return EnvelopeTable.build(flyout_params(scenario),
                               1.1 * np.array([s.max_range_m for s in specs], dtype=float),
                               np.array([s.max_altitude_m for s in specs], dtype=float))


def flyout_params(scenario: Scenario) -> FlyoutParams:
    """Point-mass fly-out parameters of the scenario's classes (defaults as documented in
    ``InterceptorClassSpec``)."""
    specs = list(scenario.interceptors.values())
    rows = []
    rho_10km = float(density_kg_m3(10_000.0))
    for s in specs:
        boosted = s.boost_time_s > 0.0
        peak = (s.burnout_speed_mps or s.speed_mps) if boosted else s.speed_mps
        beta = s.ballistic_coefficient_kg_m2
        if beta is None:
            beta = np.inf if s.coast_decay_s is None else 0.5 * rho_10km * peak * s.coast_decay_s
        top = s.max_flight_time_s or 1.5 * s.max_range_m / s.speed_mps + s.boost_time_s
        rows.append((
            LAUNCH_SPEED_MPS if boosted else s.speed_mps, s.boost_time_s,
            peak if boosted else 0.0, s.mass_ratio, beta, s.max_load_factor_g * GRAVITY_MPS2,
            s.max_lift_to_drag, s.min_speed_mps or 0.25 * peak, top, 0.5 * peak,
        ))
    cols = np.array(rows, dtype=float).reshape(-1, 10).T
    return FlyoutParams(*cols)


class Launchers:
    """Launcher inventories over a run (ready rounds, reloads, last launch)."""

    def __init__(self, scenario: Scenario, origin: Origin) -> None:
        specs = scenario.launchers
        classes = list(scenario.interceptors)
        self.name: tuple[str, ...] = tuple(s.name for s in specs)
        self.class_index = np.array([classes.index(s.interceptor) for s in specs], dtype=np.intp)
        self.position_enu_m = np.array(
            [
                geodetic_to_enu(s.position.lat_deg, s.position.lon_deg, s.position.alt_m, origin)
                for s in specs
            ]
        ).reshape(-1, 3)
        self.capacity = np.array([s.ready_rounds for s in specs], dtype=np.int64)
        self.ready_rounds = self.capacity.copy()
        # the reload stock in rounds (``reloads`` full magazines): a reload tops the launcher
        # up from it, so rounds still on the rails when a reload starts are kept, not lost
        self.reload_rounds_left = np.array([s.reloads for s in specs], dtype=np.int64) * \
            self.capacity
        self.reload_time_s = np.array([s.reload_time_s for s in specs], dtype=float)
        self.min_interval_s = np.array([s.min_launch_interval_s for s in specs], dtype=float)
        self.last_launch_s = np.full(len(specs), -np.inf)
        self.reload_done_s = np.full(len(specs), np.inf)
        self.reload_at = np.array([s.reload_at_rounds for s in specs], dtype=np.int64)

    def __len__(self) -> int:
        return len(self.name)

    @property
    def reloads_left(self) -> NDArray[np.int64]:
        """Reloads still possible per launcher (a partial magazine counts as one)."""
        return -(-self.reload_rounds_left // np.maximum(self.capacity, 1))

    def available(self, time_s: float) -> NDArray[np.bool_]:
        """Launchers that can fire now: a ready round and the launch interval elapsed."""
        return ((self.ready_rounds > 0) & (time_s - self.last_launch_s >= self.min_interval_s)
                & ~np.isfinite(self.reload_done_s))  # not while reloading (reload_at_rounds)

    def fire(self, launcher: int, time_s: float) -> None:
        """Spend one round; a launcher down to ``reload_at_rounds`` (0: empty) starts a
        reload if its stock holds rounds (the reload tops it up to its capacity from the
        stock; the rounds still ready stay)."""
        if not self.available(time_s)[launcher]:
            raise RuntimeError(f"launcher {self.name[launcher]} cannot fire at {time_s} s")
        self.ready_rounds[launcher] -= 1
        self.last_launch_s[launcher] = time_s
        if self.ready_rounds[launcher] <= self.reload_at[launcher] and \
                self.reload_rounds_left[launcher] > 0:
            self.reload_done_s[launcher] = time_s + self.reload_time_s[launcher]

    def advance(self, time_s: float) -> NDArray[np.intp]:
        """Finish the reloads due by ``time_s``; returns the launchers reloaded."""
        done = np.flatnonzero(self.reload_done_s <= time_s)
        add = np.minimum(self.capacity[done] - self.ready_rounds[done],
                         self.reload_rounds_left[done])
        self.ready_rounds[done] += add
        self.reload_rounds_left[done] -= add
        self.reload_done_s[done] = np.inf
        return done
