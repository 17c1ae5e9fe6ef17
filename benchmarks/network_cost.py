"""What the networked defence costs: one replication of the networked example against the
default scenario, and what the network does to its outcome.

Runs the bundled default scenario and the bundled networked example (three fire units, two
surveillance radars, 150 threats, 900 s) once each, seed 1, without trajectory tables, in this
process (the fly-out envelope tables are built before the clock starts), and the networked
example with its ``network`` section removed (the same radars and launchers as one centralised
battalion). Prints CPU (``time.process_time``) and wall time, the load average, the CPU ratio
networked / default (the target is under 3), kills and leakers of the networked and
centralised runs, rounds per unit, link loads and latencies and the fused picture's GOSPA.
Ends with one JSON line.

Usage: ``python benchmarks/network_cost.py [--only default,network,central] [--duration S]
[--seeds 1,2,3] [--repeat 3]`` (with ``--seeds``/``--repeat`` every scenario runs for each seed
``repeat`` times, the scenarios interleaved, and the best (least) CPU time of each scenario and
seed is kept: the ratio per seed is then measured under the same load, in this one process)
(``--duration`` cuts every scenario to S seconds; to compare two versions of the code under
the same load, run ``--only network --duration 400`` of each at the same time, each with its
own ``PYTHONPATH``).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

import numpy as np

from iadsim.engagement.launchers import envelope_table
from iadsim.scenario.load import DEFAULT_SCENARIO, EXAMPLES_DIR, load_scenario
from iadsim.scenario.model import Scenario
from iadsim.scenario.network_spec import NetworkSpec
from iadsim.simulation import run


def _timed(scenario: Scenario, seed: int = 1) -> tuple[float, float, dict[str, Any]]:
    table = envelope_table(scenario)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    res = run(scenario, seed=seed, keep_trajectories=False, envelopes=table)
    return time.process_time() - cpu0, time.perf_counter() - wall0, res.summary


def _cut(scenario: Scenario, duration_s: float | None) -> Scenario:
    if duration_s is None:
        return scenario
    return scenario.model_copy(update={"simulation": scenario.simulation.model_copy(
        update={"duration_s": duration_s})})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="default,network,central")
    parser.add_argument("--duration", type=float, default=None)
    parser.add_argument("--seeds", default=None, help="comma-separated seeds (best-of-repeat)")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    if args.seeds is not None:
        _seeds(args)
        return
    default = _cut(load_scenario(DEFAULT_SCENARIO), args.duration)
    network = _cut(load_scenario(EXAMPLES_DIR / "network.yaml"), args.duration)
    central = network.model_copy(update={"network": NetworkSpec()})
    out: dict[str, Any] = {"load_before": os.getloadavg(), "duration_s": args.duration}
    wanted = args.only.split(",")
    for name, sc in (("default", default), ("network", network), ("central", central)):
        if name not in wanted:
            continue
        cpu, wall, summary = _timed(sc)
        out[name] = {"cpu_s": round(cpu, 2), "wall_s": round(wall, 2),
                     "kills": summary["kills"], "leakers": summary["leakers"],
                     "rounds": summary.get("rounds_total"), "load": os.getloadavg()}
        if "network" in summary:
            net = summary["network"]
            out[name]["rounds_per_unit"] = {u: v["rounds"] for u, v in net["units"].items()}
            out[name]["not_operational_s"] = {u: v["time_not_operational_s"]
                                              for u, v in net["units"].items()}
            out[name]["links"] = {k: {"load": round(v["load"], 4),
                                      "mean_latency_s": round(v["mean_latency_s"], 3),
                                      "dropped": v["dropped"], "lost": v["lost"]}
                                  for k, v in net["links"].items()}
            out[name]["fused_gospa_m"] = round(net["fused_picture"]["mean_gospa_m"], 1)
        print(f"{name:8s} cpu {cpu:7.2f} s  wall {wall:7.2f} s  kills {summary['kills']:3d}  "
              f"leakers {summary['leakers']:3d}  load {os.getloadavg()[0]:.2f}")
    if "network" in out and "default" in out:
        out["cpu_ratio_network_over_default"] = round(out["network"]["cpu_s"]
                                                      / out["default"]["cpu_s"], 2)
        print(f"CPU ratio networked / default: {out['cpu_ratio_network_over_default']} "
              "(target < 3)")
    print(json.dumps(out))


def _seeds(args: argparse.Namespace) -> None:
    """Best-of-``repeat`` CPU of each scenario for each seed, the scenarios interleaved."""
    scenarios = {"default": _cut(load_scenario(DEFAULT_SCENARIO), args.duration),
                 "network": _cut(load_scenario(EXAMPLES_DIR / "network.yaml"), args.duration)}
    scenarios["central"] = scenarios["network"].model_copy(update={"network": NetworkSpec()})
    wanted = [n for n in args.only.split(",") if n in scenarios]
    out: dict[str, Any] = {"load_before": os.getloadavg(), "duration_s": args.duration,
                           "repeat": args.repeat, "seeds": {}}
    for seed in [int(x) for x in args.seeds.split(",")]:
        best: dict[str, float] = {}
        outcome: dict[str, Any] = {}
        for _ in range(args.repeat):
            for name in wanted:
                cpu, _wall, summary = _timed(scenarios[name], seed)
                best[name] = min(best.get(name, np.inf), cpu)
                outcome[name] = (summary["kills"], summary["leakers"], summary.get("rounds_total"))
        row: dict[str, Any] = {n: {"cpu_s": round(best[n], 2), "kills_leakers_rounds":
                                   outcome[n]} for n in wanted}
        if "default" in best and "network" in best:
            row["ratio"] = round(best["network"] / best["default"], 3)
        out["seeds"][seed] = row
        print(f"seed {seed}: " + "  ".join(f"{n} {best[n]:.2f} s" for n in wanted)
              + (f"  ratio {row['ratio']}" if "ratio" in row else "")
              + f"  load {os.getloadavg()[0]:.2f}", flush=True)
    ratios = [r["ratio"] for r in out["seeds"].values() if "ratio" in r]
    if ratios:
        out["ratio_mean"] = round(float(np.mean(ratios)), 3)
        print(f"CPU ratio networked / default, mean over seeds: {out['ratio_mean']} "
              "(target < 3)")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
