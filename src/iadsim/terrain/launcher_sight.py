"""Terrain -> engagement: can a launcher see the predicted intercept point over the terrain?

In: the scenario's ``terrain`` section and elevation grid, its launchers. Out: a
``LauncherSight`` whose :meth:`LauncherSight.visible` answers, for (launcher position,
intercept point) pairs in scenario ENU, whether the straight 4/3-earth line from the launcher
clears the terrain (the masking machinery of the radars, ``terrain.masking``). An interceptor
is not launched at a point its launcher cannot see (``engagement.intercept.inside_envelope``
asks ``Envelope.sight``): a low cruise missile behind a ridge is out of reach, a high one is not.

* one ``MaskingTable`` per launcher, built once per scenario at its scenario position (eye
  height: its altitude, or the terrain there plus :data:`LAUNCHER_EYE_HEIGHT_M` where that is
  higher), out to its class's maximum range, at the radars' range step and at most
  :data:`LAUNCHER_AZIMUTH_STEP_DEG` in azimuth; only the mask is kept (the surface arrays are
  zero-size broadcasts: a launcher needs no clutter or specular points);
* a launcher that has moved (network mobility) is answered by a direct ray march over the
  grid (:func:`line_of_sight`), :data:`MARCH_SAMPLES` samples per pair.

No terrain section, no grid or masking off: :func:`with_launcher_sight` returns the classes
unchanged, so results are identical to a run without terrain.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.terrain.dem import ElevationGrid
from iadsim.terrain.masking import (
    MaskingTable,
    build_masking_table,
    destination_deg,
    elevation_rad,
)
from iadsim.world.frames import Origin, enu_to_geodetic, great_circle_distance_m

if TYPE_CHECKING:
    from iadsim.engagement.launchers import InterceptorClasses
    from iadsim.scenario.model import Scenario
    from iadsim.terrain.site_view import TerrainModel

LAUNCHER_EYE_HEIGHT_M = 5.0
"""Height of a launcher's line of sight above the terrain it stands on."""
MARCH_SAMPLES = 512
"""Ray-march samples per pair for a launcher away from its table's position."""
SAME_SITE_M = 1.0
"""A launcher within this of its scenario position uses its table."""
LAUNCHER_AZIMUTH_STEP_DEG = 0.25
"""Coarsest-needed azimuth step of a launcher's table (the spec's, if coarser): an intercept
point is a lethal volume, not a radar cell (650 m across at 150 km)."""


def bearing_rad(lat1_deg: ArrayLike, lon1_deg: ArrayLike, lat2_deg: ArrayLike,
                lon2_deg: ArrayLike) -> NDArray[np.float64]:
    """Initial great-circle bearing, clockwise from north, in [0, 2 pi), (n,)."""
    p1, p2 = np.radians(lat1_deg), np.radians(lat2_deg)
    dl = np.radians(np.asarray(lon2_deg, float) - np.asarray(lon1_deg, float))
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.asarray(np.mod(np.arctan2(y, x), 2.0 * np.pi))


def line_of_sight(grid: ElevationGrid, lat_deg: ArrayLike, lon_deg: ArrayLike,
                  eye_alt_m: ArrayLike, to_lat_deg: ArrayLike, to_lon_deg: ArrayLike,
                  to_alt_m: ArrayLike, *, samples: int = MARCH_SAMPLES) -> NDArray[np.bool_]:
    """Whether each point clears the terrain seen from each eye (ray march), (n,).

    The terrain is sampled at ``samples`` ground ranges strictly between the two (off the
    grid: 0 m, the sea), the point is in view when its 4/3-earth elevation exceeds all of them.
    """
    lat, lon, eye, tlat, tlon, talt = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(a, float)) for a in
          (lat_deg, lon_deg, eye_alt_m, to_lat_deg, to_lon_deg, to_alt_m)))
    ground = great_circle_distance_m(lat, lon, tlat, tlon)
    az = bearing_rad(lat, lon, tlat, tlon)
    out = np.ones(lat.shape, bool)
    frac = np.arange(1, samples + 1) / (samples + 1.0)
    for i in range(lat.size):  # one ray per pair, all its samples at once
        s = ground[i] * frac
        la, lo = destination_deg(float(lat[i]), float(lon[i]), az[i], s)
        h = np.nan_to_num(grid.sample(la, lo, outside_m=0.0), nan=0.0)
        terrain = elevation_rad(s, h, float(eye[i])).max()
        out[i] = bool(elevation_rad(ground[i], talt[i], float(eye[i])) > terrain)
    return out


@dataclass(frozen=True, slots=True)
class LauncherSight:
    """The launchers' masking tables (scenario order) and the grid for moved launchers."""

    grid: ElevationGrid
    origin: Origin
    position_enu_m: NDArray[np.float64]  # (L, 3): where each table was built
    lat_deg: NDArray[np.float64]
    lon_deg: NDArray[np.float64]
    eye_alt_m: NDArray[np.float64]
    tables: tuple[MaskingTable, ...]

    def visible(self, launcher_position_m: ArrayLike, point_m: ArrayLike) -> NDArray[np.bool_]:
        """Whether each intercept point (n, 3) is in view of its launcher (n, 3), scenario ENU."""
        pt = np.atleast_2d(np.asarray(point_m, float))
        lp = np.broadcast_to(np.asarray(launcher_position_m, float), pt.shape)
        out = np.ones(pt.shape[0], bool)
        if pt.shape[0] == 0:
            return out
        lat, lon, alt = enu_to_geodetic(np.nan_to_num(pt), self.origin)
        dist = np.linalg.norm(lp[:, None, :] - self.position_enu_m[None, :, :], axis=-1)
        which = np.argmin(dist, axis=1)
        home = dist[np.arange(pt.shape[0]), which] <= SAME_SITE_M
        for j in np.unique(which[home]).tolist():
            rows = home & (which == j)
            ground = great_circle_distance_m(self.lat_deg[j], self.lon_deg[j], lat[rows], lon[rows])
            az = bearing_rad(self.lat_deg[j], self.lon_deg[j], lat[rows], lon[rows])
            out[rows] = self.tables[j].visible(az, ground, alt[rows])
        if not home.all():  # moved launchers: march the rays (rare)
            llat, llon, lalt = enu_to_geodetic(lp[~home], self.origin)
            ground_h = np.nan_to_num(self.grid.sample(llat, llon, outside_m=0.0), nan=0.0)
            out[~home] = line_of_sight(self.grid, llat, llon,
                                       np.maximum(lalt, ground_h + LAUNCHER_EYE_HEIGHT_M),
                                       lat[~home], lon[~home], alt[~home])
        return out


def build_launcher_sight(scenario: Scenario, origin: Origin, grid: ElevationGrid, *,
                         azimuth_step_rad: float, range_step_m: float) -> LauncherSight:
    """One masking table per launcher of the scenario (see the module docstring)."""
    from iadsim.world.frames import geodetic_to_enu

    lat, lon, eye, tables = [], [], [], []
    for launcher in scenario.launchers:
        p = launcher.position
        ground = float(np.nan_to_num(grid.sample(p.lat_deg, p.lon_deg, outside_m=0.0)))
        h = max(float(p.alt_m), ground + LAUNCHER_EYE_HEIGHT_M)
        reach = float(scenario.interceptors[launcher.interceptor].max_range_m)
        table = build_masking_table(grid, lat_deg=p.lat_deg, lon_deg=p.lon_deg,
                                    antenna_alt_m=h, max_range_m=reach,
                                    azimuth_step_rad=azimuth_step_rad, range_step_m=range_step_m)
        shape = table.mask_rad.shape
        tables.append(replace(table, surface_height_m=np.broadcast_to(np.float16(0.0), shape),
                              surface_visible=np.broadcast_to(np.True_, shape)))
        lat.append(p.lat_deg)
        lon.append(p.lon_deg)
        eye.append(h)
    position = (geodetic_to_enu(np.array(lat), np.array(lon),
                                np.array([ln.position.alt_m for ln in scenario.launchers]), origin)
                if lat else np.zeros((0, 3)))
    return LauncherSight(grid=grid, origin=origin, position_enu_m=np.atleast_2d(position),
                         lat_deg=np.array(lat, float), lon_deg=np.array(lon, float),
                         eye_alt_m=np.array(eye, float), tables=tuple(tables))


def scenario_launcher_sight(scenario: Scenario, origin: Origin,
                            grid: ElevationGrid | None) -> LauncherSight | None:
    """The scenario's launcher sight (None without terrain, grid, masking or launchers), built
    once per scenario object (``world.cache.per_scenario``)."""
    spec = scenario.terrain
    if spec is None or grid is None or not spec.masking or not scenario.launchers:
        return None
    from iadsim.terrain.site_view import masking_steps
    from iadsim.world.cache import per_scenario

    az_step, r_step = masking_steps(spec, grid)
    az_step = max(az_step, float(np.radians(LAUNCHER_AZIMUTH_STEP_DEG)))
    return per_scenario(scenario, "terrain.launcher_sight", lambda: build_launcher_sight(
        scenario, origin, grid, azimuth_step_rad=az_step, range_step_m=r_step))


def with_launcher_sight(classes: InterceptorClasses, scenario: Scenario, origin: Origin,
                        terrain: TerrainModel | None = None) -> InterceptorClasses:
    """The classes whose envelope asks the launchers' line of sight (terrain with masking on),
    from ``terrain`` if already built (``site_view.build_terrain``); the same object otherwise."""
    if scenario.terrain is None:
        return classes
    if terrain is not None:
        sight = terrain.launchers
    else:
        from iadsim.terrain.site_view import scenario_grid

        sight = scenario_launcher_sight(scenario, origin, scenario_grid(scenario, origin))
    return classes if sight is None else replace(classes, sight=sight)
