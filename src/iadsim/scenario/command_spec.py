"""Scenario sections ``interceptors``, ``launchers`` and ``command``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from iadsim.scenario.common import GeoPosition, StrictModel

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
ThreatTypeName = Literal["aircraft", "recon_aircraft", "cruise_missile", "uav", "ballistic_missile"]


class InterceptorClassSpec(StrictModel):
    """One interceptor class: its engagement envelope, flight and lethality."""

    min_range_m: float = Field(ge=0.0)
    max_range_m: float = Field(gt=0.0)
    min_altitude_m: float = Field(default=0.0, ge=-500.0)
    max_altitude_m: float = Field(gt=0.0)
    speed_mps: float = Field(gt=0.0, le=10_000.0, description="mean speed over the flight")
    kill_radius_m: float = Field(gt=0.0)
    pk: dict[ThreatTypeName, Probability] = Field(
        description="single-shot kill probability per threat type, given a hit within the radius"
    )
    cost: float = Field(default=1.0, ge=0.0, description="notional unit cost")


class LauncherSpec(StrictModel):
    """A launcher carrying rounds of one interceptor class."""

    name: str = Field(min_length=1)
    position: GeoPosition
    interceptor: str = Field(min_length=1, description="a key of `interceptors`")
    ready_rounds: int = Field(ge=0, le=1000)
    reloads: int = Field(default=0, ge=0, le=1000, description="full reloads held in reserve")
    reload_time_s: float = Field(default=600.0, gt=0.0)
    min_launch_interval_s: float = Field(default=3.0, ge=0.0)


class CommandSpec(StrictModel):
    """The command-and-control centre: reaction, cycle and doctrine."""

    reaction_time_s: float = Field(default=10.0, ge=0.0, le=600.0)
    cycle_s: float = Field(default=2.0, gt=0.0, le=600.0)
    doctrine: Literal["shoot_look_shoot"] = "shoot_look_shoot"
    kill_assessment_s: float = Field(default=3.0, ge=0.0, le=600.0)
