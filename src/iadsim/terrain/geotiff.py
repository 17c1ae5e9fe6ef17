"""Terrain: a GeoTIFF (any CRS) -> ``ElevationGrid`` in geodetic coordinates, via rasterio.

In: a raster file of heights in metres (SRTM, Copernicus GLO-30/90 tiles, a national DEM:
any CRS rasterio knows, the first band). Out: the grid on ascending WGS-84 latitudes and
longitudes (rasters in EPSG:4326 are only flipped; others are reprojected with bilinear
resampling at about their own resolution). Nodata cells become NaN, never 0 m.

rasterio is an optional dependency (``pip install iadsim[terrain]``), imported only here and
only when a file is read. Errors name the file: missing, not a raster, no CRS.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from iadsim.errors import ScenarioError
from iadsim.terrain.dem import ElevationGrid


def _rasterio() -> Any:
    try:
        import rasterio
        import rasterio.warp  # noqa: F401  (submodule used below)
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ScenarioError([
            "reading a DEM file needs rasterio: pip install 'iadsim[terrain]' "
            f"(import failed: {exc})"]) from None
    return rasterio


def _open(path: Path) -> Any:
    rasterio = _rasterio()
    if not path.is_file():
        raise ScenarioError([f"{path}: DEM file not found"])
    try:
        return rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise ScenarioError([f"{path}: not a raster rasterio can read ({exc})"]) from None


def dem_extent_deg(path: str | Path) -> tuple[float, float, float, float]:
    """``(lat_min, lat_max, lon_min, lon_max)`` a DEM file covers, from its header only."""
    path = Path(path)
    rasterio = _rasterio()
    with _open(path) as src:
        if src.crs is None:
            raise ScenarioError([f"{path}: the raster has no CRS (georeference it first)"])
        west, south, east, north = rasterio.warp.transform_bounds(
            src.crs, "EPSG:4326", *src.bounds, densify_pts=21)
    return float(south), float(north), float(west), float(east)


def read_geotiff(path: str | Path) -> ElevationGrid:
    """The first band of a DEM file as a geodetic ``ElevationGrid`` (nodata -> NaN).

    Grid points are the pixel centres.
    """
    path = Path(path)
    _rasterio()  # a clear error if rasterio is missing
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    with _open(path) as src:
        if src.crs is None:
            raise ScenarioError([f"{path}: the raster has no CRS (georeference it first)"])
        band = src.read(1, masked=True).astype(np.float32).filled(np.nan)
        transform, crs = src.transform, src.crs
        if not crs.is_geographic or crs.to_epsg() != 4326:
            with warnings.catch_warnings():  # rasterio 1.4 on affine 2.4: internal `*`
                warnings.filterwarnings("ignore", message="Use `@` matmul",
                                        category=PendingDeprecationWarning)
                dst_transform, width, height = calculate_default_transform(
                    crs, "EPSG:4326", src.width, src.height, *src.bounds)
            out = np.full((height, width), np.nan, np.float32)
            reproject(band, out, src_transform=transform, src_crs=crs, src_nodata=np.nan,
                      dst_transform=dst_transform, dst_crs="EPSG:4326", dst_nodata=np.nan,
                      resampling=Resampling.bilinear)
            band, transform = out, dst_transform
    if transform.b != 0.0 or transform.d != 0.0:
        raise ScenarioError([f"{path}: rotated rasters are not supported"])
    ny, nx = band.shape
    lon = transform.c + (np.arange(nx) + 0.5) * transform.a
    lat = transform.f + (np.arange(ny) + 0.5) * transform.e
    if transform.e < 0:  # north-up: flip to ascending latitude
        lat, band = lat[::-1], band[::-1]
    return ElevationGrid(lat_deg=np.ascontiguousarray(lat), lon_deg=lon,
                         height_m=np.ascontiguousarray(band), source=str(path))
