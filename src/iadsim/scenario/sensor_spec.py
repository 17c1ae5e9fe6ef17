"""Scenario section ``sensors``: one entry per radar.

A radar is given by its geometry (site, mast, range and elevation limits, azimuth sectors), its
scan, its resolution and accuracy floors, and a detection model in one of two forms:

* *reference point* (``reference_range_m``): a ``reference_rcs_m2`` target at that range is
  detected with ``reference_pd`` per look at the set ``pfa``; SNR scales as rcs / range^4;
* *physical* (``peak_power_w`` and friends): the radar range equation from peak power, antenna
  gain or effective aperture, frequency, pulse width or bandwidth, noise figure and losses.

Either gives the SNR per target per look (``iadsim.sensors.range_equation``). Multifunction
radars also carry their scheduler budget (track dwells, revisit intervals by priority, track
capacity) and the fire-control channels the command stage must respect.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from pydantic import Field, ValidationInfo, field_validator

from iadsim.scenario.common import GeoPosition, StrictModel

if TYPE_CHECKING:
    from iadsim.scenario.model import Scenario
    from iadsim.sensors.multifunction import SearchBudget

_PHYSICAL = ("peak_power_w", "frequency_hz")

MAX_RESOLUTION_CELLS = 1e12
"""Resolution cells per scan of one radar (gates x azimuth beams x elevation beams). Nothing is
allocated per cell, but finer radars than this (1 m gates over 1,000 km with 0.1 degree pencil
beams over the hemisphere is 1e11) are typos, and their false alarms would swamp the run."""
MAX_FALSE_ALARMS_PER_SCAN = 100_000.0
"""Expected false alarms per scan of one radar (``pfa`` x cells, or ``false_alarms_per_scan``).
At this limit the tracker costs about 2 s of wall time per simulated second (10-s scan)."""
MIN_SCAN_PERIOD_S = 0.1
"""Fastest scan: a rotation or search frame every 0.1 s (600 rpm). Each scan is one look per
radar, so a faster one multiplies the run time without changing what the radar sees."""
MIN_REVISIT_S = 0.01
"""Fastest multifunction revisit: every dwell of every held track is one look."""


class AzimuthSector(StrictModel):
    """An azimuth sector searched, clockwise from ``start_deg`` to ``end_deg`` (from north).

    ``end_deg`` below ``start_deg`` wraps through north: ``{start_deg: 300, end_deg: 60}``.
    """

    start_deg: float = Field(ge=0.0, le=360.0)
    end_deg: float = Field(ge=0.0, le=360.0)

    @field_validator("end_deg")
    @classmethod
    def _not_empty(cls, value: float, info: ValidationInfo) -> float:
        start = info.data.get("start_deg")
        if start is not None and value == start:
            raise ValueError(f"must differ from start_deg = {start} (the sector would be empty)")
        return value


class SensorSpec(StrictModel):
    """A radar: geometry, scan, resolution, accuracy and a detection model (see module doc)."""

    name: str = Field(min_length=1)
    kind: Literal["surveillance", "multifunction"] = "surveillance"
    position: GeoPosition
    mast_height_m: float = Field(default=10.0, ge=0.0, le=1000.0)
    scan_period_s: float | None = Field(
        default=None,
        ge=MIN_SCAN_PERIOD_S,
        le=600.0,
        validate_default=True,
        description="surveillance: one antenna rotation (required); multifunction: one search "
        "frame when the whole time budget goes to search (or give search_pulses_per_beam and "
        "the frame follows from beam positions x pulses / prf_hz)",
    )
    scan_timing: Literal["look", "beam"] | None = Field(
        default=None,
        description="beam: each target is reported when the beam passes it (the time stamp "
        "of its beam position), so detection times depend on azimuth; look: a scan's "
        "detections are reported together when it ends (a multifunction radar's search frame "
        "whole, its track dwells at the step's end). Default: beam for a surveillance radar, "
        "look for a multifunction radar",
    )
    timestamp_sector_deg: float | None = Field(
        default=None,
        gt=0.0,
        le=360.0,
        description="beam timing: detections in one azimuth sector of this width share the "
        "time stamp of the sector's centre (default one azimuth beamwidth)",
    )
    max_range_m: float = Field(gt=0.0, le=5_000_000.0)
    min_range_m: float = Field(default=0.0, ge=0.0, description="blind range")
    min_elevation_deg: float = Field(default=-2.0, ge=-90.0, le=90.0)
    max_elevation_deg: float = Field(default=70.0, ge=-90.0, le=90.0)
    sectors_deg: list[AzimuthSector] | None = Field(
        default=None, min_length=1, description="azimuth sectors searched; default all round"
    )
    # Accuracy floors: the measurement sigma is sqrt(floor^2 + (resolution / sqrt(2 SNR))^2).
    range_sigma_m: float = Field(gt=0.0)
    azimuth_sigma_deg: float = Field(gt=0.0, le=10.0)
    elevation_sigma_deg: float = Field(gt=0.0, le=10.0)
    # Resolution cells (merging of close targets, false-alarm cell count, sigmas).
    range_resolution_m: float | None = Field(
        default=None, gt=0.0, le=100_000.0, description="default c / (2 bandwidth), or 150 m"
    )
    azimuth_beamwidth_deg: float = Field(default=1.5, gt=0.0, le=90.0)
    elevation_beamwidth_deg: float | None = Field(
        default=2.0, gt=0.0, le=90.0, description="None for a fan beam (2D radar)"
    )
    # Detection model, physical form.
    peak_power_w: float | None = Field(default=None, gt=0.0, le=1e9)
    frequency_hz: float | None = Field(default=None, ge=1e6, le=3e11)
    antenna_gain_db: float | None = Field(default=None, ge=0.0, le=70.0)
    receive_gain_db: float | None = Field(default=None, ge=0.0, le=70.0)
    effective_aperture_m2: float | None = Field(default=None, gt=0.0, le=10_000.0)
    pulse_width_s: float | None = Field(default=None, gt=0.0, le=0.1)
    bandwidth_hz: float | None = Field(
        default=None, ge=1_500.0, le=1e11,
        description="waveform bandwidth; c / (2 bandwidth) is the default range resolution, "
        "so at least 1.5 kHz (100 km, the range_resolution_m limit)",
    )
    noise_figure_db: float = Field(default=3.0, ge=0.0, le=30.0)
    system_losses_db: float = Field(default=0.0, ge=0.0, le=60.0)
    prf_hz: float | None = Field(default=None, gt=0.0, le=1e6)
    dwell_time_s: float | None = Field(
        default=None,
        gt=0.0,
        le=10.0,
        description="time on target per look; default beamwidth / 360 deg x scan period "
        "(surveillance) or track_dwell_s (multifunction)",
    )
    pulses_integrated: int | None = Field(
        default=None, ge=1, le=10_000, description="default prf_hz x dwell time, or 1"
    )
    # Detection model, reference-point form.
    reference_range_m: float | None = Field(
        default=None,
        gt=0.0,
        validate_default=True,
        description="range at which a reference_rcs_m2 target is seen with reference_pd",
    )
    reference_rcs_m2: float = Field(default=1.0, gt=0.0)
    reference_pd: float = Field(default=0.5, gt=0.0, lt=1.0)
    swerling: Literal[0, 1, 2, 3, 4] = 1
    pfa: float = Field(default=1e-6, gt=0.0, lt=1.0)
    false_alarms_per_scan: float | None = Field(
        default=None, ge=0.0, le=MAX_FALSE_ALARMS_PER_SCAN,
        description="override of pfa x resolution cells",
    )
    # Multifunction radar: scheduler and channels.
    track_capacity: int = Field(default=60, ge=0, le=100_000)
    track_dwell_s: float = Field(default=0.02, gt=0.0, le=10.0)
    max_track_fraction: float = Field(default=0.6, ge=0.0, le=1.0)
    revisit_high_s: float = Field(default=0.5, ge=MIN_REVISIT_S, le=600.0)
    revisit_medium_s: float = Field(default=1.0, ge=MIN_REVISIT_S, le=600.0)
    revisit_low_s: float = Field(default=4.0, ge=MIN_REVISIT_S, le=600.0)
    search_pulses_per_beam: int | None = Field(
        default=None,
        ge=1,
        le=10_000,
        validate_default=True,
        description="multifunction: pulses per search beam position; the frame time follows "
        "(beam positions x pulses / prf_hz). Default: as many as scan_period_s allows (>= 1)",
    )
    search_range_m: float | None = Field(
        default=None,
        gt=0.0,
        le=5_000_000.0,
        description="multifunction: instrumented range of search; each search pulse listens "
        "2 x search_range_m / c (or 1 / prf_hz if longer) and search reports nothing beyond "
        "it. Default: max_range_m",
    )
    uplink_dwell_s: float = Field(
        default=0.0,
        ge=0.0,
        le=10.0,
        description="multifunction: radar time of one guidance uplink to an interceptor in flight",
    )
    uplink_interval_s: float = Field(
        default=1.0, gt=0.0, le=600.0,
        description="multifunction: one uplink per interceptor in flight this often",
    )
    fire_control_channels: int | None = Field(
        default=None,
        ge=0,
        le=10_000,
        description="targets engaged at once through this radar; None: not limited",
    )
    guidance_channels: int | None = Field(
        default=None,
        ge=0,
        le=10_000,
        description="interceptors in flight guided at once through this radar; None: not limited",
    )

    @field_validator("scan_period_s")
    @classmethod
    def _scan_period_for_rotation(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is None and info.data.get("kind", "surveillance") == "surveillance":
            raise ValueError("is required for a surveillance radar (one antenna rotation)")
        return value

    @field_validator("search_pulses_per_beam")
    @classmethod
    def _frame_or_dwell(cls, value: int | None, info: ValidationInfo) -> int | None:
        if "scan_period_s" not in info.data:
            return value  # scan_period_s failed its own rule, already reported by name
        kind, period = info.data.get("kind"), info.data.get("scan_period_s")
        if value is not None and kind != "multifunction":
            raise ValueError(f"applies to a multifunction radar only (kind is {kind!r}; got "
                             f"{value!r})")
        if kind != "multifunction":
            return value
        if value is None and period is None:
            raise ValueError("or scan_period_s is required for a multifunction radar (the "
                             "search frame time or the pulses per beam, the other follows)")
        if value is not None and period is not None:
            raise ValueError(f"must be left out when scan_period_s is given (the frame time "
                             f"follows from the pulses; got {value!r} and {period!r})")
        if value is not None and info.data.get("prf_hz") is None:
            raise ValueError(f"needs prf_hz (the time of one pulse; got {value!r})")
        return value

    @field_validator("reference_range_m")
    @classmethod
    def _one_detection_model(cls, value: float | None, info: ValidationInfo) -> float | None:
        if any(k not in info.data for k in _PHYSICAL):
            return value  # a physical field failed its own rule, already reported by name
        physical = {k: info.data.get(k) for k in _PHYSICAL}
        if value is None and physical["peak_power_w"] is None:
            raise ValueError(
                "is required unless the physical radar equation is given (peak_power_w, "
                "frequency_hz, antenna_gain_db or effective_aperture_m2, pulse_width_s or "
                "bandwidth_hz)"
            )
        if value is not None and physical["peak_power_w"] is not None:
            raise ValueError("must be left out when peak_power_w is given (one detection model)")
        if value is None:
            missing = []
            if physical["frequency_hz"] is None:
                missing.append("frequency_hz")
            if info.data.get("antenna_gain_db") is None and (
                info.data.get("effective_aperture_m2") is None
            ):
                missing.append("antenna_gain_db or effective_aperture_m2")
            if info.data.get("pulse_width_s") is None and info.data.get("bandwidth_hz") is None:
                missing.append("pulse_width_s or bandwidth_hz")
            if missing:
                raise ValueError(
                    "is not given, so the physical radar equation needs "
                    + ", ".join(missing)
                    + " as well as peak_power_w"
                )
        return value


def sensor_problems(s: Scenario) -> Iterable[str]:
    """Rules on a radar's cost: its resolution cells and expected false alarms per scan.

    Counted by the run's own code (``iadsim.sensors``) from the radar as built, so the limit
    applies to exactly what a run would draw.
    """
    from iadsim.sensors.look import false_alarm_cell_factors
    from iadsim.sensors.radar import site_from_spec
    from iadsim.world.frames import Origin

    for i, spec in enumerate(s.sensors):
        if spec.reference_range_m is not None and spec.reference_pd <= spec.pfa:
            continue  # no radar to build: data_cross_field_problems names both fields
        site = site_from_spec(spec, i, Origin(spec.position.lat_deg, spec.position.lon_deg))
        gates, beams, levels = false_alarm_cell_factors(site)
        cells = gates * beams * levels
        if cells > MAX_RESOLUTION_CELLS:
            if gates >= max(beams, levels):
                field = "range_resolution_m" if spec.range_resolution_m is not None or (
                    spec.bandwidth_hz is None) else "bandwidth_hz"
            else:
                field = "azimuth_beamwidth_deg" if beams >= levels else "elevation_beamwidth_deg"
            yield (
                f"sensors[{i}].{field} gives {cells:.3g} resolution cells per scan "
                f"({gates:.3g} range gates x {beams:.3g} azimuth beams x {levels:.3g} elevation "
                f"beams), over the limit of {MAX_RESOLUTION_CELLS:.0e}: coarsen the range "
                f"resolution or widen the beams (got {getattr(spec, field)!r})"
            )
            continue
        if spec.false_alarms_per_scan is None and spec.pfa * cells > MAX_FALSE_ALARMS_PER_SCAN:
            yield (
                f"sensors[{i}].pfa gives {spec.pfa * cells:.3g} expected false alarms per scan "
                f"(pfa x {cells:.3g} resolution cells), over the limit of "
                f"{MAX_FALSE_ALARMS_PER_SCAN:.0f}: lower pfa, coarsen the resolution or set "
                f"false_alarms_per_scan (got {spec.pfa!r})"
            )
            continue
        frame = _search_frame_problem(spec, site.search, f"sensors[{i}]")
        if frame is not None:
            yield frame


MAX_SEARCH_FRAME_S = 600.0
"""Longest multifunction search frame (the ``scan_period_s`` cap)."""
FRAME_TOLERANCE = 0.01
"""A multifunction ``scan_period_s`` must give a frame this close to itself (relative)."""


def _search_frame_problem(spec: SensorSpec, search: SearchBudget | None, where: str
                          ) -> str | None:
    """A multifunction search frame too long, or not the ``scan_period_s`` asked for."""
    if search is None or spec.prf_hz is None:
        return None
    how = (f"{search.beam_positions} beam positions x {search.pulses_per_beam} pulses x "
           f"{search.dwell_s / search.pulses_per_beam * 1e3:.4g} ms (the longer of 1 / prf_hz "
           f"and 2 x search_range_m / c)")
    if spec.scan_period_s is None and search.frame_s > MAX_SEARCH_FRAME_S:
        return (f"{where}.search_pulses_per_beam gives a search frame of {search.frame_s:.4g} s "
                f"({how}), over the limit of {MAX_SEARCH_FRAME_S:.0f} s "
                f"(got {spec.search_pulses_per_beam!r})")
    if spec.scan_period_s is not None and abs(search.frame_s - spec.scan_period_s) > (
            FRAME_TOLERANCE * spec.scan_period_s):
        return (f"{where}.scan_period_s cannot be met: whole pulses per beam give a frame of "
                f"{search.frame_s:.4g} s ({how}); give that frame, or search_pulses_per_beam, "
                f"or fewer beam positions (got {spec.scan_period_s!r})")
    return None
