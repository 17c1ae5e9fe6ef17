"""The replay: a map of the area with a time slider and a play button.

Stage: reports. In: ``RunResults`` (scenario sites, truth, tracks, interceptors, events).
Out: a plotly figure whose first traces are static (coastlines, borders, defended assets,
radar coverage at a chosen altitude, launcher engagement rings, every threat's path coloured by
fate) and whose last ``len(DYNAMIC)`` traces move with the frames (threats by type, tracks with
their 2-sigma position circles, interceptors in flight, kills, misses and leaks so far; in a
contested run also strobes, jammers, jammer tracks, radar states and decoys: ``replay_ew``).
Longitude and latitude are drawn on plain axes (aspect fixed at the map's mid-latitude) so
the page needs no map tiles or outlines from the network.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from iadsim.reports.basemap import load_basemap
from iadsim.reports.common import (
    CLASS_PALETTE,
    THREAT_SYMBOLS,
    esc,
    fate_color,
    horizon_range_m,
    ordered_types,
    pretty,
    ring_lonlat,
    sample_step_s,
    snap_rows,
    threat_color,
)
from iadsim.reports.load import RunResults
from iadsim.reports.replay_ew import EwLayers

TRACK_SIGMAS = 2.0
"""Track circles are drawn at this many position sigmas."""

FRAME_BYTES = 8_000_000
"""Budget for the replay's frames in the page; big raids get fewer frames, not a slow page."""
MIN_FRAMES = 30
PATH_POINTS = 60_000
"""Most samples drawn for the threats' whole paths (decimated evenly per threat)."""
_BYTES_THREAT, _BYTES_TRACK, _BYTES_INTERCEPTOR = 60.0, 230.0, 60.0

_NICE_STEPS_S = (1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600)


def frame_times(
    t_start_s: float, t_end_s: float, data_step_s: float, max_frames: int
) -> np.ndarray:
    """Frame times from start to end: the data step, or a round multiple so frames <= max.

    With a round step the frames fall on its multiples (0, 5, 10, ... rather than 1, 6, ...);
    the last frame is the end time.
    """
    span = max(t_end_s - t_start_s, 0.0)
    want = max(span / max(max_frames - 2, 1), data_step_s)
    step = float(next((s for s in _NICE_STEPS_S if s >= want - 1e-9), math.ceil(want)))
    if step > data_step_s:
        first = math.ceil(t_start_s / step - 1e-9) * step
    else:
        step, first = data_step_s, t_start_s
    n = math.floor((t_end_s - first) / step + 1e-9) + 1
    times = first + step * np.arange(max(n, 1))
    if times[0] > t_start_s + 1e-9:
        times = np.insert(times, 0, t_start_s)
    if times[-1] < t_end_s - 1e-9:
        times = np.append(times, t_end_s)
    return times


def _frame_name(t_s: float) -> str:
    """A frame's name: its time in seconds, to the millisecond, without trailing zeros."""
    return f"{t_s:.3f}".rstrip("0").rstrip(".")


def _frame_budget(max_frames: int, truth: pd.DataFrame, tracks: pd.DataFrame,
                  inter: pd.DataFrame) -> int:
    """Frames that keep the replay's frame data within ``FRAME_BYTES`` (at least ``MIN_FRAMES``).

    Bytes per frame are estimated from the mean number of rows per sample time of each table
    and the bytes each row costs in the page (typed-array coordinates and hover text; a track
    also draws its 18-point circle).
    """
    def per_sample(table: pd.DataFrame) -> float:
        n = table.time_s.nunique()
        return len(table) / n if n else 0.0

    per_frame = (per_sample(truth) * _BYTES_THREAT + per_sample(tracks) * _BYTES_TRACK
                 + per_sample(inter) * _BYTES_INTERCEPTOR + 200.0)
    return int(min(max_frames, max(MIN_FRAMES, FRAME_BYTES // per_frame)))


def _sites(scenario: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    def pos(entry: dict[str, Any]) -> tuple[float, float, float]:
        p = entry.get("position", entry)
        return float(p["lat_deg"]), float(p["lon_deg"]), float(p.get("alt_m") or 0.0)

    out: dict[str, list[dict[str, Any]]] = {"assets": [], "radars": [], "launchers": []}
    for a in scenario.get("defended_assets", []):
        lat, lon, _ = pos(a)
        out["assets"].append({"name": a["name"], "lat": lat, "lon": lon,
                              "radius_m": float(a.get("radius_m", 0.0))})
    for s in scenario.get("sensors", []):
        lat, lon, alt = pos(s)
        out["radars"].append({"name": s["name"], "lat": lat, "lon": lon,
                              "antenna_alt_m": alt + float(s.get("mast_height_m", 0.0)),
                              "max_range_m": float(s["max_range_m"])})
    classes = scenario.get("interceptors", {})
    for la in scenario.get("launchers", []):
        lat, lon, _ = pos(la)
        spec = classes.get(la["interceptor"], {})
        out["launchers"].append({"name": la["name"], "lat": lat, "lon": lon,
                                 "cls": la["interceptor"],
                                 "max_range_m": float(spec.get("max_range_m", 0.0))})
    return out


def _bounds(sites: dict[str, list[dict[str, Any]]], *tables: pd.DataFrame) -> list[float]:
    lons = [s["lon"] for v in sites.values() for s in v]
    lats = [s["lat"] for v in sites.values() for s in v]
    for t in tables:
        if len(t):
            lons += [float(t.lon_deg.min()), float(t.lon_deg.max())]
            lats += [float(t.lat_deg.min()), float(t.lat_deg.max())]
    if not lons:
        lons, lats = [0.0], [0.0]
    lo, hi, la, lb = min(lons), max(lons), min(lats), max(lats)
    pad_lon = max((hi - lo) * 0.06, 0.05)
    pad_lat = max((lb - la) * 0.06, 0.05)
    return [lo - pad_lon, hi + pad_lon, la - pad_lat, lb + pad_lat]


def _static_traces(
    run: RunResults, sites: dict[str, list[dict[str, Any]]], box: list[float],
    coverage_alt_m: float,
) -> list[go.Scatter]:
    traces: list[go.Scatter] = []
    margin = 2.0
    base = load_basemap(box[0] - margin, box[1] + margin, box[2] - margin, box[3] + margin)
    traces.append(go.Scatter(x=base["coastline"].lon_deg, y=base["coastline"].lat_deg,
                             mode="lines", line={"color": "#5b7083", "width": 1.2},
                             name="coastline", hoverinfo="skip", showlegend=False))
    traces.append(go.Scatter(x=base["border"].lon_deg, y=base["border"].lat_deg, mode="lines",
                             line={"color": "#9aa5b1", "width": 1, "dash": "dot"},
                             name="border", hoverinfo="skip", showlegend=False))
    for i, r in enumerate(sites["radars"]):
        reach = min(r["max_range_m"], horizon_range_m(r["antenna_alt_m"], coverage_alt_m))
        x, y = ring_lonlat(r["lat"], r["lon"], reach, 180)
        traces.append(go.Scatter(
            x=x, y=y, mode="lines", line={"color": "#1f4e79", "width": 1.2, "dash": "dash"},
            name=f"radar coverage at {coverage_alt_m:g} m", legendgroup="radar-coverage",
            showlegend=i == 0, hoverinfo="text",
            hovertext=f"{esc(r['name'])}: {reach / 1000:.0f} km at {coverage_alt_m:g} m"))
    classes = list(dict.fromkeys(la["cls"] for la in sites["launchers"]))
    for cls_i, cls in enumerate(classes):
        group = [la for la in sites["launchers"] if la["cls"] == cls]
        x, y = ring_lonlat([g["lat"] for g in group], [g["lon"] for g in group],
                           [g["max_range_m"] for g in group], 120)
        traces.append(go.Scatter(
            x=x, y=y, mode="lines", hoverinfo="skip",
            line={"color": CLASS_PALETTE[cls_i % len(CLASS_PALETTE)], "width": 1},
            name=f"{esc(pretty(cls))} engagement ring", legendgroup=f"ring-{cls}"))
    if sites["assets"]:
        x, y = ring_lonlat([a["lat"] for a in sites["assets"]], [a["lon"] for a in sites["assets"]],
                           [a["radius_m"] for a in sites["assets"]], 48)
        traces.append(go.Scatter(x=x, y=y, mode="lines", fill="toself",
                                 fillcolor="rgba(255,215,0,0.25)", line={"color": "#b8860b"},
                                 hoverinfo="skip", legendgroup="assets", showlegend=False,
                                 name="asset radius"))
    marker_sets = (  # only the assets are labelled on the map; radars and launchers on hover
        ("assets", "defended asset", {"symbol": "star-square", "size": 12, "color": "#b8860b"},
         "markers+text"),
        ("radars", "radar", {"symbol": "triangle-up", "size": 12, "color": "#1f4e79"}, "markers"),
        ("launchers", "launcher", {"symbol": "square", "size": 9, "color": "#444"}, "markers"),
    )
    for key, label, marker, mode in marker_sets:
        items = sites[key]
        if items:
            traces.append(go.Scatter(
                x=[s["lon"] for s in items], y=[s["lat"] for s in items], mode=mode,
                marker=marker, text=[esc(s["name"]) for s in items], textposition="top right",
                textfont={"size": 11, "color": "#333"}, name=label, legendgroup=key,
                hoverinfo="text", hovertext=[f"{label}: {esc(s['name'])}" for s in items]))
    # each threat's whole path, coloured by its fate
    truth = run.truth.sort_values(["threat_id", "time_s"], kind="stable")
    fates = run.threats.set_index("threat_id")["fate"] if len(run.threats) else pd.Series(dtype=str)
    # keep at most PATH_POINTS samples in all (every k-th of each threat, and its last)
    rank = truth.groupby("threat_id").cumcount().to_numpy()
    last = np.r_[truth.threat_id.to_numpy()[1:] != truth.threat_id.to_numpy()[:-1], True]
    k = max(1, math.ceil(len(truth) / PATH_POINTS))
    truth = truth[(rank % k == 0) | last]
    for fate in ("killed", "leaked", "flying", "ended"):
        ids = fates.index[fates == fate]
        part = truth[truth.threat_id.isin(ids)]
        if part.empty:
            continue
        brk = np.flatnonzero(np.diff(part.threat_id.to_numpy())) + 1
        x = np.insert(part.lon_deg.to_numpy(np.float32), brk, np.nan)
        y = np.insert(part.lat_deg.to_numpy(np.float32), brk, np.nan)
        traces.append(go.Scatter(
            x=x, y=y, mode="lines", line={"color": fate_color(fate), "width": 1},
            opacity=0.45, name=f"path: {fate}", legendgroup=f"fate-{fate}", hoverinfo="skip"))
    return traces


def _moving_sites(run: RunResults) -> pd.DataFrame:
    """Rows of the ``sites`` table (a networked run) of the radars and launchers that move
    at some time (their place and status per step); empty without such a table."""
    sites = getattr(run, "sites", None)
    if sites is None or len(sites) == 0:
        return pd.DataFrame({"time_s": [], "site": [], "kind": [], "status": [],
                             "lat_deg": [], "lon_deg": []})
    key = sites["kind"].astype(str) + "/" + sites["site"].astype(str)
    first = sites.groupby(key)[["lat_deg", "lon_deg"]].transform("first")
    off = (sites[["lat_deg", "lon_deg"]] != first).any(axis=1) | (
        sites["status"].astype(str) != "operational")
    return sites[key.isin(set(key[off]))].reset_index(drop=True)


def _event_points(run: RunResults, kind: str) -> pd.DataFrame:
    """Events of one kind, placed at their threat's true position at that time."""
    ev = run.events[run.events.kind == kind][["time_s", "threat_id"]].dropna()
    if ev.empty or run.truth.empty:
        return pd.DataFrame({"time_s": [], "lon_deg": [], "lat_deg": [], "threat_id": []})
    ev = ev.astype({"time_s": float, "threat_id": np.int64}).sort_values("time_s")
    truth = run.truth[["time_s", "threat_id", "lon_deg", "lat_deg"]].astype(
        {"time_s": float, "threat_id": np.int64}).sort_values("time_s")
    return pd.merge_asof(ev, truth, on="time_s", by="threat_id", direction="nearest").dropna()


@dataclass(frozen=True, slots=True)
class AnimatedFigure:
    """A plotly figure and its animation frames, kept apart from it.

    ``figure`` holds every trace (the moving ones at their first frame) and the layout with
    the slider and play button; ``frames`` are plotly frame dicts
    ``{"name", "traces", "data": [{"x", "y", "hovertext"}, ...]}`` with numpy arrays, encoded
    by ``to_json`` as plotly.js typed arrays.
    """

    figure: go.Figure
    frames: list[dict[str, Any]]

    def to_json(self) -> str:
        """``{"data", "layout", "frames"}`` as plotly.js reads it."""
        head = self.figure.to_json()
        return head[:-1] + ',"frames":' + json.dumps(self.frames, default=_typed_array,
                                                     separators=(",", ":")) + "}"


def _typed_array(value: object) -> object:
    """numpy arrays as plotly.js typed-array specs (``{"dtype", "bdata"}``, little-endian)."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            arr = value.astype("<f4" if value.dtype.itemsize <= 4 else "<f8")
            return {"dtype": "f4" if value.dtype.itemsize <= 4 else "f8",
                    "bdata": base64.b64encode(arr.tobytes()).decode("ascii")}
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def build_replay(
    run: RunResults, *, coverage_alt_m: float = 100.0, max_frames: int = 240
) -> AnimatedFigure:
    """The replay figure (see the module docstring).

    Parameters
    ----------
    run
        The run's results.
    coverage_alt_m
        Target altitude at which each radar's coverage (range limit and 4/3-earth horizon)
        is drawn.
    max_frames
        Upper bound on the animation frames; frames fall on the data's own time step or a
        round multiple of it.
    """
    sites = _sites(run.scenario)
    box = _bounds(sites, run.truth)
    traces = _static_traces(run, sites, box, coverage_alt_m)
    n_static = len(traces)

    names = run.threats.set_index("threat_id")["name"].astype(str).map(esc) if len(run.threats) \
        else pd.Series(dtype=str)
    types = run.threats.set_index("threat_id")["type"].astype(str) if len(run.threats) \
        else pd.Series(dtype=str)
    truth = run.truth.reset_index(drop=True)
    truth_type = truth.threat_id.map(types).fillna("unknown").to_numpy()
    name_of, type_of = names.to_dict(), types.to_dict()
    truth_label = np.array([
        f"{name_of.get(t, '?')} ({pretty(type_of.get(t, '?'))})<br>alt {a:.0f} m"
        for t, a in zip(truth.threat_id.to_numpy(), truth.alt_m.to_numpy(float), strict=True)],
        dtype=object)
    tracks = run.tracks[run.tracks.confirmed.astype(bool)].reset_index(drop=True)
    track_label = np.array([
        f"track {int(k)}<br>σ {s:.0f} m"
        for k, s in zip(tracks.track_id.to_numpy(), tracks.position_sigma_m.to_numpy(float),
                        strict=True)], dtype=object)
    inter = run.interceptors.reset_index(drop=True)
    inter_label = np.array([
        f"interceptor {int(i)} ({esc(c)}, {esc(la)})"
        for i, c, la in zip(inter.interceptor_id.to_numpy(), inter.interceptor_class,
                            inter.launcher, strict=True)], dtype=object)

    t_all = [t for t in (truth.time_s, run.events.time_s) if len(t)]
    t0 = float(min(t.min() for t in t_all)) if t_all else 0.0
    t1 = float(max(t.max() for t in t_all)) if t_all else 0.0
    step = sample_step_s(truth.time_s) if len(truth) else 1.0
    times = frame_times(t0, t1, step, _frame_budget(max_frames, truth, tracks, inter))
    rows_truth = snap_rows(truth.time_s.to_numpy(), times, 2.0 * step)
    rows_track = snap_rows(tracks.time_s.to_numpy(), times,
                           2.0 * (sample_step_s(tracks.time_s) if len(tracks) else step))
    rows_inter = snap_rows(inter.time_s.to_numpy(), times,
                           2.0 * (sample_step_s(inter.time_s) if len(inter) else step))
    movers = _moving_sites(run)  # network: relocating radars and launchers
    rows_site = snap_rows(movers.time_s.to_numpy(float), times, 2.0 * step)
    site_label = np.array([f"{esc(str(n))} ({k}): {st}" for n, k, st in zip(
        movers.site, movers.kind, movers.status, strict=True)], dtype=object)
    kinds = [("kill", "kill", "x", "#2ca02c"), ("miss", "miss", "circle-open", "#555"),
             ("leak", "leak", "star", "#d62728")]
    event_pts = {k: _event_points(run, k) for k, *_ in kinds}

    type_list = ordered_types(types.unique()) if len(types) else []
    dynamic: list[go.Scatter] = []
    for ttype in type_list:
        dynamic.append(go.Scatter(
            mode="markers", name=pretty(esc(ttype)), legendgroup=f"type-{ttype}",
            marker={"symbol": THREAT_SYMBOLS.get(ttype, "circle"), "size": 10,
                    "color": threat_color(ttype), "line": {"width": 0.5, "color": "#222"}},
            hoverinfo="text"))
    dynamic.append(go.Scatter(mode="lines", name=f"track ({TRACK_SIGMAS:g}σ)",
                              legendgroup="tracks", line={"color": "#000", "width": 1},
                              hoverinfo="skip"))
    dynamic.append(go.Scatter(mode="markers", name="track", legendgroup="tracks", showlegend=False,
                              marker={"symbol": "circle-open", "size": 7, "color": "#000"},
                              hoverinfo="text"))
    dynamic.append(go.Scatter(mode="markers", name="interceptor",
                              marker={"symbol": "circle", "size": 6, "color": "#000",
                                      "line": {"width": 1, "color": "#fff"}}, hoverinfo="text"))
    if len(movers):
        dynamic.append(go.Scatter(mode="markers", name="relocating site",
                                  marker={"symbol": "diamond", "size": 10, "color": "#8c564b",
                                          "line": {"width": 1, "color": "#fff"}},
                                  hoverinfo="text"))
    for _kind, label, symbol, color in kinds:
        dynamic.append(go.Scatter(mode="markers", name=label,
                                  marker={"symbol": symbol, "size": 11, "color": color,
                                          "line": {"width": 2, "color": color}},
                                  hoverinfo="text"))

    ew = EwLayers(run, times, step)  # strobes, jammers, jammer tracks, radar states, decoys
    dynamic += ew.traces
    truth_lon, truth_lat = truth.lon_deg.to_numpy(np.float32), truth.lat_deg.to_numpy(np.float32)
    track_lon, track_lat = tracks.lon_deg.to_numpy(np.float32), tracks.lat_deg.to_numpy(np.float32)
    inter_lon, inter_lat = inter.lon_deg.to_numpy(np.float32), inter.lat_deg.to_numpy(np.float32)

    def frame_data(i: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        r = rows_truth[i]
        for ttype in type_list:
            sel = r[truth_type[r] == ttype]
            out.append({"x": truth_lon[sel], "y": truth_lat[sel],
                        "hovertext": truth_label[sel].tolist()})
        r = rows_track[i]
        if r.size:
            rx, ry = ring_lonlat(tracks.lat_deg.to_numpy()[r], tracks.lon_deg.to_numpy()[r],
                                 TRACK_SIGMAS * tracks.position_sigma_m.to_numpy()[r], 16)
        else:
            rx = ry = np.zeros(0)
        out.append({"x": rx.astype(np.float32), "y": ry.astype(np.float32)})
        out.append({"x": track_lon[r], "y": track_lat[r],
                    "hovertext": track_label[r].tolist()})
        r = rows_inter[i]
        out.append({"x": inter_lon[r], "y": inter_lat[r],
                    "hovertext": inter_label[r].tolist()})
        if len(movers):
            r = rows_site[i]
            out.append({"x": movers.lon_deg.to_numpy(np.float32)[r],
                        "y": movers.lat_deg.to_numpy(np.float32)[r],
                        "hovertext": site_label[r].tolist()})
        for kind, label, *_ in kinds:
            pts = event_pts[kind]
            n = int(np.searchsorted(pts.time_s.to_numpy(), times[i], side="right"))
            out.append({"x": pts.lon_deg.to_numpy(np.float32)[:n],
                        "y": pts.lat_deg.to_numpy(np.float32)[:n],
                        "hovertext": [f"{label} of {names.get(int(t), '?')} at {s:.0f} s"
                                      for t, s in zip(pts.threat_id[:n], pts.time_s[:n],
                                                      strict=True)]})
        return out + ew.frame(i)

    # plotly leaves traces that are empty in the first frame out of the legend, so each moving
    # trace gets a static, empty legend key in its group and stays out of the legend itself
    keys = []
    for trace in dynamic:
        if trace.showlegend is False:
            continue
        keys.append(go.Scatter(x=[None], y=[None], mode=trace.mode, name=trace.name,
                               legendgroup=trace.legendgroup or trace.name, marker=trace.marker,
                               line=trace.line, hoverinfo="skip"))
        trace.update(showlegend=False, legendgroup=trace.legendgroup or trace.name)
    traces += keys
    n_static = len(traces)
    dyn_index = list(range(n_static, n_static + len(dynamic)))
    # frames stay plain dicts: plotly's validation of ~2,000 frame traces took seconds
    frames = [{"name": _frame_name(t), "traces": dyn_index, "data": frame_data(i)}
              for i, t in enumerate(times)]
    first = frame_data(0)
    for trace, data in zip(dynamic, first, strict=True):
        trace.update(**data)

    anim = {"mode": "immediate", "frame": {"duration": 0, "redraw": False},
            "transition": {"duration": 0}}
    fig = go.Figure(data=traces + dynamic)
    mid_lat = 0.5 * (box[2] + box[3])
    fig.update_layout(
        title={"text": "Replay", "x": 0.01},
        height=760, margin={"l": 60, "r": 20, "t": 50, "b": 40},
        plot_bgcolor="#eef3f7", hovermode="closest",
        legend={"itemsizing": "constant", "font": {"size": 11}},
        xaxis={"title": {"text": "longitude (deg)"}, "range": box[:2], "showgrid": False},
        yaxis={"title": {"text": "latitude (deg)"}, "range": box[2:], "showgrid": False,
               "scaleanchor": "x", "scaleratio": 1.0 / max(math.cos(math.radians(mid_lat)), 0.05)},
        updatemenus=[{
            "type": "buttons", "direction": "left", "x": 0.0, "y": -0.02, "xanchor": "left",
            "yanchor": "top", "pad": {"t": 40, "r": 10}, "showactive": False,
            "buttons": [
                {"label": "▶ play", "method": "animate",
                 "args": [None, {**anim, "frame": {"duration": 120, "redraw": False},
                                 "fromcurrent": True}]},
                {"label": "❚❚ pause", "method": "animate",
                 "args": [[None], {**anim, "mode": "immediate"}]},
            ]}],
        sliders=[{
            "active": 0, "x": 0.16, "len": 0.84, "y": -0.02, "yanchor": "top",
            "pad": {"t": 30}, "currentvalue": {"prefix": "t = ", "suffix": " s"},
            "steps": [{"label": f"{t:.0f}", "method": "animate",
                       "args": [[_frame_name(t)], anim]} for t in times],
        }],
    )
    return AnimatedFigure(figure=fig, frames=frames)


def final_state(anim: AnimatedFigure) -> go.Figure:
    """A still copy of a replay showing its last frame (for static images)."""
    still = go.Figure(anim.figure)
    if anim.frames:
        last = anim.frames[-1]
        for idx, data in zip(last["traces"], last["data"], strict=True):
            still.data[idx].update(**data)
    still.layout.updatemenus = ()
    still.layout.sliders = ()
    name = anim.frames[-1]["name"] if anim.frames else None
    still.update_layout(title={"text": f"Replay, t = {name} s" if name else "Replay"},
                        height=900, legend={"font": {"size": 10}, "tracegroupgap": 2})
    return still
