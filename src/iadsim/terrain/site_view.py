"""Terrain -> sensors: what a radar's look asks of the terrain, and building it from a scenario.

In: the scenario's ``terrain`` section, its origin, the threats and the radar sites as built.
Out (:func:`apply_terrain`): radar sites carrying a ``SiteTerrain`` (``RadarSite.terrain``;
None without a terrain section, and then nothing changes) and threats whose cruise missiles
follow the terrain. A look calls two methods (``iadsim.sensors.look``):

* :meth:`SiteTerrain.visible`: the masking-table lookup (line of sight over the terrain);
* :meth:`SiteTerrain.scale_snr`: ``SNR -> SCNR``: free-space SNR times the two-ray ``F^4``
  where the specular point is on sea in view of the antenna, then the MTI response over
  ``1 + CNR / I`` where the surface in the target's cell is in view (constant gamma, land or
  sea).

Geometry from radar-local ENU offsets: ground range along the sphere ``a phi``,
``phi = atan2(horizontal, a + h0 + up)``, height above the sphere
``hypot(horizontal, a + h0 + up) - a`` (exact on the sphere of radius ``a``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from iadsim.sensors.range_equation import wavelength_m as _wavelength_m
from iadsim.sensors.surface_clutter import (
    clutter_rcs_m2,
    clutter_to_noise,
    mti_response,
    signal_to_clutter_noise,
)
from iadsim.terrain.dem import ElevationGrid, check_covers, check_no_holes
from iadsim.terrain.masking import (
    EFFECTIVE_RADIUS_M,
    MaskingTable,
    build_masking_table,
    elevation_rad,
)
from iadsim.terrain.multipath import Polarisation, Roughness, propagation_factor
from iadsim.world.frames import EARTH_RADIUS_M, Origin, geodetic_to_enu

if TYPE_CHECKING:
    from iadsim.scenario.model import Scenario
    from iadsim.scenario.terrain_spec import TerrainSpec
    from iadsim.sensors.radar import RadarSite
    from iadsim.terrain.launcher_sight import LauncherSight
    from iadsim.world.threats import ThreatSet

SIDELOBE_CLUTTER_FLOOR = 1e-3
"""Two-way elevation-pattern floor on clutter (-30 dB) for a target above the surface."""
MIN_RANGE_STEP_M = 30.0


@dataclass(frozen=True, slots=True)
class SiteTerrain:
    """One radar's view of the terrain: its masking table and propagation/clutter settings."""

    antenna_alt_m: float
    table: MaskingTable | None  # None: smooth earth, sea everywhere
    masking: bool
    multipath: bool
    clutter: bool
    wavelength_m: float
    prf_hz: float
    polarisation: Polarisation
    sea_state: int
    roughness: Roughness
    land_gamma: float
    sea_gamma: float
    mti_delays: int
    mti_improvement_db: float
    snr_1m2_1m: float
    range_resolution_m: float
    azimuth_beamwidth_rad: float
    elevation_beamwidth_rad: float

    def geometry(self, local: NDArray[np.float64]
                 ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Azimuth, ground range along the sphere and height above it of offsets (n, 3)."""
        horizontal = np.hypot(local[:, 0], local[:, 1])
        centre_up = EARTH_RADIUS_M + self.antenna_alt_m + local[:, 2]
        ground = EARTH_RADIUS_M * np.arctan2(horizontal, centre_up)
        height = np.hypot(horizontal, centre_up) - EARTH_RADIUS_M
        azimuth = np.mod(np.arctan2(local[:, 0], local[:, 1]), 2.0 * np.pi)
        return azimuth, ground, height

    def visible(self, local: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Which targets at radar-local offsets (n, 3) clear the terrain (all without a DEM)."""
        if self.table is None or not self.masking or local.shape[0] == 0:
            return np.ones(local.shape[0], bool)
        return self.table.visible(*self.geometry(local))

    def scale_snr(self, snr: NDArray[np.float64], local: NDArray[np.float64],
                  velocity_local_mps: NDArray[np.float64] | None) -> NDArray[np.float64]:
        """SNR (n,) of targets at offsets (n, 3) -> SCNR with multipath and clutter."""
        if local.shape[0] == 0 or not (self.multipath or self.clutter):
            return snr
        az, ground, height = self.geometry(local)
        out = np.asarray(snr, float)
        if self.multipath:
            f = propagation_factor(self.antenna_alt_m, height, ground,
                                   wavelength_m=self.wavelength_m,
                                   polarisation=self.polarisation, sea_state=self.sea_state,
                                   roughness=self.roughness)
            sea = self._is_sea(az, ground * self.antenna_alt_m
                               / np.maximum(self.antenna_alt_m + np.maximum(height, 0.0), 1.0))
            out = out * np.where(sea, f**4, 1.0)
        if self.clutter:
            out = self._with_clutter(out, local, az, ground, height, velocity_local_mps)
        return out

    def _is_sea(self, az: NDArray[np.float64], ground: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Whether the specular points at ``ground`` lie on sea the antenna sees (else F = 1)."""
        if self.table is None:
            return np.ones(az.shape, bool)
        height, seen = self.table.surface(az, ground)
        return np.asarray((height <= 0.5) & seen)  # a sea point behind a ridge reflects nothing

    def _with_clutter(self, snr: NDArray[np.float64], local: NDArray[np.float64],
                      az: NDArray[np.float64], ground: NDArray[np.float64],
                      height: NDArray[np.float64],
                      velocity_local_mps: NDArray[np.float64] | None) -> NDArray[np.float64]:
        slant = np.sqrt(np.einsum("ij,ij->i", local, local))
        if self.table is None:  # smooth sea: surface in view inside the smooth horizon
            surface_h = np.zeros(az.shape)
            seen = ground < np.sqrt(2.0 * EFFECTIVE_RADIUS_M * max(self.antenna_alt_m, 0.0))
        else:
            surface_h, seen = self.table.surface(az, ground)
        surface_el = elevation_rad(ground, surface_h, self.antenna_alt_m)
        grazing = np.maximum(-surface_el - ground / EFFECTIVE_RADIUS_M, 0.0)
        gamma = np.where(surface_h <= 0.5, self.sea_gamma, self.land_gamma)
        sigma_c = clutter_rcs_m2(gamma, slant, grazing, self.azimuth_beamwidth_rad,
                                 self.range_resolution_m)
        cnr = clutter_to_noise(self.snr_1m2_1m, sigma_c, slant) * seen
        if np.isfinite(self.elevation_beamwidth_rad):  # target above the surface: off beam
            off = (elevation_rad(ground, height, self.antenna_alt_m) - surface_el)
            off = off / self.elevation_beamwidth_rad
            cnr = cnr * np.maximum(np.exp(-8.0 * np.log(2.0) * off**2), SIDELOBE_CLUTTER_FLOOR)
        gain = np.ones(snr.shape)
        if velocity_local_mps is not None and self.mti_delays > 0:
            radial = np.einsum("ij,ij->i", local, velocity_local_mps) / np.maximum(slant, 1.0)
            gain = np.where(seen, mti_response(radial, wavelength_m=self.wavelength_m,
                                               prf_hz=self.prf_hz, delays=self.mti_delays), 1.0)
        improvement = np.where(seen, self.mti_improvement_db if self.mti_delays > 0 else 0.0, 0.0)
        return signal_to_clutter_noise(snr, cnr, mti_gain=gain, improvement_db=improvement)


def terrain_grid(spec: TerrainSpec, origin: Origin,
                 area_deg: tuple[float, float, float, float],
                 reach_m: float = 0.0) -> ElevationGrid | None:
    """The scenario's elevation grid (checked to cover ``area_deg``), or None; no nodata hole
    is allowed within ``reach_m`` (the radars' farthest rays) of that area."""
    if spec.dem_file is not None:
        from iadsim.terrain.geotiff import read_geotiff

        grid = read_geotiff(spec.dem_file)
    elif spec.synthetic is not None:
        from iadsim.terrain.synthetic import synthetic_terrain

        p = spec.synthetic
        grid = synthetic_terrain(
            centre_lat_deg=origin.lat_deg, centre_lon_deg=origin.lon_deg,
            half_width_m=p.half_width_m, spacing_m=p.spacing_m, max_height_m=p.max_height_m,
            hurst=p.hurst, hill_scale_m=p.hill_scale_m, sea_bearing_deg=p.sea_bearing_deg,
            coast_distance_m=p.coast_distance_m, coast_wiggle_m=p.coast_wiggle_m,
            inland_ramp_m=p.inland_ramp_m, seed=p.seed)
    else:
        return None
    check_covers(grid, area_deg)
    check_no_holes(grid, _widened(area_deg, reach_m))
    return grid


def _widened(area_deg: tuple[float, float, float, float], reach_m: float
             ) -> tuple[float, float, float, float]:
    """``(lat_min, lat_max, lon_min, lon_max)`` widened by ``reach_m`` on every side (on the
    sphere; the longitude margin at the area's highest latitude)."""
    dlat = np.degrees(reach_m / EARTH_RADIUS_M)
    lat_min, lat_max = max(area_deg[0] - dlat, -90.0), min(area_deg[1] + dlat, 90.0)
    cos_lat = max(np.cos(np.radians(max(abs(lat_min), abs(lat_max)))), 1e-6)
    dlon = min(dlat / cos_lat, 180.0)
    return lat_min, lat_max, area_deg[2] - dlon, area_deg[3] + dlon


@dataclass(frozen=True, slots=True)
class TerrainModel:
    """A scenario's terrain built once: the grid and each radar's ``SiteTerrain``."""

    grid: ElevationGrid | None
    sites: tuple[SiteTerrain, ...]
    launchers: LauncherSight | None = None  # launcher-to-intercept sight (launcher_sight)


def build_terrain(scenario: Scenario, origin: Origin,
                  radars: list[RadarSite]) -> TerrainModel | None:
    """The scenario's terrain for these radars (None without a ``terrain`` section)."""
    spec = scenario.terrain
    if spec is None:
        return None
    from iadsim.terrain.launcher_sight import scenario_launcher_sight

    grid = scenario_grid(scenario, origin)
    views = [site_terrain(spec, grid, site, sensor) for site, sensor in
             zip(radars, scenario.sensors, strict=True)]
    return TerrainModel(grid=grid, sites=tuple(views),
                        launchers=scenario_launcher_sight(scenario, origin, grid))


def scenario_grid(scenario: Scenario, origin: Origin) -> ElevationGrid | None:
    """The scenario's checked elevation grid (:func:`terrain_grid`), built once per scenario
    object (the radars' and the launchers' tables share it); None without one."""
    spec = scenario.terrain
    if spec is None:
        return None
    from iadsim.scenario.terrain_spec import scenario_area_deg
    from iadsim.world.cache import per_scenario

    return per_scenario(scenario, "terrain.grid",
                        lambda: terrain_grid(spec, origin, scenario_area_deg(scenario),
                                             reach_m=rays_reach_m(scenario)))


def rays_reach_m(scenario: Scenario) -> float:
    """How far beyond its site a terrain ray can go: the longest radar range (or the longest
    interceptor reach for the launchers' sight)."""
    radar = [x.max_range_m for x in scenario.sensors]
    rounds = [c.max_range_m for c in scenario.interceptors.values()]
    return float(max(radar + rounds, default=0.0))


def masking_steps(spec: TerrainSpec, grid: ElevationGrid) -> tuple[float, float]:
    """Masking-table azimuth step (rad) and range step (m): the spec's, else the grid's."""
    step = spec.masking_range_step_m or max(_grid_spacing_m(grid), MIN_RANGE_STEP_M)
    return float(np.radians(spec.masking_azimuth_step_deg)), float(step)


def site_terrain(spec: TerrainSpec, grid: ElevationGrid | None, site: RadarSite, sensor: Any,
                 *, azimuth_step_rad: float | None = None,
                 range_step_m: float | None = None) -> SiteTerrain:
    """One radar's ``SiteTerrain`` (its masking table built here; steps default to the spec)."""
    alt = _antenna_alt_m(site, sensor, grid)
    table = None
    if grid is not None:
        az_step, step = masking_steps(spec, grid)
        table = build_masking_table(
            grid, lat_deg=sensor.position.lat_deg, lon_deg=sensor.position.lon_deg,
            antenna_alt_m=alt, max_range_m=site.max_range_m,
            azimuth_step_rad=azimuth_step_rad or az_step, range_step_m=range_step_m or step)
    return SiteTerrain(
        antenna_alt_m=alt, table=table, masking=spec.masking, multipath=spec.multipath,
        clutter=spec.clutter,
        wavelength_m=float(_wavelength_m(sensor.frequency_hz or spec.assumed_frequency_hz)),
        prf_hz=sensor.prf_hz or spec.assumed_prf_hz, polarisation=spec.polarisation,
        sea_state=spec.sea_state, roughness=spec.roughness,
        land_gamma=10.0 ** (spec.land_gamma_db / 10.0),
        sea_gamma=10.0 ** (spec.sea_gamma_db / 10.0), mti_delays=spec.mti_delays,
        mti_improvement_db=spec.mti_improvement_db, snr_1m2_1m=site.snr_1m2_1m,
        range_resolution_m=site.range_resolution_m,
        azimuth_beamwidth_rad=site.azimuth_beamwidth_rad,
        elevation_beamwidth_rad=site.elevation_beamwidth_rad)


def apply_terrain(scenario: Scenario, origin: Origin, threats: ThreatSet,
                  radars: list[RadarSite], model: TerrainModel | None = None
                  ) -> tuple[ThreatSet, list[RadarSite]]:
    """Threats following the terrain and radars carrying their ``SiteTerrain``.

    Without a ``terrain`` section both come back unchanged (the same objects). A radar whose
    site lies below the terrain is lifted onto it (antenna at terrain + mast height).
    ``model`` is the :func:`build_terrain` result if already built (Monte Carlo reuses it).
    """
    spec = scenario.terrain
    if spec is None:
        return threats, radars
    model = build_terrain(scenario, origin, radars) if model is None else model
    assert model is not None
    out = []
    for site, sensor, view in zip(radars, scenario.sensors, model.sites, strict=True):
        moved: dict[str, Any] = {"terrain": view}
        if view.antenna_alt_m != site.antenna_alt_m:
            p = sensor.position
            moved.update(antenna_alt_m=view.antenna_alt_m,
                         position_enu_m=geodetic_to_enu(p.lat_deg, p.lon_deg,
                                                        view.antenna_alt_m, origin))
        out.append(replace(site, **moved))
    if model.grid is not None and spec.terrain_following:
        from iadsim.terrain.following import follow_terrain

        threats = follow_terrain(threats, model.grid, origin,
                                 max_climb_rad=float(np.radians(spec.max_climb_deg)))
    return threats, out


def _antenna_alt_m(site: RadarSite, sensor: Any, grid: ElevationGrid | None) -> float:
    """The antenna height: as specified, or terrain + mast where the terrain is higher."""
    if grid is None:
        return float(site.antenna_alt_m)
    ground = float(np.nan_to_num(grid.sample(sensor.position.lat_deg, sensor.position.lon_deg,
                                             outside_m=0.0)))
    return max(float(site.antenna_alt_m), ground + float(sensor.mast_height_m))


def _grid_spacing_m(grid: ElevationGrid) -> float:
    dlat, _ = grid.spacing_deg
    return float(np.radians(dlat) * EARTH_RADIUS_M)
