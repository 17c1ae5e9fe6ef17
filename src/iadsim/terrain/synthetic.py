"""Terrain: a seeded synthetic DEM of fractal hills and a coastline (sea = 0 m).

In: a centre (lat, lon), half-width, grid spacing, seed and shape parameters. Out: an
``ElevationGrid``. The hills are a fractional-Brownian surface made by spectral synthesis
(white noise filtered by ``|k|^-(H + 1)``, Hurst exponent ``H``; Saupe, in *The Science of
Fractal Images*, 1988), scaled to ``[0, max_height_m]``. The sea lies beyond
``coast_distance_m`` from the centre towards ``sea_bearing_deg``: there the surface drops
with ``coast_slope`` until it meets 0 m, so the coastline is the fractal zero contour.
"""

from __future__ import annotations

import numpy as np

from iadsim.terrain.dem import ElevationGrid

METRES_PER_DEG_LAT = 6_371_000.0 * np.pi / 180.0
"""Metres per degree of latitude on the mean-radius sphere."""


def synthetic_terrain(
    *,
    centre_lat_deg: float,
    centre_lon_deg: float,
    half_width_m: float = 150_000.0,
    spacing_m: float = 90.0,
    max_height_m: float = 800.0,
    hurst: float = 0.8,
    sea_bearing_deg: float = 270.0,
    coast_distance_m: float = 40_000.0,
    coast_slope: float = 0.02,
    seed: int = 0,
) -> ElevationGrid:
    """Seeded fractal hills with a coastline, on a geodetic grid (float32 heights, m).

    Parameters
    ----------
    centre_lat_deg, centre_lon_deg : float
        Centre of the square grid.
    half_width_m : float
        Half of the side of the square covered, metres (north-south and east-west).
    spacing_m : float
        Grid step, metres (90 m is the SRTM 3-arc-second class).
    max_height_m : float
        Highest hill top.
    hurst : float
        Hurst exponent in (0, 1): higher is smoother.
    sea_bearing_deg, coast_distance_m, coast_slope : float
        Direction of the sea from the centre (clockwise from north), distance of the mean
        coastline, and the slope (m per m) the land drops at beyond it.
    seed : int
        Seed of the noise: the same arguments give the same grid.
    """
    dlat = spacing_m / METRES_PER_DEG_LAT
    dlon = dlat / np.cos(np.radians(centre_lat_deg))
    n = max(int(np.ceil(2.0 * half_width_m / spacing_m)) + 1, 8)
    lat = centre_lat_deg + (np.arange(n) - (n - 1) / 2.0) * dlat
    lon = centre_lon_deg + (np.arange(n) - (n - 1) / 2.0) * dlon
    rng = np.random.default_rng(seed)
    hills = _fractal_surface(n, hurst, rng)
    # Distance towards the sea, metres, on the local tangent plane.
    north_m = (np.arange(n) - (n - 1) / 2.0) * spacing_m
    b = np.radians(sea_bearing_deg)
    seaward_m = (north_m[:, None] * np.cos(b) + north_m[None, :] * np.sin(b)).astype(np.float32)
    drop = np.maximum(seaward_m - coast_distance_m, 0.0) * coast_slope
    height = np.maximum(max_height_m * hills - drop, 0.0).astype(np.float32)
    # Inland: at least 1 m, so sea (0 m) is only beyond the coast.
    inland = seaward_m < coast_distance_m
    height[inland] = np.maximum(height[inland], 1.0)
    return ElevationGrid(lat_deg=lat, lon_deg=lon, height_m=height,
                         source=f"synthetic(seed={seed})")


def _fractal_surface(n: int, hurst: float, rng: np.random.Generator) -> np.ndarray:
    """An (n, n) fractional-Brownian surface scaled to [0, 1], float32."""
    noise = rng.standard_normal((n, n)).astype(np.float32)
    spectrum = np.fft.rfft2(noise)
    ky = np.fft.fftfreq(n)[:, None]
    kx = np.fft.rfftfreq(n)[None, :]
    k = np.sqrt(kx * kx + ky * ky)
    k[0, 0] = 1.0
    spectrum *= (k ** -(hurst + 1.0)).astype(np.float32)
    spectrum[0, 0] = 0.0
    surface = np.fft.irfft2(spectrum, s=(n, n)).astype(np.float32)
    lo, hi = float(surface.min()), float(surface.max())
    return (surface - lo) / max(hi - lo, 1e-12)
