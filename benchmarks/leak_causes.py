"""Why the default's leakers leak, per doctrine (issue 13: the look-ahead does not leak fewer).

Usage: ``python benchmarks/leak_causes.py [--seeds 1-8] [--doctrine default|lookahead]``

For every seed, runs the bundled default (``lookahead``: the look-ahead doctrine of
``benchmarks/command_doctrines.py``) and prints one line per leaker: its type, the rounds
fired at it with their classes and miss distances, the time from its last intercept (or first
track) to its leak, and the ready rounds per class at that time (from the launch and reload
events). Each leaker is put in one of: ``never_engaged``, ``not_acquired`` (a round missed by
more than its class's kill radius: the seeker never had it), ``pk_draw`` (every round passed
within 3 lethal sigmas and the kill draws failed) with ``no_rounds`` appended when no short
or long launcher had a ready round in the leaker's last window. Ends with a JSON line.
"""

from __future__ import annotations

import argparse
import copy
import json
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import yaml

from iadsim.scenario.load import DEFAULT_SCENARIO, scenario_from_dict
from iadsim.simulation import run

LOOKAHEAD = {"assignment": "auto", "lookahead": True, "class_preference": "cheapest_in_time",
             "engage_early": ["aircraft", "recon_aircraft", "cruise_missile",
                              "ballistic_missile"],
             "round_cost_weight": 0.02,
             "reserve_release": {"no_threat_expected_after_s": 600,
                                 "asset_value_at_least": 100, "imminent_s": 60}}


def ready_at(data: dict, events, t: float) -> dict[str, int]:
    """Ready rounds per class at time ``t`` from the launch and reload events."""
    ready = {x["name"]: int(x["ready_rounds"]) for x in data["launchers"]}
    cls = {x["name"]: x["interceptor"] for x in data["launchers"]}
    ev = events[(events["time_s"] <= t) & events["kind"].isin(["launch", "reload"])]
    for kind, lau, count, detail in zip(ev["kind"], ev["launcher"], ev["count"], ev["detail"],
                                        strict=True):
        if kind == "launch":
            ready[lau] -= 1
        elif str(detail).startswith("start"):
            ready[lau] = 0
        else:
            ready[lau] = int(count)
    out: dict[str, int] = {}
    for lau, n in ready.items():
        out[cls[lau]] = out.get(cls[lau], 0) + max(n, 0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="1-8")
    ap.add_argument("--doctrine", default="default", choices=["default", "lookahead"])
    args = ap.parse_args()
    lo, _, hi = args.seeds.partition("-")
    seeds = range(int(lo), int(hi or lo) + 1)
    data = yaml.safe_load(DEFAULT_SCENARIO.read_text())
    if args.doctrine == "lookahead":
        data = copy.deepcopy(data)
        data["command"].update(LOOKAHEAD)
    scenario = scenario_from_dict(data, "default.yaml")
    radius = {n: float(c["kill_radius_m"]) for n, c in data["interceptors"].items()}
    sigma = {n: float(c.get("lethal_sigma_m") or c["kill_radius_m"] / 5)
             for n, c in data["interceptors"].items()}
    causes: dict[str, int] = {}
    rows = []
    for seed in seeds:
        r = run(scenario, seed=seed, keep_trajectories=False)
        th, eng, ev = r.threats, r.engagements, r.events
        for _, t in th[th["fate"] == "leaked"].iterrows():
            e = eng[eng["target_threat_id"] == t["threat_id"]].sort_values("launch_time_s")
            shots = [(c, round(float(m), 1)) for c, m in
                     zip(e["interceptor_class"], e["miss_distance_m"].fillna(-1.0), strict=True)]
            last = float(e["intercept_time_s"].max()) if len(e) else float(t["first_track_s"])
            ready = ready_at(data, ev, last)
            if not shots:
                cause = "never_engaged"
            elif any(m > radius[c] or m < 0 for c, m in shots):
                cause = "not_acquired"
            elif all(m <= 3 * sigma[c] for c, m in shots):
                cause = "pk_draw"
            else:
                cause = "large_miss"
            if ready.get("short", 0) + ready.get("long", 0) == 0:
                cause += "+no_rounds"
            causes[cause] = causes.get(cause, 0) + 1
            row = {"seed": seed, "name": t["name"], "type": t["type"], "shots": shots,
                   "window_s": round(float(t["fate_time_s"]) - last, 1), "ready": ready,
                   "cause": cause}
            rows.append(row)
            print(json.dumps(row), flush=True)
    print(json.dumps({"doctrine": args.doctrine, "seeds": args.seeds, "causes": causes,
                      "leakers": len(rows)}))


if __name__ == "__main__":
    main()
