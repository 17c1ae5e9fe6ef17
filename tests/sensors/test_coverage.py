"""Horizon and coverage against the 4.12 km rule, flat-earth limits and brute force."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest
from numpy.typing import NDArray

from iadsim.sensors.coverage import (
    covered,
    free_space_detection_range_m,
    ground_range_m,
    horizon_slant_range_m,
    horizontal_coverage,
    target_elevation_rad,
    vertical_coverage,
)
from iadsim.sensors.detection import pd_swerling
from iadsim.sensors.range_equation import linear_to_db, snr_per_pulse
from iadsim.world.frames import radar_horizon_m


@dataclass
class Site:
    name: str = "r"
    position_enu_m: NDArray[np.float64] = field(default_factory=lambda: np.zeros(3))
    antenna_alt_m: float = 20.0
    snr_1m2_1m: float = 10**1.3 * (150e3) ** 4  # 13 dB on 1 m^2 at 150 km
    pfa: float = 1e-6
    n_pulses: int = 1
    swerling: int = 1
    min_range_m: float = 500.0
    max_range_m: float = 400e3
    min_elevation_rad: float = np.radians(-2.0)
    max_elevation_rad: float = np.radians(60.0)
    sectors_rad: NDArray[np.float64] = field(default_factory=lambda: np.array([[0.0, 2 * np.pi]]))


@pytest.mark.parametrize(("h1", "h2"), [(10.0, 30.0), (20.0, 100.0), (30.0, 10_000.0)])
def test_horizon_matches_the_4_12_km_rule(h1: float, h2: float) -> None:
    rule_m = 4120.0 * (np.sqrt(h1) + np.sqrt(h2))
    assert float(horizon_slant_range_m(h1, h2)) == pytest.approx(rule_m, rel=5e-3)
    assert float(radar_horizon_m(h1, h2)) == pytest.approx(rule_m, rel=5e-3)


def test_elevation_geometry() -> None:
    # Close in: sin(e) = dh / R - R / (2 a_e) (flat earth plus the curvature drop).
    a = 4.0 / 3.0 * 6_371_000.0
    assert float(target_elevation_rad(10e3, 0.0, 1000.0)) == pytest.approx(
        np.arcsin(1000.0 / 10e3 - 10e3 / (2 * a)), abs=1e-5
    )
    # At the horizon the line of sight grazes: elevation of the tangent from the antenna.
    r_h = horizon_slant_range_m(100.0, 0.0)
    assert float(target_elevation_rad(r_h, 100.0, 0.0)) == pytest.approx(
        -np.arccos(a / (a + 100.0)), abs=1e-6
    )
    # A chord of 50 km along the surface: arc = 2 a asin(c / 2a).
    assert float(ground_range_m(50e3, 0.0, 0.0)) == pytest.approx(2 * a * np.arcsin(25e3 / a))


def test_free_space_range_gives_the_wanted_pd() -> None:
    site = Site()
    r0 = free_space_detection_range_m(
        snr_1m2_1m=site.snr_1m2_1m, rcs_m2=2.0, pd=0.8, pfa=1e-6, n_pulses=1, swerling=1
    )
    snr_db = linear_to_db(snr_per_pulse(r0, 2.0, site.snr_1m2_1m))
    assert float(pd_swerling(snr_db, 1e-6, 1, 1)) == pytest.approx(0.8, abs=1e-6)


def test_vertical_coverage_limits() -> None:
    site = Site()
    alt = np.array([30.0, 10_000.0, 200_000.0])
    vc = vertical_coverage(site, alt, rcs_m2=1.0, pd=0.5)
    # Low cruise missile: horizon-limited, 4.12 (sqrt 20 + sqrt 30) km.
    assert vc.max_ground_range_m[0] == pytest.approx(4120.0 * (np.sqrt(20) + np.sqrt(30)), rel=5e-3)
    # High aircraft: detection-range limited (slant range = free-space range).
    assert vc.max_slant_range_m[1] == pytest.approx(vc.detection_range_m, rel=1e-6)
    # Cone of silence above 60 degrees: at 10 km altitude, about 10 km / tan 60.
    assert vc.min_ground_range_m[1] == pytest.approx(10e3 / np.tan(np.radians(60)), rel=0.01)
    # 200 km up is beyond the detection range at any elevation below 60 degrees.
    assert np.isnan(vc.max_ground_range_m[2])


def test_vertical_coverage_against_brute_force() -> None:
    site = Site(max_elevation_rad=np.radians(30.0), min_elevation_rad=np.radians(0.5))
    alt = np.linspace(0.0, 30e3, 31)
    vc = vertical_coverage(site, alt, rcs_m2=1.0, pd=0.9)
    fine = np.linspace(0.0, site.max_range_m, 400_001)
    for i, h in enumerate(alt):
        ok = covered(
            fine,
            h,
            detection_range_m=vc.detection_range_m,
            antenna_alt_m=site.antenna_alt_m,
            min_range_m=site.min_range_m,
            max_range_m=site.max_range_m,
            min_elevation_rad=site.min_elevation_rad,
            max_elevation_rad=site.max_elevation_rad,
        )
        if not ok.any():
            assert np.isnan(vc.max_slant_range_m[i])
            continue
        assert vc.max_slant_range_m[i] == pytest.approx(fine[ok].max(), abs=2.0)


def test_horizontal_coverage_counts_and_sectors() -> None:
    east_site = Site(
        name="east",
        position_enu_m=np.array([60e3, 0.0, 0.0]),
        sectors_rad=np.radians([[0.0, 180.0]]),
    )
    west_site = Site(name="west", position_enu_m=np.array([-60e3, 0.0, 0.0]))
    hc = horizontal_coverage(
        [east_site, west_site], altitude_m=5_000.0, rcs_m2=1.0, pd=0.5, cells=201
    )
    assert hc.radars_covering.shape == (201, 201)
    r_east, r_west = hc.max_ground_range_m
    assert r_east == pytest.approx(r_west)
    ee, nn = np.meshgrid(hc.east_m, hc.north_m)
    d_west = np.hypot(ee + 60e3, nn)
    d_east = np.hypot(ee - 60e3, nn)
    in_east_sector = ee >= 60e3  # azimuth 0-180: east of the radar
    expected = ((d_west <= r_west) & (d_west >= hc.min_ground_range_m[1])).astype(int) + (
        (d_east <= r_east) & (d_east >= hc.min_ground_range_m[0]) & in_east_sector
    ).astype(int)
    mismatch = np.mean(hc.radars_covering != expected)
    assert mismatch < 0.01  # only on the sector's bounding meridian
    assert len(hc.outline_east_m) == 2
    assert np.nanmax(np.hypot(hc.outline_east_m[1] + 60e3, hc.outline_north_m[1])) == pytest.approx(
        r_west
    )


def test_no_radars() -> None:
    hc = horizontal_coverage([], altitude_m=1000.0, rcs_m2=1.0, pd=0.5, cells=10)
    assert hc.radars_covering.sum() == 0
