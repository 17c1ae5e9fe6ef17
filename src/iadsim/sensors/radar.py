"""Sensors stage: true threat states -> radar detections (``DetectionBatch``).

In: a ``TruthBatch`` at a look time and a ``RadarSite``. Out: detections in the radar's own
(range, azimuth, elevation) with Gaussian noise, plus Poisson false alarms. The detection model
is the reference-point form of the radar range equation with Swerling 1 fluctuation:

    SNR = SNR_ref * (rcs_m2 / 1 m^2) * (reference_range_m / range_m)^4,
    Pd  = Pfa^(1 / (1 + SNR)),      SNR_ref = ln(Pfa) / ln(0.5) - 1  (Pd 0.5 at the reference).

A target is seen only inside the range and elevation limits and above the 4/3-earth horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from iadsim.scenario.sensor_spec import SensorSpec
from iadsim.sensors.batch import DetectionBatch, SensorGeometry
from iadsim.world.frames import (
    EARTH_RADIUS_M,
    Origin,
    enu_to_aer,
    geodetic_to_enu,
    radar_horizon_m,
    rotation_enu_to_local,
)
from iadsim.world.threats import ThreatSet, TruthBatch


@dataclass(frozen=True, slots=True)
class RadarSite:
    """One radar, with its spec turned into SI/radian numbers and its place in scenario ENU."""

    sensor_id: int
    name: str
    kind: str
    position_enu_m: NDArray[np.float64]  # (3,) antenna
    rotation_to_local: NDArray[np.float64]  # (3, 3)
    antenna_alt_m: float  # antenna height above the ellipsoid
    scan_period_s: float
    min_range_m: float
    max_range_m: float
    min_elevation_rad: float
    max_elevation_rad: float
    range_sigma_m: float
    azimuth_sigma_rad: float
    elevation_sigma_rad: float
    reference_range_m: float
    pfa: float
    false_alarms_per_scan: float

    @property
    def reference_snr(self) -> float:
        """Swerling 1 SNR (linear) giving Pd 0.5 at the set Pfa."""
        return float(np.log(self.pfa) / np.log(0.5) - 1.0)


def build_radars(specs: list[SensorSpec], origin: Origin) -> list[RadarSite]:
    """Radar sites in scenario ENU, in the scenario's order (sensor_id = index)."""
    sites = []
    for i, s in enumerate(specs):
        antenna_alt_m = s.position.alt_m + s.mast_height_m
        sites.append(
            RadarSite(
                sensor_id=i, name=s.name, kind=s.kind,
                position_enu_m=geodetic_to_enu(
                    s.position.lat_deg, s.position.lon_deg, antenna_alt_m, origin
                ),
                rotation_to_local=rotation_enu_to_local(origin, s.position.lat_deg,
                                                        s.position.lon_deg),
                antenna_alt_m=antenna_alt_m, scan_period_s=s.scan_period_s,
                min_range_m=s.min_range_m, max_range_m=s.max_range_m,
                min_elevation_rad=np.radians(s.min_elevation_deg),
                max_elevation_rad=np.radians(s.max_elevation_deg),
                range_sigma_m=s.range_sigma_m,
                azimuth_sigma_rad=np.radians(s.azimuth_sigma_deg),
                elevation_sigma_rad=np.radians(s.elevation_sigma_deg),
                reference_range_m=s.reference_range_m, pfa=s.pfa,
                false_alarms_per_scan=s.false_alarms_per_scan,
            )
        )
    return sites


def sensor_geometry(sites: list[RadarSite]) -> SensorGeometry:
    """What a tracker needs to know of the radars."""
    return SensorGeometry(
        position_enu_m=np.array([s.position_enu_m for s in sites]).reshape(-1, 3),
        rotation_to_local=np.array([s.rotation_to_local for s in sites]).reshape(-1, 3, 3),
    )


def swerling1_pd(snr: NDArray[np.float64], pfa: float) -> NDArray[np.float64]:
    """Swerling 1 single-look detection probability, Pd = Pfa^(1/(1+SNR))."""
    return np.power(pfa, 1.0 / (1.0 + np.asarray(snr, dtype=float)))


def look_geometry(
    site: RadarSite, position_enu_m: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Range, azimuth, elevation of targets from the radar, and which are inside its coverage.

    Coverage: range and elevation limits, and above the 4/3-earth horizon. The target's height
    above the earth is its local height plus the earth's drop over the ground range.
    """
    local = (np.asarray(position_enu_m, float) - site.position_enu_m) @ site.rotation_to_local.T
    range_m, azimuth_rad, elevation_rad = enu_to_aer(local)
    ground_m = np.hypot(local[:, 0], local[:, 1])
    target_alt_m = site.antenna_alt_m + local[:, 2] + ground_m**2 / (2.0 * EARTH_RADIUS_M)
    covered = (
        (range_m >= site.min_range_m)
        & (range_m <= site.max_range_m)
        & (elevation_rad >= site.min_elevation_rad)
        & (elevation_rad <= site.max_elevation_rad)
        & (ground_m <= radar_horizon_m(site.antenna_alt_m, target_alt_m))
    )
    return range_m, azimuth_rad, elevation_rad, covered


def scan(
    site: RadarSite, truth: TruthBatch, *, rng: np.random.Generator
) -> DetectionBatch:
    """One look of one radar at every true target, plus its false alarms for the look."""
    range_m, az, el, covered = look_geometry(site, truth.position_enu_m)
    snr = site.reference_snr * truth.rcs_m2 * (site.reference_range_m / np.maximum(range_m, 1.0)) ** 4
    pd = np.where(covered, swerling1_pd(snr, site.pfa), 0.0)
    hit = rng.random(len(truth)) < pd
    n = int(hit.sum())
    true_part = DetectionBatch(
        time_s=np.full(n, truth.time_s),
        sensor_id=np.full(n, site.sensor_id, np.int32),
        range_m=range_m[hit] + rng.normal(0.0, site.range_sigma_m, n),
        azimuth_rad=np.mod(az[hit] + rng.normal(0.0, site.azimuth_sigma_rad, n), 2 * np.pi),
        elevation_rad=el[hit] + rng.normal(0.0, site.elevation_sigma_rad, n),
        range_sigma_m=np.full(n, site.range_sigma_m),
        azimuth_sigma_rad=np.full(n, site.azimuth_sigma_rad),
        elevation_sigma_rad=np.full(n, site.elevation_sigma_rad),
        snr_db=10.0 * np.log10(snr[hit]),
        truth_id=truth.threat_id[hit].astype(np.int64),
    )
    return DetectionBatch.concatenate([true_part, false_alarms(site, truth.time_s, rng=rng)])


def false_alarms(site: RadarSite, time_s: float, *, rng: np.random.Generator) -> DetectionBatch:
    """Poisson number of false alarms, uniform in the covered volume (range^3, azimuth, sin el)."""
    n = int(rng.poisson(site.false_alarms_per_scan))
    r3 = rng.uniform(site.min_range_m**3, site.max_range_m**3, n)
    sin_el = rng.uniform(np.sin(site.min_elevation_rad), np.sin(site.max_elevation_rad), n)
    return DetectionBatch(
        time_s=np.full(n, time_s),
        sensor_id=np.full(n, site.sensor_id, np.int32),
        range_m=np.cbrt(r3),
        azimuth_rad=rng.uniform(0.0, 2.0 * np.pi, n),
        elevation_rad=np.arcsin(sin_el),
        range_sigma_m=np.full(n, site.range_sigma_m),
        azimuth_sigma_rad=np.full(n, site.azimuth_sigma_rad),
        elevation_sigma_rad=np.full(n, site.elevation_sigma_rad),
        snr_db=np.full(n, np.nan),
        truth_id=np.full(n, -1, np.int64),
    )


def look_times(site: RadarSite, start_s: float, end_s: float) -> NDArray[np.float64]:
    """Times of this radar's looks in (start_s, end_s]: every scan period from t = 0."""
    first = np.floor(start_s / site.scan_period_s) + 1
    last = np.floor(end_s / site.scan_period_s + 1e-9)
    return np.arange(first, last + 1) * site.scan_period_s


def observe(
    sites: list[RadarSite], threats: ThreatSet, alive: NDArray[np.bool_],
    start_s: float, end_s: float, *, rng: np.random.Generator,
) -> DetectionBatch:
    """Every look of every radar in (start_s, end_s], in time order, at the live threats."""
    looks = sorted(
        (float(t), site.sensor_id) for site in sites for t in look_times(site, start_s, end_s)
    )
    batches = [scan(sites[sid], threats.truth_at(t, alive), rng=rng) for t, sid in looks]
    return DetectionBatch.concatenate(batches)
