"""Coastlines and land borders for the replay map, drawn offline from the shipped asset.

In: a longitude/latitude box. Out: polylines as ``(lon_deg, lat_deg)`` arrays with NaN
between lines, ready for a plotly ``Scatter`` of ``mode="lines"``. The data is Natural Earth
1:50m (public domain), see ``assets/README.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np
from numpy.typing import NDArray

ASSET = "basemap_50m.npz"


@dataclass(frozen=True, slots=True)
class Polylines:
    """Lines as one pair of arrays, NaN between consecutive lines."""

    lon_deg: NDArray[np.float64]
    lat_deg: NDArray[np.float64]

    @property
    def n_points(self) -> int:
        """Number of finite points."""
        return int(np.isfinite(self.lon_deg).sum())


def _decode(data: np.lib.npyio.NpzFile, kind: str) -> tuple[NDArray, NDArray, NDArray]:
    """Absolute lon/lat of every point of ``kind`` and the arc index of each point."""
    steps = data[f"{kind}_steps"].astype(np.int64)
    lengths = data[f"{kind}_lengths"].astype(np.int64)
    arc = np.repeat(np.arange(lengths.size), lengths)
    total = np.cumsum(steps, axis=0)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    before = np.zeros_like(total)
    before[1:] = total[:-1]
    absolute = total - np.repeat(before[starts], lengths, axis=0)
    scale, translate = data["scale"], data["translate"]
    return (
        absolute[:, 0] * scale[0] + translate[0],
        absolute[:, 1] * scale[1] + translate[1],
        arc,
    )


def _clip(
    lon: NDArray, lat: NDArray, arc: NDArray, bounds: tuple[float, float, float, float]
) -> Polylines:
    """Keep the points inside ``bounds`` and their neighbours, split where lines leave it."""
    lon_min, lon_max, lat_min, lat_max = bounds
    inside = (lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max)
    same_prev = np.zeros_like(inside)
    same_prev[1:] = arc[1:] == arc[:-1]
    same_next = np.zeros_like(inside)
    same_next[:-1] = same_prev[1:]
    keep = inside.copy()
    keep[1:] |= inside[:-1] & same_prev[1:]
    keep[:-1] |= inside[1:] & same_next[:-1]
    idx = np.flatnonzero(keep)
    if idx.size == 0:
        return Polylines(np.zeros(0), np.zeros(0))
    # a new line starts where the kept points are not consecutive or the arc changes
    breaks = np.flatnonzero((np.diff(idx) != 1) | (arc[idx[1:]] != arc[idx[:-1]])) + 1
    out_lon = np.insert(lon[idx], breaks, np.nan)
    out_lat = np.insert(lat[idx], breaks, np.nan)
    return Polylines(out_lon.astype(np.float64), out_lat.astype(np.float64))


def load_basemap(
    lon_min_deg: float, lon_max_deg: float, lat_min_deg: float, lat_max_deg: float
) -> dict[str, Polylines]:
    """Coastlines and borders inside a box, as ``{"coastline": ..., "border": ...}``.

    Parameters
    ----------
    lon_min_deg, lon_max_deg, lat_min_deg, lat_max_deg
        The box, in degrees; lines crossing its edge keep their first point outside it.
    """
    with resources.files("iadsim.reports").joinpath("assets", ASSET).open("rb") as fh:
        with np.load(fh) as data:
            out = {}
            for kind in ("coastline", "border"):
                lon, lat, arc = _decode(data, kind)
                box = (lon_min_deg, lon_max_deg, lat_min_deg, lat_max_deg)
                out[kind] = _clip(lon, lat, arc, box)
    return out
