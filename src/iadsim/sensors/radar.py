"""Sensors stage: true threat states -> radar detections (``DetectionBatch``).

In: the scenario's sensor specs (once, :func:`build_radars`), then for every pipeline step the
threats, which are alive, and the step's time window. Out: the step's detections of every radar
in time order, in each radar's own (range, azimuth, elevation), plus false alarms.

What each radar does in a step ``(start_s, end_s]``:

* a **surveillance** radar rotates: its beam sweeps the azimuth slice it reaches in the step
  (``360 deg x step / scan_period_s``, continuing from where it was), and sees each target when
  the beam passes it, so the detection time depends on the target's azimuth;
* a **multifunction** radar splits the step between track dwells on the targets it holds
  (revisit by priority, limited track capacity) and its search frame, which advances by the
  time left over (``iadsim.sensors.multifunction``).

Each look is the vectorised kernel of ``iadsim.sensors.look``: coverage (blind range, elevation
limits, sectors, 4/3-earth horizon), SNR from the range equation (physical or reference-point
form, ``iadsim.sensors.range_equation``), Swerling fluctuation and detection
(``iadsim.sensors.detection``), merging of unresolved targets, SNR-dependent sigmas and false
alarms from Pfa and the cells covered.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.scenario.sensor_spec import SensorSpec
from iadsim.sensors.batch import DetectionBatch, SensorGeometry
from iadsim.sensors.clutter import sector_widths_rad
from iadsim.sensors.coverage import free_space_detection_range_m
from iadsim.sensors.detection import required_snr_db
from iadsim.sensors.look import false_alarms_per_look, sweep
from iadsim.sensors.multifunction import (
    MultifunctionScheduler,
    SchedulePlan,
    SearchBudget,
    search_beam_positions,
    search_budget,
)
from iadsim.sensors.pointed import nearest_per_dwell, pointed_dwells
from iadsim.sensors.track_file import local_from_polar, position_sigma_m
from iadsim.sensors.range_equation import (
    gain_from_aperture_db,
    pulses_integrated,
    range_resolution_m,
    snr_1m2_1m_physical,
    snr_1m2_1m_reference,
    time_on_target_s,
)
from iadsim.world.frames import Origin, geodetic_to_enu, rotation_enu_to_local
from iadsim.world.threats import ThreatSet, TruthBatch

_TWO_PI = 2.0 * np.pi
DEFAULT_RANGE_RESOLUTION_M = 150.0


@dataclass(frozen=True, slots=True)
class RadarSite:
    """One radar, its spec turned into SI/radian numbers and its place in scenario ENU.

    ``scheduler`` is the multifunction radar's mutable track file and budget (None for a
    surveillance radar); :func:`build_radars` makes a fresh one for every run. ``n_pulses``
    are the pulses a search look integrates (a multifunction radar's pulses per search beam,
    ``search``), ``track_n_pulses`` those of a track dwell.
    """

    sensor_id: int
    name: str
    kind: str
    position_enu_m: NDArray[np.float64]  # (3,) antenna
    rotation_to_local: NDArray[np.float64]  # (3, 3)
    antenna_alt_m: float  # antenna height above the ellipsoid
    scan_period_s: float
    rotating: bool
    scan_timing: str  # "look" or "beam"
    snr_1m2_1m: float  # linear SNR per pulse of a 1 m^2 target at 1 m
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
    azimuth_stamp_rad: float  # azimuth sector whose detections share one time stamp
    elevation_beamwidth_rad: float  # inf for a fan beam
    false_alarms_per_scan: float | None
    range_sigma_m: float
    azimuth_sigma_rad: float
    elevation_sigma_rad: float
    scheduler: MultifunctionScheduler | None = None
    terrain: Any = None  # iadsim.terrain.site_view.SiteTerrain (masking, multipath, clutter)
    track_n_pulses: int = 1
    search: SearchBudget | None = None  # multifunction search frame (None: surveillance)


def site_from_spec(spec: SensorSpec, sensor_id: int, origin: Origin) -> RadarSite:
    """One radar site from its validated spec."""
    antenna_alt_m = spec.position.alt_m + spec.mast_height_m
    bandwidth_hz = spec.bandwidth_hz
    if spec.range_resolution_m is not None:
        resolution_m = spec.range_resolution_m
    elif bandwidth_hz is not None:
        resolution_m = float(range_resolution_m(bandwidth_hz))
    else:
        resolution_m = DEFAULT_RANGE_RESOLUTION_M
    beam_az = np.radians(spec.azimuth_beamwidth_deg)
    n_pulses = _pulses(spec, beam_az)  # a look (surveillance) or a track dwell (multifunction)
    if spec.peak_power_w is not None:
        assert spec.frequency_hz is not None  # the spec's validator guarantees it
        gain_db = spec.antenna_gain_db
        if gain_db is None:
            assert spec.effective_aperture_m2 is not None
            gain_db = float(gain_from_aperture_db(spec.effective_aperture_m2, spec.frequency_hz))
        snr_constant = snr_1m2_1m_physical(
            peak_power_w=spec.peak_power_w,
            frequency_hz=spec.frequency_hz,
            gain_tx_db=gain_db,
            gain_rx_db=spec.receive_gain_db,
            pulse_width_s=spec.pulse_width_s,
            bandwidth_hz=bandwidth_hz,
            noise_figure_db=spec.noise_figure_db,
            system_losses_db=spec.system_losses_db,
        )
    else:
        assert spec.reference_range_m is not None
        snr_ref_db = float(required_snr_db(spec.reference_pd, spec.pfa, n_pulses, spec.swerling))
        snr_constant = snr_1m2_1m_reference(
            reference_snr_db=snr_ref_db,
            reference_range_m=spec.reference_range_m,
            reference_rcs_m2=spec.reference_rcs_m2,
        )
    if spec.sectors_deg:
        sectors = np.radians([[s.start_deg, s.end_deg] for s in spec.sectors_deg])
    else:
        sectors = np.array([[0.0, _TWO_PI]])
    scheduler, search, search_pulses = None, None, n_pulses
    elevation_bw = (np.inf if spec.elevation_beamwidth_deg is None
                    else float(np.radians(spec.elevation_beamwidth_deg)))
    if spec.kind == "multifunction":
        search = search_budget(
            beam_positions=search_beam_positions(
                azimuth_extent_rad=float(sector_widths_rad(sectors).sum()),
                azimuth_beamwidth_rad=float(beam_az),
                elevation_extent_rad=float(
                    np.radians(spec.max_elevation_deg - spec.min_elevation_deg)),
                elevation_beamwidth_rad=elevation_bw,
            ),
            prf_hz=spec.prf_hz,
            frame_s=spec.scan_period_s,
            pulses_per_beam=spec.search_pulses_per_beam,
            default_pulses=n_pulses,
            instrumented_range_m=min(spec.search_range_m or spec.max_range_m, spec.max_range_m),
        )
        search_pulses = search.pulses_per_beam
        scheduler = MultifunctionScheduler(
            search_frame_s=search.frame_s,
            track_capacity=spec.track_capacity,
            track_dwell_s=spec.track_dwell_s,
            max_track_fraction=spec.max_track_fraction,
            revisit_s=(spec.revisit_high_s, spec.revisit_medium_s, spec.revisit_low_s),
            uplink_dwell_s=spec.uplink_dwell_s,
            uplink_interval_s=spec.uplink_interval_s,
        )
    scan_period_s = search.frame_s if search is not None else spec.scan_period_s
    assert scan_period_s is not None  # the spec's validator guarantees it
    return RadarSite(
        sensor_id=sensor_id,
        name=spec.name,
        kind=spec.kind,
        position_enu_m=geodetic_to_enu(
            spec.position.lat_deg, spec.position.lon_deg, antenna_alt_m, origin
        ),
        rotation_to_local=rotation_enu_to_local(
            origin, spec.position.lat_deg, spec.position.lon_deg
        ),
        antenna_alt_m=antenna_alt_m,
        scan_period_s=scan_period_s,
        rotating=True,
        scan_timing=spec.scan_timing or ("beam" if spec.kind == "surveillance" else "look"),
        snr_1m2_1m=snr_constant,
        pfa=spec.pfa,
        n_pulses=search_pulses,
        swerling=spec.swerling,
        min_range_m=spec.min_range_m,
        max_range_m=spec.max_range_m,
        min_elevation_rad=float(np.radians(spec.min_elevation_deg)),
        max_elevation_rad=float(np.radians(spec.max_elevation_deg)),
        sectors_rad=sectors,
        range_resolution_m=resolution_m,
        azimuth_beamwidth_rad=float(beam_az),
        azimuth_stamp_rad=float(
            beam_az if spec.timestamp_sector_deg is None else np.radians(spec.timestamp_sector_deg)
        ),
        elevation_beamwidth_rad=elevation_bw,
        false_alarms_per_scan=spec.false_alarms_per_scan,
        range_sigma_m=spec.range_sigma_m,
        azimuth_sigma_rad=float(np.radians(spec.azimuth_sigma_deg)),
        elevation_sigma_rad=float(np.radians(spec.elevation_sigma_deg)),
        scheduler=scheduler,
        track_n_pulses=n_pulses,
        search=search,
    )


def _pulses(spec: SensorSpec, beam_az_rad: float) -> int:
    """Pulses integrated per look: given, else PRF x dwell (time on target), else one."""
    if spec.pulses_integrated is not None:
        return spec.pulses_integrated
    if spec.prf_hz is None:
        return 1
    if spec.dwell_time_s is not None:
        dwell_s = spec.dwell_time_s
    elif spec.kind == "multifunction":
        dwell_s = spec.track_dwell_s
    else:
        assert spec.scan_period_s is not None  # required for a surveillance radar
        dwell_s = time_on_target_s(beam_az_rad, spec.scan_period_s)
    return pulses_integrated(spec.prf_hz, dwell_s)


class RunCostWarning(UserWarning):
    """A valid scenario whose run will be slow, said before it starts."""


FALSE_ALARMS_PER_S_WARNING = 1_000.0
"""Expected false alarms per simulated second (all radars) above which a run warns."""
TRACKER_WALL_S_PER_FALSE_ALARM = 2e-4
"""Tracker wall time per false alarm on one core, measured on the default scenario with
2,000 to 100,000 false alarms per 10-s scan (``benchmarks/extreme_scenarios.py``)."""
SCANS_PER_S_WARNING = 100.0
"""Tracker scans (one per radar time stamp) per simulated second above which a run warns."""
TRACKER_WALL_S_PER_SCAN = 1.5e-3
"""Tracker wall time per scan of the default raid on one core (each scan predicts every
track), measured with a 0.1-s rotation (``benchmarks/extreme_scenarios.py``)."""


def tracker_scans_per_s(site: RadarSite) -> float:
    """Time stamps per simulated second a radar's search gives the tracker (upper bound).

    Beam timing stamps each azimuth stamp sector of a rotation (at most one per echo); look
    timing one stamp per scan. Multifunction track dwells come on top.
    """
    if site.scan_timing != "beam":
        return 1.0 / site.scan_period_s
    sectors = float(_sector_widths_sum(site)) / site.azimuth_stamp_rad
    echoes = false_alarms_per_look(site) + 1.0
    return max(min(sectors, echoes), 1.0) / site.scan_period_s


def _sector_widths_sum(site: RadarSite) -> float:
    return float(sector_widths_rad(site.sectors_rad).sum())


def run_cost_warning(sites: list[RadarSite]) -> str | None:
    """A warning for radars whose false alarms or time stamps will dominate the run time."""
    alarms = [false_alarms_per_look(s) / s.scan_period_s for s in sites]
    scans = [tracker_scans_per_s(s) for s in sites]
    parts = []
    if sum(alarms) > FALSE_ALARMS_PER_S_WARNING:
        parts.append(_cost_part("false alarms", alarms, sites, TRACKER_WALL_S_PER_FALSE_ALARM))
    if sum(scans) > SCANS_PER_S_WARNING:
        parts.append(_cost_part("tracker scans", scans, sites, TRACKER_WALL_S_PER_SCAN))
    if not parts:
        return None
    wall = sum(alarms) * TRACKER_WALL_S_PER_FALSE_ALARM + sum(scans) * TRACKER_WALL_S_PER_SCAN
    return (
        "; ".join(parts) + f": this run needs about {wall:.1f} s of wall time per simulated "
        "second on one core (lower pfa or false_alarms_per_scan, or slow the scan, to speed it up)"
    )


def _cost_part(what: str, rates: list[float], sites: list[RadarSite], unit_s: float) -> str:
    worst = sorted(zip(rates, (s.name for s in sites), strict=True), reverse=True)[:3]
    each = ", ".join(f"{name!r} {r:,.0f}" for r, name in worst)
    return (f"the radars make {sum(rates):,.0f} {what} per simulated second ({each}), "
            f"about {unit_s * 1e3:.1f} ms each")


def build_radars(specs: list[SensorSpec], origin: Origin) -> list[RadarSite]:
    """Radar sites in scenario ENU, in the scenario's order (sensor_id = index).

    Warns (``RunCostWarning``) when the radars' false alarms or time stamps will dominate the
    run time.
    """
    sites = [site_from_spec(s, i, origin) for i, s in enumerate(specs)]
    message = run_cost_warning(sites)
    if message is not None:
        warnings.warn(message, RunCostWarning, stacklevel=2)
    return sites


def sensor_geometry(sites: list[RadarSite]) -> SensorGeometry:
    """What a tracker needs to know of the radars."""
    return SensorGeometry(
        position_enu_m=np.array([s.position_enu_m for s in sites]).reshape(-1, 3),
        rotation_to_local=np.array([s.rotation_to_local for s in sites]).reshape(-1, 3, 3),
        revisit_s=np.array([s.scan_period_s if s.kind == "surveillance" else np.nan
                            for s in sites], dtype=float),  # rotating: the scan period
    )


def observe(
    sites: list[RadarSite],
    threats: ThreatSet,
    alive: NDArray[np.bool_],
    start_s: float,
    end_s: float,
    *,
    rng: np.random.Generator,
    contested: Any = None,
) -> DetectionBatch:
    """Every radar's detections in ``(start_s, end_s]``, in time order, at the live threats.

    ``contested`` (``iadsim.ew.contested.ContestedSky``, None: a clean sky) leaves silent and
    destroyed radars out and gives each emitting radar the truth with jammed RCS.
    """
    truth = threats.truth_at(start_s, alive)
    pairs = [(site, truth) for site in sites] if contested is None else (  # ew hook
        contested.screen_all(sites, truth, start_s, end_s))
    batches = [observe_truth(site, seen, start_s, end_s, rng=rng) for site, seen in pairs]
    out = DetectionBatch.concatenate(batches)
    return out.take(np.argsort(out.time_s, kind="stable"))


def observe_truth(
    site: RadarSite, truth: TruthBatch, start_s: float, end_s: float, *, rng: np.random.Generator
) -> DetectionBatch:
    """One radar's detections in ``(start_s, end_s]`` of targets given at ``truth.time_s``."""
    if site.scheduler is not None:
        return _multifunction_step(site, truth, start_s, end_s, rng=rng)
    if site.scan_timing == "look":
        looks = [_stare(site, truth, t, rng=rng) for t in look_times(site, start_s, end_s)]
        return DetectionBatch.concatenate(looks)
    batches = []
    # The beam continues from where it was: at north at every multiple of the period.
    t0 = start_s
    while t0 < end_s - 1e-12:
        t1 = min(end_s, t0 + site.scan_period_s)
        phase = np.mod(t0 / site.scan_period_s, 1.0)
        width = _TWO_PI * (t1 - t0) / site.scan_period_s
        batches.append(_sweep(site, truth, t0, t1, _TWO_PI * phase, width, rng=rng))
        t0 = t1
    return DetectionBatch.concatenate(batches)


def look_times(site: RadarSite, start_s: float, end_s: float) -> NDArray[np.float64]:
    """Ends of this radar's scans in (start_s, end_s]: every scan period from t = 0."""
    first = np.floor(start_s / site.scan_period_s + 1e-9) + 1
    last = np.floor(end_s / site.scan_period_s + 1e-9)
    return np.arange(first, last + 1) * site.scan_period_s


def _stare(
    site: RadarSite, truth: TruthBatch, time_s: float, *, rng: np.random.Generator
) -> DetectionBatch:
    """A whole scan reported at ``time_s``, targets where they are then ("look" timing)."""
    t = float(time_s)
    return _sweep(site, truth, t, t, 0.0, _TWO_PI, rng=rng)


def _sweep(
    site: RadarSite,
    truth: TruthBatch,
    t0: float,
    t1: float,
    window_start_rad: float,
    window_width_rad: float,
    *,
    rng: np.random.Generator,
) -> DetectionBatch:
    """The azimuth window swept from ``t0`` to ``t1`` (both equal: a whole scan at once), at
    the targets of ``truth``."""
    return sweep(
        site,
        start_s=t0,
        duration_s=t1 - t0,
        window_start_rad=window_start_rad,
        window_width_rad=window_width_rad,
        truth_time_s=truth.time_s,
        position_enu_m=truth.position_enu_m,
        velocity_enu_mps=truth.velocity_enu_mps,
        rcs_m2=truth.rcs_m2,
        truth_id=truth.threat_id,
        rng=rng,
    )


def _multifunction_step(
    site: RadarSite, truth: TruthBatch, start_s: float, end_s: float, *, rng: np.random.Generator
) -> DetectionBatch:
    """Track dwells pointed at the radar's own predictions, then search; the radar's track
    file learns from both (no truth: ``iadsim.sensors.track_file``)."""
    scheduler = site.scheduler
    assert scheduler is not None
    plan = scheduler.plan(start_s, end_s)
    # Beam timing: each dwell at its own time; look timing: the step's dwells reported (and
    # measured) together at the step's end.
    dwell_time_s = plan.dwell_time_s
    if site.scan_timing != "beam":
        dwell_time_s = np.full(dwell_time_s.shape, end_s)
    pointing_m = scheduler.pointing_m(plan.dwell_ids, dwell_time_s)
    dwells, dwell_of = pointed_dwells(
        replace(site, n_pulses=site.track_n_pulses),  # a track dwell integrates its own pulses
        time_s=dwell_time_s,
        pointing_local_m=pointing_m,
        truth_time_s=truth.time_s,
        position_enu_m=truth.position_enu_m,
        velocity_enu_mps=truth.velocity_enu_mps,
        rcs_m2=truth.rcs_m2,
        truth_id=truth.threat_id,
        rng=rng,
    )
    # Search listens to its instrumented range only (multifunction module doc, Energy).
    searching = site if site.search is None or site.search.range_m >= site.max_range_m else (
        replace(site, max_range_m=site.search.range_m))
    if site.scan_timing == "beam":
        search = _sweep(searching, truth, start_s, end_s, plan.search_start_rad,
                        plan.search_width_rad, rng=rng)
    else:
        # A search frame is reported whole when it completes.
        frames = []
        swept = plan.search_start_rad + plan.search_width_rad
        if plan.search_width_rad > 0.0:
            k = np.arange(1, int(np.floor(swept / _TWO_PI + 1e-12)) + 1)
            done_s = start_s + (k * _TWO_PI - plan.search_start_rad) / plan.search_width_rad * (
                end_s - start_s
            )
            done_s = np.clip(done_s, start_s + 1e-6, end_s)
            frames = [_stare(searching, truth, float(t), rng=rng) for t in done_s]
        search = DetectionBatch.concatenate(frames)
    # A dwell that resolves several returns updates its track with the one nearest the
    # prediction; the others are new information like search detections (another held
    # track's target, or a target not held yet).
    dwell_m = local_from_polar(dwells.range_m, dwells.azimuth_rad, dwells.elevation_rad)
    own = nearest_per_dwell(dwell_of, np.linalg.norm(dwell_m - pointing_m[dwell_of], axis=1))
    other = DetectionBatch.concatenate([dwells.take(~own), search])
    scheduler.update(
        plan,
        end_s,
        dwell_hit_ids=plan.dwell_ids[dwell_of[own]],
        dwell_hit_local_m=dwell_m[own],
        dwell_hit_time_s=dwells.time_s[own],
        search_local_m=local_from_polar(other.range_m, other.azimuth_rad, other.elevation_rad),
        search_time_s=other.time_s,
        search_sigma_m=position_sigma_m(other.range_m, other.range_sigma_m,
                                        other.azimuth_sigma_rad, other.elevation_sigma_rad),
    )
    confirmations = _confirm_at_once(site, truth, end_s, rng=rng)
    return one_plot_per_cell(site, DetectionBatch.concatenate([dwells, search, confirmations]))


def one_plot_per_cell(site: RadarSite, detections: DetectionBatch) -> DetectionBatch:
    """One report per target and time: detections with the same time stamp closer than the
    range resolution in range and half a beamwidth in azimuth and in elevation (targets that
    far apart are not resolved; one target's two measurements agree to a few angle sigmas, a
    tenth of a beam) are one target seen twice (two dwells of duplicate tracks, or a dwell
    and the search frame, both reported at the step's end under look timing), and the
    radar's plot extractor reports it once, the strongest (a false alarm's unknown SNR counts
    weakest; ties: the first). Sent twice, the fusion tracker took the second for another
    target and opened a track on it."""
    n = len(detections)
    if n < 2:
        return detections
    same = detections.time_s[:, None] == detections.time_s[None, :]
    same &= np.abs(detections.range_m[:, None] - detections.range_m[None, :]) < (
        site.range_resolution_m)
    daz = np.angle(np.exp(1j * (detections.azimuth_rad[:, None] - detections.azimuth_rad[None, :])))
    same &= np.abs(daz) < 0.5 * site.azimuth_beamwidth_rad
    same &= np.abs(detections.elevation_rad[:, None] - detections.elevation_rad[None, :]) < (
        0.5 * site.elevation_beamwidth_rad)
    snr = np.nan_to_num(detections.snr_db, nan=-np.inf)
    rank = np.lexsort((np.arange(n), -snr))  # strongest first, then the order given
    np.fill_diagonal(same, False)
    position = rank_of(rank)
    keep = np.ones(n, bool)
    for i in rank[same[rank].any(axis=1)]:  # the few rows that share a cell, strongest first
        if keep[i]:
            keep[same[i] & (position > position[i])] = False
    return detections.take(keep)


def rank_of(order: NDArray[np.intp]) -> NDArray[np.intp]:
    """Position of each row in ``order`` (the inverse permutation)."""
    out = np.empty(order.size, np.intp)
    out[order] = np.arange(order.size)
    return out


def _confirm_at_once(site: RadarSite, truth: TruthBatch, end_s: float, *,
                     rng: np.random.Generator) -> DetectionBatch:
    """The confirmation dwells of the tracks the step's search opened, each one dwell after
    its detection, pointed at the detected position (as a multifunction radar confirms: at
    once, in the same beam). Served at the next step's start instead, up to a step later, the
    dwell pointed at a position the target had left: a 1.4 km/s re-entry vehicle is 1.4 km
    away after 1 s, most of a beamwidth at 55 km, and no re-entry vehicle was ever
    confirmed. Their radar time is taken from the next step's search."""
    scheduler = site.scheduler
    assert scheduler is not None
    rows = np.flatnonzero(scheduler.confirming)
    if rows.size == 0:
        return DetectionBatch.empty()
    time_s = np.minimum(scheduler.state_s[rows] + scheduler.track_dwell_s, end_s)
    pointing_m = scheduler.position_m[rows]
    dwells, dwell_of = pointed_dwells(
        replace(site, n_pulses=site.track_n_pulses), time_s=time_s, pointing_local_m=pointing_m,
        truth_time_s=truth.time_s, position_enu_m=truth.position_enu_m,
        velocity_enu_mps=truth.velocity_enu_mps, rcs_m2=truth.rcs_m2,
        truth_id=truth.threat_id, rng=rng,
    )
    dwell_m = local_from_polar(dwells.range_m, dwells.azimuth_rad, dwells.elevation_rad)
    own = nearest_per_dwell(dwell_of, np.linalg.norm(dwell_m - pointing_m[dwell_of], axis=1))
    plan = SchedulePlan(dwell_ids=scheduler.ids[rows].copy(), dwell_time_s=time_s,
                        search_start_rad=scheduler.search_azimuth_rad, search_width_rad=0.0,
                        search_time_s=0.0, deferred=0)
    scheduler.update(plan, end_s, dwell_hit_ids=plan.dwell_ids[dwell_of[own]],
                     dwell_hit_local_m=dwell_m[own], dwell_hit_time_s=dwells.time_s[own],
                     search_local_m=np.zeros((0, 3)), search_time_s=np.zeros(0),
                     search_sigma_m=np.zeros(0))
    spent = rows.size * scheduler.track_dwell_s
    scheduler.confirm_time_total_s += spent
    scheduler.borrowed_s += spent  # the next step's search is shorter by it
    return dwells


def cue_radars(sites: list[RadarSite], time_s: float, position_enu_m: NDArray[np.float64],
               velocity_enu_mps: NDArray[np.float64], covariance: NDArray[np.float64]) -> None:
    """Hand the system picture's tracks at ``time_s`` (scenario ENU positions (n, 3),
    velocities (n, 3), state covariances (n, 6, 6)) to every multifunction radar as cues: a
    new track of its own without a velocity takes the velocity of the cue it falls in
    (surveillance-to-fire-control handover; ``iadsim.sensors.multifunction``, Handover)."""
    sigma_m = np.sqrt(np.trace(np.asarray(covariance, float).reshape(-1, 6, 6)[:, :3, :3],
                               axis1=1, axis2=2))
    position = np.asarray(position_enu_m, float).reshape(-1, 3)
    velocity = np.asarray(velocity_enu_mps, float).reshape(-1, 3)
    for site in sites:
        if site.scheduler is not None:
            rot = site.rotation_to_local
            site.scheduler.cue(time_s, (position - site.position_enu_m) @ rot.T, velocity @ rot.T,
                               sigma_m)


def set_guidance_load(sites: list[RadarSite], interceptors_in_flight: int) -> None:
    """Share the interceptors in flight among the multifunction radars (their uplinks)."""
    mfr = [s.scheduler for s in sites if s.scheduler is not None]
    for k, scheduler in enumerate(mfr):
        scheduler.set_uplinks(interceptors_in_flight // len(mfr)
                              + (k < interceptors_in_flight % len(mfr)))


def budget_summary(sites: list[RadarSite]) -> dict[str, dict[str, float | int | None]]:
    """Radar time per function of every multifunction radar so far, by radar name."""
    out: dict[str, dict[str, float | int | None]] = {}
    for s in sites:
        if s.scheduler is None or s.search is None:
            continue
        report = s.scheduler.budget_report()
        report.update(beam_positions=s.search.beam_positions,
                      search_pulses_per_beam=s.search.pulses_per_beam,
                      track_dwell_pulses=s.track_n_pulses)
        out[s.name] = report
    return out


def search_budget_fields(site: RadarSite, rcs_m2: float, pd: float) -> dict[str, float | int]:
    """A multifunction radar's time budget for ``iadsim coverage`` (empty for surveillance):
    the search frame idle and at the full track share, and the track dwell's own range."""
    if site.search is None or site.scheduler is None:
        return {}
    track_share = min(site.scheduler.max_track_fraction, 1.0 - 1e-9)
    track_range_m = free_space_detection_range_m(
        snr_1m2_1m=site.snr_1m2_1m, rcs_m2=rcs_m2, pd=pd, pfa=site.pfa,
        n_pulses=site.track_n_pulses, swerling=site.swerling)
    return {
        "search_beam_positions": site.search.beam_positions,
        "search_pulses_per_beam": site.search.pulses_per_beam,
        "search_dwell_s": site.search.dwell_s,
        "search_frame_s": site.search.frame_s,
        "search_range_m": site.search.range_m,  # instrumented: search reports nothing beyond
        "search_frame_at_full_track_load_s": site.search.frame_s / (1.0 - track_share),
        "track_dwell_s": site.scheduler.track_dwell_s,
        "track_dwell_pulses": site.track_n_pulses,
        "max_track_fraction": site.scheduler.max_track_fraction,
        "track_dwell_detection_range_m": round(track_range_m, 1),
    }
