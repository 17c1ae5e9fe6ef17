"""Tracking quality: GOSPA and its parts over time, and time to first track per threat.

Stage: reports. In: ``truth.parquet`` and the confirmed rows of ``tracks.parquet`` (positions
in scenario ENU metres), ``threats.parquet`` for first-detection and first-track times.
Out: ``gospa_series`` (a DataFrame) and a plotly figure.

GOSPA with alpha = 2 (Rahmathullah, Garcia-Fernandez and Svensson, 2017): at each time, with
cut-off ``c`` and order ``p``, an optimal assignment of tracks to true threats minimises
``sum_assigned min(d, c)^p + c^p / 2 * (missed + false)``; the distance is that sum to the
power ``1/p``. Its parts are the localisation term ``(sum_assigned d^p)^(1/p)`` (assigned pairs
closer than ``c``), the number of missed threats and the number of false tracks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from numpy.typing import NDArray
from plotly.subplots import make_subplots
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

from iadsim.reports.common import esc, pretty, snap_rows, threat_color
from iadsim.reports.load import RunResults

DEFAULT_CUTOFF_M = 1000.0


def gospa(
    truth_enu_m: NDArray[np.float64], tracks_enu_m: NDArray[np.float64], *, cutoff_m: float,
    p: float = 2.0,
) -> tuple[float, float, int, int]:
    """GOSPA (alpha = 2) between two point sets.

    Parameters
    ----------
    truth_enu_m, tracks_enu_m
        ``(n, 3)`` and ``(m, 3)`` positions, metres.
    cutoff_m, p
        Cut-off distance ``c`` and order ``p``.

    Returns
    -------
    (gospa_m, localisation_m, missed, false)
    """
    n, m = len(truth_enu_m), len(tracks_enu_m)
    if n == 0 or m == 0:
        total = (cutoff_m**p / 2.0 * (n + m)) ** (1.0 / p)
        return float(total), 0.0, n, m
    d = np.minimum(cdist(truth_enu_m, tracks_enu_m), cutoff_m) ** p
    rows, cols = linear_sum_assignment(d)
    real = d[rows, cols] < cutoff_m**p
    assigned = int(real.sum())
    loc = float(d[rows, cols][real].sum())
    missed, false = n - assigned, m - assigned
    total = (loc + cutoff_m**p / 2.0 * (missed + false)) ** (1.0 / p)
    return float(total), float(loc ** (1.0 / p)), missed, false


def gospa_series(
    run: RunResults, *, cutoff_m: float | None = None, p: float = 2.0, max_points: int = 600
) -> pd.DataFrame:
    """GOSPA over time, at (at most ``max_points``) truth sample times.

    The cut-off defaults to ``summary.json``'s ``tracking.gospa_c_m`` if present, else
    ``DEFAULT_CUTOFF_M``. Tracks are the confirmed ones at the latest track sample at or before
    each time (none if that sample is older than two track steps).
    """
    if cutoff_m is None:
        cutoff_m = float(run.summary.get("tracking", {}).get("gospa_c_m", DEFAULT_CUTOFF_M))
    truth = run.truth
    tracks = run.tracks[run.tracks.confirmed.astype(bool)]
    times = np.unique(truth.time_s.to_numpy(float))
    if times.size > max_points:
        times = times[np.linspace(0, times.size - 1, max_points).round().astype(int)]
    cols = ["east_m", "north_m", "up_m"]
    truth_xyz = truth[cols].to_numpy(float)
    track_xyz = tracks[cols].to_numpy(float)
    truth_rows = snap_rows(truth.time_s.to_numpy(float), times, 1e-9)
    track_step = float(np.median(np.diff(np.unique(tracks.time_s)))) \
        if tracks.time_s.nunique() > 1 else 1.0
    track_rows = snap_rows(tracks.time_s.to_numpy(float), times, 2.0 * track_step)
    out = np.array([gospa(truth_xyz[a], track_xyz[b], cutoff_m=cutoff_m, p=p)
                    for a, b in zip(truth_rows, track_rows, strict=True)], dtype=float)
    out = out.reshape(-1, 4)
    return pd.DataFrame({"time_s": times, "gospa_m": out[:, 0], "localisation_m": out[:, 1],
                         "missed": out[:, 2].astype(int), "false": out[:, 3].astype(int),
                         "truths": [len(r) for r in truth_rows], "cutoff_m": cutoff_m})


def build_tracking(run: RunResults, *, cutoff_m: float | None = None) -> go.Figure:
    """GOSPA and its parts over time (left), time to first track per threat (right)."""
    series = gospa_series(run, cutoff_m=cutoff_m)
    c = float(series.cutoff_m.iloc[0]) if len(series) else DEFAULT_CUTOFF_M
    fig = make_subplots(
        rows=2, cols=2, shared_xaxes=False, column_widths=[0.62, 0.38],
        specs=[[{}, {"rowspan": 2}], [{}, None]], vertical_spacing=0.12,
        subplot_titles=(f"GOSPA (c = {c:g} m, p = 2, α = 2)", "Time to first track per threat",
                        "GOSPA parts: missed threats and false tracks"))
    fig.add_trace(go.Scatter(x=series.time_s, y=series.gospa_m, mode="lines", name="GOSPA",
                             line={"color": "#000"}), row=1, col=1)
    fig.add_trace(go.Scatter(x=series.time_s, y=series.localisation_m, mode="lines",
                             name="localisation part", line={"color": "#1f77b4"}), row=1, col=1)
    fig.add_trace(go.Scatter(x=series.time_s, y=series.missed, mode="lines", name="missed",
                             line={"color": "#d62728", "shape": "hv"}), row=2, col=1)
    fig.add_trace(go.Scatter(x=series.time_s, y=series["false"], mode="lines", name="false",
                             line={"color": "#ff7f0e", "shape": "hv"}), row=2, col=1)
    fig.add_trace(go.Scatter(x=series.time_s, y=series.truths, mode="lines", name="threats flying",
                             line={"color": "#999", "dash": "dot", "shape": "hv"}), row=2, col=1)
    th = run.threats.sort_values("threat_id")
    delay = (th.first_track_s - th.launch_time_s).to_numpy(float)
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
