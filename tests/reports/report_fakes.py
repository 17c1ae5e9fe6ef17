"""Fakes for the report tests: a small, schema-conforming output folder made from scratch.

``write_run_folder`` writes what ``iadsim run --out`` writes (docs/ARCHITECTURE.md, "Output
folder") for a hand-made toy engagement, so the figure builders are tested against known
contents: 4 threats fly straight at one asset; threat 0 is killed by interceptor 0, threat 1
survives a miss (interceptor 1) and leaks, threat 2 is killed by interceptor 2 after that
miss, threat 3 is never engaged and is still flying at the end.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pandas as pd

from iadsim.world.frames import Origin, enu_to_geodetic

ORIGIN = Origin(44.5, 8.8, 0.0)
STEP_S = 2.0
DURATION_S = 200.0


def _geo(east: np.ndarray, north: np.ndarray, up: np.ndarray) -> tuple[np.ndarray, ...]:
    lat, lon, alt = enu_to_geodetic(np.stack([east, north, up], axis=-1), ORIGIN)
    return lat, lon, alt


def scenario_dict(name: str, asset_name: str) -> dict:
    """A scenario as ``Scenario.model_dump(mode="json")`` writes it, plus ``origin``."""
    return {
        "name": name,
        "description": "toy",
        "simulation": {"duration_s": DURATION_S, "step_s": STEP_S, "seed": 7, "origin": None},
        "defended_assets": [{"name": asset_name, "value": 10.0, "radius_m": 3000.0,
                             "position": {"lat_deg": 44.5, "lon_deg": 8.8, "alt_m": 0.0}}],
        "sensors": [{"name": "radar-<b>1</b>", "kind": "surveillance",
                     "position": {"lat_deg": 44.55, "lon_deg": 8.7, "alt_m": 100.0},
                     "mast_height_m": 20.0, "scan_period_s": 2.0, "max_range_m": 150000.0,
                     "min_range_m": 0.0, "min_elevation_deg": -2.0, "max_elevation_deg": 70.0,
                     "range_sigma_m": 50.0, "azimuth_sigma_deg": 0.2,
                     "elevation_sigma_deg": 0.3, "reference_range_m": 100000.0,
                     "pfa": 1e-6, "false_alarms_per_scan": 1.0}],
        "interceptors": {"short": {"min_range_m": 1000.0, "max_range_m": 40000.0,
                                   "min_altitude_m": 10.0, "max_altitude_m": 15000.0,
                                   "speed_mps": 900.0, "kill_radius_m": 150.0,
                                   "pk": {"aircraft": 0.8}, "cost": 0.5}},
        "launchers": [{"name": "L1", "interceptor": "short", "ready_rounds": 4, "reloads": 0,
                       "reload_time_s": 300.0, "min_launch_interval_s": 2.0,
                       "position": {"lat_deg": 44.52, "lon_deg": 8.82, "alt_m": 0.0}}],
        "threats": [],
        "origin": {"lat_deg": ORIGIN.lat_deg, "lon_deg": ORIGIN.lon_deg, "alt_m": 0.0},
    }


# threat_id: (type, start east/north km, end time s (None = flies to the end), fate)
THREATS = {
    0: ("cruise_missile", (-60.0, -60.0), 120.0, "killed"),
    1: ("aircraft", (60.0, -70.0), 180.0, "leaked"),
    2: ("uav", (0.0, -40.0), 150.0, "killed"),
    3: ("aircraft", (-80.0, 20.0), None, "flying"),
}


def write_run_folder(out: Path, *, name: str = "toy run", threat_name: str = "t",
                     asset_name: str = "port") -> Path:
    """Write a toy output folder to ``out`` and return it."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(11)
    times = np.arange(0.0, DURATION_S + STEP_S / 2, STEP_S)
    truth_parts, track_parts = [], []
    for tid, (_ttype, (e0, n0), t_end, _fate) in THREATS.items():
        t = times if t_end is None else times[times <= t_end]
        frac = t / DURATION_S
        east = e0 * 1000.0 * (1.0 - frac)
        north = n0 * 1000.0 * (1.0 - frac)
        up = np.full(t.size, 300.0 + 100.0 * tid)
        lat, lon, alt = _geo(east, north, up)
        vel = np.full(t.size, -e0 * 1000.0 / DURATION_S)
        truth_parts.append(pd.DataFrame({
            "time_s": t, "threat_id": tid, "east_m": east, "north_m": north, "up_m": up,
            "lat_deg": lat, "lon_deg": lon, "alt_m": alt, "vel_east_mps": vel,
            "vel_north_mps": -n0 * 1000.0 / DURATION_S, "vel_up_mps": 0.0}))
        seen = t >= 10.0 * (tid + 1)  # threat k is tracked from 10 (k+1) s on
        noise = rng.normal(0.0, 200.0, size=(int(seen.sum()), 3))
        te, tn, tu = east[seen] + noise[:, 0], north[seen] + noise[:, 1], up[seen] + noise[:, 2]
        tl = _geo(te, tn, tu)
        track_parts.append(pd.DataFrame({
            "time_s": t[seen], "track_id": 100 + tid, "truth_id": tid, "confirmed": True,
            "east_m": te, "north_m": tn, "up_m": tu, "lat_deg": tl[0], "lon_deg": tl[1],
            "alt_m": tl[2], "vel_east_mps": 0.0, "vel_north_mps": 0.0, "vel_up_mps": 0.0,
            "position_sigma_m": 250.0}))
    # one false track for a while
    t = times[(times >= 40.0) & (times <= 60.0)]
    fl = _geo(np.full(t.size, 30e3), np.full(t.size, 30e3), np.full(t.size, 1000.0))
    track_parts.append(pd.DataFrame({
        "time_s": t, "track_id": 200, "truth_id": -1, "confirmed": True, "east_m": 30e3,
        "north_m": 30e3, "up_m": 1000.0, "lat_deg": fl[0], "lon_deg": fl[1], "alt_m": fl[2],
        "vel_east_mps": 0.0, "vel_north_mps": 0.0, "vel_up_mps": 0.0, "position_sigma_m": 500.0}))
    truth = pd.concat(truth_parts, ignore_index=True).sort_values(["time_s", "threat_id"])
    tracks = pd.concat(track_parts, ignore_index=True).sort_values(["time_s", "track_id"])

    # interceptors: (id, target, launch s, end s, result)
    shots = [(0, 0, 90.0, 120.0, "kill"), (1, 1, 100.0, 130.0, "miss"),
             (2, 2, 120.0, 150.0, "kill")]
    inter_parts, events = [], []
    for iid, target, t_launch, t_end, result in shots:
        t = times[(times >= t_launch) & (times <= t_end)]
        target_truth = truth[truth.threat_id == target].set_index("time_s")
        w = ((t - t_launch) / (t_end - t_launch))[:, None]
        start = np.array([1600.0, 2200.0, 0.0])
        goal = target_truth.loc[min(t_end, target_truth.index.max()),
                                ["east_m", "north_m", "up_m"]].to_numpy(float)
        p = (1 - w) * start + w * goal
        lat, lon, alt = _geo(p[:, 0], p[:, 1], p[:, 2])
        inter_parts.append(pd.DataFrame({
            "time_s": t, "interceptor_id": iid, "launcher": "L1", "interceptor_class": "short",
            "target_threat_id": target, "east_m": p[:, 0], "north_m": p[:, 1], "up_m": p[:, 2],
            "lat_deg": lat, "lon_deg": lon, "alt_m": alt, "vel_east_mps": 0.0,
            "vel_north_mps": 0.0, "vel_up_mps": 0.0}))
        base = {"threat_id": target, "track_id": 100 + target, "interceptor_id": iid,
                "launcher": "L1", "interceptor_class": "short"}
        events.append({"time_s": t_launch, "kind": "launch", **base})
        events.append({"time_s": t_end, "kind": "intercept", **base})
        events.append({"time_s": t_end, "kind": result, **base})
    events.append({"time_s": 180.0, "kind": "leak", "threat_id": 1, "asset": asset_name})
    for tid in THREATS:
        events.append({"time_s": 10.0 * (tid + 1), "kind": "track_confirmed", "threat_id": tid,
                       "track_id": 100 + tid})
    ev = pd.DataFrame(events)
    for col, dtype in (("threat_id", "Int64"), ("track_id", "Int64"),
                       ("interceptor_id", "Int64"), ("count", "Int64")):
        ev[col] = (ev[col] if col in ev else pd.Series([pd.NA] * len(ev))).astype(dtype)
    for col in ("launcher", "interceptor_class", "sensor", "asset", "detail"):
        ev[col] = (ev[col] if col in ev else pd.Series([None] * len(ev))).astype(object)
    ev = ev.sort_values("time_s", kind="stable")[
        ["time_s", "kind", "threat_id", "track_id", "interceptor_id", "launcher",
         "interceptor_class", "sensor", "asset", "count", "detail"]]

    fate_time = {0: 120.0, 1: 180.0, 2: 150.0, 3: np.nan}
    threats = pd.DataFrame({
        "threat_id": list(THREATS),
        "name": [f"{threat_name}-{i}" for i in THREATS],
        "group": ["g"] * 4,
        "type": [v[0] for v in THREATS.values()],
        "launch_time_s": 0.0,
        "fate": [v[3] for v in THREATS.values()],
        "fate_time_s": [fate_time[i] for i in THREATS],
        "killer_launcher": ["L1", None, "L1", None],
        "killer_class": ["short", None, "short", None],
        "leaked_asset": [None, asset_name, None, None],
        "interceptors_fired": [1, 1, 1, 0],
        "first_detection_s": [5.0, 15.0, 25.0, 35.0],
        "first_track_s": [10.0, 20.0, 30.0, 40.0],
    })
    summary = {
        "seed": 7, "scenario_name": name, "duration_s": DURATION_S, "wall_time_s": 0.5,
        "threats": {"cruise_missile": {"killed": 1}, "aircraft": {"leaked": 1, "flying": 1},
                    "uav": {"killed": 1}},
        "fates": {"killed": 2, "leaked": 1, "flying": 1},
        "rounds_spent": {"short": 3}, "leakers_per_asset": {asset_name: 1},
        "kills": 2, "leakers": 1, "tracking": {"cutoff_m": 1000.0, "p": 2.0},
    }
    (out / "summary.json").write_text(json.dumps(summary))
    (out / "scenario.json").write_text(json.dumps(scenario_dict(name, asset_name)))
    threats.to_parquet(out / "threats.parquet")
    ev.to_parquet(out / "events.parquet")
    truth.to_parquet(out / "truth.parquet")
    tracks.to_parquet(out / "tracks.parquet")
    pd.concat(inter_parts, ignore_index=True).to_parquet(out / "interceptors.parquet")
    return out



def fake_replicate(point, replication: int) -> dict:
    """A fast stand-in for one replication: each of the n threats leaks with probability
    ((n - 16) / 200)^2 scaled by reaction time / 8 s; rounds ~ Poisson(n / 2)."""
    from iadsim.montecarlo.seeds import replication_seed

    rng = np.random.default_rng(replication_seed(point.seed, point.index, replication))
    n = sum(g.count for g in point.scenario.threats)
    p_leak = ((max(n - 16, 0) / 200.0) ** 2) * point.scenario.command.reaction_time_s / 8.0
    leakers = int(rng.binomial(n, min(1.0, p_leak)))
    rounds = int(rng.poisson(n / 2))
    return {"n_threats": n, "leakers": leakers, "any_leaker": leakers > 0,
            "kills": n - leakers, "rounds_total": rounds, "cost": 2.0 * rounds}


def write_sweep_folder(out: Path, sets: list[str], runs: int = 30) -> Path:
    """A Monte Carlo folder written by the real sweep machinery with ``fake_replicate``."""
    from iadsim.montecarlo.sweep import run_sweep
    from iadsim.scenario.load import DEFAULT_SCENARIO

    run_sweep(DEFAULT_SCENARIO, runs=runs, out_dir=out, sets=sets, backend="serial",
              replicate=fake_replicate)
    return out


HOSTILE = '<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2</script>'


def hostile_names(data: dict, payload: str = HOSTILE) -> dict:
    """Scenario data with ``payload`` in every name field (scenario, assets, sensors,
    interceptor classes, launchers, threats) and every reference to them renamed to match."""
    data = copy.deepcopy(data)

    def bad(name: str) -> str:
        return f"{name}{payload}"

    data["name"] = bad(data.get("name", "scenario"))
    for asset in data["defended_assets"]:
        asset["name"] = bad(asset["name"])
    for sensor in data["sensors"]:
        sensor["name"] = bad(sensor["name"])
    data["interceptors"] = {bad(k): v for k, v in data["interceptors"].items()}
    for launcher in data["launchers"]:
        launcher["name"] = bad(launcher["name"])
        launcher["interceptor"] = bad(launcher["interceptor"])
    classes = {k.removesuffix(payload) for k in data["interceptors"]}

    def rename_class_keys(section: dict) -> None:  # e.g. command.fire_control.max_track_sigma_m
        for key, value in list(section.items()):
            if isinstance(value, dict) and value and set(value) <= classes:
                section[key] = {bad(k): v for k, v in value.items()}
            elif isinstance(value, dict):
                rename_class_keys(value)

    rename_class_keys(data.get("command", {}))
    for group in data["threats"]:
        group["name"] = bad(group["name"])
        if isinstance(group.get("aim"), str):
            group["aim"] = bad(group["aim"])
    return data
