"""Miss distances and end-game Pk of the default scenario over seeds 1-8.

Usage: PYTHONPATH=src python benchmarks/miss_distribution.py [--seeds 8]
Shows whether the lethality fall-off (Pk against miss distance) is exercised: the miss
distance percentiles per class, the share of end games beyond one lethal sigma, and the
mean Pk of the end games against the class's design-point Pk. Prints CPU and wall time and
the load average; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pandas as pd

import iadsim
from iadsim.engagement.launchers import envelope_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=8)
    args = parser.parse_args()
    scenario = iadsim.default_scenario()
    table = envelope_table(scenario)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    rows = []
    for seed in range(1, args.seeds + 1):
        res = iadsim.run(scenario, seed=seed, keep_trajectories=False, envelopes=table)
        e = res.engagements.copy()
        e["seed"] = seed
        rows.append(e)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    eng = pd.concat(rows, ignore_index=True)
    out: dict[str, object] = {"benchmark": "miss_distribution", "seeds": args.seeds}
    cls_col = "interceptor_class" if "interceptor_class" in eng else "class"
    print(f"{len(eng)} rounds, columns: {', '.join(eng.columns)}")
    for name, spec in scenario.interceptors.items():
        e = eng[(eng[cls_col] == name) & np.isfinite(eng["miss_distance_m"])]
        sigma = spec.lethal_sigma_m or spec.kill_radius_m / 5.0
        miss = e["miss_distance_m"].to_numpy()
        if miss.size == 0:
            print(f"{name:10s} no end games")
            continue
        q = np.percentile(miss, [10, 50, 90])
        beyond = float(np.mean(miss > sigma))
        pk = e["end_game_pk"].to_numpy()
        band = float(np.mean((miss > 0.2 * sigma) & (miss < 3.0 * sigma)))
        design = float(np.mean(list(spec.pk.values())))
        print(f"{name:10s} n {miss.size:4d}  miss p10/p50/p90 {q[0]:7.2f} {q[1]:7.2f} "
              f"{q[2]:7.2f} m  > sigma ({sigma:g} m) {beyond:5.1%}  on the fall-off "
              f"(0.2-3 sigma) {band:5.1%}  mean Pk {np.nanmean(pk):.3f}"
              f"  (design-point mean {design:.3f})")
        out[name] = {"n": int(miss.size), "p10_m": round(float(q[0]), 3),
                     "p50_m": round(float(q[1]), 3), "p90_m": round(float(q[2]), 3),
                     "beyond_sigma": round(beyond, 4), "fall_off": round(band, 4),
                     "mean_pk": round(float(np.nanmean(pk)), 4)}
    print(f"cpu {cpu:.1f} s  wall {wall:.1f} s  load {os.getloadavg()}")
    out.update(cpu_s=round(cpu, 2), wall_s=round(wall, 2), load=os.getloadavg()[0])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
