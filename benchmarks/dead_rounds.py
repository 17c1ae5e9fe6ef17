"""Rounds launched at threats already dead, over seeds of the bundled default (issue 11, D1).

Usage: python benchmarks/dead_rounds.py [--seeds 1-16] [--pc 0.95 0.7] [--duration-s 900]

For each kill-assessment probability ``pc`` (``command.kill_assessment_pc``) and seed, runs the
default and prints leakers, rounds launched and rounds whose booked target (the threat behind
the track's recent returns at launch) was killed at or before the launch, with the offending
rounds listed. The last line is one JSON object with the totals per ``pc``.
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pandas as pd

import iadsim
from iadsim.outcomes.result import Result


def rounds_at_dead_threats(result: Result) -> pd.DataFrame:
    """Rounds whose target threat was killed at or before their launch, or at no threat on a
    track whose label or latest return is a threat already killed (``on_dead_track``)."""
    eng = result.engagements.merge(result.threats[["threat_id", "fate", "fate_time_s"]],
                                   left_on="target_threat_id", right_on="threat_id", how="left")
    return eng[((eng["fate"] == "killed") & (eng["fate_time_s"] <= eng["launch_time_s"]))
               | eng["on_dead_track"]]  # booked -1 on a dead threat's track counts too


def seed_range(text: str) -> list[int]:
    """``"1-16"`` -> [1, ..., 16]; ``"3"`` -> [3]; ``"1,4,6"`` -> [1, 4, 6]."""
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", default="1-16")
    parser.add_argument("--pc", type=float, nargs="+", default=[0.95, 0.7])
    parser.add_argument("--duration-s", type=float, default=None)
    args = parser.parse_args()
    base = iadsim.default_scenario()
    if args.duration_s is not None:
        base = base.model_copy(update={"simulation": base.simulation.model_copy(
            update={"duration_s": args.duration_s})})
    totals = []
    for pc in args.pc:
        sc = base.model_copy(update={"command": base.command.model_copy(
            update={"kill_assessment_pc": pc})})
        rounds = dead = leakers = 0
        cpu0 = time.process_time()
        for seed in seed_range(args.seeds):
            res = iadsim.run(sc, seed=seed, keep_trajectories=False)
            bad = rounds_at_dead_threats(res)
            s = res.summary
            rounds, dead = rounds + s["rounds_total"], dead + len(bad)
            leakers += s["leakers"]
            print(f"pc {pc:.2f} seed {seed:2d}: leakers {s['leakers']:2d}  rounds "
                  f"{s['rounds_total']:3d}  rounds at dead threats {len(bad)}", flush=True)
            for r in bad.itertuples():
                print(f"    interceptor {r.interceptor_id} track {r.track_id} -> threat "
                      f"{r.target_threat_id} launched {r.launch_time_s:.1f} s, killed "
                      f"{r.fate_time_s:.1f} s", flush=True)
        n = len(seed_range(args.seeds))
        cpu = time.process_time() - cpu0
        print(f"pc {pc:.2f}: {dead} rounds at dead threats of {rounds} over {n} seeds, "
              f"{leakers} leakers ({cpu:.0f} s CPU)")
        totals.append({"pc": pc, "seeds": args.seeds, "rounds": rounds,
                       "rounds_at_dead": dead, "leakers": leakers, "cpu_s": round(cpu, 1)})
    print(json.dumps({"benchmark": "dead_rounds", "results": totals}))


if __name__ == "__main__":
    main()
