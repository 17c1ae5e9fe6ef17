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
   ``sqrt(floor^2 + (resolution / sqrt(2 * n_pulses * snr))^2)`` in range and both angles;
   a range drawn inside the blind range is redrawn (truncated Gaussian, never negative).
7. *False alarms*. Poisson, mean ``pfa * cells``, uniform over the covered cells.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.sensors.batch import DetectionBatch
from iadsim.sensors.clutter import draw_false_alarms, in_sectors, resolution_cell_factors
from iadsim.sensors.clutter import sector_widths_rad as _sector_widths_rad
from iadsim.sensors.detection import draw_detections, draw_rcs_factor, threshold_from_pfa
from iadsim.sensors.range_equation import snr_per_pulse
from iadsim.sensors.resolution import merge_unresolved
from iadsim.world.frames import EARTH_RADIUS_M, radar_horizon_m

_TWO_PI = 2.0 * np.pi


class LookSite(Protocol):
    """What one look needs to know of a radar (``iadsim.sensors.radar.RadarSite`` has it)."""

    @property
    def sensor_id(self) -> int: ...
    @property
    def position_enu_m(self) -> NDArray[np.float64]: ...  # (3,) antenna phase centre, scenario ENU
    @property
    def rotation_to_local(
        self,
    ) -> NDArray[np.float64]: ...  # (3, 3) scenario ENU -> radar local ENU
    @property
    def antenna_alt_m(self) -> float: ...
    @property
    def scan_period_s(self) -> float: ...
    @property
    def rotating(
        self,
    ) -> bool: ...  # beam sweeps azimuth over the scan period (else all seen at the start)
    @property
    def snr_1m2_1m(self) -> float: ...  # linear SNR per pulse of 1 m^2 at 1 m
    @property
    def pfa(self) -> float: ...
    @property
    def n_pulses(self) -> int: ...
    @property
    def swerling(self) -> int: ...
    @property
    def min_range_m(self) -> float: ...
    @property
    def max_range_m(self) -> float: ...
    @property
    def min_elevation_rad(self) -> float: ...
    @property
    def max_elevation_rad(self) -> float: ...
    @property
    def sectors_rad(self) -> NDArray[np.float64]: ...  # (k, 2)
    @property
    def range_resolution_m(self) -> float: ...
    @property
    def azimuth_beamwidth_rad(self) -> float: ...
    @property
    def azimuth_stamp_rad(self) -> float: ...  # azimuth sector sharing one time stamp
    @property
    def elevation_beamwidth_rad(self) -> float: ...  # inf for a fan beam (2D radar)
    @property
    def false_alarms_per_scan(self) -> float | None: ...  # override of pfa x cells per full look
    @property
    def range_sigma_m(self) -> float: ...  # floors
    @property
    def azimuth_sigma_rad(self) -> float: ...
    @property
    def elevation_sigma_rad(self) -> float: ...


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
    """When the beam of a full look starting at ``start_s`` (at north) points at each azimuth."""
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
    root_two_snr = np.sqrt(2.0 * site.n_pulses * np.maximum(snr, 1e-12))
    # hypot, not sqrt of squares: a floor of 1e200 m must not overflow to inf
    r = np.hypot(site.range_sigma_m, site.range_resolution_m / root_two_snr)
    az = np.hypot(site.azimuth_sigma_rad, site.azimuth_beamwidth_rad / root_two_snr)
    if np.isfinite(site.elevation_beamwidth_rad):
        el = np.hypot(site.elevation_sigma_rad, site.elevation_beamwidth_rad / root_two_snr)
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
    """One full look: a rotating beam sweeps 360 degrees from north over ``scan_period_s``;
    a staring one sees everything at ``start_s``. See :func:`sweep` for the arguments."""
    return sweep(
        site,
        start_s=start_s,
        duration_s=_full_look_duration_s(site),
        truth_time_s=truth_time_s,
        position_enu_m=position_enu_m,
        velocity_enu_mps=velocity_enu_mps,
        rcs_m2=rcs_m2,
        truth_id=truth_id,
        rng=rng,
        with_false_alarms=with_false_alarms,
    )


def sweep(
    site: LookSite,
    *,
    start_s: float,
    duration_s: float,
    window_start_rad: float = 0.0,
    window_width_rad: float = _TWO_PI,
    truth_time_s: float,
    position_enu_m: NDArray[np.float64],
    velocity_enu_mps: NDArray[np.float64] | None,
    rcs_m2: NDArray[np.float64],
    truth_id: NDArray[np.int64],
    rng: np.random.Generator,
    with_false_alarms: bool = True,
) -> DetectionBatch:
    """The beam sweeps an azimuth window clockwise during ``duration_s``; detections in it.

    Parameters
    ----------
    site : LookSite
        The radar.
    start_s, duration_s : float
        The sweep: the beam is at ``window_start_rad`` at ``start_s`` and reaches
        ``window_start_rad + window_width_rad`` at ``start_s + duration_s`` (0: all at once).
    window_start_rad, window_width_rad : float
        Azimuth window swept (clockwise from north); the full circle by default.
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
        Draw the window's false alarms.

    Returns
    -------
    DetectionBatch
        True-target detections in target order, then false alarms.
    """
    if window_width_rad <= 0.0:  # no search time in this step
        return DetectionBatch.empty()
    local = _local_offsets_m(site, position_enu_m)
    # Cheap first cut: targets that cannot reach the instrumented range during the sweep.
    reach_m = site.max_range_m
    vel = None
    if velocity_enu_mps is not None:
        vel = np.asarray(velocity_enu_mps, dtype=float).reshape(-1, 3)
        if vel.size:
            lag_s = abs(start_s - truth_time_s) + duration_s
            reach_m += float(np.abs(vel).max()) * np.sqrt(3.0) * lag_s
    near = np.flatnonzero(np.einsum("ij,ij->i", local, local) <= reach_m * reach_m)
    local = local[near]
    offset = np.arctan2(local[:, 0], local[:, 1]) - window_start_rad
    offset = np.mod(offset, _TWO_PI, out=offset)
    full = window_width_rad >= _TWO_PI - 1e-12
    in_window = np.ones(offset.shape, bool) if full else offset < window_width_rad
    time_s = _stamp_times_s(site, offset, start_s, duration_s, window_start_rad,
                            window_width_rad)
    true_part = _detect(
        site,
        local,
        time_s,
        in_window,
        truth_time_s,
        None if vel is None else vel[near],
        np.asarray(rcs_m2, dtype=float)[near],
        np.asarray(truth_id, dtype=np.int64)[near],
        rng,
    )
    if not with_false_alarms:
        return true_part
    threshold = threshold_from_pfa(site.pfa, site.n_pulses)
    fa = false_alarm_detections(
        site,
        start_s,
        threshold,
        rng=rng,
        duration_s=duration_s,
        window_start_rad=window_start_rad,
        window_width_rad=min(window_width_rad, _TWO_PI),
    )
    return DetectionBatch.concatenate([true_part, fa])


def _stamp_times_s(
    site: LookSite,
    offset_rad: NDArray[np.float64],
    start_s: float,
    duration_s: float,
    window_start_rad: float,
    window_width_rad: float,
) -> NDArray[np.float64]:
    """Time stamps of echoes at azimuth offsets ``offset_rad`` (n,) into a sweep's window.

    Each echo (target or false alarm) is stamped when the beam passes the centre of its
    azimuth stamp sector (fixed in azimuth from north; one beamwidth by default, as a radar
    stamps one coherent processing interval, or wider, as plot extractors report by sector),
    so a sweep gives one stamp per sector, never one per echo. All at ``start_s`` when the
    sweep takes no time.
    """
    if duration_s <= 0.0:
        return np.full(offset_rad.shape, float(start_s))
    bw = site.azimuth_stamp_rad
    centre = (np.floor(np.mod(offset_rad + window_start_rad, _TWO_PI) / bw) + 0.5) * bw
    dwell_offset = np.mod(centre - window_start_rad, _TWO_PI)
    outside = dwell_offset > window_width_rad  # beam centre just outside this window
    before = dwell_offset > 0.5 * (_TWO_PI + window_width_rad)
    dwell_offset[outside] = np.where(before[outside], 0.0, window_width_rad)
    # Seen in (start_s, start_s + duration_s]: a step never reports its own start time.
    out: NDArray[np.float64] = np.maximum(
        start_s + dwell_offset / window_width_rad * duration_s, start_s + 1e-6
    )
    return out


def dwell(
    site: LookSite,
    *,
    time_s: NDArray[np.float64],
    truth_time_s: float,
    position_enu_m: NDArray[np.float64],
    velocity_enu_mps: NDArray[np.float64] | None,
    rcs_m2: NDArray[np.float64],
    truth_id: NDArray[np.int64],
    rng: np.random.Generator,
) -> DetectionBatch:
    """Beams pointed at given targets, each at its own ``time_s`` (a multifunction radar's
    track dwells); no false alarms (a dwell covers a handful of cells)."""
    t = np.asarray(time_s, dtype=float)
    return _detect(
        site,
        _local_offsets_m(site, position_enu_m),
        t,
        np.ones(t.shape, bool),
        truth_time_s,
        velocity_enu_mps,
        rcs_m2,
        truth_id,
        rng,
        separate=True,
    )


def _local_offsets_m(site: LookSite, position_enu_m: ArrayLike) -> NDArray[np.float64]:
    """Targets' offsets (n, 3) from the antenna in the radar's local ENU."""
    pos = np.asarray(position_enu_m, dtype=float).reshape(-1, 3)
    local: NDArray[np.float64] = (pos - site.position_enu_m) @ site.rotation_to_local.T
    return local


def _full_look_duration_s(site: LookSite) -> float:
    """How long one full look lasts: a scan period for a rotating beam, 0 for a staring one."""
    return site.scan_period_s if site.rotating else 0.0


def _detect(
    site: LookSite,
    local: NDArray[np.float64],
    time_s: NDArray[np.float64],
    lit: NDArray[np.bool_],
    truth_time_s: float,
    velocity_enu_mps: NDArray[np.float64] | None,
    rcs_m2: NDArray[np.float64],
    truth_id: NDArray[np.int64],
    rng: np.random.Generator,
    separate: bool = False,
) -> DetectionBatch:
    """Steps 2-6 of the module doc for targets at radar-local offsets ``local`` (n, 3).

    ``separate``: every row is its own beam (dwells), so rows never merge with each other.
    """
    velocity_local = None
    if velocity_enu_mps is not None and local.shape[0]:
        # Each target moved to when the beam is on it, and measured there (time and position
        # stay a consistent pair).
        velocity_local = np.asarray(velocity_enu_mps, float).reshape(-1, 3) @ (
            site.rotation_to_local.T
        )
        local = local + velocity_local * (time_s - truth_time_s)[:, None]
    range_m, az, el, inside = _local_geometry(site, local)
    terrain = getattr(site, "terrain", None)  # iadsim.terrain hook (None: smooth earth)
    if terrain is not None:
        inside &= terrain.visible(local)  # masking-table lookup
    rows = np.flatnonzero(inside & lit)
    r, a, e = range_m[rows], az[rows], el[rows]
    snr = snr_per_pulse(r, np.asarray(rcs_m2, float)[rows], site.snr_1m2_1m)
    if terrain is not None:  # SNR -> SCNR: multipath F^4, surface clutter and MTI
        snr = terrain.scale_snr(snr, local[rows],
                                None if velocity_local is None else velocity_local[rows])
    snr = snr * draw_rcs_factor(rows.size, site.swerling, site.n_pulses, rng=rng)
    merged = merge_unresolved(
        r,
        a,
        e,
        snr,
        range_resolution_m=site.range_resolution_m,
        azimuth_resolution_rad=site.azimuth_beamwidth_rad,
        elevation_resolution_rad=site.elevation_beamwidth_rad,
        group=np.arange(rows.size) if separate else None,
    )
    threshold = threshold_from_pfa(site.pfa, site.n_pulses)
    hit = draw_detections(merged.power, threshold, site.n_pulses, rng=rng)
    rep = rows[merged.representative_row[hit]]
    snr_hit = merged.power[hit]
    n = int(hit.sum())
    s_r, s_a, s_e = measurement_sigmas(site, snr_hit)
    return DetectionBatch(
        time_s=time_s[rep],
        sensor_id=np.full(n, site.sensor_id, np.int32),
        range_m=measured_range_m(merged.range_m[hit], s_r, site.min_range_m, rng=rng),
        azimuth_rad=np.mod(merged.azimuth_rad[hit] + s_a * rng.standard_normal(n), _TWO_PI),
        elevation_rad=merged.elevation_rad[hit] + s_e * rng.standard_normal(n),
        range_sigma_m=s_r,
        azimuth_sigma_rad=s_a,
        elevation_sigma_rad=s_e,
        snr_db=10.0 * np.log10(np.maximum(snr_hit, 1e-300)),
        truth_id=np.asarray(truth_id, dtype=np.int64)[rep],
    )


MIN_MEASURED_RANGE_M = 1.0
"""No radar reports a range below its blind range, nor below a metre."""


def measured_range_m(
    range_m: NDArray[np.float64],
    sigma_m: NDArray[np.float64],
    min_range_m: float,
    *,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """Noisy ranges (n,): Gaussian about ``range_m``, truncated to the reportable ranges.

    A radar reports no range inside its blind range (nor below ``MIN_MEASURED_RANGE_M``), so
    a draw there is *redrawn* from the Gaussian truncated to ``(floor, inf)`` (exact, by
    inverse CDF), not clipped, which would pile detections at the floor. With sigmas small
    against the range no draw falls there and nothing extra is drawn. Ranges beyond the
    instrumented range are kept: the error is the measurement's, the target was inside.
    """
    out = range_m + sigma_m * rng.standard_normal(range_m.shape[0])
    floor = max(float(min_range_m), MIN_MEASURED_RANGE_M)
    low = np.flatnonzero(out <= floor)
    if low.size:
        from scipy.stats import truncnorm  # only here: scipy.stats costs ~0.4 s to import

        mu, s = range_m[low], sigma_m[low]
        redraw = truncnorm.rvs((floor - mu) / s, np.inf, loc=mu, scale=s, random_state=rng)
        out[low] = np.maximum(np.atleast_1d(redraw), np.nextafter(floor, np.inf))
    return out


def false_alarm_cell_factors(site: LookSite) -> tuple[float, float, float]:
    """Range gates, azimuth beams and elevation beams of one full look (all sectors)."""
    return resolution_cell_factors(
        min_range_m=site.min_range_m,
        max_range_m=site.max_range_m,
        range_resolution_m=site.range_resolution_m,
        azimuth_extent_rad=float(_sector_widths_rad(site.sectors_rad).sum()),
        azimuth_resolution_rad=site.azimuth_beamwidth_rad,
        elevation_extent_rad=site.max_elevation_rad - site.min_elevation_rad,
        elevation_resolution_rad=site.elevation_beamwidth_rad,
    )


def false_alarm_cells(site: LookSite) -> float:
    """Resolution cells one full look covers (all sectors)."""
    gates, beams, levels = false_alarm_cell_factors(site)
    return gates * beams * levels


def false_alarms_per_look(site: LookSite) -> float:
    """Mean false alarms in one full look: the spec's override, else ``pfa`` x cells."""
    if site.false_alarms_per_scan is not None:
        return float(site.false_alarms_per_scan)
    return site.pfa * false_alarm_cells(site)


def false_alarm_detections(
    site: LookSite,
    start_s: float,
    threshold: float,
    *,
    rng: np.random.Generator,
    duration_s: float | None = None,
    window_start_rad: float = 0.0,
    window_width_rad: float = _TWO_PI,
) -> DetectionBatch:
    """False alarms of a sweep (a full look by default) as detections.

    Truth id -1, SNR NaN, sigmas at the threshold SNR, stamped per azimuth sector like the
    targets (:func:`_stamp_times_s`). The window's share of the look's mean
    is drawn uniformly over the window and thinned to the sectors, which keeps it Poisson.
    """
    if duration_s is None:
        duration_s = _full_look_duration_s(site)
    extent = float(_sector_widths_rad(site.sectors_rad).sum())
    rate_per_rad = false_alarms_per_look(site) / extent
    fa = draw_false_alarms(
        pfa=1.0,
        n_cells=rate_per_rad * window_width_rad,
        min_range_m=site.min_range_m,
        max_range_m=site.max_range_m,
        min_elevation_rad=site.min_elevation_rad,
        max_elevation_rad=site.max_elevation_rad,
        sectors_rad=np.array([[window_start_rad, window_start_rad + window_width_rad]]),
        rng=rng,
    )
    keep = (
        np.ones(len(fa), bool)
        if _all_round(site.sectors_rad)
        else in_sectors(fa.azimuth_rad, site.sectors_rad)
    )
    k = int(keep.sum())
    offset = np.mod(fa.azimuth_rad[keep] - window_start_rad, _TWO_PI)
    s_r, s_a, s_e = measurement_sigmas(site, np.full(k, threshold / site.n_pulses))
    return DetectionBatch(
        time_s=_stamp_times_s(site, offset, start_s, duration_s, window_start_rad,
                              window_width_rad),
        sensor_id=np.full(k, site.sensor_id, np.int32),
        range_m=fa.range_m[keep],
        azimuth_rad=fa.azimuth_rad[keep],
        elevation_rad=fa.elevation_rad[keep],
        range_sigma_m=s_r,
        azimuth_sigma_rad=s_a,
        elevation_sigma_rad=s_e,
        snr_db=np.full(k, np.nan),
        truth_id=np.full(k, -1, np.int64),
    )


def _all_round(sectors_rad: NDArray[np.float64]) -> bool:
    return bool(_sector_widths_rad(sectors_rad).sum() >= _TWO_PI - 1e-12)
