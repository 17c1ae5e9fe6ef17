"""Sensors stage, analysis side: the coverage views analysts ask for first (HTML and PNG).

In: a validated scenario, a target RCS, the Pd wanted per look and a map altitude. Out, in a
folder: ``coverage.html`` (self-contained plotly, JavaScript inline): per radar the vertical
coverage diagram (detection range against altitude, 4/3-earth horizon and cone of silence
included) and the network's map of coverage at the altitude; the same figures as PNG
(matplotlib); ``coverage.json`` with the numbers behind them.

The numbers come from ``iadsim.sensors.coverage`` (pure numpy); this module only draws.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from iadsim.errors import ScenarioError
from iadsim.jsonfile import write_json
from iadsim.scenario.model import Scenario
from iadsim.sensors.coverage import (
    HorizontalCoverage,
    VerticalCoverage,
    horizontal_coverage,
    vertical_coverage,
)
from iadsim.sensors.radar import RadarSite, build_radars
from iadsim.world.frames import scenario_origin

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
    html.write_text(_html(title, vertical, network), encoding="utf-8")
    pngs: list[Path] = []
    if png:
        pngs = _pngs(out, title, vertical, network)
    data = out / "coverage.json"
    write_json(data, _data(sites, vertical, network, rcs_m2, pd), indent=1)  # strict JSON
    return CoverageFiles(html=html, pngs=tuple(pngs), data=data)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "radar"


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


def _html(title: str, vertical: list[VerticalCoverage], network: HorizontalCoverage) -> str:
    import plotly.graph_objects as go

    parts = []
    for vc in vertical:
        fig = go.Figure()
        alt_km = vc.altitude_m / 1e3
        fig.add_trace(
            go.Scatter(
                x=vc.max_ground_range_m / 1e3,
                y=alt_km,
                mode="lines",
                name="detection range",
                line={"width": 3},
            )
        )
        fig.add_trace(
            go.Scatter(
                x=vc.min_ground_range_m / 1e3,
                y=alt_km,
                mode="lines",
                name="blind range / cone of silence",
                line={"dash": "dot"},
            )
        )
        fig.add_trace(
            go.Scatter(
                x=vc.horizon_ground_range_m / 1e3,
                y=alt_km,
                mode="lines",
                name="4/3-earth horizon",
                line={"dash": "dash", "color": "grey"},
            )
        )
        fig.update_layout(
            title=f"{vc.name}: vertical coverage (free space {vc.detection_range_m / 1e3:.0f} km)",
            xaxis_title="ground range (km)",
            yaxis_title="altitude (km)",
            xaxis_range=[0, 1.1 * np.nanmax(np.append(vc.max_ground_range_m / 1e3, 1.0))],
            template="plotly_white",
            height=450,
        )
        parts.append(fig)
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            x=network.east_m / 1e3,
            y=network.north_m / 1e3,
            z=network.radars_covering,
            colorscale="Blues",
            zmin=0,
            colorbar={"title": "radars"},
            hovertemplate="%{z} radar(s)",
        )
    )
    for name, e, n in zip(
        network.names, network.outline_east_m, network.outline_north_m, strict=True
    ):
        fig.add_trace(go.Scatter(x=e / 1e3, y=n / 1e3, mode="lines", name=name))
    fig.update_layout(
        title=f"Network coverage at {network.altitude_m:g} m",
        xaxis_title="east (km)",
        yaxis_title="north (km)",
        template="plotly_white",
        height=650,
        yaxis={"scaleanchor": "x", "scaleratio": 1},
    )
    parts.append(fig)
    body = "\n".join(
        f.to_html(full_html=False, include_plotlyjs=(i == 0)) for i, f in enumerate(parts)
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title></head><body style='font-family:sans-serif'>"
        f"<h1>{title}</h1><p>Notional parameters, textbook models (4/3-earth horizon, "
        "Swerling detection with the radar's pulses integrated).</p>"
        f"{body}</body></html>"
    )


def _pngs(
    out: Path, title: str, vertical: list[VerticalCoverage], network: HorizontalCoverage
) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files = []
    for vc in vertical:
        fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
        alt_km = vc.altitude_m / 1e3
        ax.plot(vc.max_ground_range_m / 1e3, alt_km, lw=2.5, label="detection range")
        ax.plot(vc.min_ground_range_m / 1e3, alt_km, ls=":", label="blind range / cone of silence")
        ax.plot(
            vc.horizon_ground_range_m / 1e3,
            alt_km,
            ls="--",
            color="grey",
            label="4/3-earth horizon",
        )
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
        ax.set_title(f"{vc.name}: vertical coverage\n{title}", fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper right")
        path = out / f"vertical_{_slug(vc.name)}.png"
        fig.tight_layout()
        fig.savefig(path)
        plt.close(fig)
        files.append(path)
    fig, ax = plt.subplots(figsize=(7, 7), dpi=110)
    mesh = ax.pcolormesh(
        network.east_m / 1e3,
        network.north_m / 1e3,
        network.radars_covering,
        cmap="Blues",
        shading="auto",
        vmin=0,
    )
    fig.colorbar(mesh, ax=ax, label="radars covering", shrink=0.8)
    for name, e, n in zip(
        network.names, network.outline_east_m, network.outline_north_m, strict=True
    ):
        ax.plot(e / 1e3, n / 1e3, lw=1.5, label=name)
    ax.set_aspect("equal")
    ax.set_xlabel("east (km)")
    ax.set_ylabel("north (km)")
    ax.set_title(f"Network coverage at {network.altitude_m:g} m\n{title}", fontsize=9)
    if network.names:
        ax.legend(fontsize=8, loc="upper right")
    path = out / f"map_{network.altitude_m:g}m.png"
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    files.append(path)
    return files
