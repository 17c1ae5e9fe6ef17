"""Charts of a Monte Carlo folder (``iadsim mc`` / ``iadsim sweep``): distributions and curves.

Stage: reports. In: ``manifest.json``, ``replications/*.parquet`` (one row per replication),
``summary.parquet`` (one row per sweep point: ``p_any_leaker`` with Wilson bounds
``p_any_leaker_low/high``, ``<metric>_mean/_low/_high`` with 95% t intervals) and, for raid-size
sweeps, ``saturation.csv``. Out: plotly figures and the page that holds them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from iadsim.errors import InputDataError
from iadsim.montecarlo.store import load_verified
from iadsim.reports.common import esc
from iadsim.reports.page import Page, Section

DISTRIBUTION_METRICS = (("leakers", "leakers per run"), ("rounds_total", "rounds per run"))
CURVE_METRICS = (("leakers", "mean leakers"), ("rounds_total", "mean rounds"),
                 ("cost", "mean cost"))


def is_sweep_folder(out_dir: str | Path) -> bool:
    """True if ``out_dir`` holds a Monte Carlo sweep's results (finished or not: ``read_sweep``
    says what is wrong with an unfinished or damaged one)."""
    return (Path(out_dir) / "manifest.json").is_file()


def read_sweep(out_dir: str | Path) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame,
                                             pd.DataFrame]:
    """``(manifest, replications, summary, saturation)`` of a sweep folder.

    Every file is verified first (``store.load_verified``): a damaged, stray or edited file
    raises ``StoreError`` (an ``InputDataError``) naming it.
    """
    out = Path(out_dir)
    manifest, reps = load_verified(out)
    summary = pd.read_parquet(out / "summary.parquet")
    sat_path = out / "saturation.csv"
    sat = pd.read_csv(sat_path) if sat_path.is_file() else pd.DataFrame()
    for col in ("point", "runs", "p_any_leaker", "p_any_leaker_low", "p_any_leaker_high"):
        if col not in summary.columns:
            raise InputDataError(f"{out / 'summary.parquet'}: missing column {col!r}")
    return manifest, reps, summary, sat


CURVE_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b")


def _point_labels(summary: pd.DataFrame, params: list[str]) -> dict[int, str]:
    """Short labels: the point's values in parameter order (the axis title names them)."""
    if not params:
        return {int(p): f"point {int(p)}" for p in summary.point}
    columns = [summary[p].tolist() for p in params]  # per column: no int -> float upcast
    return {int(point): ", ".join(esc(col[i]) for col in columns)
            for i, point in enumerate(summary.point)}


DISTRIBUTION_NOTES = {
    False: "Leakers and rounds per run: histogram of the runs (dashed line: the mean).",
    True: "Leakers and rounds per run at each sweep point (box: quartiles and whiskers, "
          "dashed line in the box: the mean).",
}


def build_distributions(reps: pd.DataFrame, summary: pd.DataFrame,
                        params: list[str]) -> go.Figure:
    """Leakers and rounds per run: histograms for one point, box plots across several."""
    metrics = [(m, label) for m, label in DISTRIBUTION_METRICS if m in reps.columns]
    fig = make_subplots(rows=1, cols=max(len(metrics), 1),
                        subplot_titles=[label for _, label in metrics] or ["no data"])
    labels = _point_labels(summary, params)
    points = sorted(int(p) for p in reps.point.unique()) if len(reps) else []
    for col, (metric, label) in enumerate(metrics, start=1):
        if len(points) == 1:
            values = reps[metric].to_numpy(float)
            fig.add_trace(go.Histogram(x=values, name=label, showlegend=False,
                                       xbins={"size": 1}, marker={"color": "#1f77b4"}),
                          row=1, col=col)
            fig.add_vline(x=float(values.mean()), line_dash="dash", row=1, col=col,
                          annotation_text=f"mean {values.mean():.2f}")
            fig.update_xaxes(title_text=label, row=1, col=col)
            fig.update_yaxes(title_text="runs", row=1, col=col)
        else:
            for i, p in enumerate(points):
                part = reps[reps.point == p]
                fig.add_trace(go.Box(y=part[metric].to_numpy(float), name=labels.get(p, str(p)),
                                     boxmean=True, showlegend=False,
                                     marker={"color": CURVE_COLORS[i % len(CURVE_COLORS)]}),
                              row=1, col=col)
            fig.update_yaxes(title_text=label, row=1, col=col)
            fig.update_xaxes(title_text=esc(", ".join(params)) or "sweep point", row=1, col=col)
    fig.update_layout(title={"text": f"Distributions over {len(reps)} runs", "x": 0.01},
                      height=440, margin={"l": 60, "r": 20, "t": 70, "b": 80})
    return fig


def _curve_axis(summary: pd.DataFrame, params: list[str]) -> tuple[str, str, list[str]]:
    """(x column, x title, grouping params): the raid size if swept, else the first param."""
    raid = [p for p in params if p.startswith("threats[") and p.endswith("].count")]
    if raid and "n_threats_mean" in summary.columns:
        return "n_threats_mean", "raid size (threats per run)", [p for p in params if p not in raid]
    if params:
        return params[0], esc(params[0]), params[1:]
    return "point", "sweep point", []


def _band(fig: go.Figure, x: np.ndarray, low: np.ndarray, high: np.ndarray, color: str,
          group: str, row: int, col: int) -> None:
    fig.add_trace(go.Scatter(x=np.concatenate([x, x[::-1]]), mode="lines",
                             y=np.concatenate([high, low[::-1]]), fill="toself",
                             fillcolor=color, opacity=0.18, line={"width": 0},
                             hoverinfo="skip", showlegend=False, legendgroup=group,
                             name=f"{group} 95% band"), row=row, col=col)


def _same(a: object, b: object) -> bool:
    """Equal as numbers if both are numbers (saturation.csv re-reads 4 as 4 or 4.0), else text."""
    try:
        return float(a) == float(b)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(a) == str(b)


def _saturation_row(sat: pd.DataFrame, groups: list[str], key: tuple[Any, ...]) -> Any:
    """The ``saturation.csv`` row of one combination of the non-raid-size parameters."""
    if sat.empty or "saturation_raid_size" not in sat.columns:
        return None
    for _, row in sat.iterrows():
        if all(p in sat.columns and _same(row[p], v) for p, v in zip(groups, key, strict=True)):
            return row
    return None


def build_saturation(summary: pd.DataFrame, sat: pd.DataFrame, params: list[str]) -> go.Figure:
    """P(any leaker) with Wilson 95% bands and mean leakers/rounds/cost with t 95% bands."""
    xcol, xtitle, groups = _curve_axis(summary, params)
    metrics = [(m, label) for m, label in CURVE_METRICS if f"{m}_mean" in summary.columns]
    titles = ["P(any leaker), Wilson 95%"] + [f"{label}, 95% CI" for _, label in metrics]
    fig = make_subplots(rows=1, cols=len(titles), subplot_titles=titles)
    grouped = summary.groupby(groups, sort=False) if groups else [((), summary)]
    for gi, (key, part) in enumerate(grouped):
        key = key if isinstance(key, tuple) else (key,)
        name = ", ".join(f"{esc(p)}={esc(v)}" for p, v in zip(groups, key, strict=True)) \
            or "all points"
        color = CURVE_COLORS[gi % len(CURVE_COLORS)]
        part = part.sort_values(xcol, kind="stable")
        x = part[xcol].to_numpy(float) if pd.api.types.is_numeric_dtype(part[xcol]) \
            else np.arange(len(part), dtype=float)
        for col, (ycol, lo, hi) in enumerate(
            [("p_any_leaker", "p_any_leaker_low", "p_any_leaker_high")]
            + [(f"{m}_mean", f"{m}_low", f"{m}_high") for m, _ in metrics], start=1):
            _band(fig, x, part[lo].to_numpy(float), part[hi].to_numpy(float), color, name, 1, col)
            fig.add_trace(go.Scatter(
                x=x, y=part[ycol].to_numpy(float), mode="lines+markers", name=name,
                legendgroup=name, showlegend=col == 1, line={"color": color},
                customdata=np.stack([part[lo], part[hi], part["runs"]], axis=-1),
                hovertemplate="%{x}: %{y:.3g} [%{customdata[0]:.3g}, %{customdata[1]:.3g}]"
                              ", %{customdata[2]} runs<extra></extra>"), row=1, col=col)
        row = _saturation_row(sat, groups, key) if xcol == "n_threats_mean" else None
        if row is not None and np.isfinite(row.saturation_raid_size):
            mid = float(row.saturation_raid_size)
            s_lo = float(row.saturation_low) if np.isfinite(row.saturation_low) else mid
            s_hi = float(row.saturation_high) if np.isfinite(row.saturation_high) else mid
            fig.add_trace(go.Scatter(
                x=[mid], y=[float(row.level)], mode="markers", legendgroup=name,
                name=f"saturation, {name}", showlegend=False,
                marker={"symbol": "diamond", "size": 11, "color": color,
                        "line": {"width": 1, "color": "#000"}},
                error_x={"type": "data", "symmetric": False, "array": [s_hi - mid],
                         "arrayminus": [mid - s_lo], "color": color, "thickness": 2},
                hovertemplate=f"P(any leaker) = {float(row.level):g} at raid size "
                              f"{mid:.1f} [{s_lo:.1f}, {s_hi:.1f}]<extra></extra>"),
                row=1, col=1)
    fig.add_hline(y=0.5 if sat.empty else float(sat.level.iloc[0]), line_dash="dot",
                  line_color="#888", row=1, col=1)
    fig.update_yaxes(range=[-0.02, 1.02], row=1, col=1)
    for col in range(1, len(titles) + 1):
        fig.update_xaxes(title_text=xtitle, row=1, col=col)
    fig.update_layout(title={"text": "Saturation curves", "x": 0.01}, height=440,
                      margin={"l": 60, "r": 20, "t": 70, "b": 60}, hovermode="closest")
    return fig


def build_point_table(summary: pd.DataFrame, params: list[str]) -> go.Figure:
    """One row per sweep point: parameters, runs, P(any leaker) and mean leakers with bounds."""
    cols: dict[str, list[str]] = {"point": summary.point.astype(int).astype(str).tolist()}
    for p in params:
        cols[esc(p)] = [esc(v) for v in summary[p]]
    cols["runs"] = summary.runs.astype(int).astype(str).tolist()
    cols["P(any leaker) [95%]"] = [f"{m:.3f} [{lo:.3f}, {hi:.3f}]" for m, lo, hi in zip(
        summary.p_any_leaker, summary.p_any_leaker_low, summary.p_any_leaker_high, strict=True)]
    for m, label in CURVE_METRICS:
        if f"{m}_mean" in summary.columns:
            cols[f"{label} [95%]"] = [f"{a:.2f} [{b:.2f}, {c:.2f}]" for a, b, c in zip(
                summary[f"{m}_mean"], summary[f"{m}_low"], summary[f"{m}_high"], strict=True)]
    fig = go.Figure(go.Table(header={"values": [f"<b>{k}</b>" for k in cols],
                                     "fill": {"color": "#dde3ea"}, "align": "left"},
                             cells={"values": list(cols.values()), "align": "left"}))
    fig.update_layout(title={"text": "Sweep points", "x": 0.01},
                      height=120 + 24 * max(len(summary), 1),
                      margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


def build_sweep_page(out_dir: str | Path) -> Page:
    """The page of a Monte Carlo folder."""
    manifest, reps, summary, sat = read_sweep(out_dir)
    params = [str(p) for p in manifest.get("params", []) if p in summary.columns]
    runs = int(summary.runs.sum()) if len(summary) else 0
    facts = {"sweep points": str(len(summary)), "runs": str(runs),
             "runs per point": str(manifest.get("runs", "?")),
             "parameters": ", ".join(params) or "none (one point)"}
    sections = [
        Section("distributions", "Distributions",
                {"fig-distributions": build_distributions(reps, summary, params)},
                note=DISTRIBUTION_NOTES[reps.point.nunique() > 1 if len(reps) else False]),
        Section("saturation", "Saturation curves",
                {"fig-saturation": build_saturation(summary, sat, params)},
                note="Bands: Wilson 95% interval for P(any leaker), Student-t 95% intervals "
                     "for the means."),
        Section("points", "Sweep points", {"fig-points": build_point_table(summary, params)}),
    ]
    return Page(title=str(manifest.get("scenario_name", "iadsim sweep")), facts=facts,
                sections=sections,
                footer=f"iadsim report of {Path(out_dir).name}: a Monte Carlo folder.")
