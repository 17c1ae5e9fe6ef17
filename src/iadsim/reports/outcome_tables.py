"""The outcome table: every threat's fate, rounds spent per interceptor class, cost.

Stage: reports. In: ``threats.parquet``, the ``launch`` events, ``summary.json`` and the
interceptor classes' ``cost`` from ``scenario.json``. Out: plotly tables and a bar chart of fates
by threat type.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from iadsim.reports.common import FATE_COLORS, esc, fate_color, ordered_types, pretty
from iadsim.reports.load import RunResults

_FATE_FILL = {"killed": "#e3f4e3", "leaked": "#fbe0e0", "flying": "#eeeeee", "ended": "#f5f5d6"}


def rounds_and_cost(run: RunResults) -> pd.DataFrame:
    """Rounds fired and their notional cost per interceptor class, with a total row.

    Rounds are counted from the ``launch`` events; the unit cost is the class's ``cost``.
    """
    launches = run.events[run.events.kind == "launch"]
    counts = launches.groupby("interceptor_class").size() if len(launches) \
        else pd.Series(dtype=int)
    classes = run.scenario.get("interceptors", {})
    names = list(classes) + [c for c in counts.index if c not in classes]
    rows = []
    for cls in names:
        n = int(counts.get(cls, 0))
        unit = float(classes.get(cls, {}).get("cost", np.nan))
        rows.append({"class": cls, "rounds": n, "unit_cost": unit, "cost": n * unit})
    table = pd.DataFrame(rows, columns=["class", "rounds", "unit_cost", "cost"])
    total = pd.DataFrame([{"class": "total", "rounds": int(table.rounds.sum()),
                           "unit_cost": np.nan, "cost": float(table.cost.sum())}])
    return pd.concat([table, total], ignore_index=True)


def _given(value: object) -> bool:
    """A text cell that holds something (the output folder writes "" or null for none)."""
    return isinstance(value, str) and value != ""


def _fmt(value: object, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)) or value is pd.NA:
        return "–"
    if isinstance(value, (float, np.floating)):
        return f"{value:.{digits}f}"
    return esc(value)


def build_outcome_table(run: RunResults) -> go.Figure:
    """Every threat's fate, one row per threat, coloured by fate."""
    th = run.threats.sort_values("threat_id")
    columns = {
        "id": th.threat_id.astype(int).astype(str).tolist(),
        "name": [esc(v) for v in th.name],
        "group": [esc(v) for v in th.group],
        "type": [pretty(esc(v)) for v in th.type],
        "fate": [esc(v) for v in th.fate],
        "at (s)": [_fmt(v) for v in th.fate_time_s],
        "killed by": [f"{_fmt(a)} ({_fmt(b)})" if _given(a) else "–"
                      for a, b in zip(th.killer_launcher, th.killer_class, strict=True)],
        "leaked on": [_fmt(v) if _given(v) else "–" for v in th.leaked_asset],
        "rounds": [_fmt(int(v)) if pd.notna(v) else "–" for v in th.interceptors_fired],
        "first track (s)": [_fmt(v) for v in th.first_track_s],
    }
    fill = [_FATE_FILL.get(str(f), "#ffffff") for f in th.fate]
    fig = go.Figure(go.Table(
        header={"values": [f"<b>{k}</b>" for k in columns], "fill": {"color": "#dde3ea"},
                "align": "left"},
        cells={"values": list(columns.values()), "fill": {"color": [fill] * len(columns)},
               "align": "left", "height": 22},
        columnwidth=[30, 110, 90, 90, 50, 50, 120, 70, 45, 70]))
    fig.update_layout(title={"text": f"Every threat's fate ({len(th)} threats)", "x": 0.01},
                      height=110 + 23 * max(len(th), 1),  # every row: PNGs do not scroll
                      margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


def build_outcome_summary(run: RunResults) -> go.Figure:
    """Fates by threat type (stacked bars) beside rounds and cost per class (a table)."""
    th = run.threats
    fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45],
                        specs=[[{"type": "xy"}, {"type": "table"}]],
                        subplot_titles=("Fates by threat type", "Rounds spent and cost"))
    types = ordered_types(th.type.astype(str).unique()) if len(th) else []
    fates = [f for f in FATE_COLORS if f in set(th.fate)] + sorted(
        set(th.fate) - set(FATE_COLORS))
    for fate in fates:
        counts = [int(((th.type == t) & (th.fate == fate)).sum()) for t in types]
        fig.add_trace(go.Bar(x=[pretty(esc(t)) for t in types], y=counts, name=esc(fate),
                             marker={"color": fate_color(fate)}, text=counts,
                             textposition="inside", textangle=0), row=1, col=1)
    rc = rounds_and_cost(run)
    fig.add_trace(go.Table(
        header={"values": ["<b>class</b>", "<b>rounds</b>", "<b>unit cost</b>", "<b>cost</b>"],
                "fill": {"color": "#dde3ea"}, "align": "left"},
        cells={"values": [[pretty(esc(c)) for c in rc["class"]], rc.rounds.astype(str).tolist(),
                          [_fmt(v, 2) for v in rc.unit_cost], [_fmt(v, 2) for v in rc.cost]],
               "align": "left", "height": 24}), row=1, col=2)
    fig.update_layout(barmode="stack", height=380, title={"text": "Outcome", "x": 0.01},
                      margin={"l": 50, "r": 10, "t": 70, "b": 40},
                      yaxis={"title": {"text": "threats"}})
    return fig
