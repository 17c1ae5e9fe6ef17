"""Terrain, analysis side: low-altitude coverage maps and vertical diagrams with lobes.

In: a scenario with a ``terrain`` section, a target RCS and the Pd wanted. Out:

* per radar and for the network, the lowest detectable height *above ground* on a map of the
  scenario area (the low-altitude coverage map): the lowest of ``LOW_HEIGHTS_M`` at which the
  target is in view (masking) and its SCNR (multipath ``F^4``, clutter after the MTI canceller,
  the target taken outside the notch) reaches the SNR the Pd needs;
* per radar, the vertical diagram (Pd over ground range x height above the sea) towards the
  first threat group, with the multipath lobes and nulls and the terrain's shadow;

written as ``terrain_coverage.json`` and PNGs (matplotlib, Agg) by :func:`write_terrain_coverage`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.scenario.model import Scenario
from iadsim.sensors.detection import pd_swerling, required_snr_db
from iadsim.sensors.radar import RadarSite, build_radars
from iadsim.terrain.dem import ElevationGrid
from iadsim.terrain.site_view import SiteTerrain, apply_terrain, build_terrain
from iadsim.world.frames import (
    EARTH_RADIUS_M,
    great_circle_distance_m,
    radar_horizon_m,
    scenario_origin,
)

LOW_HEIGHTS_M = (5.0, 10.0, 20.0, 30.0, 50.0, 75.0, 100.0, 150.0, 200.0, 300.0, 500.0, 750.0,
                 1000.0, 1500.0, 2000.0, 3000.0)
"""Heights above ground tried by the low-altitude map, metres."""


@dataclass(frozen=True, slots=True)
class LowAltitudeMap:
    """Lowest detectable height above ground (m, inf: none) on a lat/lon grid."""

    lat_deg: NDArray[np.float64]  # (ny,)
    lon_deg: NDArray[np.float64]  # (nx,)
    lowest_m: NDArray[np.float64]  # (n_radars + 1, ny, nx); the last is the network
    names: tuple[str, ...]  # radar names, then "network"


def local_offsets(view: SiteTerrain, azimuth_rad: NDArray[np.float64],
                  ground_m: NDArray[np.float64], height_m: NDArray[np.float64]
                  ) -> NDArray[np.float64]:
    """Radar-local ENU offsets (n, 3) of points at azimuth, ground range and height."""
    phi = ground_m / EARTH_RADIUS_M
    r = EARTH_RADIUS_M + height_m
    horizontal = r * np.sin(phi)
    up = r * np.cos(phi) - EARTH_RADIUS_M - view.antenna_alt_m
    return np.stack([horizontal * np.sin(azimuth_rad), horizontal * np.cos(azimuth_rad), up],
                    axis=-1)


def detectable(site: RadarSite, view: SiteTerrain, local: NDArray[np.float64],
               rcs_m2: float, pd: float) -> NDArray[np.bool_]:
    """Which points (n, 3) a radar detects with at least ``pd`` (in view, SCNR high enough)."""
    slant = np.sqrt(np.einsum("ij,ij->i", local, local))
    snr = site.snr_1m2_1m * rcs_m2 / np.maximum(slant, 1.0) ** 4
    scnr = view.scale_snr(snr, local, None)
    need = 10.0 ** (float(required_snr_db(pd, site.pfa, site.n_pulses, site.swerling)) / 10.0)
    _, ground, height = view.geometry(local)
    ok = view.visible(local) & (scnr >= need) & (slant <= site.max_range_m)
    ok &= ground <= radar_horizon_m(view.antenna_alt_m, height)  # the smooth earth's horizon
    return np.asarray(ok & (slant >= site.min_range_m))


def _sites(scenario: Scenario
           ) -> tuple[list[RadarSite], list[SiteTerrain], ElevationGrid | None]:
    """The radars carrying their terrain views, and the grid (None: smooth earth)."""
    from iadsim.world.threats import build_threats

    if scenario.terrain is None:
        raise ValueError("the scenario has no terrain section")
    origin = scenario_origin(scenario)
    radars = build_radars(list(scenario.sensors), origin)
    model = build_terrain(scenario, origin, radars)
    assert model is not None
    _, radars = apply_terrain(scenario, origin, build_threats(scenario, origin), radars, model)
    return radars, [r.terrain for r in radars], model.grid


def low_altitude_map(scenario: Scenario, *, rcs_m2: float = 1.0, pd: float = 0.5,
                     cells: int = 120) -> LowAltitudeMap:
    """The low-altitude coverage map over the scenario area (module docstring)."""
    from iadsim.scenario.terrain_spec import scenario_area_deg

    radars, views, grid = _sites(scenario)
    la0, la1, lo0, lo1 = scenario_area_deg(scenario)
    lat = np.linspace(la0, la1, cells)
    lon = np.linspace(lo0, lo1, cells)
    lat2, lon2 = (g.ravel() for g in np.meshgrid(lat, lon, indexing="ij"))
    ground_h = np.zeros(lat2.shape) if grid is None else np.nan_to_num(
        grid.sample(lat2, lon2, outside_m=0.0))
    lowest = np.full((len(radars) + 1, lat2.size), np.inf)
    for i, (spec, site, view) in enumerate(zip(scenario.sensors, radars, views, strict=True)):
        p = spec.position
        d = great_circle_distance_m(p.lat_deg, p.lon_deg, lat2, lon2)
        az = _bearing_rad(p.lat_deg, p.lon_deg, lat2, lon2)
        for h in sorted(LOW_HEIGHTS_M, reverse=True):  # the lowest success wins
            ok = detectable(site, view, local_offsets(view, az, d, ground_h + h), rcs_m2, pd)
            lowest[i, ok] = h
    lowest[-1] = lowest[:-1].min(axis=0)
    names = (*(s.name for s in radars), "network")
    return LowAltitudeMap(lat, lon, lowest.reshape(-1, cells, cells), names)


def vertical_lobes(scenario: Scenario, *, rcs_m2: float = 1.0, max_height_m: float = 2000.0,
                   n_range: int = 400, n_height: int = 300
                   ) -> list[tuple[str, float, NDArray[np.float64], NDArray[np.float64],
                                   NDArray[np.float64]]]:
    """Per radar ``(name, azimuth_rad, ground_m (nr,), height_m (nh,), pd (nh, nr))``."""
    radars, views, _ = _sites(scenario)
    out = []
    first = next((g.start for g in scenario.threats if g.start is not None), None)
    for spec, site, view in zip(scenario.sensors, radars, views, strict=True):
        p = spec.position
        az = 0.0 if first is None else float(_bearing_rad(p.lat_deg, p.lon_deg,
                                                          first.lat_deg, first.lon_deg))
        ground = np.linspace(site.max_range_m / n_range, site.max_range_m, n_range)
        height = np.linspace(1.0, max_height_m, n_height)
        g2, h2 = (a.ravel() for a in np.meshgrid(ground, height))
        local = local_offsets(view, np.full(g2.shape, az), g2, h2)
        slant = np.sqrt(np.einsum("ij,ij->i", local, local))
        snr = view.scale_snr(site.snr_1m2_1m * rcs_m2 / slant**4, local, None)
        pd = pd_swerling(10.0 * np.log10(np.maximum(snr, 1e-30)), site.pfa, site.n_pulses,
                         site.swerling)
        seen = view.visible(local) & (slant <= site.max_range_m)
        seen &= g2 <= radar_horizon_m(view.antenna_alt_m, h2)
        pd = np.where(seen, pd, 0.0)
        out.append((site.name, az, ground, height, pd.reshape(n_height, n_range)))
    return out


def write_terrain_coverage(scenario: Scenario, out: str | Path, *, rcs_m2: float = 1.0,
                           pd: float = 0.5) -> list[Path]:
    """``terrain_coverage.json`` and PNGs (low-altitude maps, vertical lobes) into ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from iadsim.jsonfile import write_json

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    low = low_altitude_map(scenario, rcs_m2=rcs_m2, pd=pd)
    lobes = vertical_lobes(scenario, rcs_m2=rcs_m2)
    files = [folder / "terrain_coverage.json"]
    write_json(files[0], {
        "rcs_m2": rcs_m2, "pd": pd, "lat_deg": low.lat_deg.tolist(),
        "lon_deg": low.lon_deg.tolist(),
        "lowest_height_above_ground_m": {
            n: np.where(np.isfinite(v), v, -1.0).tolist() for n, v in zip(
                low.names, low.lowest_m, strict=True)},
        "note": "-1: not detected at any height tried up to 3000 m",
    })
    log = matplotlib.colors.LogNorm(vmin=5.0, vmax=3000.0)
    for name, grid in zip(low.names, low.lowest_m, strict=True):
        files.append(_png(
            plt, folder / f"low_altitude_{_slug(name)}.png", (7, 6),
            (low.lon_deg, low.lat_deg, np.where(np.isfinite(grid), grid, np.nan)),
            {"cmap": "viridis_r", "norm": log}, "lowest detectable height above ground (m)",
            f"{name}: low-altitude coverage, {rcs_m2:g} m2 at Pd {pd:g}",
            ("longitude (deg)", "latitude (deg)")))
    for name, az, ground, height, pd_grid in lobes:
        files.append(_png(
            plt, folder / f"vertical_lobes_{_slug(name)}.png", (9, 4),
            (ground / 1e3, height, pd_grid), {"cmap": "magma", "vmin": 0.0, "vmax": 1.0},
            "Pd per look", f"{name}: vertical coverage with multipath, azimuth "
            f"{np.degrees(az):.0f} deg, {rcs_m2:g} m2",
            ("ground range (km)", "height above the sea (m)")))
    return files


def _png(plt: Any, path: Path, size: tuple[float, float], xyz: tuple[Any, Any, Any],
         style: dict[str, Any], label: str, title: str, axes: tuple[str, str]) -> Path:
    """One colour-mesh PNG."""
    fig, ax = plt.subplots(figsize=size)
    im = ax.pcolormesh(*xyz, shading="auto", **style)
    fig.colorbar(im, ax=ax, label=label)
    ax.set_title(title)
    ax.set_xlabel(axes[0])
    ax.set_ylabel(axes[1])
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def _bearing_rad(lat1: float, lon1: float, lat2: NDArray[np.float64] | float,
                 lon2: NDArray[np.float64] | float) -> NDArray[np.float64]:
    """Initial great-circle bearing, clockwise from north, in [0, 2 pi)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - lon1)
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.asarray(np.mod(np.arctan2(y, x), 2.0 * np.pi))


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)


__all__ = ["LowAltitudeMap", "low_altitude_map", "vertical_lobes", "write_terrain_coverage"]
