"""How the battalion spends its rounds: command doctrines compared on the default raid.

Runs the bundled default scenario under several command settings (greedy assignment, the WTA
with threat- and asset-based objectives, shoot-shoot-look, no layering) for the same seeds and
prints, per setting, the mean kills, leakers, rounds per class, rounds per kill, notional
cost-exchange ratio and P(no leaker) / P(raid annihilation). Ends with one JSON line.

Usage: ``python benchmarks/command_doctrines.py [--seeds 5]``
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
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
