"""Scenario section ``ew``: the contested fight (jammers, radar emission control, ARM strikes).

Everything here is optional: an empty section (the default) leaves every run exactly as it was.

* ``jammers``: noise jammers. A *stand-off* jammer flies a circular ``orbit``; a
  *self-screening* jammer rides on every member of the threat group ``carrier_group``. Each has
  a transmitter power, antenna gain and noise bandwidth (effective radiated power = power x gain).
* ``radars``: per-radar electronic properties (by ``name`` of a ``sensors`` entry): sidelobe
  level, ECCM processing gain against noise, the main-lobe gain, frequency and bandwidth when the
  sensor's detection model does not give them, and the emission policy (``emission``).
* ``decoys``: threat groups that are decoys, and how well the classifier discriminates them.
* ``arm_strikes``: anti-radiation missiles fired from a launch point at a named radar; they
  fly a straight path to the radar and miss by more the longer the radar has been silent.

Notional, textbook parameters only (Skolnik ch. 10; Adamy, *EW 101*; Schleher, *Electronic
Warfare in the Information Age*).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from iadsim.scenario.common import GeoPosition, StrictModel

if TYPE_CHECKING:
    from iadsim.scenario.model import Scenario


class OrbitSpec(StrictModel):
    """A circular racetrack of a stand-off jammer: centre (``alt_m`` is the flight altitude),
    radius and ground speed, flown clockwise from north of the centre."""

    centre: GeoPosition
    radius_m: float = Field(default=20_000.0, gt=0.0, le=500_000.0)
    speed_mps: float = Field(default=200.0, gt=0.0, le=1_000.0)


class JammerSpec(StrictModel):
    """A noise jammer, stand-off (on an ``orbit``) or self-screening (on ``carrier_group``),
    or a DRFM repeater (``drfm``, on ``carrier_group``) making false targets in range.

    A DRFM repeater puts one false target at each of ``range_offsets_m`` along each radar's line
    of sight to its carrier (negative: ahead), walking at ``range_pull_mps``, with an RCS of
    the carrier's times ``false_target_jsr_db``; its power fields are unused.
    """

    name: str = Field(min_length=1)
    kind: Literal["stand_off", "self_screening", "drfm"]
    power_w: float = Field(default=100.0, gt=0.0, le=1e6,
                           description="transmitter power into the antenna")
    antenna_gain_db: float = Field(default=10.0, ge=-20.0, le=40.0)
    losses_db: float = Field(default=0.0, ge=0.0, le=30.0)
    bandwidth_hz: float = Field(
        default=100e6, ge=1e3, le=1e11, description="noise bandwidth (barrage or spot)"
    )
    orbit: OrbitSpec | None = Field(default=None, description="stand_off only")
    carrier_group: str | None = Field(
        default=None, min_length=1, description="self_screening only: name of a threat group"
    )
    start_time_s: float = Field(default=0.0, ge=0.0, le=86_400.0)
    end_time_s: float = Field(default=86_400.0, gt=0.0, le=86_400.0)
    range_offsets_m: list[float] = Field(
        default_factory=lambda: [-3_000.0, 4_000.0], max_length=20,
        description="drfm only: false targets' range offsets from the carrier (negative: ahead)",
    )
    range_pull_mps: float = Field(default=0.0, ge=-2_000.0, le=2_000.0,
                                  description="drfm only: rate of the range walk")
    false_target_jsr_db: float = Field(default=10.0, ge=-20.0, le=40.0,
                                       description="drfm only: false target over skin echo")

    @model_validator(mode="after")
    def _platform_given(self) -> JammerSpec:
        if self.kind == "stand_off" and self.orbit is None:
            raise ValueError("a stand_off jammer needs an orbit (centre, radius_m, speed_mps)")
        if self.kind != "stand_off" and self.carrier_group is None:
            raise ValueError(f"a {self.kind} jammer needs carrier_group (a threat group name)")
        if self.kind == "stand_off" and self.carrier_group is not None:
            raise ValueError(f"a stand_off jammer flies its orbit and takes no carrier_group "
                             f"(got {self.carrier_group!r}; kind: self_screening rides a group)")
        if self.kind != "stand_off" and self.orbit is not None:
            raise ValueError(f"a {self.kind} jammer rides its carrier_group and takes no orbit "
                             f"(kind: stand_off flies one)")
        if any(abs(x) > 100_000.0 for x in self.range_offsets_m):
            raise ValueError(f"range_offsets_m must lie within +-100000 m "
                             f"(got {self.range_offsets_m})")
        if self.end_time_s <= self.start_time_s:
            raise ValueError(
                f"end_time_s must be > start_time_s = {self.start_time_s} (got {self.end_time_s})"
            )
        return self


EmissionPolicy = Literal["always", "blink", "shutdown_on_arm", "cued"]


class RadarEwSpec(StrictModel):
    """Electronic properties and emission policy of one radar (``name`` of a sensor).

    ``emission``: *always* emits; *blink* emits ``blink_on_s`` then is silent ``blink_off_s``
    (from t = 0); *shutdown_on_arm* emits until an ARM aimed at it is within
    ``arm_warning_range_m`` (as ``arm_warning`` says: the defence's picture by default, or the
    truth, an ideal warning receiver) and stays silent ``shutdown_s``;
    *cued* emits only while the air picture (the previous step's) holds a confirmed track
    within ``cue_range_m`` of it (default its instrumented range): cued by the other radars.
    """

    name: str = Field(min_length=1)
    emission: EmissionPolicy = "always"
    blink_on_s: float = Field(default=20.0, gt=0.0, le=3_600.0)
    blink_off_s: float = Field(default=10.0, gt=0.0, le=3_600.0)
    arm_warning_range_m: float = Field(default=30_000.0, gt=0.0, le=1_000_000.0)
    arm_warning: Literal["picture", "ideal"] = Field(
        default="picture",
        description="shutdown_on_arm: warned by the defence's picture (a confirmed track "
        "classed ARM diving on this radar) or by the truth (an ideal warning receiver)",
    )
    shutdown_s: float = Field(default=60.0, gt=0.0, le=86_400.0)
    cue_range_m: float | None = Field(default=None, gt=0.0, le=5_000_000.0)
    sidelobe_level_db: float = Field(
        default=-30.0, ge=-80.0, le=0.0, description="receive sidelobes relative to the main lobe"
    )
    processing_gain_db: float = Field(
        default=0.0, ge=0.0, le=60.0,
        description="ECCM gain against noise jamming (frequency agility, sidelobe blanking)",
    )
    main_lobe_gain_db: float | None = Field(
        default=None, ge=0.0, le=70.0,
        description="receive gain; default the sensor's, else 26000 / (az_bw x el_bw) in degrees",
    )
    frequency_hz: float | None = Field(default=None, ge=1e6, le=3e11,
                                       description="default the sensor's, else 3 GHz")
    bandwidth_hz: float | None = Field(
        default=None, ge=1e3, le=1e11,
        description="default the sensor's, else c / (2 range resolution)",
    )


class ArmStrikeSpec(StrictModel):
    """``count`` anti-radiation missiles fired ``spacing_s`` apart from ``launch`` at a radar.

    Profile (notional): from the launch point a climb at ``climb_angle_deg`` to
    ``cruise_altitude_m`` (none when launched at or above it), a cruise at that altitude, then a
    straight dive at ``dive_angle_deg`` onto the radar; if the ground distance is too short for
    both, the top of the climb is lowered so that the dive still comes in at its angle.
    ``speed_mps`` is the ground speed (the speed along the path is ``speed / cos(angle)``).
    The pitch-over from the cruise into the dive is a pull at ``pitch_over_accel_mps2``
    (constant vertical acceleration at the constant ground speed), not a corner.
    """

    name: str = Field(min_length=1)
    target_radar: str = Field(min_length=1)
    launch: GeoPosition
    launch_time_s: float = Field(default=0.0, ge=0.0, le=86_400.0)
    count: int = Field(default=1, ge=1, le=1_000)
    spacing_s: float = Field(default=2.0, ge=0.0, le=3_600.0)
    speed_mps: float = Field(default=700.0, gt=0.0, le=3_000.0)
    rcs_m2: float = Field(default=0.05, gt=0.0, le=100.0)
    miss_sigma_m: float = Field(default=5.0, gt=0.0, le=10_000.0,
                                description="miss (per axis) on a radar still emitting")
    miss_growth_mps: float = Field(
        default=15.0, ge=0.0, le=10_000.0,
        description="growth of the miss sigma per second of silence before impact",
    )
    lethal_radius_m: float = Field(default=20.0, gt=0.0, le=10_000.0)
    cruise_altitude_m: float = Field(default=12_000.0, ge=0.0, le=30_000.0,
                                     description="loft: altitude of the cruise before the dive")
    climb_angle_deg: float = Field(default=20.0, gt=0.0, le=80.0)
    dive_angle_deg: float = Field(default=35.0, ge=5.0, le=80.0,
                                  description="terminal dive below the horizontal onto the radar")
    pitch_over_accel_mps2: float = Field(
        default=50.0, gt=0.0, le=1_000.0,
        description="vertical acceleration of the pull from the cruise into the dive (about 5 g)",
    )


class DecoyGroupSpec(StrictModel):
    """A threat group that is made of decoys (launched from its ``start``, flying its profile
    with its RCS, usually augmented), and how well the defence's classifier discriminates it.

    A decoy's track is recognised (and dropped from the command's picture) with probability
    ``p_discriminate x (1 - exp(-age / discrimination_time_s))``, ``age`` the time since the
    track was confirmed: one persistent uniform draw per decoy, so a recognised decoy stays so.
    """

    group: str = Field(min_length=1, description="name of a threat group")
    p_discriminate: float = Field(default=0.8, ge=0.0, le=1.0)
    discrimination_time_s: float = Field(default=30.0, gt=0.0, le=3_600.0)


class EwSpec(StrictModel):
    """The contested fight; empty by default (a clean sky, no radar can be attacked)."""

    jammers: list[JammerSpec] = Field(default_factory=list)
    radars: list[RadarEwSpec] = Field(default_factory=list)
    arm_strikes: list[ArmStrikeSpec] = Field(default_factory=list)
    decoys: list[DecoyGroupSpec] = Field(default_factory=list)
    strobe_jnr_db: float = Field(
        default=13.0, ge=-20.0, le=60.0,
        description="main-lobe jamming-to-noise above which a radar reports a strobe",
    )

    @property
    def active(self) -> bool:
        """Anything to model (else the run is exactly the clean-sky run)."""
        return bool(self.jammers or self.arm_strikes or self.decoys or any(
            r.emission != "always" for r in self.radars))


def ew_problems(s: Scenario) -> Iterable[str]:
    """Names that must exist: carrier groups, radars of ``radars`` and of ``arm_strikes``."""
    groups = [g.name or f"{g.type}-{i}" for i, g in enumerate(s.threats)]  # as world labels
    sensors = [r.name for r in s.sensors]
    for i, j in enumerate(s.ew.jammers):
        if j.carrier_group is not None and j.carrier_group not in groups:
            yield (f"ew.jammers[{i}].carrier_group names no threat group (got "
                   f"{j.carrier_group!r}; groups: {', '.join(map(repr, groups))})")
    for i, r in enumerate(s.ew.radars):
        if r.name not in sensors:
            yield (f"ew.radars[{i}].name names no sensor (got {r.name!r}; sensors: "
                   f"{', '.join(map(repr, sensors))})")
    for i, d in enumerate(s.ew.decoys):
        if d.group not in groups:
            yield (f"ew.decoys[{i}].group names no threat group (got {d.group!r}; groups: "
                   f"{', '.join(map(repr, groups))})")
    for field, names in (("radars", [r.name for r in s.ew.radars]),
                         ("jammers", [j.name for j in s.ew.jammers]),  # reports key on names
                         ("arm_strikes", [a.name for a in s.ew.arm_strikes])):
        for i, name in enumerate(names):
            if name in names[:i]:
                yield f"ew.{field}[{i}].name repeats an earlier entry (got {name!r})"
    for i, a in enumerate(s.ew.arm_strikes):
        if a.target_radar not in sensors:
            yield (f"ew.arm_strikes[{i}].target_radar names no sensor (got {a.target_radar!r}; "
                   f"sensors: {', '.join(map(repr, sensors))})")
