"""Scenario section ``sensors``: one entry per radar."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from iadsim.scenario.common import GeoPosition, StrictModel


class SensorSpec(StrictModel):
    """A radar, given by its geometry, its scan and a reference-point detection model.

    The detection model: a 1 m^2 target at ``reference_range_m`` is detected with Pd 0.5 at the
    set ``pfa``; SNR scales with rcs / range^4 from there (radar range equation).
    """

    name: str = Field(min_length=1)
    kind: Literal["surveillance", "multifunction"] = "surveillance"
    position: GeoPosition
    mast_height_m: float = Field(default=10.0, ge=0.0, le=1000.0)
    scan_period_s: float = Field(gt=0.0, le=600.0)
    max_range_m: float = Field(gt=0.0, le=5_000_000.0)
    min_range_m: float = Field(default=0.0, ge=0.0)
    min_elevation_deg: float = Field(default=-2.0, ge=-90.0, le=90.0)
    max_elevation_deg: float = Field(default=70.0, ge=-90.0, le=90.0)
    range_sigma_m: float = Field(gt=0.0)
    azimuth_sigma_deg: float = Field(gt=0.0, le=10.0)
    elevation_sigma_deg: float = Field(gt=0.0, le=10.0)
    reference_range_m: float = Field(gt=0.0, description="range of Pd 0.5 on a 1 m^2 target")
    pfa: float = Field(default=1e-6, gt=0.0, lt=1.0)
    false_alarms_per_scan: float = Field(default=2.0, ge=0.0, le=100_000.0)
