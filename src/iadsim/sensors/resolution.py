"""Sensors stage: targets a radar cannot resolve become one detection.

In: the (range, azimuth, elevation) and echo power of every target a look illuminates, and the
radar's resolution (range gate, azimuth and elevation beam widths). Out: one merged echo per
occupied resolution cell: the power sum, the power-weighted centroid and the strongest member
(whose truth id the detection carries).

Cells are the radar's own fixed range gates and beam positions: gate ``floor(range /
range_resolution)``, beam ``floor(azimuth / azimuth_resolution)`` and likewise in elevation
(``inf`` resolution for a fan beam that does not measure elevation finely). Targets in one
cell give one echo, so a raid in close formation shows fewer detections than aircraft; targets
in different cells are resolved, as a radar without a plot extractor would report them.
Vectorised: one ``lexsort`` and a few ``bincount`` calls, no loop over targets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True, slots=True)
class MergedEchoes:
    """One row per occupied resolution cell, ordered by ``representative_row``.

    ``cell_of_row[i]`` is the row of this batch that input row ``i`` merged into.
    """

    cell_of_row: NDArray[np.intp]  # (n,) input row -> merged row
    representative_row: NDArray[np.intp]  # (m,) strongest input row of each cell
    member_count: NDArray[np.int64]  # (m,)
    range_m: NDArray[np.float64]  # (m,) power-weighted centroid
    azimuth_rad: NDArray[np.float64]  # (m,)
    elevation_rad: NDArray[np.float64]  # (m,)
    power: NDArray[np.float64]  # (m,) sum of member powers (any linear unit, e.g. SNR)

    def __len__(self) -> int:
        return int(self.representative_row.shape[0])


def resolution_cells(
    range_m: ArrayLike,
    azimuth_rad: ArrayLike,
    elevation_rad: ArrayLike,
    *,
    range_resolution_m: float,
    azimuth_resolution_rad: float,
    elevation_resolution_rad: float = np.inf,
) -> NDArray[np.int64]:
    """Integer (gate, azimuth beam, elevation beam) indices, shape ``(n, 3)``."""
    r = np.asarray(range_m, dtype=float)
    az = np.mod(np.asarray(azimuth_rad, dtype=float), 2.0 * np.pi)
    el = np.asarray(elevation_rad, dtype=float)
    cells = np.empty((r.shape[0], 3), dtype=np.int64)
    cells[:, 0] = np.floor(r / range_resolution_m)
    cells[:, 1] = np.floor(az / azimuth_resolution_rad)
    if np.isinf(elevation_resolution_rad):
        cells[:, 2] = 0
    else:
        cells[:, 2] = np.floor((el + 0.5 * np.pi) / elevation_resolution_rad)
    return cells


def merge_unresolved(
    range_m: ArrayLike,
    azimuth_rad: ArrayLike,
    elevation_rad: ArrayLike,
    power: ArrayLike,
    *,
    range_resolution_m: float,
    azimuth_resolution_rad: float,
    elevation_resolution_rad: float = np.inf,
    group: ArrayLike | None = None,
) -> MergedEchoes:
    """Merge echoes that share a resolution cell (and a ``group``, e.g. a look or a radar).

    Parameters
    ----------
    range_m, azimuth_rad, elevation_rad : array_like, shape (n,)
        True position of each illuminated target in the radar's frame.
    power : array_like, shape (n,)
        Echo power of each target in any linear unit (SNR per pulse is usual); > 0.
    range_resolution_m, azimuth_resolution_rad, elevation_resolution_rad : float
        Cell sizes; ``inf`` elevation resolution puts all elevations in one cell.
    group : array_like of int, shape (n,), optional
        Echoes merge only within one group (radar id or look index).

    Returns
    -------
    MergedEchoes
        Cells ordered by their strongest member's row, so an input without unresolved targets
        comes back in its own order.
    """
    r = np.asarray(range_m, dtype=float)
    az = np.asarray(azimuth_rad, dtype=float)
    el = np.asarray(elevation_rad, dtype=float)
    p = np.asarray(power, dtype=float)
    n = r.shape[0]
    g = np.zeros(n, dtype=np.int64) if group is None else np.asarray(group, dtype=np.int64)
    cells = resolution_cells(
        r,
        az,
        el,
        range_resolution_m=range_resolution_m,
        azimuth_resolution_rad=azimuth_resolution_rad,
        elevation_resolution_rad=elevation_resolution_rad,
    )
    # Sort by cell, strongest first inside a cell; the first row of each run represents it.
    order = np.lexsort((-p, cells[:, 2], cells[:, 1], cells[:, 0], g))
    keys = np.column_stack([g, cells])[order]
    new_cell = np.ones(n, dtype=bool)
    if n > 1:
        new_cell[1:] = np.any(keys[1:] != keys[:-1], axis=1)
    run_of_sorted = np.cumsum(new_cell) - 1
    run_rep = order[new_cell]  # strongest row of each run, in run order
    # Number cells by their representative row so the output keeps the input's order.
    rank = np.empty(run_rep.shape[0], dtype=np.intp)
    rank[np.argsort(run_rep, kind="stable")] = np.arange(run_rep.shape[0])
    cell_of_row = np.empty(n, dtype=np.intp)
    cell_of_row[order] = rank[run_of_sorted]
    m = run_rep.shape[0]
    total = np.bincount(cell_of_row, weights=p, minlength=m)
    weight = np.where(total > 0, total, 1.0)

    def centroid(x: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.bincount(cell_of_row, weights=p * x, minlength=m) / weight

    representative = np.sort(run_rep)
    # Azimuth: average offsets from the representative so a cell at north does not wrap.
    az_ref = az[representative]
    d_az = np.mod(az - az_ref[cell_of_row] + np.pi, 2.0 * np.pi) - np.pi
    return MergedEchoes(
        cell_of_row=cell_of_row,
        representative_row=representative,
        member_count=np.bincount(cell_of_row, minlength=m).astype(np.int64),
        range_m=np.where(total > 0, centroid(r), r[representative]),
        azimuth_rad=np.mod(az_ref + np.where(total > 0, centroid(d_az), 0.0), 2.0 * np.pi),
        elevation_rad=np.where(total > 0, centroid(el), el[representative]),
        power=total,
    )
