"""Scenario section ``terrain``: elevation data, masking, multipath, clutter, terrain following.

Optional: without it the earth is the smooth sphere with free-space propagation (results are
those of a scenario without terrain, bit for bit). With it:

* ``dem_file`` (a GeoTIFF in any CRS, relative to the scenario file) or ``synthetic`` (seeded
  fractal hills and a coastline around the scenario origin) gives the elevation; neither
  leaves the smooth earth (sea everywhere: multipath and sea clutter still apply);
* ``masking``: radar-to-target and launcher-to-intercept-point line of sight over the
  terrain (4/3 earth), from per-radar and per-launcher tables built once per scenario;
* ``multipath``: two-ray lobing over the sea (``polarisation``, ``sea_state``, the radar's
  ``frequency_hz`` or ``assumed_frequency_hz``), smooth-earth diffraction near the horizon;
* ``clutter``: constant-gamma land and sea clutter in the target's cell, and an MTI canceller
  (``mti_delays``, the radar's ``prf_hz`` or ``assumed_prf_hz``) with its blind speeds;
* ``terrain_following``: cruise missiles fly ``height_m`` above the terrain, not the sea,
  climbing and diving at most ``max_climb_deg``.

The DEM file is checked at load (``terrain_problems``): missing, not a raster, or not covering
the scenario area (its sites, threat starts and routes) is an error naming the file and the
uncovered extent.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, model_validator

from iadsim.scenario.common import StrictModel, show_value

if TYPE_CHECKING:
    from iadsim.scenario.model import Scenario

AREA_MARGIN_DEG = 0.01
"""The scenario area is the box of its points grown by this margin (about 1 km)."""


class SyntheticTerrainSpec(StrictModel):
    """Seeded fractal hills and a coastline (sea = 0 m), centred on the scenario origin."""

    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    half_width_m: float = Field(default=150_000.0, ge=1_000.0, le=1_000_000.0)
    spacing_m: float = Field(default=90.0, ge=10.0, le=5_000.0)
    max_height_m: float = Field(default=800.0, ge=0.0, le=9_000.0)
    hurst: float = Field(default=0.8, gt=0.0, lt=1.0)
    hill_scale_m: float = Field(default=20_000.0, ge=100.0, le=1_000_000.0,
                                description="hills are fractal below this scale")
    sea_bearing_deg: float = Field(default=270.0, ge=0.0, le=360.0,
                                   description="direction of the sea from the origin")
    coast_distance_m: float = Field(default=40_000.0, ge=0.0, le=1_000_000.0)
    coast_wiggle_m: float = Field(default=6_000.0, ge=0.0, le=100_000.0)
    inland_ramp_m: float = Field(default=15_000.0, ge=1.0, le=1_000_000.0)

    @model_validator(mode="after")
    def _not_too_many_cells(self) -> SyntheticTerrainSpec:
        cells = (2.0 * self.half_width_m / self.spacing_m) ** 2
        if cells > 5e7:
            raise ValueError(
                f"gives {cells:.3g} grid cells (2 half_width_m / spacing_m squared), over the "
                "limit of 5e7: coarsen spacing_m or shrink half_width_m")
        return self


class TerrainSpec(StrictModel):
    """The optional ``terrain`` section (see the module docstring)."""

    dem_file: str | None = Field(default=None, min_length=1,
                                 description="GeoTIFF, any CRS, heights in metres")
    synthetic: SyntheticTerrainSpec | None = None
    masking: bool = True
    multipath: bool = False
    polarisation: Literal["horizontal", "vertical"] = "horizontal"
    sea_state: int = Field(default=3, ge=0, le=7, description="Douglas sea state")
    roughness: Literal["ament", "miller_brown"] = "miller_brown"
    clutter: bool = False
    land_gamma_db: float = Field(default=-15.0, ge=-60.0, le=10.0)
    sea_gamma_db: float = Field(default=-40.0, ge=-80.0, le=0.0)
    mti_delays: int = Field(default=2, ge=0, le=4, description="0: no MTI canceller")
    mti_improvement_db: float = Field(default=40.0, ge=0.0, le=80.0)
    assumed_frequency_hz: float = Field(
        default=3.0e9, ge=1e8, le=1e11, description="for radars without frequency_hz")
    assumed_prf_hz: float = Field(default=1000.0, gt=0.0, le=1e6,
                                  description="for radars without prf_hz")
    terrain_following: bool = True
    max_climb_deg: float = Field(default=5.0, gt=0.0, le=45.0)
    masking_azimuth_step_deg: float = Field(default=0.1, ge=0.01, le=5.0)
    masking_range_step_m: float | None = Field(
        default=None, ge=10.0, le=5_000.0, description="default: the DEM spacing, >= 30 m")

    @model_validator(mode="after")
    def _one_source(self) -> TerrainSpec:
        if self.dem_file is not None and self.synthetic is not None:
            raise ValueError("must give dem_file or synthetic, not both")
        return self


def resolve_dem_file(data: Any, source: str) -> Any:
    """Scenario data with ``terrain.dem_file`` made absolute (relative to the scenario file)."""
    if not isinstance(data, dict) or not isinstance(data.get("terrain"), dict):
        return data
    raw = data["terrain"].get("dem_file")
    if not isinstance(raw, str) or not raw:
        return data
    base = Path(source).parent if not source.startswith("<") else Path.cwd()
    try:
        path = Path(raw).expanduser()
    except RuntimeError:  # ~nobody: left as written, reported by terrain_problems
        return data
    path = path if path.is_absolute() else base / path
    return {**data, "terrain": {**data["terrain"], "dem_file": str(path)}}


def scenario_area_deg(s: Scenario) -> tuple[float, float, float, float]:
    """``(lat_min, lat_max, lon_min, lon_max)`` of the sites, threat starts and routes."""
    points = [a.position for a in s.defended_assets] + [x.position for x in s.sensors]
    points += [x.position for x in s.launchers]
    for g in s.threats:
        points += ([g.start] if g.start is not None else []) + list(g.route)
    lats = [p.lat_deg for p in points]
    lons = [p.lon_deg for p in points]
    m = AREA_MARGIN_DEG
    return min(lats) - m, max(lats) + m, min(lons) - m, max(lons) + m


def terrain_problems(s: Scenario) -> Iterable[str]:
    """The DEM file: present, a raster, covering the scenario area (header only, no pixels)."""
    spec = s.terrain
    if spec is not None and spec.synthetic is not None:
        yield from _synthetic_problems(s, spec.synthetic)
    if spec is None or spec.dem_file is None:
        return
    from iadsim.errors import ScenarioError
    from iadsim.terrain.geotiff import dem_extent_deg

    field = f"terrain.dem_file {show_value(spec.dem_file)}"
    path = Path(spec.dem_file)
    try:
        if not path.is_file():
            yield f"{field} not found" if not path.exists() else f"{field} is not a regular file"
            return
        extent = dem_extent_deg(path)
    except ScenarioError as exc:
        yield f"{field}: " + "; ".join(exc.problems)
        return
    except (OSError, ValueError) as exc:  # NUL byte, name too long, unreadable
        yield f"{field} cannot be read ({getattr(exc, 'strerror', None) or exc})"
        return
    from iadsim.terrain.dem import uncovered_extent

    missing = uncovered_extent(extent, scenario_area_deg(s))
    if missing:
        yield (f"{field} does not cover the scenario area (covers lat {extent[0]:.4f} to "
               f"{extent[1]:.4f}, lon {extent[2]:.4f} to {extent[3]:.4f}; uncovered: "
               + ", ".join(missing) + ")")


def _synthetic_problems(s: Scenario, p: SyntheticTerrainSpec) -> Iterable[str]:
    """The synthetic grid (centred on the scenario origin) must cover the scenario area."""
    from iadsim.terrain.dem import uncovered_extent
    from iadsim.terrain.synthetic import synthetic_extent_deg
    from iadsim.world.frames import scenario_origin

    origin = scenario_origin(s)
    extent = synthetic_extent_deg(origin.lat_deg, origin.lon_deg, p.half_width_m, p.spacing_m)
    missing = uncovered_extent(extent, scenario_area_deg(s))
    if missing:
        yield (f"terrain.synthetic.half_width_m {p.half_width_m:g} does not cover the scenario "
               f"area around the origin (covers lat {extent[0]:.4f} to {extent[1]:.4f}, lon "
               f"{extent[2]:.4f} to {extent[3]:.4f}; uncovered: " + ", ".join(missing) + ")")
