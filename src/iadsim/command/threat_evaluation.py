"""Threat evaluation: what each track is, which asset it heads for, when, how much it matters.

Classification (:func:`classify_tracks`) sorts tracks into the scenario's threat types from
their kinematics alone (speed, altitude, climb and a ballistic fit: fast, high, or diving
steeply and fast; an anti-radiation missile: fast and diving on a defence radar); an optional
confusion matrix then reports a wrong type with the given probabilities, one persistent draw
per track.

For every (track, asset) pair the closest point of approach (CPA) of the track's straight-line
prediction is computed at once. A track threatens an asset when its CPA falls inside the asset's
radius (plus a margin); its score is the asset value divided by the time to reach it. Tracks that
head for no asset still score, much lower, by their nearest asset and distance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.command.plausibility import credible_motion
from iadsim.scenario.command_spec import ClassificationSpec, FireControlSpec
from iadsim.scenario.model import THREAT_TYPES
from iadsim.tracking.batch import TrackBatch
from iadsim.world.frames import Origin, approx_altitude_m, geodetic_to_enu

HEADING_MARGIN_M = 5_000.0
"""A CPA within radius + this margin counts as heading for the asset."""
LOITER_WEIGHT = 0.1
"""Score weight of a track that heads for no asset, relative to one that does."""


@dataclass(frozen=True, slots=True)
class ThreatAssessment:
    """One row per track, in the TrackBatch's order."""

    asset: NDArray[np.int64]  # asset threatened (or nearest), (n,)
    heading_for_asset: NDArray[np.bool_]  # CPA inside the asset's radius + margin
    time_to_asset_s: NDArray[np.float64]  # time to reach the asset radius (+inf if never)
    score: NDArray[np.float64]  # value / time, higher first
    rank: NDArray[np.intp]  # row indices sorted by decreasing score


def evaluate_threats(
    tracks: TrackBatch,
    asset_position_enu_m: NDArray[np.float64],
    asset_value: NDArray[np.float64],
    asset_radius_m: NDArray[np.float64],
) -> ThreatAssessment:
    """Score tracks against assets (ground-plane CPA; n tracks x a assets at once)."""
    p = tracks.position_enu_m[:, None, :2] - asset_position_enu_m[None, :, :2]  # (n, a, 2)
    v = tracks.velocity_enu_mps[:, None, :2]
    vv = np.maximum(np.sum(v * v, axis=2), 1e-9)
    t_cpa = np.maximum(-np.sum(p * v, axis=2) / vv, 0.0)
    cpa_m = np.linalg.norm(p + v * t_cpa[..., None], axis=2)
    dist_m = np.linalg.norm(p, axis=2)
    heading = cpa_m <= asset_radius_m + HEADING_MARGIN_M
    # time to enter the radius along the straight line (0 when inside already)
    half_chord = np.sqrt(np.maximum(asset_radius_m**2 - cpa_m**2, 0.0))
    t_enter = np.where(
        dist_m <= asset_radius_m, 0.0, np.maximum(t_cpa - half_chord / np.sqrt(vv), 0.0)
    )
    time_to = np.where(heading, t_enter, np.inf)
    urgency = np.where(heading, asset_value / np.maximum(time_to, 1.0), -np.inf)
    best = np.argmax(urgency, axis=1) if urgency.shape[1] else np.zeros(len(tracks), np.intp)
    rows = np.arange(len(tracks))
    any_heading = heading.any(axis=1) if heading.shape[1] else np.zeros(len(tracks), bool)
    speed = np.sqrt(vv[:, 0]) if vv.shape[1] else np.ones(len(tracks))
    nearest = np.argmin(dist_m, axis=1) if dist_m.shape[1] else np.zeros(len(tracks), np.intp)
    loiter = LOITER_WEIGHT * asset_value[nearest] / np.maximum(dist_m[rows, nearest] / speed, 1.0)
    score = np.where(any_heading, urgency[rows, best], loiter)
    asset = np.where(any_heading, best, nearest).astype(np.int64)
    time_to_asset = np.where(any_heading, time_to[rows, best], np.inf)
    return ThreatAssessment(
        asset, any_heading, time_to_asset, score, np.argsort(-score, kind="stable")
    )


def track_altitude_m(tracks: TrackBatch, origin: Origin) -> NDArray[np.float64]:
    """Height of each track above the earth, ``(n,)``: not the ENU up coordinate, which falls
    below zero with distance from the origin (about -1,400 m for a sea-skimmer 133 km away)."""
    return approx_altitude_m(tracks.position_enu_m, origin).reshape(len(tracks))


def classify_kinematics(
    tracks: TrackBatch, spec: ClassificationSpec, origin: Origin,
    fire_control: FireControlSpec | None = None,
    radar_enu_m: NDArray[np.float64] | None = None,
) -> NDArray[np.int64]:
    """Threat type (index into ``THREAT_TYPES``) of each track from its kinematics, ``(n,)``.

    Altitudes are heights above the earth at each track (``track_altitude_m``).

    Rules, first match wins: ballistic missile (speed >= ballistic_min_speed_mps, or altitude
    >= ballistic_min_altitude_m, or a steep fast dive: descent > half the speed at > 600 m/s);
    UAV (speed <= uav_max_speed_mps); cruise missile (altitude <= cruise_max_altitude_m);
    reconnaissance aircraft (altitude >= recon_min_altitude_m); aircraft otherwise.

    With the ``fire_control`` class table, a track called ballistic only for its speed (below
    ballistic_min_altitude_m) whose motion no ballistic missile can fly (level below
    ``ballistic_steep_below_m``: ``command.plausibility.credible_motion``) is the air-breathing
    type it can be: the altitude rule's type if credible, else the first credible of cruise
    missile, reconnaissance aircraft, aircraft (a 1,050 m/s level target at 5 km is a cruise
    missile); if none is credible it stays ballistic (and draws no round: a ghost).
    With the defence's radar positions ``radar_enu_m`` (m, 3), an anti-radiation missile
    (diving on a radar, or in its cruise at one: :func:`arm_target_radar`) overrides all but
    the ballistic speed and altitude rules.
    """
    v = tracks.velocity_enu_mps
    speed = np.linalg.norm(v, axis=1)
    alt = track_altitude_m(tracks, origin)
    climb = v[:, 2]  # local vertical to within a degree over a few hundred km
    ballistic = (
        (speed >= spec.ballistic_min_speed_mps)
        | (alt >= spec.ballistic_min_altitude_m)
        | ((-climb > 0.5 * speed) & (speed > 600.0))
    )
    kind = np.full(len(tracks), THREAT_TYPES.index("aircraft"), dtype=np.int64)
    kind[alt >= spec.recon_min_altitude_m] = THREAT_TYPES.index("recon_aircraft")
    kind[alt <= spec.cruise_max_altitude_m] = THREAT_TYPES.index("cruise_missile")
    kind[speed <= spec.uav_max_speed_mps] = THREAT_TYPES.index("uav")
    if fire_control is not None:
        kind, ballistic = _air_breather_if_not_ballistic(tracks, kind, ballistic, alt, spec,
                                                         fire_control, origin)
    kind[ballistic] = THREAT_TYPES.index("ballistic_missile")
    if radar_enu_m is not None and len(tracks):
        arm = arm_target_radar(tracks, spec, alt, radar_enu_m) < np.inf
        arm &= (speed < spec.ballistic_min_speed_mps) & (alt < spec.ballistic_min_altitude_m)
        kind[arm] = THREAT_TYPES.index("anti_radiation_missile")
    return kind


def _air_breather_if_not_ballistic(
    tracks: TrackBatch, kind: NDArray[np.int64], ballistic: NDArray[np.bool_],
    alt: NDArray[np.float64], spec: ClassificationSpec, fire_control: FireControlSpec,
    origin: Origin,
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """``(kind, ballistic)`` with the rule's type (or the first credible air-breathing one) for
    the fast tracks that cannot be ballistic, and those no longer ballistic."""
    p, v = tracks.position_enu_m, tracks.velocity_enu_mps
    as_ballistic = np.full(len(tracks), THREAT_TYPES.index("ballistic_missile"), np.int64)
    doubt = ballistic & (alt < spec.ballistic_min_altitude_m) & ~credible_motion(
        p, v, as_ballistic, fire_control, origin)
    if not doubt.any():
        return kind, ballistic
    out, left = kind.copy(), doubt.copy()
    for name in (None, "cruise_missile", "recon_aircraft", "aircraft"):
        trial = kind if name is None else np.full(len(tracks), THREAT_TYPES.index(name))
        fits = left & credible_motion(p, v, trial, fire_control, origin)
        out[fits], left = trial[fits], left & ~fits
    return out, ballistic & ~(doubt & ~left)


def radar_positions_enu_m(sensors: Sequence[Any], origin: Origin) -> NDArray[np.float64]:
    """ENU positions (m, 3) of the scenario's ``sensors`` (their ``position`` fields)."""
    out = np.array([geodetic_to_enu(s.position.lat_deg, s.position.lon_deg, s.position.alt_m,
                                    origin) for s in sensors], float)
    return out.reshape(-1, 3)


def diving_on_radar(tracks: TrackBatch, spec: ClassificationSpec, altitude_m: NDArray[np.float64],
                    radar_enu_m: NDArray[np.float64]) -> NDArray[np.float64]:
    """The radar (index into ``radar_enu_m`` (m, 3)) each track dives on as an anti-radiation
    missile would, as a float (inf: none), ``(n,)``.

    An ARM's profile: fast (speed >= ``arm_min_speed_mps``), diving at least
    ``arm_min_dive_deg`` below the horizontal, and the ground point of its straight dive
    (``altitude / descent rate`` ahead) within ``arm_aim_radius_m`` of a radar (ground plane).
    """
    v = tracks.velocity_enu_mps
    horizontal = np.hypot(v[:, 0], v[:, 1])
    descent = -v[:, 2]
    fast = np.linalg.norm(v, axis=1) >= spec.arm_min_speed_mps
    diving = descent >= np.tan(np.radians(spec.arm_min_dive_deg)) * horizontal
    out = np.full(len(tracks), np.inf)
    rows = np.flatnonzero(fast & diving & (descent > 0.0))
    if rows.size == 0 or len(radar_enu_m) == 0:
        return out
    ahead_s = np.maximum(altitude_m[rows], 0.0) / descent[rows]  # to the ground, straight
    ground = tracks.position_enu_m[rows, None, :2] + v[rows, None, :2] * ahead_s[:, None, None]
    miss = np.linalg.norm(ground - np.asarray(radar_enu_m)[None, :, :2], axis=2)  # (k, m)
    near = np.argmin(miss, axis=1)
    hit = miss[np.arange(rows.size), near] <= spec.arm_aim_radius_m
    out[rows[hit]] = near[hit]
    return out


def cruising_at_radar(tracks: TrackBatch, spec: ClassificationSpec,
                      radar_enu_m: NDArray[np.float64]) -> NDArray[np.float64]:
    """The radar (index into ``radar_enu_m`` (m, 3), as a float; inf: none) each track flies
    at as an anti-radiation missile in its cruise would, ``(n,)``.

    Fast (speed >= ``arm_cruise_min_speed_mps``; None: no cruise rule), level (climb or
    descent under ``arm_min_dive_deg``) and its straight ground track passing within
    ``arm_aim_radius_m`` of a radar ahead (ground-plane CPA; the nearest pass wins). A
    fast jet flying straight over a radar reads as one too: the price of calling an ARM
    before its dive (the dive is short: 25 s from 12 km at 35 degrees and 700 m/s).
    """
    out = np.full(len(tracks), np.inf)
    if spec.arm_cruise_min_speed_mps is None or len(radar_enu_m) == 0 or len(tracks) == 0:
        return out
    v = tracks.velocity_enu_mps
    horizontal = np.hypot(v[:, 0], v[:, 1])
    level = np.abs(v[:, 2]) < np.tan(np.radians(spec.arm_min_dive_deg)) * horizontal
    rows = np.flatnonzero(level & (np.linalg.norm(v, axis=1) >= spec.arm_cruise_min_speed_mps))
    if rows.size == 0:
        return out
    p = np.asarray(radar_enu_m)[None, :, :2] - tracks.position_enu_m[rows, None, :2]  # (k, m, 2)
    u = v[rows, None, :2] / horizontal[rows, None, None]
    along = np.sum(p * u, axis=2)  # distance ahead to the CPA
    miss = np.where(along > 0.0, np.abs(p[..., 0] * u[..., 1] - p[..., 1] * u[..., 0]), np.inf)
    near = np.argmin(miss, axis=1)
    hit = miss[np.arange(rows.size), near] <= spec.arm_aim_radius_m
    out[rows[hit]] = near[hit]
    return out


def arm_target_radar(tracks: TrackBatch, spec: ClassificationSpec,
                     altitude_m: NDArray[np.float64],
                     radar_enu_m: NDArray[np.float64]) -> NDArray[np.float64]:
    """The radar each track attacks as an anti-radiation missile (float index, inf: none):
    the one it dives on (:func:`diving_on_radar`), else the one it cruises at
    (:func:`cruising_at_radar`)."""
    dive = diving_on_radar(tracks, spec, altitude_m, radar_enu_m)
    return np.where(np.isfinite(dive), dive, cruising_at_radar(tracks, spec, radar_enu_m))


def value_arms_by_radar(assess: ThreatAssessment, tracks: TrackBatch, kind: NDArray[np.int64],
                        spec: ClassificationSpec, origin: Origin,
                        radar_enu_m: NDArray[np.float64], radar_value: float
                        ) -> ThreatAssessment:
    """``assess`` with every track reported as an anti-radiation missile that attacks a radar
    (:func:`arm_target_radar`) valued by that radar: score ``radar_value`` / seconds to it
    (ground distance / ground speed: an ARM's profile flies its ground speed), heading for it,
    and that time as the deadline of an intercept (not the loiter score of the nearest
    defended asset, which an ARM flying at a radar beside it never enters)."""
    arm = np.flatnonzero(kind == THREAT_TYPES.index("anti_radiation_missile"))
    if arm.size == 0 or len(radar_enu_m) == 0:
        return assess
    sub = tracks.take(arm)
    radar = arm_target_radar(sub, spec, track_altitude_m(sub, origin), radar_enu_m)
    ok = np.isfinite(radar)
    if not ok.any():
        return assess
    rows, r = arm[ok], radar[ok].astype(np.intp)
    v = tracks.velocity_enu_mps[rows]
    ground_m = np.linalg.norm(radar_enu_m[r, :2] - tracks.position_enu_m[rows, :2], axis=1)
    time_s = ground_m / np.maximum(np.hypot(v[:, 0], v[:, 1]), 1.0)
    score, heading, time_to = assess.score.copy(), assess.heading_for_asset.copy(), \
        assess.time_to_asset_s.copy()
    score[rows] = radar_value / np.maximum(time_s, 1.0)
    heading[rows], time_to[rows] = True, time_s
    return ThreatAssessment(assess.asset, heading, time_to, score,
                            np.argsort(-score, kind="stable"))


def confusion_matrix(spec: ClassificationSpec) -> NDArray[np.float64]:
    """(types, types) row-stochastic P(reported | kinematic); identity rows where not given."""
    k = len(THREAT_TYPES)
    out = np.eye(k)
    for true_type, row in (spec.confusion or {}).items():
        i = THREAT_TYPES.index(true_type)
        out[i] = 0.0
        for reported, p in row.items():
            out[i, THREAT_TYPES.index(reported)] = p
    return out


def classify_tracks(
    tracks: TrackBatch, spec: ClassificationSpec, draw: NDArray[np.float64], origin: Origin,
    fire_control: FireControlSpec | None = None,
    radar_enu_m: NDArray[np.float64] | None = None,
) -> NDArray[np.int64]:
    """Reported threat type per track: kinematic type (``classify_kinematics``, with the
    ``fire_control`` class table and the defence's radars ``radar_enu_m``, which
    anti-radiation missiles dive on, if given), then the confusion matrix row sampled by
    inverse CDF with each track's own uniform ``draw`` (n,) (persistent per threat)."""
    kind = classify_kinematics(tracks, spec, origin, fire_control, radar_enu_m)
    if spec.confusion is None or len(tracks) == 0:
        return kind
    cdf = np.cumsum(confusion_matrix(spec), axis=1)[kind]  # (n, types)
    reported = np.sum(draw[:, None] >= cdf, axis=1)
    return np.minimum(reported, len(THREAT_TYPES) - 1).astype(np.int64)
