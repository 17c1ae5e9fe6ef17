"""The contested fight's outcomes in the run report (issue 16, item 6).

Stage: reports. In: ``summary.json["ew"]`` (``ew.contested.ContestedSky.report``). Out: one
plotly table per run: each radar's emitting time, when it was lost and its burn-through range
per jammer, and the run's electronic-attack totals (strobes, jammer tracks, ARMs, rounds drawn
by decoys and false tracks). A run without an ``ew`` section has no such table.
"""

from __future__ import annotations

import plotly.graph_objects as go

from iadsim.ew.record import ew_totals
from iadsim.reports.common import esc
from iadsim.reports.load import RunResults


def build_ew_table(run: RunResults) -> go.Figure | None:
    """Radars (emitting time, lost at, burn-through per jammer) beside the run's EW totals;
    None without ``summary["ew"]``."""
    ew = run.summary.get("ew")
    if not ew:
        return None
    radars = ew.get("radars") or {}
    burn = ew.get("burn_through_m") or {}
    names = list(radars)
    jammers = sorted({j for r in burn.values() for j in r})
    cols: dict[str, list[str]] = {
        "radar": [esc(n) for n in names],
        "emitting (s)": [f"{radars[n]['emit_time_s']:.0f}" for n in names],
        "lost at (s)": ["–" if radars[n].get("destroyed_s") is None
                        else f"{radars[n]['destroyed_s']:.1f}" for n in names],
    }
    for j in jammers:
        cols[f"burn-through {esc(j)} (km)"] = [
            f"{burn[n][j] / 1e3:.1f}" if j in burn.get(n, {}) else "–" for n in names]
    totals = ew_totals(ew)
    fig = go.Figure()
    fig.add_trace(go.Table(
        domain={"x": [0.0, 0.62]},
        header={"values": [f"<b>{k}</b>" for k in cols], "fill": {"color": "#dde3ea"},
                "align": "left"},
        cells={"values": list(cols.values()), "align": "left", "height": 24}))
    fig.add_trace(go.Table(
        domain={"x": [0.65, 1.0]},
        header={"values": ["<b>electronic attack</b>", "<b>this run</b>"],
                "fill": {"color": "#dde3ea"}, "align": "left"},
        cells={"values": [list(totals), list(totals.values())], "align": "left",
               "height": 24}))
    fig.update_layout(title={"text": "The contested fight: radars, jamming, ARMs, decoys",
                             "x": 0.01},
                      height=120 + 26 * max(len(names), len(totals)),
                      margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig
