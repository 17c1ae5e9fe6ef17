"""The replay's electronic-warfare layers: strobes, jammers, jammer tracks, decoys, radar states.

Stage: reports (read results only). In: ``RunResults`` with its ``ew`` table (``ew.record``:
one row per jammer, strobe, angle track, position track and radar per step) and the frame
times of the replay. Out: moving traces appended to the replay's and, per frame, their data:

* strobes: a line from the radar along the strobe's bearing, ``STROBE_LENGTH_M`` long;
* jammers (their true positions while they jam) and jammer tracks (triangulated position
  tracks, with ``TRACK_SIGMAS``-sigma circles; hover: error and predicted sigma);
* radars by state: emitting, silent (EMCON), destroyed (ARM hit);
* decoys: a ring over each decoy in the air (the threat traces show it by its type).

ARMs need no layer of their own: they are the ``anti_radiation_missile`` threat type.
A run without an ``ew`` table gets no layer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from numpy.typing import NDArray

from iadsim.reports.common import EARTH_RADIUS_M, esc, ring_lonlat, snap_rows
from iadsim.reports.load import RunResults

STROBE_LENGTH_M = 250_000.0
"""Drawn length of a strobe line (a strobe has no range)."""
TRACK_SIGMAS = 2.0
RADAR_STATES = (("emitting", "#2ca02c", "square"), ("silent", "#999999", "square-open"),
                ("destroyed", "#000000", "x-thin-open"))


def destination_lonlat(lat_deg: NDArray[np.float64], lon_deg: NDArray[np.float64],
                       bearing_rad: NDArray[np.float64], distance_m: float
                       ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Longitude and latitude reached from points along bearings (spherical earth)."""
    lat0, lon0 = np.radians(lat_deg), np.radians(lon_deg)
    d = distance_m / EARTH_RADIUS_M
    lat = np.arcsin(np.sin(lat0) * np.cos(d) + np.cos(lat0) * np.sin(d) * np.cos(bearing_rad))
    lon = lon0 + np.arctan2(np.sin(bearing_rad) * np.sin(d) * np.cos(lat0),
                            np.cos(d) - np.sin(lat0) * np.sin(lat))
    return np.degrees(lon), np.degrees(lat)


class EwLayers:
    """The EW traces of a replay and their data per frame (``traces``, ``frame(i)``)."""

    def __init__(self, run: RunResults, times: NDArray[np.float64], step_s: float) -> None:
        table = run.ew if run.ew is not None else pd.DataFrame()
        self.traces: list[go.Scatter] = []
        self._frames: list[list[dict[str, Any]]] = [[] for _ in times]
        if table.empty:
            return
        radars = {s["name"]: s.get("position", s) for s in run.scenario.get("sensors", [])}
        age = 2.0 * step_s
        kinds = {k: table[table["kind"] == k].reset_index(drop=True)
                 for k in ("strobe", "jammer", "jammer_track", "radar")}
        self._strobes(kinds["strobe"], radars, times, age)
        self._jammers(kinds["jammer"], kinds["jammer_track"], times, age)
        self._radars(kinds["radar"], radars, times, age)
        self._decoys(run, times, age)

    def frame(self, i: int) -> list[dict[str, Any]]:
        """Data of every EW trace at frame ``i`` (in the order of ``traces``)."""
        return self._frames[i]

    def _add(self, trace: go.Scatter, per_frame: list[dict[str, Any]]) -> None:
        self.traces.append(trace)
        for out, data in zip(self._frames, per_frame, strict=True):
            out.append(data)

    def _strobes(self, strobes: pd.DataFrame, radars: dict[str, Any],
                 times: NDArray[np.float64], age: float) -> None:
        lat = strobes["sensor"].map(lambda n: float(radars[n]["lat_deg"])).to_numpy(float)
        lon = strobes["sensor"].map(lambda n: float(radars[n]["lon_deg"])).to_numpy(float)
        az = strobes["azimuth_rad"].to_numpy(float)
        end_lon, end_lat = destination_lonlat(lat, lon, az, STROBE_LENGTH_M)
        data = []
        for rows in snap_rows(strobes["time_s"].to_numpy(float), times, age):
            x = np.column_stack([lon[rows], end_lon[rows], np.full(rows.size, np.nan)]).ravel()
            y = np.column_stack([lat[rows], end_lat[rows], np.full(rows.size, np.nan)]).ravel()
            data.append({"x": x.astype(np.float32), "y": y.astype(np.float32)})
        self._add(go.Scatter(mode="lines", name="strobe", legendgroup="ew-strobe",
                             line={"color": "#ff7f0e", "width": 1, "dash": "dot"},
                             hoverinfo="skip"), data)

    def _jammers(self, jammers: pd.DataFrame, tracks: pd.DataFrame,
                 times: NDArray[np.float64], age: float) -> None:
        on = jammers[jammers["state"] == "on"].reset_index(drop=True)
        data = []
        for rows in snap_rows(on["time_s"].to_numpy(float), times, age):
            data.append({"x": on["lon_deg"].to_numpy(np.float32)[rows],
                         "y": on["lat_deg"].to_numpy(np.float32)[rows],
                         "hovertext": [f"jammer {esc(str(n))}" for n in on["jammer"].iloc[rows]]})
        self._add(go.Scatter(mode="markers", name="jammer (truth)", legendgroup="ew-jammer",
                             marker={"symbol": "star-diamond", "size": 12, "color": "#ff7f0e",
                                     "line": {"width": 1, "color": "#222"}},
                             hoverinfo="text"), data)
        rows_of = snap_rows(tracks["time_s"].to_numpy(float), times, age)
        circles, points = [], []
        for rows in rows_of:
            t = tracks.iloc[rows]
            if len(t):
                rx, ry = ring_lonlat(t["lat_deg"].to_numpy(float), t["lon_deg"].to_numpy(float),
                                     TRACK_SIGMAS * t["sigma_m"].to_numpy(float), 24)
            else:
                rx = ry = np.zeros(0)
            circles.append({"x": rx.astype(np.float32), "y": ry.astype(np.float32)})
            points.append({"x": t["lon_deg"].to_numpy(np.float32),
                           "y": t["lat_deg"].to_numpy(np.float32),
                           "hovertext": [
                               f"jammer track {int(i)} ({esc(str(j))}, {esc(str(n))}, {s})<br>"
                               f"error {e:.0f} m, σ {sg:.0f} m"
                               for i, j, n, s, e, sg in zip(t["id"], t["jammer"], t["sensor"],
                                                            t["state"], t["error_m"],
                                                            t["sigma_m"], strict=True)]})
        self._add(go.Scatter(mode="lines", name=f"jammer track ({TRACK_SIGMAS:g}σ)",
                             legendgroup="ew-jtrack", line={"color": "#ff7f0e", "width": 1},
                             hoverinfo="skip"), circles)
        self._add(go.Scatter(mode="markers", name="jammer track", legendgroup="ew-jtrack",
                             showlegend=False, marker={"symbol": "diamond-open", "size": 9,
                                                       "color": "#ff7f0e"},
                             hoverinfo="text"), points)

    def _radars(self, radar_rows: pd.DataFrame, radars: dict[str, Any],
                times: NDArray[np.float64], age: float) -> None:
        rows_of = snap_rows(radar_rows["time_s"].to_numpy(float), times, age)
        for state, color, symbol in RADAR_STATES:
            data = []
            for rows in rows_of:
                r = radar_rows.iloc[rows]
                names = r["sensor"][r["state"] == state].astype(str).tolist()
                data.append({"x": np.array([radars[n]["lon_deg"] for n in names], np.float32),
                             "y": np.array([radars[n]["lat_deg"] for n in names], np.float32),
                             "hovertext": [f"{esc(n)}: {state}" for n in names]})
            self._add(go.Scatter(mode="markers", name=f"radar {state}",
                                 legendgroup=f"ew-radar-{state}",
                                 marker={"symbol": symbol, "size": 14, "color": color,
                                         "line": {"width": 2, "color": color}},
                                 hoverinfo="text"), data)

    def _decoys(self, run: RunResults, times: NDArray[np.float64], age: float) -> None:
        groups = [d["group"] for d in (run.scenario.get("ew", {}) or {}).get("decoys", [])]
        if not groups or not len(run.truth) or "group" not in run.threats.columns:
            return
        ids = run.threats.loc[run.threats["group"].isin(groups), "threat_id"]
        truth = run.truth[run.truth["threat_id"].isin(ids)].reset_index(drop=True)
        data = [{"x": truth["lon_deg"].to_numpy(np.float32)[rows],
                 "y": truth["lat_deg"].to_numpy(np.float32)[rows]}
                for rows in snap_rows(truth["time_s"].to_numpy(float), times, age)]
        self._add(go.Scatter(mode="markers", name="decoy", legendgroup="ew-decoy",
                             marker={"symbol": "circle-open", "size": 16, "color": "#8c564b",
                                     "line": {"width": 1.5}}, hoverinfo="skip"), data)
