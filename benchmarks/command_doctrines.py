"""How the battalion spends its rounds: command doctrines compared on the default raid.

Runs the bundled default scenario under several command settings (greedy assignment, the WTA
with threat- and asset-based objectives, shoot-shoot-look, no layering) for the same seeds and
prints, per setting, the mean kills, leakers, rounds per class, rounds per kill, notional
cost-exchange ratio and P(no leaker) / P(raid annihilation). Ends with one JSON line.

Usage: ``python benchmarks/command_doctrines.py [--seeds 5]``

``--compare`` runs the doctrine comparison instead: greedy, the static WTA and the
look-ahead doctrine (``command.lookahead``, ``class_preference: cheapest_in_time``) on the
same seeds (common random numbers: replication k of every doctrine uses seed k, so the
world, sensors and interceptors draw the same streams), and prints per doctrine the mean
leakers, rounds and interceptor cost with 95% t intervals, and the paired differences
(look-ahead minus static WTA) with theirs. ``--raid-scale`` multiplies the threat counts.
"""

from __future__ import annotations

import argparse
import copy
import json
import time

import numpy as np
import yaml

from iadsim.scenario.load import DEFAULT_SCENARIO, scenario_from_dict
from iadsim.simulation import run

SETTINGS: dict[str, dict[str, object]] = {
    "greedy": {"assignment": "greedy"},
    "wta_threat": {"assignment": "auto"},
    "wta_asset": {"assignment": "auto", "objective": "asset"},
    "wta_ssl": {"assignment": "auto", "doctrine": "shoot_shoot_look"},
    "wta_unlayered": {"assignment": "auto", "layered": False},
}


LOOKAHEAD: dict[str, object] = {
    "assignment": "auto",
    "lookahead": True,
    "class_preference": "cheapest_in_time",
    "engage_early": ["aircraft", "recon_aircraft", "cruise_missile", "ballistic_missile"],
    "round_cost_weight": 0.02,
    "reserve_release": {"no_threat_expected_after_s": 600, "asset_value_at_least": 100,
                        "imminent_s": 60},
}
COMPARE: dict[str, dict[str, object]] = {
    "greedy": {"assignment": "greedy", "lookahead": False, "class_preference": "longest_reach"},
    "static_wta": {"assignment": "auto", "lookahead": False, "class_preference": "longest_reach"},
    "cheapest": {"assignment": "auto", "lookahead": False,  # the default's class choice
                 "class_preference": "cheapest_in_time",
                 "engage_early": ["aircraft", "recon_aircraft", "cruise_missile",
                                  "ballistic_missile"]},
    "lookahead": LOOKAHEAD,
}


def interval(x: np.ndarray) -> tuple[float, float]:
    """Mean and the half-width of its 95% t interval."""
    from scipy import stats

    if x.size < 2:
        return float(x.mean()), float("nan")
    half = stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    return float(x.mean()), float(half)


def compare(seeds: int, raid_scale: float, only: list[str], merge: list[str]) -> None:
    """Run the doctrines in ``only`` (all when empty) or merge the raw JSON lines of earlier
    ``--only`` runs (files in ``merge``: the same seeds, so still common random numbers)."""
    import os

    if merge:
        out = {}
        for path in merge:
            with open(path) as fh:
                out.update(json.loads(fh.read().strip().splitlines()[-1])["raw"])
        report(out, {"seeds": seeds, "raid_scale": raid_scale, "merged": merge})
        return
    base = yaml.safe_load(DEFAULT_SCENARIO.read_text())
    for t in base["threats"]:
        t["count"] = max(1, int(round(t.get("count", 1) * raid_scale)))
    out: dict[str, dict[str, list[float]]] = {}
    c0, w0 = time.process_time(), time.perf_counter()
    for name, change in COMPARE.items():
        if only and name not in only:
            continue
        data = copy.deepcopy(base)
        data["command"].update(change)
        scenario = scenario_from_dict(data, "default.yaml")
        rec: dict[str, list[float]] = {"leakers": [], "rounds": [], "cost": [], "kills": []}
        for seed in range(1, seeds + 1):
            s = run(scenario, seed=seed, keep_trajectories=False).summary
            rec["leakers"].append(float(s["leakers"]))
            rec["rounds"].append(float(sum(s["rounds_spent"].values())))
            rec["cost"].append(float(s.get("interceptor_cost") or 0.0))
            rec["kills"].append(float(s["kills"]))
            print(f"{name:<11} seed {seed}: leakers {s['leakers']}, rounds {s['rounds_spent']}",
                  flush=True)
        out[name] = rec
    c1, w1 = time.process_time() - c0, time.perf_counter() - w0
    print(f"CPU {c1:.0f} s, wall {w1:.0f} s, load {os.getloadavg()}")
    report(out, {"seeds": seeds, "raid_scale": raid_scale, "cpu_s": c1, "wall_s": w1,
                 "loadavg": os.getloadavg()})


def report(out: dict[str, dict[str, list[float]]], figures: dict[str, object]) -> None:
    """Means with 95% intervals per doctrine, paired differences, one JSON line."""
    print(f"{'doctrine':<11} {'leakers':>14} {'rounds':>14} {'cost':>16}")
    for name, rec in out.items():
        cells = [interval(np.array(rec[k])) for k in ("leakers", "rounds", "cost")]
        figures[name] = {k: {"mean": m, "ci95": h} for k, (m, h) in
                         zip(("leakers", "rounds", "cost"), cells, strict=True)}
        print(f"{name:<11} " + " ".join(f"{m:>7.2f} +- {h:<5.2f}" for m, h in cells))
    if "lookahead" in out and "static_wta" in out:
        diff = {}
        for k in ("leakers", "rounds", "cost"):
            m, h = interval(np.array(out["lookahead"][k]) - np.array(out["static_wta"][k]))
            diff[k] = {"mean": m, "ci95": h}
            print(f"look-ahead - static WTA, {k}: {m:+.2f} +- {h:.2f} (paired, 95%)")
        figures["lookahead_minus_static"] = diff
    figures["raw"] = out
    print(json.dumps(figures, default=float))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--compare", action="store_true", help="greedy / static / look-ahead")
    parser.add_argument("--raid-scale", type=float, default=1.0)
    parser.add_argument("--only", default="", help="comma-separated doctrines (with --compare)")
    parser.add_argument("--merge", nargs="*", default=[], help="JSON outputs of --only runs")
    args = parser.parse_args()
    if args.compare:
        compare(args.seeds, args.raid_scale, [v for v in args.only.split(",") if v], args.merge)
        return
    base = yaml.safe_load(DEFAULT_SCENARIO.read_text())
    figures: dict[str, dict[str, float]] = {}
    print(
        f"{'setting':<14} {'kills':>6} {'leak':>6} {'short':>6} {'long':>6} {'v_long':>6} "
        f"{'rds/kill':>8} {'CER':>6} {'P(no leak)':>10} {'s/run':>6}"
    )
    for name, change in SETTINGS.items():
        data = copy.deepcopy(base)
        data["command"].update(change)
        scenario = scenario_from_dict(data, "default.yaml")
        rows = []
        t0 = time.perf_counter()
        for seed in range(args.seeds):
            s = run(scenario, seed=seed, keep_trajectories=False).summary
            rows.append(
                [
                    s["kills"],
                    s["leakers"],
                    s["rounds_spent"].get("short", 0),
                    s["rounds_spent"].get("long", 0),
                    s["rounds_spent"].get("very_long", 0),
                    s["rounds_per_kill"] or np.nan,
                    s["cost_exchange_ratio"] or np.nan,
                    float(s["leakers"] == 0),
                    s["raid_annihilation"],
                ]
            )
        per_run = (time.perf_counter() - t0) / args.seeds
        m = np.nanmean(np.array(rows, dtype=float), axis=0)
        keys = (
            "kills",
            "leakers",
            "rounds_short",
            "rounds_long",
            "rounds_very_long",
            "rounds_per_kill",
            "cost_exchange_ratio",
            "p_no_leaker",
            "p_raid_annihilation",
        )
        figures[name] = {k: round(float(v), 4) for k, v in zip(keys, m, strict=True)}
        figures[name]["s_per_run"] = round(per_run, 3)
        print(
            f"{name:<14} {m[0]:>6.1f} {m[1]:>6.1f} {m[2]:>6.1f} {m[3]:>6.1f} {m[4]:>6.1f} "
            f"{m[5]:>8.2f} {m[6]:>6.2f} {m[7]:>10.2f} {per_run:>6.2f}",
            flush=True,
        )
    print(json.dumps({"seeds": args.seeds, **figures}))


if __name__ == "__main__":
    main()
