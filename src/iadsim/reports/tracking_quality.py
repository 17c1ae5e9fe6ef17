"""Tracking quality: GOSPA and its parts over time, time to first track per threat, and the
tracking metrics per threat type.

Stage: reports. In: ``truth.parquet``, ``tracks.parquet`` (confirmed rows),
``threats.parquet`` and ``summary.json``. Out: plotly figures. GOSPA (alpha = 2) and its
localisation, missed and false parts come from ``iadsim.tracking.metrics.tracking_metrics`` (a
pure function of those tables), with the cut-off and order that ``summary.json`` reports under
``tracking``, so the curves average to the run's own summary numbers; the per-type table is the
summary's ``tracking.by_type`` (recomputed the same way for a run that lacks it). Times to track
follow the one definition of ``iadsim.tracking.timing``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from iadsim.reports.common import esc, pretty, threat_color
from iadsim.reports.load import RunResults
from iadsim.tracking.metrics import PER_TYPE_COLUMNS, tracking_metrics
from iadsim.tracking.timing import with_track_timing

DEFAULT_CUTOFF_M = 2000.0


def gospa_series(run: RunResults, *, cutoff_m: float | None = None,
                 p: float | None = None) -> pd.DataFrame:
    """GOSPA per time step (``tracking_metrics(...).per_step``) plus ``cutoff_m`` and ``p``.

    The cut-off and order default to ``summary.json``'s ``tracking.cutoff_m`` / ``tracking.p``
    (``DEFAULT_CUTOFF_M`` and 2 when the run does not say); with those defaults the run's own
    ``tracking.parquet`` is used when it was written.
    """
    reported = run.summary.get("tracking") or {}
    c = float(cutoff_m if cutoff_m is not None else reported.get("cutoff_m", DEFAULT_CUTOFF_M))
    order = float(p if p is not None else reported.get("p", 2.0))
    wanted = {"time_s", "gospa_m", "localisation_m", "missed_m", "false_m", "n_truth",
              "n_missed", "n_false"}
    if cutoff_m is None and p is None and run.tracking is not None \
            and wanted <= set(run.tracking.columns):
        return run.tracking.assign(cutoff_m=c, p=order)
    cols = ["time_s", "threat_id", "east_m", "north_m", "up_m"]
    per_step = tracking_metrics(run.truth[cols], run.tracks, cutoff_m=c, p=order).per_step
    return per_step.assign(cutoff_m=c, p=order)


def build_tracking(run: RunResults, *, cutoff_m: float | None = None) -> go.Figure:
    """GOSPA and its parts over time (left), time to first track per threat (right)."""
    series = gospa_series(run, cutoff_m=cutoff_m)
    c = float(series.cutoff_m.iloc[0]) if len(series) else DEFAULT_CUTOFF_M
    order = float(series.p.iloc[0]) if len(series) else 2.0
    fig = make_subplots(
        rows=2, cols=2, shared_xaxes=False, column_widths=[0.62, 0.38],
        specs=[[{}, {"rowspan": 2}], [{}, None]], vertical_spacing=0.12,
        subplot_titles=(f"GOSPA and its parts (c = {c:g} m, p = {order:g}, α = 2)",
                        "Time to first track per threat",
                        "Missed threats and false tracks"))
    fig.add_trace(go.Scatter(x=series.time_s, y=series.gospa_m, mode="lines", name="GOSPA",
                             line={"color": "#000"}), row=1, col=1)
    for part, label, color in (("localisation_m", "localisation part", "#1f77b4"),
                               ("missed_m", "missed part", "#d62728"),
                               ("false_m", "false part", "#ff7f0e")):
        fig.add_trace(go.Scatter(x=series.time_s, y=series[part], mode="lines", name=label,
                                 line={"color": color, "width": 1.2}), row=1, col=1)
    for count, label, color, dash in (("n_truth", "threats flying", "#999", "dot"),
                                      ("n_missed", "missed threats", "#d62728", "solid"),
                                      ("n_false", "false tracks", "#ff7f0e", "solid")):
        fig.add_trace(go.Scatter(x=series.time_s, y=series[count], mode="lines", name=label,
                                 line={"color": color, "dash": dash, "shape": "hv"}),
                      row=2, col=1)
    th = with_track_timing(run.threats).sort_values("threat_id")
    delay = th.time_to_track_s.to_numpy(float)
    detect = (th.first_detection_s - th.launch_time_s).to_numpy(float)
    labels = [f"{esc(n)}" for n in th.name]
    colors = [threat_color(str(t)) for t in th.type]
    hover = [f"{esc(n)} ({pretty(t)})<br>first detection {d:.0f} s after launch<br>"
             f"first track {k:.0f} s after launch" if np.isfinite(k) else
             f"{esc(n)} ({pretty(t)})<br>never tracked"
             for n, t, d, k in zip(th.name, th.type, detect, delay, strict=True)]
    fig.add_trace(go.Bar(y=labels, x=delay, orientation="h", marker={"color": colors},
                         name="time to first track", hoverinfo="text", hovertext=hover,
                         showlegend=False), row=1, col=2)
    never = np.flatnonzero(~np.isfinite(delay))
    if never.size:
        fig.add_trace(go.Scatter(y=[labels[i] for i in never], x=np.zeros(never.size),
                                 mode="text", text=["never tracked"] * never.size,
                                 textposition="middle right", name="never tracked",
                                 showlegend=False, hoverinfo="skip"), row=1, col=2)
    fig.update_xaxes(title_text="time (s)", row=1, col=1)
    fig.update_xaxes(title_text="time (s)", row=2, col=1)
    fig.update_yaxes(title_text="m", row=1, col=1)
    fig.update_yaxes(title_text="count", row=2, col=1)
    fig.update_xaxes(title_text="s after launch", row=1, col=2)
    fig.update_yaxes(autorange="reversed", type="category", tickfont={"size": 9}, row=1, col=2)
    fig.update_layout(title={"text": "Tracking quality", "x": 0.01},
                      height=max(560, 40 + 14 * len(th)), bargap=0.15,
                      margin={"l": 60, "r": 20, "t": 70, "b": 50})
    return fig


def tracking_by_type(run: RunResults) -> pd.DataFrame:
    """Tracking metrics per threat type (``PER_TYPE_COLUMNS``): the summary's
    ``tracking.by_type``, or recomputed with the summary's cut-off and order when absent."""
    reported = run.summary.get("tracking") or {}
    by_type = reported.get("by_type")
    if isinstance(by_type, dict) and by_type:
        rows = [{"type": t, **v} for t, v in by_type.items()]
        return pd.DataFrame(rows).reindex(columns=list(PER_TYPE_COLUMNS))
    c = float(reported.get("cutoff_m", DEFAULT_CUTOFF_M))
    cols = ["time_s", "threat_id", "east_m", "north_m", "up_m"]
    return tracking_metrics(run.truth[cols], run.tracks, cutoff_m=c,
                            p=float(reported.get("p", 2.0)), threats=run.threats).per_type


_TYPE_TABLE = (  # column, header, digits
    ("threats", "threats", 0), ("gospa_m", "GOSPA (m)", 0),
    ("localisation_m", "localisation (m)", 0), ("rms_error_m", "RMS error (m)", 0),
    ("missed_fraction", "missed", 2), ("missed_fraction_after_first_track",
                                        "missed after first track", 2),
    ("track_breaks", "breaks", 0), ("swaps", "swaps", 0),
    ("threats_tracked", "tracked", 0), ("track_delay_s_mean", "track delay mean (s)", 1),
    ("track_delay_s_median", "track delay median (s)", 1),
    ("time_to_track_s_mean", "launch to track mean (s)", 1),
)


def build_tracking_by_type(run: RunResults) -> go.Figure:
    """The per-type tracking table (``tracking_by_type``) as a plotly table."""
    table = tracking_by_type(run)
    cells = [[pretty(esc(str(t))) for t in table["type"]]]
    for col, _, digits in _TYPE_TABLE:
        cells.append([f"{v:.{digits}f}" if pd.notna(v) and np.isfinite(float(v)) else "–"
                      for v in table[col]])
    reported = run.summary.get("tracking") or {}
    c = float(reported.get("cutoff_m", DEFAULT_CUTOFF_M))
    fig = go.Figure(go.Table(
        header={"values": ["<b>type</b>", *(f"<b>{h}</b>" for _, h, _ in _TYPE_TABLE)],
                "fill": {"color": "#dde3ea"}, "align": "left"},
        cells={"values": cells, "align": "left", "height": 22}))
    fig.update_layout(
        title={"text": f"Tracking per threat type (GOSPA part of each type's threats, "
                       f"c = {c:g} m; track delay = first track - first detection)", "x": 0.01},
        height=120 + 23 * max(len(table), 1), margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig
