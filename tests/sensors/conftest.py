"""Fakes for the sensors tests: a radar site with every field a look needs."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pytest
from numpy.typing import NDArray


@dataclass(frozen=True)
class FakeSite:
    """A 3D rotating surveillance radar at the scenario origin (identity rotation)."""

    sensor_id: int = 0
    name: str = "fake"
    position_enu_m: NDArray[np.float64] = field(default_factory=lambda: np.array([0.0, 0.0, 20.0]))
    rotation_to_local: NDArray[np.float64] = field(default_factory=lambda: np.eye(3))
    antenna_alt_m: float = 20.0
    scan_period_s: float = 10.0
    rotating: bool = True
    snr_1m2_1m: float = 10**1.3 * 150e3**4  # 13 dB per pulse on 1 m^2 at 150 km
    pfa: float = 1e-6
    n_pulses: int = 1
    swerling: int = 1
    min_range_m: float = 1_000.0
    max_range_m: float = 300e3
    min_elevation_rad: float = np.radians(-2.0)
    max_elevation_rad: float = np.radians(60.0)
    sectors_rad: NDArray[np.float64] = field(default_factory=lambda: np.array([[0, 2 * np.pi]]))
    range_resolution_m: float = 150.0
    azimuth_beamwidth_rad: float = np.radians(1.5)
    azimuth_stamp_rad: float = np.radians(1.5)
    elevation_beamwidth_rad: float = np.radians(2.0)
    false_alarms_per_scan: float | None = None
    range_sigma_m: float = 10.0
    azimuth_sigma_rad: float = np.radians(0.02)
    elevation_sigma_rad: float = np.radians(0.02)

    def with_(self, **changes: object) -> FakeSite:
        return replace(self, **changes)


@pytest.fixture
def site() -> FakeSite:
    return FakeSite()
