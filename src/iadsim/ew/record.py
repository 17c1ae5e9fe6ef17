"""EW outcomes over a run: jammer tracks scored against the truth, and the replay's EW layers.

In, per step: the jammer picture (``tracking.jammer_tracks.JammerPicture``), the jammers' true
positions and on/off state, the step's strobes, and which radars emit (or are destroyed). Out:
rows of the ``ew`` table (one row per jammer, strobe, angle track, position track and radar per
step: ``EW_COLUMNS``), read by the replay (``reports.replay``); and the jammer-track summary
for ``summary.json["ew"]["jammer_tracks"]``.

Truth only scores: a position track's jammer is the one whose strobes built its lines (-2: lines
of two jammers, a ghost); its error is the ground distance to that jammer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from iadsim.ew.strobes import StrobeBatch
from iadsim.world.frames import Origin, enu_to_geodetic

EW_COLUMNS = ("time_s", "kind", "sensor", "id", "jammer", "azimuth_rad", "elevation_rad",
              "sigma_rad", "east_m", "north_m", "height_m", "sigma_m", "error_m", "state",
              "lat_deg", "lon_deg")
"""``kind``: ``jammer`` (truth, ``state`` on/off), ``strobe``, ``angle_track``,
``jammer_track`` (a triangulated position track), ``radar`` (``state`` emitting, silent or
destroyed). Angles are in the radar's local frame; positions in scenario ENU metres (east,
north) with their latitude and longitude."""


def layer_rows(time_s: float, strobes: StrobeBatch, jammer_enu_m: NDArray[np.float64],
               jammer_on: NDArray[np.bool_], jammer_names: tuple[str, ...],
               radar_names: list[str], emitting: NDArray[np.bool_],
               destroyed: NDArray[np.bool_], picture: Any = None) -> list[dict[str, Any]]:
    """The ``ew`` table's rows of one step."""
    rows: list[dict[str, Any]] = []
    for k in range(jammer_enu_m.shape[0]):
        rows.append({"time_s": time_s, "kind": "jammer", "id": k, "jammer": jammer_names[k],
                     "east_m": jammer_enu_m[k, 0], "north_m": jammer_enu_m[k, 1],
                     "height_m": jammer_enu_m[k, 2], "state": "on" if jammer_on[k] else "off"})
    for i in range(len(strobes)):
        rows.append({"time_s": time_s, "kind": "strobe",
                     "sensor": radar_names[strobes.sensor_id[i]],
                     "jammer": jammer_names[int(strobes.jammer_id[i])],
                     "azimuth_rad": strobes.azimuth_rad[i],
                     "elevation_rad": strobes.elevation_rad[i],
                     "sigma_rad": strobes.azimuth_sigma_rad[i]})
    for m, name in enumerate(radar_names):
        state = "destroyed" if destroyed[m] else ("emitting" if emitting[m] else "silent")
        rows.append({"time_s": time_s, "kind": "radar", "sensor": name, "id": m, "state": state})
    if picture is not None:
        a = picture.angle
        for i in np.flatnonzero(a.confirmed).tolist():
            rows.append({"time_s": time_s, "kind": "angle_track", "id": int(a.track_id[i]),
                         "sensor": radar_names[a.sensor_id[i]], "azimuth_rad": a.azimuth_rad[i],
                         "elevation_rad": a.elevation_rad[i], "sigma_rad": a.azimuth_sigma_rad[i]})
        rows += position_rows(picture, jammer_enu_m, jammer_names)
    return rows


def position_rows(picture: Any, jammer_enu_m: NDArray[np.float64],
                  jammer_names: tuple[str, ...]) -> list[dict[str, Any]]:
    """One row per jammer position track of the picture, scored against its jammer."""
    p, rows = picture.position, []
    for i in range(len(p)):
        j = int(p.jammer_id[i])
        err = (float(np.linalg.norm(p.position_en_m[i] - jammer_enu_m[j, :2])) if j >= 0
               else float("nan"))
        rows.append({"time_s": picture.time_s, "kind": "jammer_track", "id": int(p.track_id[i]),
                     "jammer": jammer_names[j] if j >= 0 else "ghost",
                     "east_m": p.position_en_m[i, 0], "north_m": p.position_en_m[i, 1],
                     "height_m": p.height_m[i],
                     "sigma_m": float(np.sqrt(np.trace(p.covariance_en_m2[i]))),
                     "error_m": err, "state": "fixed" if p.updated[i] else "coasting",
                     "sensor": f"{int(p.n_radars[i])} radars"})
    return rows


def ew_table(rows: list[dict[str, Any]], origin: Origin | None = None) -> pd.DataFrame:
    """The ``ew`` table (columns ``EW_COLUMNS``; empty with them when there are no rows);
    latitude and longitude of the rows with a position when the scenario ``origin`` is given."""
    table = pd.DataFrame(rows, columns=list(EW_COLUMNS))
    has = table["east_m"].notna().to_numpy()
    if origin is not None and has.any():
        en = table.loc[has, ["east_m", "north_m"]].to_numpy(float)
        lat, lon, _ = enu_to_geodetic(np.column_stack([en, np.zeros(len(en))]), origin)
        table.loc[has, "lat_deg"], table.loc[has, "lon_deg"] = lat, lon
    table[["lat_deg", "lon_deg"]] = table[["lat_deg", "lon_deg"]].astype(float)
    for col in ("kind", "sensor", "jammer", "state"):
        table[col] = table[col].astype("string")
    table["id"] = table["id"].astype("Int64")
    return table


def jammer_track_summary(table: pd.DataFrame) -> dict[str, Any]:
    """Per position track: jammer, first and last time, steps fixed, most radars in a fix,
    median and last error, median predicted sigma; angle tracks per radar; ghost tracks."""
    angle = table[table["kind"] == "angle_track"]
    pos = table[(table["kind"] == "jammer_track") & (table["state"] == "fixed")]
    tracks = []
    for tid, g in pos.groupby("id", sort=True):
        jammer = g["jammer"].mode().iloc[0]
        tracks.append({
            "track_id": int(tid), "jammer": str(jammer),
            "first_s": float(g["time_s"].min()), "last_s": float(g["time_s"].max()),
            "fixed_steps": len(g),
            "max_radars": int(g["sensor"].str.split(" ").str[0].astype(int).max()),
            "median_error_m": float(g["error_m"].median()) if g["error_m"].notna().any() else None,
            "last_error_m": float(g["error_m"].iloc[-1]) if pd.notna(g["error_m"].iloc[-1])
            else None,
            "median_predicted_sigma_m": float(g["sigma_m"].median()),
        })
    return {"angle_tracks": {str(k): int(v) for k, v in
                             angle.groupby("sensor")["id"].nunique().items()},
            "position_tracks": tracks,
            "ghost_tracks": sum(t["jammer"] == "ghost" for t in tracks)}

def ew_totals(ew: dict[str, Any]) -> dict[str, str]:
    """The run's electronic-attack totals, label -> text."""
    arms = ew.get("arms") or {}
    tracks = ew.get("jammer_tracks") or {}
    position = tracks.get("position_tracks") or []
    out = {
        "radars lost": str(ew.get("radars_lost", 0)),
        "strobes": str(ew.get("strobes", 0)),
        "jammer position tracks (ghosts)": f"{len(position)} ({tracks.get('ghost_tracks', 0)})",
        "ghost strobe fixes": str(ew.get("ghost_fixes", 0)),
        "ARMs fired / hits / misses / intercepted": " / ".join(
            str(arms.get(k, 0)) for k in ("fired", "hits", "misses", "intercepted")),
    }
    decoys = ew.get("decoys") or {}
    if "rounds_at_decoys" in decoys:
        out["rounds at decoys"] = str(decoys["rounds_at_decoys"])
    if "rounds_at_false_tracks" in ew:
        out["rounds at false tracks"] = str(ew["rounds_at_false_tracks"])
    return out
