"""Sensors stage kernel: one radar's look at many targets -> ``DetectionBatch``, vectorised.

In: a radar (``LookSite``: where it stands, its detection model, resolution, accuracy and
scan), the true targets at a reference time (positions, velocities, RCS, ids) and the look's
start time. Out: the look's detections: targets the radar resolves and detects, measured with
SNR-dependent noise, plus false alarms.

Per look, in order:

1. *Beam timing*. A rotating radar (or a multifunction radar's search frame) sweeps azimuth
   clockwise from north over ``scan_period_s``; each target is seen when the beam passes it,
   at ``start + azimuth / 2 pi * period``, its position moved there along its velocity.
2. *Coverage*. Blind range to instrumented range, elevation limits, azimuth sectors and the
   4/3-earth horizon (a low cruise missile appears only once it rises over the horizon).
3. *SNR*. ``snr_1m2_1m * rcs / R^4`` per pulse, times the Swerling case's RCS fluctuation
   draw for the look.
4. *Resolution*. Targets sharing a range gate and beam merge into one echo (power sum,
   power-weighted centroid, strongest member's truth id).
5. *Detection*. The square-law detector integrating ``n_pulses`` is drawn against the
   threshold of the set ``pfa``.
6. *Measurement*. Gaussian errors whose sigmas grow as SNR falls:
   ``sqrt(floor^2 + (resolution / sqrt(2 * n_pulses * snr))^2)`` in range and both angles.
7. *False alarms*. Poisson, mean ``pfa * cells``, uniform over the covered cells.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.sensors.batch import DetectionBatch
from iadsim.sensors.clutter import draw_false_alarms, in_sectors, resolution_cell_count
from iadsim.sensors.clutter import sector_widths_rad as _sector_widths_rad
from iadsim.sensors.detection import draw_detections, draw_rcs_factor, threshold_from_pfa
from iadsim.sensors.resolution import merge_unresolved
from iadsim.world.frames import EARTH_RADIUS_M, radar_horizon_m

_TWO_PI = 2.0 * np.pi


class LookSite(Protocol):
    """What one look needs to know of a radar (``iadsim.sensors.radar.RadarSite`` has it)."""

    sensor_id: int
    position_enu_m: NDArray[np.float64]  # (3,) antenna phase centre, scenario ENU
    rotation_to_local: NDArray[np.float64]  # (3, 3) scenario ENU -> radar local ENU
    antenna_alt_m: float
    scan_period_s: float
    rotating: bool  # beam sweeps azimuth over the scan period (else all seen at the start)
    snr_1m2_1m: float  # linear SNR per pulse of 1 m^2 at 1 m
    pfa: float
    n_pulses: int
    swerling: int
    min_range_m: float
    max_range_m: float
    min_elevation_rad: float
    max_elevation_rad: float
    sectors_rad: NDArray[np.float64]  # (k, 2)
    range_resolution_m: float
    azimuth_beamwidth_rad: float
    elevation_beamwidth_rad: float  # inf for a fan beam (2D radar)
    range_sigma_m: float  # floors
    azimuth_sigma_rad: float
    elevation_sigma_rad: float


def look_geometry(
    site: LookSite, position_enu_m: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Range, azimuth, elevation of targets from the radar, and which are inside its coverage.

    Coverage: blind and instrumented range, elevation limits, azimuth sectors and the
    4/3-earth horizon. A target's height is its local height plus the earth's drop over the
    ground range.
    """
    local = (np.asarray(position_enu_m, float) - site.position_enu_m) @ site.rotation_to_local.T
    return _local_geometry(site, local)


def _local_geometry(
    site: LookSite, local: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    east, north, up = local[:, 0], local[:, 1], local[:, 2]
    ground2 = east * east + north * north
    ground_m = np.sqrt(ground2)
    range_m = np.sqrt(ground2 + up * up)
    azimuth_rad = np.arctan2(east, north)
    azimuth_rad[azimuth_rad < 0.0] += _TWO_PI
    elevation_rad = np.arctan2(up, ground_m)
    target_alt_m = site.antenna_alt_m + up + ground2 / (2.0 * EARTH_RADIUS_M)
    inside = (
        (range_m >= site.min_range_m)
        & (range_m <= site.max_range_m)
        & (elevation_rad >= site.min_elevation_rad)
        & (elevation_rad <= site.max_elevation_rad)
        & (ground_m <= radar_horizon_m(site.antenna_alt_m, target_alt_m))
    )
    if not _all_round(site.sectors_rad):
        inside &= in_sectors(azimuth_rad, site.sectors_rad)
    return range_m, azimuth_rad, elevation_rad, inside


def beam_time_s(site: LookSite, azimuth_rad: ArrayLike, start_s: float) -> NDArray[np.float64]:
    """When the beam of a look starting at ``start_s`` points at each azimuth."""
    az = np.asarray(azimuth_rad, dtype=float)
    if not site.rotating:
        return np.full(az.shape, float(start_s))
    return start_s + np.mod(az, _TWO_PI) / _TWO_PI * site.scan_period_s


def measurement_sigmas(
    site: LookSite, snr: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Range, azimuth, elevation sigmas at a pulse-averaged linear SNR per pulse, each (n,).

    Thermal-noise part ``resolution / sqrt(2 * n_pulses * snr)`` added in quadrature to the
    spec's floors (a fan beam's elevation sigma is its floor).
    """
    two_snr = 2.0 * site.n_pulses * np.maximum(snr, 1e-12)
    r = np.sqrt(site.range_sigma_m**2 + site.range_resolution_m**2 / two_snr)
    az = np.sqrt(site.azimuth_sigma_rad**2 + site.azimuth_beamwidth_rad**2 / two_snr)
    if np.isfinite(site.elevation_beamwidth_rad):
        el = np.sqrt(site.elevation_sigma_rad**2 + site.elevation_beamwidth_rad**2 / two_snr)
    else:
        el = np.full(r.shape, site.elevation_sigma_rad)
    return r, az, el


def look(
    site: LookSite,
    *,
    start_s: float,
    truth_time_s: float,
    position_enu_m: NDArray[np.float64],
    velocity_enu_mps: NDArray[np.float64] | None,
    rcs_m2: NDArray[np.float64],
    truth_id: NDArray[np.int64],
    rng: np.random.Generator,
    with_false_alarms: bool = True,
) -> DetectionBatch:
    """One look of one radar at every target, plus the look's false alarms.

    Parameters
    ----------
    site : LookSite
        The radar.
    start_s : float
        Start of the look (the beam passes north then; the whole look for a staring beam).
    truth_time_s : float
        Time at which ``position_enu_m`` holds.
    position_enu_m, velocity_enu_mps : ndarray, shape (n, 3)
        True target states in scenario ENU; without velocities, targets are frozen.
    rcs_m2 : ndarray, shape (n,)
        Mean RCS of each target.
    truth_id : ndarray, shape (n,)
        Threat ids carried by the detections.
    rng : numpy.random.Generator
        The sensors stage's generator.
    with_false_alarms : bool
        Draw the look's false alarms (a track dwell covers too few cells to matter).

    Returns
    -------
    DetectionBatch
        True-target detections in target order, then false alarms.
    """
    pos = np.asarray(position_enu_m, dtype=float).reshape(-1, 3)
    local = (pos - site.position_enu_m) @ site.rotation_to_local.T
    # When the beam passes each target; the target is moved there along its velocity and
    # measured there (time and position stay a consistent pair).
    time_s = beam_time_s(site, np.arctan2(local[:, 0], local[:, 1]), start_s)
    if velocity_enu_mps is not None:
        velocity_local = np.asarray(velocity_enu_mps, float).reshape(-1, 3) @ (
            site.rotation_to_local.T
        )
        local = local + velocity_local * (time_s - truth_time_s)[:, None]
    range_m, az, el, inside = _local_geometry(site, local)
    rows = np.flatnonzero(inside)
    r, a, e = range_m[rows], az[rows], el[rows]
    snr = site.snr_1m2_1m * np.asarray(rcs_m2, float)[rows] / (r * r) ** 2
    snr = snr * draw_rcs_factor(rows.size, site.swerling, site.n_pulses, rng=rng)
    merged = merge_unresolved(
        r,
        a,
        e,
        snr,
        range_resolution_m=site.range_resolution_m,
        azimuth_resolution_rad=site.azimuth_beamwidth_rad,
        elevation_resolution_rad=site.elevation_beamwidth_rad,
    )
    threshold = threshold_from_pfa(site.pfa, site.n_pulses)
    hit = draw_detections(merged.power, threshold, site.n_pulses, rng=rng)
    rep = rows[merged.representative_row[hit]]
    snr_hit = merged.power[hit]
    n = int(hit.sum())
    s_r, s_a, s_e = measurement_sigmas(site, snr_hit)
    detections = DetectionBatch(
        time_s=time_s[rep],
        sensor_id=np.full(n, site.sensor_id, np.int32),
        range_m=merged.range_m[hit] + s_r * rng.standard_normal(n),
        azimuth_rad=np.mod(merged.azimuth_rad[hit] + s_a * rng.standard_normal(n), _TWO_PI),
        elevation_rad=merged.elevation_rad[hit] + s_e * rng.standard_normal(n),
        range_sigma_m=s_r,
        azimuth_sigma_rad=s_a,
        elevation_sigma_rad=s_e,
        snr_db=10.0 * np.log10(np.maximum(snr_hit, 1e-300)),
        truth_id=np.asarray(truth_id, dtype=np.int64)[rep],
    )
    if not with_false_alarms:
        return detections
    return DetectionBatch.concatenate(
        [detections, false_alarm_detections(site, start_s, threshold, rng=rng)]
    )


def false_alarm_cells(site: LookSite) -> float:
    """Resolution cells one full look covers."""
    return resolution_cell_count(
        min_range_m=site.min_range_m,
        max_range_m=site.max_range_m,
        range_resolution_m=site.range_resolution_m,
        azimuth_extent_rad=float(_sector_widths_rad(site.sectors_rad).sum()),
        azimuth_resolution_rad=site.azimuth_beamwidth_rad,
        elevation_extent_rad=site.max_elevation_rad - site.min_elevation_rad,
        elevation_resolution_rad=site.elevation_beamwidth_rad,
    )


def false_alarm_detections(
    site: LookSite, start_s: float, threshold: float, *, rng: np.random.Generator
) -> DetectionBatch:
    """The look's false alarms as detections (truth id -1, SNR NaN, sigmas at threshold)."""
    fa = draw_false_alarms(
        pfa=site.pfa,
        n_cells=false_alarm_cells(site),
        min_range_m=site.min_range_m,
        max_range_m=site.max_range_m,
        min_elevation_rad=site.min_elevation_rad,
        max_elevation_rad=site.max_elevation_rad,
        sectors_rad=site.sectors_rad,
        rng=rng,
    )
    k = len(fa)
    s_r, s_a, s_e = measurement_sigmas(site, np.full(k, threshold / site.n_pulses))
    return DetectionBatch(
        time_s=beam_time_s(site, fa.azimuth_rad, start_s),
        sensor_id=np.full(k, site.sensor_id, np.int32),
        range_m=fa.range_m,
        azimuth_rad=fa.azimuth_rad,
        elevation_rad=fa.elevation_rad,
        range_sigma_m=s_r,
        azimuth_sigma_rad=s_a,
        elevation_sigma_rad=s_e,
        snr_db=np.full(k, np.nan),
        truth_id=np.full(k, -1, np.int64),
    )


def _all_round(sectors_rad: NDArray[np.float64]) -> bool:
    return bool(_sector_widths_rad(sectors_rad).sum() >= _TWO_PI - 1e-12)
