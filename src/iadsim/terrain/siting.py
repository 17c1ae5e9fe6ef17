"""Terrain, analysis side: pick k radar sites that best cover an approach corridor, low.

In: a scenario with a ``terrain`` section (its grid, propagation and clutter settings), one of
its radars as the model to site, candidate sites (lat, lon), the corridor (by default every
threat group's axis, start -> route -> aim, sampled every ``step_m``), a target height above
ground, RCS and Pd. Out: ``SitingResult``: the sites in the order the greedy picks them, the
corridor share each adds, and an upper bound on what the best k sites could cover.

Coverage of a set of sites is the weighted share of corridor points at least one of them
detects (:func:`iadsim.terrain.coverage.detectable`). It is monotone and submodular, so the
greedy choice covers at least ``1 - 1/e`` of the optimum (Nemhauser, Wolsey & Fisher 1978),
and after each pick ``OPT <= f(S) + (sum of the k largest marginal gains)``; the smallest of
those bounds is reported, so the printed gap is a certificate, not a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from iadsim.errors import ScenarioError
from iadsim.scenario.common import GeoPosition
from iadsim.scenario.model import Scenario
from iadsim.sensors.radar import site_from_spec
from iadsim.terrain.coverage import _bearing_rad, detectable, local_offsets
from iadsim.terrain.masking import destination_deg
from iadsim.terrain.site_view import rays_reach_m, site_terrain, terrain_grid
from iadsim.world.frames import great_circle_distance_m, scenario_origin

SITING_AZIMUTH_STEP_RAD = float(np.radians(0.5))
SITING_RANGE_STEP_M = 200.0
"""Masking-table steps for candidate sites (coarser than a run's: one table per candidate)."""


@dataclass(frozen=True, slots=True)
class SitingResult:
    """Greedy picks (candidate indices), the share each adds, the total and the bound."""

    picked: tuple[int, ...]
    gain: tuple[float, ...]  # share of the corridor each pick adds, in pick order
    covered: float  # share covered by the picks
    upper_bound: float  # no k sites cover more than this


def corridor_points_deg(scenario: Scenario, step_m: float = 1_000.0) -> NDArray[np.float64]:
    """Points (n, 2) ``(lat, lon)`` along every threat group's axis, every ``step_m``."""
    assets = {a.name: a.position for a in scenario.defended_assets}
    out = []
    for g in scenario.threats:
        if g.start is None:
            continue
        legs = [(g.start.lat_deg, g.start.lon_deg)] + [(w.lat_deg, w.lon_deg) for w in g.route]
        if g.aim is not None:
            legs.append((assets[g.aim].lat_deg, assets[g.aim].lon_deg))
        for (la0, lo0), (la1, lo1) in zip(legs, legs[1:], strict=False):
            length = float(great_circle_distance_m(la0, lo0, la1, lo1))
            s = np.arange(0.0, length, step_m)
            lat, lon = destination_deg(la0, lo0, _bearing_rad(la0, lo0, la1, lo1), s)
            out.append(np.stack([lat, lon], axis=1))
    return np.concatenate(out) if out else np.empty((0, 2))


def coverage_matrix(scenario: Scenario, candidates_deg: NDArray[np.float64],
                    points_deg: NDArray[np.float64], *, sensor_index: int = 0,
                    height_m: float = 30.0, rcs_m2: float = 0.1,
                    pd: float = 0.5) -> NDArray[np.bool_]:
    """Which corridor points (n,) each candidate (m,) detects at ``height_m`` above ground."""
    from iadsim.scenario.terrain_spec import scenario_area_deg

    spec = scenario.terrain
    if spec is None:
        raise ValueError("siting needs a scenario with a terrain section")
    origin = scenario_origin(scenario)
    grid = terrain_grid(spec, origin, scenario_area_deg(scenario),
                        reach_m=rays_reach_m(scenario))
    cand = np.asarray(candidates_deg, float).reshape(-1, 2)
    if grid is not None and cand.size and not grid.covers(cand[:, 0], cand[:, 1]).all():
        off = np.flatnonzero(~grid.covers(cand[:, 0], cand[:, 1]))
        la0, la1, lo0, lo1 = grid.extent_deg
        raise ScenarioError([
            f"{grid.source}: candidate site(s) {', '.join(str(int(i)) for i in off)} lie off "
            f"the terrain (covers lat {la0:.4f} to {la1:.4f}, lon {lo0:.4f} to {lo1:.4f})"])
    sensor = scenario.sensors[sensor_index]
    lat, lon = points_deg[:, 0], points_deg[:, 1]
    ground_h = np.zeros(lat.shape) if grid is None else np.nan_to_num(
        grid.sample(lat, lon, outside_m=0.0))
    rows = []
    for c_lat, c_lon in np.asarray(candidates_deg, float).reshape(-1, 2):
        moved = sensor.model_copy(update={"position": GeoPosition(
            lat_deg=float(c_lat), lon_deg=float(c_lon), alt_m=0.0)})
        site = site_from_spec(moved, 0, origin)
        view = site_terrain(spec, grid, site, moved, azimuth_step_rad=SITING_AZIMUTH_STEP_RAD,
                            range_step_m=SITING_RANGE_STEP_M)
        d = great_circle_distance_m(c_lat, c_lon, lat, lon)
        az = _bearing_rad(float(c_lat), float(c_lon), lat, lon)
        rows.append(detectable(site, view, local_offsets(view, az, d, ground_h + height_m),
                               rcs_m2, pd))
    return np.array(rows, bool).reshape(-1, lat.size)


def greedy_sites(covered: NDArray[np.bool_], k: int,
                 weights: NDArray[np.float64] | None = None) -> SitingResult:
    """Greedy k of the m candidates (rows of ``covered`` (m, n)), with the submodular bound."""
    m, n = covered.shape
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    w = w / max(float(w.sum()), 1e-300)
    k = min(int(k), m)
    have = np.zeros(n, bool)
    picked: list[int] = []
    gains: list[float] = []
    bound = np.inf
    for _ in range(k + 1):
        marginal = (covered & ~have) @ w
        marginal[picked] = 0.0
        now = float(w[have].sum())
        bound = min(bound, now + float(np.sort(marginal)[::-1][:k].sum()))
        if len(picked) == k:
            break
        best = int(np.argmax(marginal))
        picked.append(best)
        gains.append(float(marginal[best]))
        have |= covered[best]
    return SitingResult(tuple(picked), tuple(gains), float(w[have].sum()), min(bound, 1.0))
