"""Sensors stage: false alarms from the set Pfa and the resolution cells a look covers.

In: ``pfa`` (per cell, per look), the covered volume in the radar's measurement coordinates
(range interval, azimuth sectors, elevation interval) and the resolution that divides it into
cells. Out: a Poisson number of false alarms, each in a cell chosen uniformly over the covered
cells, i.e. uniform in (range, azimuth, elevation) over the covered volume.

The count of cells that cross the threshold on noise alone is Binomial(n_cells, pfa); with
millions of cells and pfa ~ 1e-6 that is Poisson with mean ``pfa * n_cells`` to within
``pfa`` relative, which is the draw used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True, slots=True)
class FalseAlarms:
    """Positions of one look's false alarms in the radar's frame, one row each."""

    range_m: NDArray[np.float64]  # (k,)
    azimuth_rad: NDArray[np.float64]  # (k,)
    elevation_rad: NDArray[np.float64]  # (k,)

    def __len__(self) -> int:
        return int(self.range_m.shape[0])


def sector_widths_rad(sectors_rad: ArrayLike) -> NDArray[np.float64]:
    """Width of each azimuth sector ``(start, end)``, clockwise from start; ``(k,)``.

    A sector whose end is below its start wraps through north; ``(0, 2 pi)`` is all round.
    """
    s = np.asarray(sectors_rad, dtype=float).reshape(-1, 2)
    width = np.mod(s[:, 1] - s[:, 0], 2.0 * np.pi)
    return np.where((width == 0.0) & (s[:, 1] != s[:, 0]), 2.0 * np.pi, width)


def in_sectors(azimuth_rad: ArrayLike, sectors_rad: ArrayLike) -> NDArray[np.bool_]:
    """Which azimuths (clockwise from north) fall in any of the sectors, shape ``(n,)``."""
    az = np.mod(np.asarray(azimuth_rad, dtype=float), 2.0 * np.pi)
    s = np.asarray(sectors_rad, dtype=float).reshape(-1, 2)
    widths = sector_widths_rad(s)
    offset = np.mod(az[:, None] - s[None, :, 0], 2.0 * np.pi)
    return np.any(offset <= widths[None, :], axis=1)


def resolution_cell_factors(
    *,
    min_range_m: float,
    max_range_m: float,
    range_resolution_m: float,
    azimuth_extent_rad: float,
    azimuth_resolution_rad: float,
    elevation_extent_rad: float = 0.0,
    elevation_resolution_rad: float = np.inf,
) -> tuple[float, float, float]:
    """Range gates, azimuth beams and elevation beams of a look (at least 1 each).

    A fan beam (``elevation_resolution_rad = inf``) counts one elevation cell. Counts are
    floats: nothing is allocated per cell, so any resolution is safe to count.
    """
    gates = max((max_range_m - min_range_m) / range_resolution_m, 1.0)
    beams = max(azimuth_extent_rad / azimuth_resolution_rad, 1.0)
    levels = 1.0
    if np.isfinite(elevation_resolution_rad):
        levels = max(elevation_extent_rad / elevation_resolution_rad, 1.0)
    return float(gates), float(beams), float(levels)


def resolution_cell_count(**geometry: float) -> float:
    """Resolution cells in a look: gates x azimuth beams x elevation beams (at least 1 each).

    Takes the keywords of :func:`resolution_cell_factors`; a fan beam counts one elevation
    cell.
    """
    gates, beams, levels = resolution_cell_factors(**geometry)
    return gates * beams * levels


def mean_false_alarms(pfa: float, n_cells: float) -> float:
    """Expected false alarms per look: ``pfa * n_cells``."""
    return float(pfa * n_cells)


def draw_false_alarms(
    *,
    pfa: float,
    n_cells: float,
    min_range_m: float,
    max_range_m: float,
    min_elevation_rad: float,
    max_elevation_rad: float,
    sectors_rad: ArrayLike = ((0.0, 2.0 * np.pi),),
    rng: np.random.Generator,
) -> FalseAlarms:
    """One look's false alarms: Poisson count, uniform over the covered cells.

    Parameters
    ----------
    pfa : float
        False-alarm probability per cell per look.
    n_cells : float
        Resolution cells covered by the look (:func:`resolution_cell_count`).
    min_range_m, max_range_m : float
        Instrumented range interval (blind range to maximum range).
    min_elevation_rad, max_elevation_rad : float
        Elevation interval searched.
    sectors_rad : array_like, shape (k, 2)
        Azimuth sectors searched, ``(start, end)`` clockwise from north.
    rng : numpy.random.Generator
        The sensors stage's generator.
    """
    count = int(rng.poisson(mean_false_alarms(pfa, n_cells)))
    s = np.asarray(sectors_rad, dtype=float).reshape(-1, 2)
    widths = sector_widths_rad(s)
    # One uniform draw across the concatenated sectors, then mapped back to its sector.
    u = rng.uniform(0.0, float(widths.sum()), count)
    edges = np.concatenate([[0.0], np.cumsum(widths)])
    which = np.clip(np.searchsorted(edges, u, side="right") - 1, 0, len(widths) - 1)
    azimuth = np.mod(s[which, 0] + (u - edges[which]), 2.0 * np.pi)
    return FalseAlarms(
        range_m=rng.uniform(min_range_m, max_range_m, count),
        azimuth_rad=azimuth,
        elevation_rad=rng.uniform(min_elevation_rad, max_elevation_rad, count),
    )
