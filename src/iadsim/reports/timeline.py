"""The engagement timeline: per launcher and fire-control channel, who was engaged when.

Stage: reports. In: ``RunResults.events`` (``launch``, ``kill``, ``miss``) and the threats
table for names. Out: a plotly figure with one row per (launcher, channel); each engagement is
a bar from launch to the interceptor's result, ending in a hit (kill) or a miss mark.

The output folder does not name channels, so each launcher's engagements are packed into
channels the way a fire-control unit guides them: an engagement takes the lowest-numbered
channel free at its launch (interval-graph colouring, which uses the fewest channels possible).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from iadsim.reports.common import esc, pretty
from iadsim.reports.load import RunResults

RESULT_STYLE = {
    "kill": ("hit (kill)", "#2ca02c", "x"),
    "miss": ("miss", "#555555", "circle-open"),
    "open": ("no result by the end", "#1f77b4", "line-ew"),
}


@dataclass(frozen=True, slots=True)
class Engagements:
    """One row per interceptor launched (columns of a DataFrame ``table``)."""

    table: pd.DataFrame  # interceptor_id, launcher, interceptor_class, threat_id, start_s,
    #                      end_s, result, channel


def engagements(run: RunResults) -> Engagements:
    """Pair each ``launch`` with its interceptor's ``kill``/``miss`` and pack channels."""
    ev = run.events
    launches = ev[ev.kind == "launch"].dropna(subset=["interceptor_id"])
    cols = ["interceptor_id", "launcher", "interceptor_class", "threat_id", "time_s"]
    table = launches[cols].rename(columns={"time_s": "start_s"}).copy()
    table["interceptor_id"] = table.interceptor_id.astype(np.int64)
    ends = ev[ev.kind.isin(["kill", "miss"])].dropna(subset=["interceptor_id"])
    ends = ends.assign(interceptor_id=ends.interceptor_id.astype(np.int64))
    ends = ends.drop_duplicates("interceptor_id", keep="first").set_index("interceptor_id")
    table["result"] = table.interceptor_id.map(ends.kind).astype(object).fillna("open")
    t_end = float(max(ev.time_s.max() if len(ev) else 0.0,
                      run.truth.time_s.max() if len(run.truth) else 0.0))
    last_seen = run.interceptors.groupby("interceptor_id").time_s.max() if len(run.interceptors) \
        else pd.Series(dtype=float)
    end = table.interceptor_id.map(ends.time_s)
    end = end.fillna(table.interceptor_id.map(last_seen)).fillna(t_end)
    table["end_s"] = np.maximum(end.to_numpy(float), table.start_s.to_numpy(float))
    table = table.sort_values(["launcher", "start_s", "interceptor_id"], kind="stable")
    channel = np.zeros(len(table), dtype=np.int64)
    pos = 0
    for _launcher, group in table.groupby("launcher", sort=False):
        busy_until: list[float] = []
        for start, stop in zip(group.start_s.to_numpy(float), group.end_s.to_numpy(float),
                               strict=True):
            free = [k for k, b in enumerate(busy_until) if b <= start]
            if free:
                k = free[0]
                busy_until[k] = stop
            else:
                k = len(busy_until)
                busy_until.append(stop)
            channel[pos] = k
            pos += 1
    table["channel"] = channel
    return Engagements(table.reset_index(drop=True))


def _add_reloads(fig: go.Figure, run: RunResults, order: list[str]) -> None:
    """Grey bars from each ``reload`` start to its end on the launcher's first row (the
    reload policy: a reload may start before the launcher is empty)."""
    ev = run.events
    if ev.empty or "kind" not in ev:
        return
    rel = ev[ev.kind == "reload"].sort_values("time_s", kind="stable")
    xs: list[float | None] = []
    ys: list[str | None] = []
    for launcher, part in rel.groupby("launcher", sort=True):
        row = next((r for r in order if r.split(" · ")[0] == esc(str(launcher))), None)
        if row is None:
            continue
        start = None
        for t, d in zip(part.time_s, part.detail.astype(str), strict=True):
            if d.startswith("start"):
                start = float(t)
            elif start is not None:
                xs += [start, float(t), None]
                ys += [row, row, None]
                start = None
        if start is not None:  # still reloading when the run ended
            xs += [start, float(ev.time_s.max()), None]
            ys += [row, row, None]
    if xs:
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="reload",
                                 line={"color": "#999999", "width": 3, "dash": "dot"},
                                 hoverinfo="skip"))


def build_timeline(run: RunResults) -> go.Figure:
    """The engagement timeline figure (see the module docstring)."""
    eng = engagements(run).table
    names = run.threats.set_index("threat_id")["name"].astype(str) if len(run.threats) \
        else pd.Series(dtype=str)
    types = run.threats.set_index("threat_id")["type"].astype(str) if len(run.threats) \
        else pd.Series(dtype=str)
    rows = [f"{esc(la)} · ch {c + 1}" for la, c in zip(eng.launcher, eng.channel, strict=True)]
    eng = eng.assign(row=rows)
    order = list(dict.fromkeys(eng.sort_values(["launcher", "channel"]).row))
    # launchers that never fired get an empty row, so an idle battery shows
    fired = set(eng.launcher)
    idle = [f"{esc(la['name'])} · idle" for la in run.scenario.get("launchers", [])
            if la["name"] not in fired]
    order = sorted(order + idle, key=lambda r: r.split(" · ")[0])
    fig = go.Figure()
    for result, (label, color, symbol) in RESULT_STYLE.items():
        part = eng[eng.result == result]
        if part.empty:
            continue
        text = [
            f"{esc(names.get(int(t), t))} ({pretty(types.get(int(t), '?'))})<br>"
            f"interceptor {i} ({esc(c)}), {s:.0f}–{e:.0f} s: {label}"
            for t, i, c, s, e in zip(part.threat_id, part.interceptor_id,
                                      part.interceptor_class, part.start_s, part.end_s,
                                      strict=True)]
        xs: list[float | None] = []
        ys: list[str | None] = []
        for s, e, r in zip(part.start_s, part.end_s, part.row, strict=True):
            xs += [float(s), float(e), None]
            ys += [r, r, None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": color, "width": 8},
                                 opacity=0.55, name=label, legendgroup=result,
                                 hoverinfo="skip", showlegend=False))
        fig.add_trace(go.Scatter(x=part.end_s, y=part.row, mode="markers", name=label,
                                 legendgroup=result, hoverinfo="text", hovertext=text,
                                 marker={"symbol": symbol, "size": 12, "color": color,
                                         "line": {"width": 2, "color": color}}))
        fig.add_trace(go.Scatter(x=part.start_s, y=part.row, mode="text",
                                 text=[esc(names.get(int(t), t)) for t in part.threat_id],
                                 textposition="top right", textfont={"size": 9},
                                 hoverinfo="skip", showlegend=False, legendgroup=result,
                                 name=f"{label} labels"))
    _add_reloads(fig, run, order)
    fig.update_layout(
        title={"text": "Engagement timeline (per launcher and fire-control channel)", "x": 0.01},
        height=max(260, 60 + 34 * max(len(order), 1)),
        margin={"l": 140, "r": 20, "t": 50, "b": 50},
        xaxis={"title": {"text": "time (s)"}, "rangemode": "tozero"},
        yaxis={"categoryorder": "array", "categoryarray": order[::-1], "type": "category"},
        hovermode="closest",
    )
    if idle:  # an invisible point per idle row, so the category axis keeps it
        fig.add_trace(go.Scatter(x=[0.0] * len(idle), y=idle, mode="markers",
                                 marker={"opacity": 0}, hoverinfo="skip", showlegend=False,
                                 name="idle launchers"))
    if eng.empty:
        fig.add_annotation(text="no interceptor was launched", showarrow=False,
                           xref="paper", yref="paper", x=0.5, y=0.5)
    return fig
