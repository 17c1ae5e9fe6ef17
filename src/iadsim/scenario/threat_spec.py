"""Scenario parts of a threat group: ballistic motor and re-entry, stand-off weapons, evasion.

``ThreatGroup.ballistic`` (a ``BallisticSpec``) shapes a ballistic missile's boost and re-entry;
``ThreatGroup.glide`` (a ``GlideSpec``) puts a hypersonic glide vehicle on that boost instead of a
re-entry vehicle;
``ThreatGroup.standoff`` (a ``StandoffSpec``) arms strike aircraft with weapons released at a
range from their aim; ``ThreatGroup.evasion`` (an ``EvasionSpec``) makes aircraft break when a
missile is inbound. Rules that need the asset positions (can the boost reach the aim and the
apogee?) are in :func:`threat_problems`; they use closed-form upper bounds, so a shot they pass
may still prove out of reach when the world solves it (then the world names the same field and
the limit; ``iadsim validate`` runs that solve too, ``world.raid.ballistic_problems``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from iadsim.scenario.common import StrictModel

if TYPE_CHECKING:
    from iadsim.scenario.common import GeoPosition
    from iadsim.scenario.model import Scenario, ThreatGroup

GM_M3_S2 = 3.986004418e14
MEAN_EARTH_RADIUS_M = 6_371_000.0
EARTH_SPIN_SPEED_MPS = 7.292115e-5 * 6_378_137.0
G0_MPS2 = 9.80665
ROLES = ("threat", "booster", "debris", "decoy")
"""What an object of the raid is: a threat, or a ballistic missile's booster, debris or decoy
(``world.threats.ThreatSet.role`` indexes this; only ``threat`` rows carry a warhead)."""
LIFT_TO_DRAG_MIN, LIFT_TO_DRAG_MAX = 0.5, 6.0
"""Hypersonic lift-to-drag ratios a glide vehicle may be given (notional: 2-4 is typical)."""


class BallisticSpec(StrictModel):
    """Boost, re-entry and separation of a ballistic missile (notional values)."""

    model: Literal["rotating_earth", "flat_vacuum"] = Field(
        default="rotating_earth", description="rotating_earth: boost, J2 gravity and drag in an "
        "inertial frame; flat_vacuum: the old closed-form parabola (compatibility)")
    burn_time_s: float = Field(default=60.0, gt=1.0, le=600.0)
    thrust_to_weight: float = Field(default=2.5, gt=1.0, le=20.0, description="at lift-off")
    mass_ratio: float = Field(default=3.0, gt=1.0, le=20.0, description="launch / burnout mass")
    vertical_rise_s: float = Field(default=5.0, ge=0.0, le=60.0)
    launch_ballistic_coefficient_kg_m2: float = Field(default=20_000.0, gt=0.0, le=1e7)
    ballistic_coefficient_kg_m2: float = Field(
        default=5_000.0, gt=0.0, le=1e7, description="re-entry vehicle: mass / (Cd x area)")
    separation: bool = Field(default=False, description="the booster separates at cut-off")
    booster_rcs_m2: float = Field(default=2.0, gt=0.0, le=10_000.0)
    booster_ballistic_coefficient_kg_m2: float = Field(default=500.0, gt=0.0, le=1e7)
    debris_count: int = Field(default=0, ge=0, le=50, description="pieces per separation")
    debris_rcs_m2: float = Field(default=0.05, gt=0.0, le=10_000.0)
    debris_ballistic_coefficient_kg_m2: float = Field(default=100.0, gt=0.0, le=1e7)
    debris_spread_mps: float = Field(default=5.0, ge=0.0, le=500.0)
    decoy_count: int = Field(default=0, ge=0, le=20, description="decoys released with the "
                             "re-entry vehicle at separation: its radar size, but light")
    decoy_rcs_m2: float = Field(default=0.3, gt=0.0, le=10_000.0)
    decoy_ballistic_coefficient_kg_m2: float = Field(
        default=300.0, gt=0.0, le=1e7, description="a light balloon or cone: braked hard on "
        "re-entry, which is how the defence tells it from the vehicle")
    decoy_spread_mps: float = Field(default=2.0, ge=0.0, le=500.0)
    terminal_weave_g: float = Field(
        default=0.0, ge=0.0, le=50.0, description="manoeuvring re-entry vehicle: peak lateral "
        "acceleration of a terminal weave (0: none)")
    weave_below_m: float = Field(default=30_000.0, gt=0.0, le=200_000.0)
    weave_period_s: float = Field(default=6.0, gt=0.1, le=120.0)

    @model_validator(mode="after")
    def _rise_within_burn(self) -> BallisticSpec:
        if self.vertical_rise_s >= self.burn_time_s:
            raise ValueError(f"vertical_rise_s must be < burn_time_s (got "
                             f"{self.vertical_rise_s!r} >= {self.burn_time_s!r})")
        if self.debris_count and not self.separation:
            raise ValueError("debris_count needs separation: true (debris comes off at it)")
        if self.decoy_count and not self.separation:
            raise ValueError("decoy_count needs separation: true (decoys come off at it)")
        return self

    def ideal_delta_v_mps(self) -> float:
        """Rocket-equation delta-v of the whole burn: c ln(mass_ratio), c = T tb / m_prop."""
        c = self.thrust_to_weight * G0_MPS2 * self.burn_time_s / (1.0 - 1.0 / self.mass_ratio)
        return c * math.log(self.mass_ratio)


class GlideSpec(StrictModel):
    """A hypersonic glide vehicle on the group's booster (``ballistic``): pull-up, equilibrium
    glide with a lift-to-drag ratio, terminal dive (``iadsim.world.glide``; notional values)."""

    lift_to_drag: float | None = Field(
        default=None, description=f"hypersonic lift-to-drag ratio, required "
        f"({LIFT_TO_DRAG_MIN} < L/D <= {LIFT_TO_DRAG_MAX})")
    ballistic_coefficient_kg_m2: float = Field(
        default=3_000.0, gt=100.0, le=1e5, description="glider mass / (Cd x area): with the "
        "L/D it sets the glide height (about 40 km at 2.9 km/s for 3,000 and 2.6)")
    burnout_pitch_deg: float = Field(
        default=-20.0, ge=-45.0, le=60.0, description="thrust elevation at cut-off of the "
        "booster's pitch programme (negative: a depressed boost that noses over into the glide)")
    dive_angle_deg: float = Field(
        default=20.0, ge=5.0, le=80.0, description="the dive starts when the aim is this far "
        "below the horizon")
    min_glide_speed_mps: float = Field(
        default=1_000.0, gt=200.0, le=5_000.0, description="a glide slower than this before its "
        "dive has not reached the aim")

    @model_validator(mode="after")
    def _needs_lift_to_drag(self) -> GlideSpec:
        ld = self.lift_to_drag
        limits = f"> {LIFT_TO_DRAG_MIN} and <= {LIFT_TO_DRAG_MAX}"
        if ld is None:
            raise ValueError(f"lift_to_drag is required for a glide vehicle ({limits})")
        if not LIFT_TO_DRAG_MIN < ld <= LIFT_TO_DRAG_MAX:
            raise ValueError(f"lift_to_drag must be {limits} (got {ld!r})")
        return self


class DiscriminationSpec(StrictModel):
    """How the defence tells a ballistic raid's decoys, debris and boosters from its re-entry
    vehicles over track time (``iadsim.command.discrimination``; off by default)."""

    rate_per_g_s: float = Field(
        default=0.0, ge=0.0, le=100.0, description="hazard of discrimination per second per g "
        "of deceleration beyond a re-entry vehicle's at the same height and speed (0: off)")
    reference_ballistic_coefficient_kg_m2: float = Field(
        default=3_000.0, gt=0.0, le=1e7, description="the lightest re-entry vehicle the "
        "defence expects: an object braked harder than it is not a warhead")


class StandoffSpec(StrictModel):
    """Weapons a strike aircraft releases at ``release_range_m`` from its aim, then egresses."""

    count: int = Field(default=2, ge=1, le=16, description="weapons per aircraft")
    release_range_m: float = Field(gt=0.0, le=2_000_000.0, description="ground range to aim")
    weapon_range_m: float = Field(gt=0.0, le=3_000_000.0, description="the weapon's own range")
    release_interval_s: float = Field(default=2.0, ge=0.0, le=600.0)
    speed_mps: float = Field(default=250.0, gt=0.0, le=5_000.0)
    height_m: float = Field(default=50.0, ge=1.0, le=5_000.0, description="cruise height")
    rcs_m2: float = Field(default=0.1, gt=0.0, le=10_000.0)
    egress_turn_deg: float = Field(default=120.0, gt=0.0, le=180.0,
                                   description="turn away from the inbound course at release")

    @model_validator(mode="after")
    def _release_within_reach(self) -> StandoffSpec:
        if self.release_range_m > self.weapon_range_m:
            raise ValueError(f"release_range_m must be <= weapon_range_m, the weapon's own range "
                             f"(got {self.release_range_m!r} > {self.weapon_range_m!r})")
        return self


class EvasionSpec(StrictModel):
    """An aircraft with a missile inbound breaks (turn and descent) with this probability."""

    probability: float = Field(default=0.5, ge=0.0, le=1.0)
    max_load_factor_g: float = Field(default=5.0, gt=1.0, le=12.0)
    turn_deg: float = Field(default=90.0, gt=0.0, le=360.0)
    descent_rate_mps: float = Field(default=60.0, ge=0.0, le=500.0)
    floor_altitude_m: float = Field(default=500.0, ge=0.0, le=40_000.0)
    vertical_accel_g: float = Field(default=0.5, ge=0.0, le=12.0)

    @model_validator(mode="after")
    def _within_load_factor(self) -> EvasionSpec:
        # the pull-out needs g + a_v of lift; what remains of n g turns the aircraft
        limit = self.max_load_factor_g - 1.0
        if self.vertical_accel_g >= limit:
            raise ValueError(f"vertical_accel_g must be < max_load_factor_g - 1 = {limit:.3f} g, "
                             f"so the pull-out (g + vertical_accel_g) leaves load factor to turn "
                             f"(got {self.vertical_accel_g!r})")
        return self


def max_apogee_m(spec: BallisticSpec) -> float:
    """Energy bound on the apogee: the whole delta-v (plus the earth's spin) at the surface."""
    v = spec.ideal_delta_v_mps() + EARTH_SPIN_SPEED_MPS
    q = v * v * MEAN_EARTH_RADIUS_M / (2.0 * GM_M3_S2)
    return math.inf if q >= 1.0 else MEAN_EARTH_RADIUS_M * q / (1.0 - q)


def max_range_m(spec: BallisticSpec) -> float:
    """Bound on the ground range: the optimum angle for the same speed on a sphere in vacuum."""
    v = spec.ideal_delta_v_mps() + EARTH_SPIN_SPEED_MPS
    nu = v * v * MEAN_EARTH_RADIUS_M / GM_M3_S2
    if nu >= 1.0:
        return math.inf
    return 2.0 * MEAN_EARTH_RADIUS_M * math.asin(nu / (2.0 - nu))


def _ground_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2.0 * MEAN_EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def threat_problems(s: Scenario) -> Iterable[str]:
    """Ballistic shots out of the boost's reach; time-on-target and stand-off misuse."""
    assets = {a.name: a.position for a in s.defended_assets}
    for i, g in enumerate(s.threats):
        where = f"threats[{i}]"
        if (g.type == "ballistic_missile" and g.start is not None and g.aim in assets
                and g.glide is None):
            b = g.ballistic
            if b.model == "rotating_earth":
                reach = f"(burn_time_s, thrust_to_weight and mass_ratio of {where}.ballistic)"
                top = max_apogee_m(b)
                if g.apogee_m is not None and g.apogee_m > top:
                    yield (f"{where}.apogee_m is beyond the boost's reach: at most {top:.0f} m "
                           f"{reach} (got {g.apogee_m!r})")
                aim = assets[g.aim]
                far = _ground_m(g.start.lat_deg, g.start.lon_deg, aim.lat_deg, aim.lon_deg)
                if far > max_range_m(b):
                    yield (f"{where}.aim is beyond the boost's reach: at most "
                           f"{max_range_m(b):.0f} m {reach} (got {g.aim!r}, {far:.0f} m away)")
        yield from _glide_problems(where, g, assets)
        if g.standoff is not None and g.type not in ("aircraft", "recon_aircraft"):
            yield f"{where}.standoff is for aircraft only (got type {g.type!r})"
        if g.evasion is not None and g.type not in ("aircraft", "recon_aircraft"):
            yield f"{where}.evasion is for aircraft only (got type {g.type!r})"
        if g.standoff is not None and g.aim is None:
            yield f"{where}.standoff needs aim (the asset the weapons are released at)"
        if g.standoff is not None and g.time_on_target_s is not None:
            yield f"{where}.time_on_target_s cannot be combined with standoff (got both)"
        if g.standoff is not None and g.start is not None and g.aim in assets:
            last = g.route[-1] if g.route else g.start
            aim = assets[g.aim]
            leg = _ground_m(last.lat_deg, last.lon_deg, aim.lat_deg, aim.lon_deg)
            if g.standoff.release_range_m >= leg:
                yield (f"{where}.standoff.release_range_m must be < the last leg to the aim "
                       f"({leg:.0f} m) (got {g.standoff.release_range_m!r})")
        if g.time_on_target_s is not None and (g.launch_time_s != 0.0 or g.spacing_s != 0.0):
            yield (f"{where}.time_on_target_s sets the launch times: leave launch_time_s and "
                   f"spacing_s out (got {g.launch_time_s!r}, {g.spacing_s!r})")
        if g.popup_range_m is not None and (g.type != "cruise_missile" or g.aim is None):
            yield (f"{where}.popup_range_m is for cruise missiles flying at an aim "
                   f"(got type {g.type!r}, aim {g.aim!r})")
        if g.time_on_target_s is not None and g.aim is None:
            yield f"{where}.time_on_target_s needs aim (the asset the wave arrives at)"


def max_glide_range_m(b: BallisticSpec, glide: GlideSpec) -> float:
    """Upper bound on a glide vehicle's reach: the equilibrium-glide range (``world.glide``)
    from the ideal burnout speed (plus the earth's spin) down to rest, the boost's own ground
    (burnout speed x burn time) and a dive from 70 km."""
    v = b.ideal_delta_v_mps() + EARTH_SPIN_SPEED_MPS
    q = v * v / (GM_M3_S2 / MEAN_EARTH_RADIUS_M)
    if q >= 1.0:
        return math.inf
    assert glide.lift_to_drag is not None  # model-validated
    glide_m = glide.lift_to_drag * MEAN_EARTH_RADIUS_M / 2.0 * math.log(1.0 / (1.0 - q))
    return glide_m + v * b.burn_time_s + 70_000.0 / math.tan(math.radians(glide.dive_angle_deg))


def _glide_problems(where: str, g: ThreatGroup, assets: dict[str, GeoPosition]
                    ) -> Iterable[str]:
    """A glide section on anything but a rotating-earth, non-weaving ballistic missile; an aim
    beyond the closed-form bound of its reach."""
    if g.glide is None:
        return
    if g.type != "ballistic_missile":
        yield f"{where}.glide is for ballistic missiles only (got type {g.type!r})"
        return
    if g.ballistic.model != "rotating_earth":
        yield (f"{where}.glide needs ballistic.model rotating_earth "
               f"(got {g.ballistic.model!r})")
    if g.ballistic.terminal_weave_g > 0.0:
        yield (f"{where}.ballistic.terminal_weave_g must be 0 for a glide vehicle (it dives by "
               f"its own lift; got {g.ballistic.terminal_weave_g!r})")
    if g.start is not None and g.aim in assets:
        aim = assets[g.aim]
        far = _ground_m(g.start.lat_deg, g.start.lon_deg, aim.lat_deg, aim.lon_deg)
        top = max_glide_range_m(g.ballistic, g.glide)
        if far > top:
            yield (f"{where}.aim is beyond the glide's reach: at most {top / 1e3:.0f} km "
                   f"(ideal burn of {where}.ballistic, {where}.glide.lift_to_drag "
                   f"{g.glide.lift_to_drag!r}) (got {g.aim!r}, {far / 1e3:.0f} km away)")
