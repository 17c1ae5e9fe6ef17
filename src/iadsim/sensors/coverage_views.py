"""Sensors stage, analysis side: the coverage views analysts ask for first (HTML and PNG).

In: a validated scenario, a target RCS, the Pd wanted per look and a map altitude. Out, in a
folder: ``coverage.html`` (self-contained plotly, JavaScript inline): per radar the vertical
coverage diagram (detection range against altitude, 4/3-earth horizon and cone of silence
included) and the network's map of coverage at the altitude; the same figures as PNG
(matplotlib); ``coverage.json`` with the numbers behind them.

The numbers come from ``iadsim.sensors.coverage`` (pure numpy); this module only draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from iadsim.errors import ScenarioError
from iadsim.figures import file_stems, mpl_text, pyplot, save_png
from iadsim.jsonfile import write_json
from iadsim.scenario.model import Scenario
from iadsim.sensors.coverage import (
    HorizontalCoverage,
    VerticalCoverage,
    horizontal_coverage,
    vertical_coverage,
)
from iadsim.sensors.radar import RadarSite, build_radars, search_budget_fields
from iadsim.world.frames import enu_to_geodetic, geodetic_to_enu, scenario_origin

MAX_ALTITUDE_M = 30_000.0
ALTITUDE_SAMPLES = 301


@dataclass(frozen=True, slots=True)
class CoverageFiles:
    """What :func:`write_coverage` wrote."""

    html: Path
    pngs: tuple[Path, ...]
    data: Path


def coverage_of(
    scenario: Scenario, *, rcs_m2: float, pd: float, altitude_m: float
) -> tuple[list[RadarSite], list[VerticalCoverage], HorizontalCoverage]:
    """The numbers: every radar's vertical coverage and the network map at ``altitude_m``."""
    problems = []
    if not rcs_m2 > 0.0:
        problems.append(f"--rcs-m2 must be > 0 (got {rcs_m2!r})")
    for i, spec in enumerate(scenario.sensors):
        if not spec.pfa < pd < 1.0:
            problems.append(f"--pd must be in (sensors[{i}].pfa, 1) = ({spec.pfa}, 1) (got {pd!r})")
    if problems:
        raise ScenarioError(sorted(set(problems)))
    sites = build_radars(list(scenario.sensors), scenario_origin(scenario))
    top_m = max(MAX_ALTITUDE_M, 1.2 * altitude_m)
    altitudes = np.linspace(0.0, top_m, ALTITUDE_SAMPLES)
    vertical = [vertical_coverage(s, altitudes, rcs_m2=rcs_m2, pd=pd) for s in sites]
    network = horizontal_coverage(sites, altitude_m=altitude_m, rcs_m2=rcs_m2, pd=pd)
    return sites, vertical, network


def write_coverage(
    scenario: Scenario,
    out_dir: str | Path,
    *,
    rcs_m2: float = 1.0,
    pd: float = 0.5,
    altitude_m: float = 1000.0,
    png: bool = True,
) -> CoverageFiles:
    """Draw the coverage views of a scenario's radars into ``out_dir`` (created if missing)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sites, vertical, network = coverage_of(scenario, rcs_m2=rcs_m2, pd=pd, altitude_m=altitude_m)
    title = f"{scenario.name}: {rcs_m2:g} m² target, Pd {pd:g} per look"
    html = out / "coverage.html"
    overlay = map_overlay(scenario, network)
    html.write_text(_html(title, vertical, network, overlay), encoding="utf-8")
    pngs: list[Path] = []
    if png:
        pngs = _pngs(out, title, vertical, network, overlay)
    data = out / "coverage.json"
    write_json(data, _data(sites, vertical, network, rcs_m2, pd), indent=1)  # strict JSON
    return CoverageFiles(html=html, pngs=tuple(pngs), data=data)


def _data(
    sites: list[RadarSite],
    vertical: list[VerticalCoverage],
    network: HorizontalCoverage,
    rcs_m2: float,
    pd: float,
) -> dict[str, object]:
    def clean(a: np.ndarray) -> list[float | None]:
        return [None if not np.isfinite(v) else round(float(v), 1) for v in a]

    return {
        "rcs_m2": rcs_m2,
        "pd": pd,
        "radars": [
            {
                "name": vc.name,
                "free_space_detection_range_m": round(vc.detection_range_m, 1),
                "pulses_integrated": s.n_pulses,
                **search_budget_fields(s, rcs_m2, pd),  # radar: multifunction time budget (issue 12)
                "swerling": s.swerling,
                "altitude_m": clean(vc.altitude_m),
                "max_ground_range_m": clean(vc.max_ground_range_m),
                "min_ground_range_m": clean(vc.min_ground_range_m),
                "horizon_ground_range_m": clean(vc.horizon_ground_range_m),
            }
            for s, vc in zip(sites, vertical, strict=True)
        ],
        "map": {
            "altitude_m": network.altitude_m,
            "max_ground_range_m": dict(
                zip(network.names, clean(network.max_ground_range_m), strict=True)
            ),
            "covered_area_km2": round(_covered_area_km2(network), 1),
        },
    }


def _covered_area_km2(network: HorizontalCoverage) -> float:
    if network.east_m.size < 2:
        return 0.0
    cell = np.diff(network.east_m[:2])[0] * np.diff(network.north_m[:2])[0]
    return float((network.radars_covering > 0).sum() * cell / 1e6)


@dataclass(frozen=True, slots=True)
class MapOverlay:
    """What the coverage map draws under the radars: coastlines, borders and defended assets.

    Lines are in the scenario's tangent plane (km), NaN between consecutive lines.
    """

    coast_east_km: NDArray[np.float64]
    coast_north_km: NDArray[np.float64]
    border_east_km: NDArray[np.float64]
    border_north_km: NDArray[np.float64]
    asset_names: tuple[str, ...]
    asset_east_km: NDArray[np.float64]  # (a,)
    asset_north_km: NDArray[np.float64]  # (a,)


def map_overlay(scenario: Scenario, network: HorizontalCoverage) -> MapOverlay:
    """Coastlines and borders (the bundled Natural Earth basemap) inside the map, and the assets."""
    from iadsim.reports.basemap import load_basemap

    origin = scenario_origin(scenario)
    east = np.array([network.east_m.min(), network.east_m.max()]) if network.east_m.size else \
        np.zeros(2)
    north = np.array([network.north_m.min(), network.north_m.max()]) if network.north_m.size \
        else np.zeros(2)
    ee, nn = np.meshgrid(east, north)
    corners = np.stack([ee.ravel(), nn.ravel(), np.zeros(4)], axis=-1)
    lat, lon, _ = enu_to_geodetic(corners, origin)
    base = load_basemap(float(lon.min()) - 0.5, float(lon.max()) + 0.5,
                        float(lat.min()) - 0.5, float(lat.max()) + 0.5)

    def to_km(lines: object) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        lon_deg, lat_deg = lines.lon_deg, lines.lat_deg  # type: ignore[attr-defined]
        if lon_deg.size == 0:
            return np.zeros(0), np.zeros(0)
        enu = geodetic_to_enu(lat_deg, lon_deg, np.zeros_like(lat_deg), origin)
        return enu[:, 0] / 1e3, enu[:, 1] / 1e3

    coast, border = to_km(base["coastline"]), to_km(base["border"])
    assets = scenario.defended_assets
    pos = geodetic_to_enu(np.array([a.position.lat_deg for a in assets], dtype=float),
                          np.array([a.position.lon_deg for a in assets], dtype=float),
                          np.zeros(len(assets)), origin).reshape(-1, 3)
    return MapOverlay(coast[0], coast[1], border[0], border[1],
                      tuple(a.name for a in assets), pos[:, 0] / 1e3, pos[:, 1] / 1e3)


def _html(title: str, vertical: list[VerticalCoverage], network: HorizontalCoverage,
          overlay: MapOverlay) -> str:
    """The page: every user-written name is escaped (page text and plotly labels alike)."""
    import plotly.graph_objects as go

    from iadsim.reports.common import esc
    from iadsim.reports.page import Page, Section, render

    figures: dict[str, go.Figure] = {}
    for k, vc in enumerate(vertical):
        fig = go.Figure()
        alt_km = vc.altitude_m / 1e3
        for x_m, label, line in ((vc.max_ground_range_m, "detection range", {"width": 3}),
                                 (vc.min_ground_range_m, "blind range / cone of silence",
                                  {"dash": "dot"}),
                                 (vc.horizon_ground_range_m, "4/3-earth horizon",
                                  {"dash": "dash", "color": "grey"})):
            fig.add_trace(go.Scatter(x=x_m / 1e3, y=alt_km, mode="lines", name=label, line=line))
        fig.update_layout(
            title=f"{esc(vc.name)}: vertical coverage "
                  f"(free space {vc.detection_range_m / 1e3:.0f} km)",
            xaxis_title="ground range (km)",
            yaxis_title="altitude (km)",
            xaxis_range=[0, 1.1 * np.nanmax(np.append(vc.max_ground_range_m / 1e3, 1.0))],
            template="plotly_white",
            height=450,
        )
        figures[f"fig-vertical-{k}"] = fig
    fig = go.Figure()
    fig.add_trace(go.Heatmap(
        x=network.east_m / 1e3, y=network.north_m / 1e3, z=network.radars_covering,
        colorscale="Blues", zmin=0, opacity=0.8, colorbar={"title": {"text": "radars"},
                                                           "x": 1.02, "dtick": 1},
        hovertemplate="%{z} radar(s)<extra></extra>", showscale=True))
    fig.add_trace(go.Scatter(x=overlay.coast_east_km, y=overlay.coast_north_km, mode="lines",
                             name="coastline", line={"color": "#c0504d", "width": 1.2},
                             hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=overlay.border_east_km, y=overlay.border_north_km, mode="lines",
                             name="border", line={"color": "#999", "width": 1, "dash": "dot"},
                             hoverinfo="skip"))
    for name, e, n in zip(
        network.names, network.outline_east_m, network.outline_north_m, strict=True
    ):
        fig.add_trace(go.Scatter(x=e / 1e3, y=n / 1e3, mode="lines", name=esc(name)))
    fig.add_trace(go.Scatter(
        x=overlay.asset_east_km, y=overlay.asset_north_km, mode="markers",
        name="defended assets", hovertext=[esc(a) for a in overlay.asset_names],
        hoverinfo="text", marker={"symbol": "star", "size": 13, "color": "#d62728",
                                  "line": {"color": "white", "width": 1}}))
    for name, e, n in zip(overlay.asset_names, overlay.asset_east_km, overlay.asset_north_km,
                          strict=True):  # labels on a pale box: readable over any coverage
        fig.add_annotation(x=e, y=n, text=esc(name), showarrow=False, yshift=14,
                           bgcolor="rgba(255,255,255,0.8)", font={"size": 11})
    fig.update_layout(
        title=f"Network coverage at {network.altitude_m:g} m",
        xaxis_title="east (km)",
        yaxis_title="north (km)",
        xaxis={"constrain": "domain", "range": [network.east_m.min() / 1e3,
                                                network.east_m.max() / 1e3]
               if network.east_m.size else None},
        yaxis={"scaleanchor": "x", "scaleratio": 1,
               "range": [network.north_m.min() / 1e3, network.north_m.max() / 1e3]
               if network.north_m.size else None},
        template="plotly_white",
        height=750,
        legend={"orientation": "h", "x": 0.0, "y": -0.12, "xanchor": "left", "yanchor": "top"},
    )
    figures["fig-map"] = fig
    page = Page(
        title=title, kind="iadsim coverage", sections=[
            Section("vertical", "Vertical coverage per radar",
                    {k: v for k, v in figures.items() if k != "fig-map"},
                    note="Detection range against target altitude; 4/3-earth horizon and "
                         "cone of silence included."),
            Section("map", "Network coverage map", {"fig-map": figures["fig-map"]},
                    note="How many radars detect the target at the map altitude; coastlines "
                         "and borders from Natural Earth."),
        ],
        footer="Notional parameters, textbook models (4/3-earth horizon, Swerling detection "
               "with the radar's pulses integrated).")
    return render(page)


def _pngs(
    out: Path, title: str, vertical: list[VerticalCoverage], network: HorizontalCoverage,
    overlay: MapOverlay,
) -> list[Path]:
    plt = pyplot()
    files = []
    for vc, stem in zip(vertical, file_stems(vc.name for vc in vertical), strict=True):
        fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
        alt_km = vc.altitude_m / 1e3
        ax.plot(vc.max_ground_range_m / 1e3, alt_km, lw=2.5, label="detection range")
        ax.plot(vc.min_ground_range_m / 1e3, alt_km, ls=":", label="blind range / cone of silence")
        ax.plot(vc.horizon_ground_range_m / 1e3, alt_km, ls="--", color="grey",
                label="4/3-earth horizon")
        ax.fill_betweenx(
            alt_km,
            np.nan_to_num(vc.min_ground_range_m / 1e3),
            np.nan_to_num(vc.max_ground_range_m / 1e3),
            alpha=0.15,
        )
        ax.set_xlim(0, 1.1 * np.nanmax(np.append(vc.max_ground_range_m / 1e3, 1.0)))
        ax.set_ylim(0, alt_km.max())
        ax.set_xlabel("ground range (km)")
        ax.set_ylabel("altitude (km)")
        ax.set_title(mpl_text(f"{vc.name}: vertical coverage\n{title}"), fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper right")
        files.append(save_png(fig, out / f"vertical_{stem}.png"))
    fig, ax = plt.subplots(figsize=(8, 8.5), dpi=110)
    top = max(int(network.radars_covering.max(initial=0)), 1)
    cmap = plt.get_cmap("Blues", top + 1)
    mesh = ax.pcolormesh(
        network.east_m / 1e3,
        network.north_m / 1e3,
        network.radars_covering,
        cmap=cmap,
        shading="auto",
        vmin=-0.5,
        vmax=top + 0.5,
        alpha=0.8,
    )
    fig.colorbar(mesh, ax=ax, label="radars covering", shrink=0.7, pad=0.02,
                 ticks=np.arange(top + 1))
    ax.plot(overlay.coast_east_km, overlay.coast_north_km, color="#c0504d", lw=1.2,
            label="coastline")
    ax.plot(overlay.border_east_km, overlay.border_north_km, color="#888", lw=0.8, ls=":",
            label="border")
    for name, e, n in zip(
        network.names, network.outline_east_m, network.outline_north_m, strict=True
    ):
        ax.plot(e / 1e3, n / 1e3, lw=1.5, label=mpl_text(name))
    if overlay.asset_names:
        ax.scatter(overlay.asset_east_km, overlay.asset_north_km, marker="*", s=160,
                   color="#d62728", edgecolor="white", zorder=5, label="defended assets")
        for name, e, n in zip(overlay.asset_names, overlay.asset_east_km,
                              overlay.asset_north_km, strict=True):
            ax.annotate(mpl_text(name), (e, n), xytext=(0, 7), textcoords="offset points",
                        ha="center", fontsize=8)
    if network.east_m.size:
        ax.set_xlim(network.east_m.min() / 1e3, network.east_m.max() / 1e3)
        ax.set_ylim(network.north_m.min() / 1e3, network.north_m.max() / 1e3)
    ax.set_aspect("equal")
    ax.set_xlabel("east (km)")
    ax.set_ylabel("north (km)")
    ax.set_title(mpl_text(f"Network coverage at {network.altitude_m:g} m\n{title}"), fontsize=9)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3,
              frameon=False)
    files.append(save_png(fig, out / f"map_{network.altitude_m:g}m.png"))
    return files
