"""Shared pieces of the report figures: colours, escaping, rings on the earth, time snapping.

Stage: reports (read results only). Nothing here touches the simulation.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from iadsim.figures import file_stems, mpl_text  # noqa: F401  (re-exported: older imports)
from iadsim.world.frames import EARTH_RADIUS_M, EFFECTIVE_EARTH_FACTOR

THREAT_COLORS: dict[str, str] = {
    "aircraft": "#1f77b4",
    "recon_aircraft": "#17becf",
    "cruise_missile": "#d62728",
    "uav": "#ff7f0e",
    "ballistic_missile": "#9467bd",
    "anti_radiation_missile": "#e377c2",
}
THREAT_SYMBOLS: dict[str, str] = {
    "aircraft": "triangle-up",
    "recon_aircraft": "diamond",
    "cruise_missile": "triangle-right",
    "uav": "square",
    "ballistic_missile": "star",
    "anti_radiation_missile": "x",
}
FATE_COLORS: dict[str, str] = {
    "killed": "#2ca02c",
    "leaked": "#d62728",
    "flying": "#7f7f7f",
    "ended": "#bcbd22",
}
CLASS_PALETTE: tuple[str, ...] = ("#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#1f77b4")
_FALLBACK = ("#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173")


def threat_color(threat_type: str) -> str:
    """Colour of a threat type (a stable fallback for types this module does not know)."""
    if threat_type in THREAT_COLORS:
        return THREAT_COLORS[threat_type]
    return _FALLBACK[sum(map(ord, threat_type)) % len(_FALLBACK)]


def fate_color(fate: str) -> str:
    """Colour of a threat's fate."""
    return FATE_COLORS.get(fate, "#7f7f7f")


def esc(text: object) -> str:
    """A user-written name made safe for plotly text (``<script>`` shows as text).

    plotly.js turns ``&lt;``, ``&gt;`` and ``&amp;`` back into characters but shows
    ``&quot;`` as it is, so quotes stay quotes; HTML is escaped by :func:`esc_html`.
    """
    return html.escape(str(text), quote=False)


def esc_html(text: object) -> str:
    """User text made safe for HTML text and attribute values."""
    return html.escape(str(text), quote=True)


def pretty(name: str) -> str:
    """``cruise_missile`` -> ``cruise missile``."""
    return str(name).replace("_", " ")


def ordered_types(types: Iterable[str]) -> list[str]:
    """Threat types in the package's canonical order, unknown ones after, alphabetically."""
    present = {str(t) for t in types}
    known = [t for t in THREAT_COLORS if t in present]
    return known + sorted(present - set(known))


def ring_lonlat(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    radius_m: ArrayLike,
    n_points: int = 72,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Circles of great-circle radius ``radius_m`` around points, NaN between circles.

    Spherical earth (radius ``EARTH_RADIUS_M``), the destination-point formula; shape of each
    output is ``(n * (n_points + 2),)`` for ``n`` centres (closed ring plus a NaN).
    """
    lat0 = np.radians(np.atleast_1d(np.asarray(lat_deg, dtype=float)))[:, None]
    lon0 = np.radians(np.atleast_1d(np.asarray(lon_deg, dtype=float)))[:, None]
    delta = (np.atleast_1d(np.asarray(radius_m, dtype=float)) / EARTH_RADIUS_M)[:, None]
    theta = np.linspace(0.0, 2.0 * np.pi, n_points + 1)[None, :]
    lat = np.arcsin(
        np.sin(lat0) * np.cos(delta) + np.cos(lat0) * np.sin(delta) * np.cos(theta)
    )
    lon = lon0 + np.arctan2(
        np.sin(theta) * np.sin(delta) * np.cos(lat0),
        np.cos(delta) - np.sin(lat0) * np.sin(lat),
    )
    pad = np.full((lat.shape[0], 1), np.nan)
    return (
        np.hstack([np.degrees(lon), pad]).ravel(),
        np.hstack([np.degrees(lat), pad]).ravel(),
    )


def horizon_range_m(antenna_alt_m: float, target_alt_m: float) -> float:
    """Radar-horizon range between two heights over the 4/3-earth (standard refraction)."""
    k_re = EFFECTIVE_EARTH_FACTOR * EARTH_RADIUS_M
    return float(
        np.sqrt(2.0 * k_re * max(antenna_alt_m, 0.0)) + np.sqrt(2.0 * k_re * max(target_alt_m, 0.0))
    )


def snap_rows(
    times_s: NDArray[np.float64], frame_times_s: NDArray[np.float64], max_age_s: float
) -> list[NDArray[np.intp]]:
    """For each frame time, the rows sampled at the latest sample time at or before it.

    ``times_s`` is a table's ``time_s`` column; a frame gets no rows if that latest sample is
    older than ``max_age_s`` (the table has ended) or there is none yet.
    """
    times_s = np.asarray(times_s, dtype=float)
    if times_s.size == 0:
        return [np.zeros(0, dtype=np.intp) for _ in frame_times_s]
    order = np.argsort(times_s, kind="stable")
    uniq, first = np.unique(times_s[order], return_index=True)
    bounds = np.append(first, times_s.size)
    k = np.searchsorted(uniq, frame_times_s, side="right") - 1
    out: list[NDArray[np.intp]] = []
    for frame_t, ki in zip(frame_times_s, k, strict=True):
        if ki < 0 or frame_t - uniq[ki] > max_age_s:
            out.append(np.zeros(0, dtype=np.intp))
        else:
            out.append(order[bounds[ki] : bounds[ki + 1]])
    return out


def sample_step_s(times_s: pd.Series | NDArray[np.float64]) -> float:
    """Median spacing of a table's distinct sample times (1.0 if it has fewer than two)."""
    uniq = np.unique(np.asarray(times_s, dtype=float))
    return float(np.median(np.diff(uniq))) if uniq.size >= 2 else 1.0
