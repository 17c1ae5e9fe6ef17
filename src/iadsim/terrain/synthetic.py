"""Terrain: a seeded synthetic DEM of fractal hills and a coastline (sea = 0 m).

In: a centre (lat, lon), half-width, grid spacing, seed and shape parameters. Out: an
``ElevationGrid``. The hills are a fractal surface made by spectral synthesis: white noise
filtered by the von Karman amplitude ``(k^2 + k0^2)^-(H + 1)/2`` (Hurst exponent ``H``,
fractal below the corner scale ``hill_scale_m = 1/k0``, flat above it, so there is no
continent-sized tilt; Saupe, in *The Science of Fractal Images*, 1988), scaled to [0, 1].
The coastline lies ``coast_distance_m`` from the centre towards ``sea_bearing_deg``, moved in
and out by the same surface (``coast_wiggle_m``), so it is fractal too; the sea beyond it is
0 m and the land rises from the shore over ``inland_ramp_m`` to hills of ``max_height_m``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iadsim.terrain.dem import ElevationGrid

METRES_PER_DEG_LAT = 6_371_000.0 * np.pi / 180.0
"""Metres per degree of latitude on the mean-radius sphere."""
LAND_MIN_M = 1.0
"""Lowest land height: 0 m is the sea."""


def synthetic_terrain(
    *,
    centre_lat_deg: float,
    centre_lon_deg: float,
    half_width_m: float = 150_000.0,
    spacing_m: float = 90.0,
    max_height_m: float = 800.0,
    hurst: float = 0.8,
    hill_scale_m: float = 20_000.0,
    sea_bearing_deg: float = 270.0,
    coast_distance_m: float = 40_000.0,
    coast_wiggle_m: float = 6_000.0,
    inland_ramp_m: float = 15_000.0,
    seed: int = 0,
) -> ElevationGrid:
    """Seeded fractal hills with a coastline, on a geodetic grid (float32 heights, m).

    Parameters
    ----------
    centre_lat_deg, centre_lon_deg : float
        Centre of the square grid.
    half_width_m, spacing_m : float
        Half of the side of the square covered and the grid step, metres (90 m is the SRTM
        3-arc-second class).
    max_height_m, hurst, hill_scale_m : float
        Highest hill top, Hurst exponent in (0, 1) (higher is smoother), corner scale.
    sea_bearing_deg, coast_distance_m, coast_wiggle_m, inland_ramp_m : float
        Direction of the sea from the centre (clockwise from north), distance of the mean
        coastline, how far the coast wanders in and out, and over what distance the land
        rises from the shore to full hill height.
    seed : int
        Seed of the noise: the same arguments give the same grid.
    """
    n, dlat, dlon = _grid_shape(centre_lat_deg, half_width_m, spacing_m)
    lat = centre_lat_deg + (np.arange(n) - (n - 1) / 2.0) * dlat
    lon = centre_lon_deg + (np.arange(n) - (n - 1) / 2.0) * dlon
    hills = fractal_surface(n, hurst, hill_scale_m / spacing_m, np.random.default_rng(seed))
    axis_m = ((np.arange(n) - (n - 1) / 2.0) * spacing_m).astype(np.float32)
    b = np.radians(sea_bearing_deg)
    seaward = axis_m[:, None] * np.float32(np.cos(b)) + axis_m[None, :] * np.float32(np.sin(b))
    inland = coast_distance_m - seaward + (hills - 0.5) * np.float32(2.0 * coast_wiggle_m)
    ramp = np.clip(inland / np.float32(inland_ramp_m), 0.0, 1.0)
    height = np.where(inland > 0.0, np.maximum(max_height_m * hills * ramp, LAND_MIN_M), 0.0)
    return ElevationGrid(lat_deg=lat, lon_deg=lon, height_m=height.astype(np.float32),
                         source=f"synthetic(seed={seed})")


def _grid_shape(centre_lat_deg: float, half_width_m: float,
                spacing_m: float) -> tuple[int, float, float]:
    """Points per side and the steps ``(dlat, dlon)`` in degrees of the square grid."""
    dlat = spacing_m / METRES_PER_DEG_LAT
    dlon = dlat / float(np.cos(np.radians(centre_lat_deg)))
    return max(int(np.ceil(2.0 * half_width_m / spacing_m)) + 1, 8), dlat, dlon


def synthetic_extent_deg(centre_lat_deg: float, centre_lon_deg: float, half_width_m: float,
                         spacing_m: float) -> tuple[float, float, float, float]:
    """``(lat_min, lat_max, lon_min, lon_max)`` :func:`synthetic_terrain` covers (no heights)."""
    n, dlat, dlon = _grid_shape(centre_lat_deg, half_width_m, spacing_m)
    half = (n - 1) / 2.0
    return (centre_lat_deg - half * dlat, centre_lat_deg + half * dlat,
            centre_lon_deg - half * dlon, centre_lon_deg + half * dlon)


def fractal_surface(n: int, hurst: float, corner_samples: float,
                    rng: np.random.Generator) -> NDArray[np.float32]:
    """An (n, n) von Karman fractal surface scaled to [0, 1] (0.1 and 99.9 percentiles)."""
    noise = rng.standard_normal((n, n), dtype=np.float32)
    spectrum = np.fft.rfft2(noise)
    ky = np.fft.fftfreq(n).astype(np.float32)[:, None]
    kx = np.fft.rfftfreq(n).astype(np.float32)[None, :]
    k0 = np.float32(1.0 / max(corner_samples, 1.0))
    spectrum *= (kx * kx + ky * ky + k0 * k0) ** np.float32(-(hurst + 1.0) / 2.0)
    spectrum[0, 0] = 0.0
    surface = np.fft.irfft2(spectrum, s=(n, n)).astype(np.float32)
    lo, hi = np.percentile(surface[:: max(n // 512, 1), :: max(n // 512, 1)], [0.1, 99.9])
    out: NDArray[np.float32] = np.clip((surface - lo) / max(float(hi - lo), 1e-12), 0.0, 1.0)
    return out
