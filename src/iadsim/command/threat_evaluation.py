"""Threat evaluation: which asset each track heads for, when it gets there, how much it matters.

For every (track, asset) pair the closest point of approach (CPA) of the track's straight-line
prediction is computed at once. A track threatens an asset when its CPA falls inside the asset's
radius (plus a margin); its score is the asset value divided by the time to reach it. Tracks that
head for no asset still score, much lower, by their nearest asset and distance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from iadsim.tracking.batch import TrackBatch

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
    return ThreatAssessment(asset, any_heading, time_to_asset, score, np.argsort(-score, kind="stable"))
