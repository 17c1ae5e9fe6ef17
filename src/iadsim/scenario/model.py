"""The validated, frozen scenario: every parameter a run needs, with units in field names.

Degrees appear only where the file says so (``lat_deg``, ``*_deg``); the core converts them to
radians once, when a stage is built. Cross-field rules (names that must exist, min < max) are
checked in ``iadsim.scenario.load`` so each problem names its own field path.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from iadsim.scenario.command_spec import CommandSpec, InterceptorClassSpec, LauncherSpec
from iadsim.scenario.common import GeoPoint2D, GeoPosition, StrictModel
from iadsim.scenario.dis_spec import DisSpec
from iadsim.scenario.ew_spec import EwSpec
from iadsim.scenario.network_spec import NetworkSpec
from iadsim.scenario.sensor_spec import SensorSpec
from iadsim.scenario.terrain_spec import TerrainSpec
from iadsim.scenario.threat_spec import BallisticSpec, EvasionSpec, GlideSpec, StandoffSpec
from iadsim.scenario.tracking_spec import TrackingSpec

ThreatType = Literal["aircraft", "recon_aircraft", "cruise_missile", "uav", "ballistic_missile",
                     "anti_radiation_missile"]
THREAT_TYPES: tuple[str, ...] = (
    "aircraft",
    "recon_aircraft",
    "cruise_missile",
    "uav",
    "ballistic_missile",
    "anti_radiation_missile",  # ew: ARM strikes (iadsim.ew.arms), flown like aircraft
)


class SimulationSpec(StrictModel):
    """Run control: how long, how fine, which seed, and where the local ENU origin is."""

    duration_s: float = Field(gt=0.0, le=86_400.0)
    step_s: float = Field(default=1.0, ge=0.01, le=60.0)
    seed: int = Field(default=0, ge=0, le=2**63 - 1)
    origin: GeoPosition | None = Field(
        default=None, description="origin of the local ENU frame; default: centroid of the sites"
    )


class DefendedAsset(StrictModel):
    """Something worth defending: a threat entering its radius has leaked onto it."""

    name: str = Field(min_length=1)
    position: GeoPosition
    value: float = Field(gt=0.0, le=1e9)
    radius_m: float = Field(gt=0.0, le=1_000_000.0)


class ThreatGroup(StrictModel):
    """``count`` threats of one type, launched ``spacing_s`` apart from one start point.

    Air-breathing threats fly ``route`` (waypoints) or straight at the asset named by ``aim``
    at ``speed_mps``; aircraft and drones at ``altitude_m``, cruise missiles at ``height_m`` above
    the (spherical, sea-level) earth. Ballistic missiles fly a gravity trajectory from ``start``
    to the asset named by ``aim``, shaped by ``apogee_m`` or ``flight_time_s``.
    """

    name: str = Field(default="", description="label; default: the type and index")
    type: ThreatType
    count: int = Field(ge=1, le=100_000)
    launch_time_s: float = Field(default=0.0, ge=0.0, le=86_400.0)
    spacing_s: float = Field(default=0.0, ge=0.0, le=86_400.0)
    lateral_spacing_m: float = Field(
        default=0.0, ge=0.0, le=100_000.0, description="members fly abreast, this far apart"
    )
    start: GeoPosition | None = Field(default=None, description="required unless trajectory_file")
    trajectory_file: str | None = Field(
        default=None, min_length=1, description="CSV/Parquet of recorded tracks (id, time_s, "
        "lat_deg, lon_deg, alt_m): one threat per id, interpolated in time; the other kinematic "
        "fields are unused",
    )
    route: list[GeoPoint2D] = Field(default_factory=list)
    aim: str | None = Field(default=None, description="name of the defended asset flown at")
    speed_mps: float | None = Field(default=None, gt=0.0, le=10_000.0)
    altitude_m: float | None = Field(default=None, ge=0.0, le=40_000.0)
    height_m: float | None = Field(default=None, ge=1.0, le=5_000.0)
    turn_rate_deg_s: float = Field(default=3.0, gt=0.0, le=90.0)
    rcs_m2: float = Field(gt=0.0, le=10_000.0)
    apogee_m: float | None = Field(default=None, gt=0.0, le=2_000_000.0)
    flight_time_s: float | None = Field(default=None, gt=0.0, le=3_600.0)
    # threats (issue 19): see iadsim.scenario.threat_spec and iadsim.world.ballistic
    ballistic: BallisticSpec = Field(
        default_factory=BallisticSpec, description="boost, re-entry, separation (ballistic)")
    glide: GlideSpec | None = Field(
        default=None, description="ballistic missile: a hypersonic glide vehicle on the boost "
        "(pull-up, glide, dive onto aim) instead of a re-entry vehicle")
    time_on_target_s: float | None = Field(
        default=None, ge=0.0, le=86_400.0, description="the wave arrives at its aim at this "
        "time (launch times follow); members spread over arrival_window_s")
    arrival_window_s: float = Field(default=0.0, ge=0.0, le=3_600.0)
    standoff: StandoffSpec | None = Field(
        default=None, description="aircraft: weapons released at a range from aim, then egress")
    evasion: EvasionSpec | None = Field(
        default=None, description="aircraft: break turn and descent when a missile is inbound")
    popup_range_m: float | None = Field(
        default=None, gt=0.0, le=100_000.0, description="cruise missile: climb this far out ...")
    popup_height_m: float = Field(default=300.0, gt=0.0, le=10_000.0,
                                  description="... to this height, then dive onto the aim")

    @model_validator(mode="after")
    def _kinematics_given(self) -> ThreatGroup:
        """Each threat type needs its own kinematic fields (reported with their names)."""
        missing: list[str] = []
        if self.trajectory_file is not None:
            return self  # kinematics come from the file, checked at load
        if self.start is None:
            missing.append("start")
        if self.type == "ballistic_missile":
            if self.aim is None:
                missing.append("aim (the defended asset a ballistic missile falls on)")
            if self.glide is not None:
                if self.apogee_m is not None or self.flight_time_s is not None:
                    raise ValueError("a glide vehicle flies its own shape: leave apogee_m and "
                                     f"flight_time_s out (got {self.apogee_m!r}, "
                                     f"{self.flight_time_s!r})")
            elif (self.apogee_m is None) == (self.flight_time_s is None):
                missing.append("exactly one of apogee_m or flight_time_s")
        else:
            if self.speed_mps is None:
                missing.append("speed_mps")
            if not self.route and self.aim is None:
                missing.append("route or aim")
            if self.type == "cruise_missile" and self.height_m is None:
                missing.append("height_m (height above ground of a cruise missile)")
            if self.type != "cruise_missile" and self.altitude_m is None:
                missing.append("altitude_m")
        if missing:
            raise ValueError(f"a {self.type} group needs " + ", ".join(missing))
        return self


class Scenario(StrictModel):
    """A whole engagement: the defence, the raid and how to run it."""

    name: str = "unnamed scenario"
    description: str = ""
    simulation: SimulationSpec
    defended_assets: list[DefendedAsset] = Field(min_length=1)
    sensors: list[SensorSpec] = Field(min_length=1)
    interceptors: dict[str, InterceptorClassSpec] = Field(min_length=1)
    launchers: list[LauncherSpec] = Field(default_factory=list)
    command: CommandSpec = CommandSpec()
    tracking: TrackingSpec = TrackingSpec()
    dis: DisSpec = DisSpec()
    terrain: TerrainSpec | None = None  # elevation, masking, multipath, clutter (terrain_spec)
    ew: EwSpec = EwSpec()  # electronic warfare (iadsim.ew); empty: a clean sky
    network: NetworkSpec = NetworkSpec()  # fire units, links, mobility (iadsim.network)
    threats: list[ThreatGroup] = Field(min_length=1)
