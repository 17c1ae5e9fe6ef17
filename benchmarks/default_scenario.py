"""Time the bundled default scenario end to end on one core.

Usage: python benchmarks/default_scenario.py [--repeats N]
Prints each run's wall time and the median; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core: no BLAS threads
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import iadsim


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    scenario = iadsim.default_scenario()
    times = []
    for k in range(args.repeats):
        t0 = time.perf_counter()
        result = iadsim.run(scenario)
        times.append(time.perf_counter() - t0)
        print(f"run {k + 1}: {times[-1]:.2f} s  kills {result.summary['kills']}  "
              f"leakers {result.summary['leakers']}  rounds {result.summary['rounds_total']}")
    n_threats = result.summary["threat_count"]
    sim_s = scenario.simulation.duration_s
    median = statistics.median(times)
    print(f"median {median:.2f} s for {sim_s:.0f} s simulated, {n_threats} threats "
          f"({sim_s / median:.0f}x faster than real time)")
    print(json.dumps({"benchmark": "default_scenario", "median_wall_s": round(median, 3),
                      "min_wall_s": round(min(times), 3), "simulated_s": sim_s,
                      "threats": n_threats, "repeats": args.repeats,
                      "faster_than_real_time": round(sim_s / median, 1)}))


if __name__ == "__main__":
    main()
