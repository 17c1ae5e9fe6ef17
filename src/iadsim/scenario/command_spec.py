"""Scenario sections ``interceptors``, ``launchers`` and ``command``.

``command`` holds the doctrine: how threats are valued and classified, how the weapon-target
assignment is solved, salvo sizes per interceptor class and threat type, layered defence,
hold-fire, weapons free/tight, a reserve of rounds for ballistic missiles and the
fire-control channel limit. Rules that span sections (a doctrine naming an unknown class) are
checked by :func:`command_problems`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Literal

import numpy as np
from pydantic import Field

from iadsim.scenario.common import GeoPosition, StrictModel
from iadsim.scenario.threat_spec import DiscriminationSpec

if TYPE_CHECKING:
    from iadsim.scenario.model import Scenario

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
ThreatTypeName = Literal["aircraft", "recon_aircraft", "cruise_missile", "uav", "ballistic_missile",
                         "anti_radiation_missile"]


class InterceptorClassSpec(StrictModel):
    """One interceptor class: its engagement envelope, flight and lethality."""

    min_range_m: float = Field(ge=0.0)
    max_range_m: float = Field(gt=0.0)
    min_altitude_m: float = Field(default=0.0, ge=-500.0)
    max_altitude_m: float = Field(gt=0.0)
    speed_mps: float = Field(
        gt=0.0, le=10_000.0, description="mean speed: the fly-out without a boost phase"
    )
    kill_radius_m: float = Field(
        gt=0.0, description="seeker basket: a larger aim error at handover is not acquired"
    )
    pk: dict[ThreatTypeName, Probability] = Field(
        description="design-point single-shot kill probability per threat type (at "
        "design_miss_m and full closing speed; the lethality function is calibrated to it)"
    )
    cost: float = Field(default=1.0, ge=0.0, description="notional unit cost")
    boost_time_s: float = Field(
        default=0.0, ge=0.0, le=300.0, description="boost phase; 0: fly at speed_mps throughout"
    )
    burnout_speed_mps: float | None = Field(
        default=None, gt=0.0, le=10_000.0, description="speed at the end of the boost"
    )
    coast_decay_s: float | None = Field(
        default=None, gt=0.0, le=10_000.0, description="e-folding time of coast speed; None: none"
    )
    min_flight_time_s: float = Field(default=0.0, ge=0.0, le=600.0, description="arming time")
    max_flight_time_s: float | None = Field(
        default=None, gt=0.0, le=3_600.0, description="None: 1.5 x max_range_m / speed_mps"
    )
    # point-mass fly-out (iadsim.engagement.flyout): burnout_speed_mps is the motor's ideal
    # (vacuum, gravity-free) delta-v; gravity, drag and the turn limit take their share
    mass_ratio: float = Field(
        default=2.0, gt=1.0, le=20.0, description="launch mass / burnout mass (rocket equation)"
    )
    ballistic_coefficient_kg_m2: float | None = Field(
        default=None, gt=0.0, le=1.0e7,
        description="burnout mass / (Cd x reference area); None: from coast_decay_s at 10 km "
        "(beta = rho(10 km) v_burnout tau / 2), no drag without coast_decay_s",
    )
    max_load_factor_g: float = Field(
        default=30.0, gt=0.0, le=100.0, description="structural lateral acceleration limit, g"
    )
    max_lift_to_drag: float = Field(
        default=10.0, gt=0.0, le=100.0,
        description="max lift / zero-lift drag (CLmax / CD0): the aerodynamic turn limit, "
        "which thins out with altitude (thrust vectoring holds the full limit in the boost)",
    )
    min_speed_mps: float | None = Field(
        default=None, gt=0.0, le=10_000.0,
        description="below this the round cannot manoeuvre: end of flight; None: 0.25 x peak",
    )
    # end game (iadsim.engagement.endgame) and lethality (iadsim.engagement.lethality)
    navigation_constant: float = Field(
        default=4.0, ge=2.0, le=8.0, description="proportional navigation gain N"
    )
    guidance_time_constant_s: float = Field(
        default=0.2, ge=0.02, le=5.0, description="first-order lag of achieved acceleration"
    )
    handover_time_s: float = Field(
        default=4.0, gt=0.0, le=60.0,
        description="time to go at seeker handover: PN on the true target from then on",
    )
    seeker_noise_rad: float = Field(
        default=0.002, ge=0.0, le=0.1,
        description="1-sigma line-of-sight angle noise per seeker measurement (range "
        "independent: thermal noise, fading); white at seeker_rate_hz",
    )
    seeker_glint_m: float = Field(
        default=3.0, ge=0.0, le=100.0,
        description="1-sigma wander of the target's apparent scattering centre (glint): angle "
        "noise glint / range per measurement, grows as the round closes",
    )
    seeker_rate_hz: float = Field(
        default=100.0, ge=1.0, le=10_000.0,
        description="seeker measurement rate: the noise's power spectral density is "
        "sigma^2 / rate",
    )
    lethal_sigma_m: float | None = Field(
        default=None, gt=0.0, le=1_000.0,
        description="Gaussian lethal radius: Pk(miss) = pk0 exp(-miss^2 / 2 sigma^2); "
        "None: kill_radius_m / 5",
    )
    design_miss_m: float = Field(
        default=0.0, ge=0.0, le=1_000.0, description="miss distance at which `pk` holds"
    )
    min_closing_speed_mps: float = Field(
        default=300.0, ge=0.0, le=10_000.0,
        description="below this closing speed Pk falls as (closing / min)^2",
    )


class LauncherSpec(StrictModel):
    """A launcher carrying rounds of one interceptor class."""

    name: str = Field(min_length=1)
    position: GeoPosition
    interceptor: str = Field(min_length=1, description="a key of `interceptors`")
    ready_rounds: int = Field(ge=0, le=1000)
    reloads: int = Field(default=0, ge=0, le=1000, description="full reloads held in reserve")
    reload_time_s: float = Field(default=600.0, gt=0.0)
    reload_at_rounds: int = Field(
        default=0, ge=0, le=1000,
        description="reload policy: start a reload when the ready rounds fall to this "
        "(0: when empty); the launcher does not fire while it reloads",
    )
    min_launch_interval_s: float = Field(default=3.0, ge=0.0)


SalvoSize = Annotated[int, Field(ge=1, le=16)]


class ClassificationSpec(StrictModel):
    """Threat classification from track kinematics, with optional misclassification."""

    confusion: dict[ThreatTypeName, dict[ThreatTypeName, Probability]] | None = Field(
        default=None,
        description="P(reported type | kinematic type); each row sums to 1, missing rows exact",
    )
    ballistic_min_speed_mps: float = Field(default=1_000.0, gt=0.0)
    ballistic_min_altitude_m: float = Field(default=25_000.0, gt=0.0)
    uav_max_speed_mps: float = Field(default=90.0, gt=0.0)
    cruise_max_altitude_m: float = Field(default=400.0, gt=0.0)
    recon_min_altitude_m: float = Field(default=10_000.0, gt=0.0)
    # anti-radiation missiles (issue 16): fast, diving, the dive's ground point on a radar
    arm_min_speed_mps: float = Field(default=450.0, gt=0.0, le=5_000.0)
    arm_min_dive_deg: float = Field(default=10.0, gt=0.0, le=89.0,
                                    description="least dive angle below the horizontal")
    arm_aim_radius_m: float = Field(
        default=3_000.0, gt=0.0, le=100_000.0,
        description="the straight dive's ground point lies this close to a defence radar")
    arm_cruise_min_speed_mps: float | None = Field(
        default=None, gt=0.0, le=5_000.0,
        description="an ARM in its cruise: a level track at least this fast whose ground track "
        "passes within arm_aim_radius_m of a defence radar ahead (None, the default: only the dive "
        "rule; the sead example sets 600)")
    discrimination: DiscriminationSpec = Field(
        default_factory=DiscriminationSpec, description="decoys, debris and boosters told from "
        "re-entry vehicles by their deceleration over track time (issue 19; off by default)")


DEFAULT_MAX_SPEED_MPS: dict[str, float] = {
    "aircraft": 800.0, "recon_aircraft": 1_100.0, "cruise_missile": 1_100.0, "uav": 150.0,
    "ballistic_missile": 2_500.0, "anti_radiation_missile": 1_200.0,
}
"""Fastest speed each reported threat type can physically fly (ballistic: at sea level)."""

DEFAULT_MAX_DYNAMIC_PRESSURE_PA: dict[str, float] = {
    "aircraft": 130_000.0, "recon_aircraft": 130_000.0, "cruise_missile": 700_000.0,
    "uav": 25_000.0, "anti_radiation_missile": 700_000.0,
}
"""Highest dynamic pressure 0.5 rho v^2 each air-breathing type can fly at (structure, heat):
notional; 130 kPa is about 460 m/s (Mach 1.35) at sea level, the 800 m/s top speed above 11 km."""


class FireControlSpec(StrictModel):
    """What makes a track good enough to launch on (fire-control quality)."""

    max_update_age_s: float = Field(
        default=5.0, gt=0.0, le=600.0,
        description="a fire-control (multifunction) radar updated the track this recently",
    )
    max_track_sigma_m: dict[str, Annotated[float, Field(gt=0.0)]] = Field(
        default_factory=dict,
        description="RMS position sigma required per interceptor class "
        "(default: command.max_track_sigma_m)",
    )
    max_velocity_sigma_mps: float = Field(
        default=200.0, gt=0.0, description="RMS velocity sigma required"
    )
    max_speed_mps: dict[ThreatTypeName, Annotated[float, Field(gt=0.0)]] = Field(
        default_factory=dict,
        description="fastest credible speed per reported type (defaults: DEFAULT_MAX_SPEED_MPS; "
        "ballistic missiles: at sea level, less by 2 g h at height h)",
    )

    max_dynamic_pressure_pa: dict[
        Literal["aircraft", "recon_aircraft", "cruise_missile", "uav", "anti_radiation_missile"],
        Annotated[float, Field(gt=0.0)],
    ] = Field(
        default_factory=dict,
        description="air-breathing types: highest credible dynamic pressure 0.5 rho v^2 "
        "(USSA76 density at the track's height), so the credible speed falls in dense air "
        "(defaults: DEFAULT_MAX_DYNAMIC_PRESSURE_PA)",
    )
    ballistic_steep_below_m: float = Field(
        default=20_000.0, ge=0.0, le=2_000_000.0,
        description="below this height above the earth a track classed ballistic must climb or "
        "dive at least ballistic_min_path_angle_deg (no lift holds it level: it is boosting "
        "or re-entering)",
    )
    ballistic_min_path_angle_deg: float = Field(
        default=10.0, ge=0.0, le=89.0,
        description="least flight-path angle (climb or dive, from the local horizontal) of a "
        "ballistic track below ballistic_steep_below_m",
    )

    def dynamic_pressure_limit_pa(self, threat_type: str) -> float:
        """Highest credible dynamic pressure of ``threat_type`` (inf: none, ballistic)."""
        return float(self.max_dynamic_pressure_pa.get(  # type: ignore[call-overload]
            threat_type, DEFAULT_MAX_DYNAMIC_PRESSURE_PA.get(threat_type, np.inf)))

    def speed_limit_mps(self, threat_type: str) -> float:
        """Fastest credible speed of ``threat_type``."""
        return float(self.max_speed_mps.get(threat_type,  # type: ignore[call-overload]
                                            DEFAULT_MAX_SPEED_MPS[threat_type]))


class ReserveReleaseSpec(StrictModel):
    """When the ballistic reserve is released (iadsim.command.reserves)."""

    no_threat_expected_after_s: float | None = Field(
        default=None, ge=0.0,
        description="from this time, with no ballistic missile in view, release for good",
    )
    asset_value_at_least: float | None = Field(
        default=None, ge=0.0,
        description="a threat about to hit an asset of at least this value may take reserved "
        "rounds (None: never)",
    )
    imminent_s: float = Field(default=60.0, gt=0.0, le=3_600.0,
                              description="'about to hit': time to the asset at most this")


class CommandSpec(StrictModel):
    """The command-and-control centre: reaction, cycle and doctrine."""

    reaction_time_s: float = Field(default=10.0, ge=0.0, le=600.0)
    cycle_s: float = Field(default=2.0, gt=0.0, le=600.0)
    doctrine: Literal["shoot_look_shoot", "shoot_shoot_look"] = Field(
        default="shoot_look_shoot",
        description="default salvo 1 (shoot-look-shoot) or 2 (shoot-shoot-look) rounds",
    )
    kill_assessment_s: float = Field(default=3.0, ge=0.0, le=600.0)
    kill_assessment_pc: Probability = Field(
        default=1.0,
        description="P(the kill assessment is right): a kill reported as a miss leaves the "
        "track engageable, a miss reported as a kill lets the threat go",
    )
    fire_control: FireControlSpec = FireControlSpec()
    max_track_sigma_m: float = Field(
        default=1000.0, gt=0.0,
        description="engage only tracks whose RMS position sigma is below this (no ghosts)",
    )
    salvo: dict[str, dict[ThreatTypeName, SalvoSize]] = Field(
        default_factory=dict, description="rounds per engagement, per class and threat type"
    )
    assignment: Literal["greedy", "exact", "fast", "auto"] = Field(
        default="auto", description="weapon-target assignment solver (greedy: no WTA)"
    )
    objective: Literal["threat", "asset"] = Field(
        default="threat", description="kill threat value, or protect asset value"
    )
    weapons_control: Literal["free", "tight"] = Field(
        default="free", description="tight: engage only tracks heading for a defended asset"
    )
    layered: bool = Field(
        default=True,
        description="engage with the longest-range class that can; shorter ones take leakers",
    )
    hold_fire_below_value: float = Field(
        default=0.0,
        ge=0.0,
        description="do not engage a threat valued below this (value: asset value / seconds "
        "to reach it, x threat_value x threat_lethality)",
    )
    ballistic_reserve: dict[str, Annotated[int, Field(ge=0, le=100_000)]] = Field(
        default_factory=dict, description="rounds per class kept for ballistic missiles"
    )
    reserve_release: ReserveReleaseSpec = ReserveReleaseSpec()
    fire_control_channels: int | None = Field(
        default=None,
        ge=0,
        le=10_000,
        description="threats engaged at once; None: the radars' fire_control_channels, if any",
    )
    radar_value: float | None = Field(
        default=None, ge=0.0,
        description="value of a defence radar, which a track classed as an anti-radiation "
        "missile is valued by (value / seconds to that radar); None: the highest defended "
        "asset's value (losing a radar opens every asset it covers)")
    threat_value: dict[ThreatTypeName, Annotated[float, Field(ge=0.0)]] = Field(
        default_factory=dict, description="weight of each threat type's value (default 1)"
    )
    threat_lethality: dict[ThreatTypeName, Probability] = Field(
        default_factory=dict, description="P(asset destroyed | threat leaks), asset objective"
    )
    threat_cost: dict[ThreatTypeName, Annotated[float, Field(ge=0.0)]] = Field(
        default_factory=dict, description="notional cost per threat type (cost-exchange ratio)"
    )
    classification: ClassificationSpec = ClassificationSpec()
    # cost- and look-ahead-aware doctrine (iadsim.command.lookahead)
    lookahead: bool = Field(
        default=False,
        description="two-stage (shoot-look-shoot) dynamic WTA: a threat a cheaper class will "
        "still meet in time is worth less now, and every salvo costs round_cost_weight x cost",
    )
    class_preference: Literal["longest_reach", "cheapest_in_time"] = Field(
        default="longest_reach",
        description="with layered: the longest-reaching class that can engage, or only the "
        "cheapest class that can engage now or later before the threat reaches its asset",
    )
    engage_early: list[ThreatTypeName] = Field(
        default_factory=list,
        description="threat types any class may engage as early as it can (cheapest_in_time)",
    )
    required_pk: dict[ThreatTypeName, Probability] = Field(
        default_factory=dict,
        description="cheapest_in_time: the single-shot Pk a cheaper class must reach against "
        "the type to be preferred (default: any Pk above 0)",
    )
    round_cost_weight: float = Field(
        default=0.0, ge=0.0, le=1.0e6,
        description="threat value per unit of interceptor cost (the look-ahead's round price)",
    )
    scarcity_weight: float = Field(
        default=1.0, ge=0.0, le=1.0e3,
        description="the look-ahead's round price rises by this times the class's expected "
        "demand over its rounds available (ready plus reloads landing within "
        "demand_horizon_s); 0: a constant price",
    )
    demand_horizon_s: float = Field(
        default=600.0, gt=0.0, le=1.0e6,
        description="reloads count towards a class's rounds in proportion to how much of this "
        "horizon is left after they land",
    )
    expected_rounds: dict[str, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict,
        description="rounds per class still expected to be needed beyond the threats in view "
        "(the raid still to come)",
    )

    def salvo_size(self, interceptor: str, threat_type: str) -> int:
        """Rounds per engagement of class ``interceptor`` against ``threat_type``."""
        default = 2 if self.doctrine == "shoot_shoot_look" else 1
        return int(self.salvo.get(interceptor, {}).get(threat_type, default))  # type: ignore[call-overload]


def command_problems(s: Scenario) -> Iterable[str]:
    """Rules spanning sections: doctrine entries must name known interceptor classes, the
    confusion matrix rows must sum to 1, boost and flight times must be consistent."""
    known = sorted(s.interceptors)
    for field in ("salvo", "ballistic_reserve", "expected_rounds",
                  "fire_control.max_track_sigma_m"):
        section = s.command.fire_control.max_track_sigma_m if "." in field else getattr(
            s.command, field)
        for name in section:
            if name not in s.interceptors:
                yield (
                    f"command.{field}.{name} names an unknown interceptor class "
                    f"(got {name!r}; expected one of {known})"
                )
    if s.command.lookahead and s.command.objective == "asset":
        yield ("command.lookahead needs command.objective 'threat' (got 'asset'; the two-stage "
               "gain g / V is exact for the threat-based objective only)")
    for k, x in enumerate(s.launchers):
        if x.reload_at_rounds and x.reload_at_rounds >= x.ready_rounds:
            yield (f"launchers[{k}].reload_at_rounds must be < ready_rounds "
                   f"(got {x.reload_at_rounds!r} >= {x.ready_rounds!r})")
    for name, reserve in s.command.ballistic_reserve.items():
        held = sum(x.ready_rounds * (1 + x.reloads) for x in s.launchers if x.interceptor == name)
        if name in s.interceptors and reserve > held:
            yield (
                f"command.ballistic_reserve.{name} must not exceed the class's inventory "
                f"(got {reserve!r}; the launchers of class {name!r} hold {held} rounds "
                "with their reloads)"
            )
    confusion = s.command.classification.confusion or {}
    for true_type, row in confusion.items():
        total = sum(row.values())
        if abs(total - 1.0) > 1e-6:
            yield (f"command.classification.confusion.{true_type} must sum to 1 (got {total!r})")
    for name, cls in s.interceptors.items():
        if cls.boost_time_s > 0 and cls.burnout_speed_mps is None:
            yield (
                f"interceptors.{name}.burnout_speed_mps is required when boost_time_s > 0 "
                f"(got boost_time_s={cls.boost_time_s!r})"
            )
        top = cls.max_flight_time_s
        if top is not None and cls.min_flight_time_s >= top:
            yield (
                f"interceptors.{name}.min_flight_time_s must be < max_flight_time_s "
                f"(got {cls.min_flight_time_s!r} >= {top!r})"
            )
    if not any(cls.boost_time_s > 0 and cls.burnout_speed_mps is None
               for cls in s.interceptors.values()):
        from iadsim.engagement.flyout import flyout_problems  # engagement imports the scenario
        from iadsim.engagement.lethality import lethality_problems

        yield from flyout_problems(s)
        yield from lethality_problems(s)


def fire_control_sensors(s: Scenario) -> list[bool]:
    """Which sensors (in scenario order) are fire-control radars: the multifunction ones."""
    return [x.kind == "multifunction" for x in s.sensors]


def channel_limits(s: Scenario) -> tuple[int | None, int | None]:
    """Fire-control channels (threats engaged at once) and guidance channels (interceptors
    guided at once) of the whole defence: ``command.fire_control_channels`` if set, else the
    sum over radars that state one; None when nothing limits them."""

    def total(attr: str) -> int | None:
        values = [getattr(x, attr, None) for x in s.sensors]
        given = [int(v) for v in values if v is not None]
        return sum(given) if given else None

    fc = s.command.fire_control_channels
    return (fc if fc is not None else total("fire_control_channels"), total("guidance_channels"))
