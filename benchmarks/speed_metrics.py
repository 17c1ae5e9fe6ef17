"""Tracking metrics (GOSPA, OSPA, continuity) on raids of thousands: sparse vs dense (issue 14).

Usage: python benchmarks/speed_metrics.py [--sizes 250,1000,4000] [--steps 5]

A synthetic picture per size: threats flying straight over 300 km, confirmed tracks on 85% of
them (1.5 km noise, ids changing every 7 steps) and 5% false tracks, ``--steps`` times.
``tracking_metrics`` is timed (``time.process_time``, wall beside it) with the gated sparse
assignment (the default above ``DENSE_MAX_CELLS`` pairs) and with the dense one (the threshold
raised), in one process, and the results are compared (they must be equal). The growth exponent
is the least-squares slope of log CPU on log size. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pandas as pd

from iadsim.tracking import metrics


def picture(rng: np.random.Generator, m: int, steps: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    start = rng.uniform(0.0, 300_000.0, (m, 3)) * [1.0, 1.0, 0.03]
    vel = rng.normal(0.0, 200.0, (m, 3)) * [1.0, 1.0, 0.0]
    truth, tracks = [], []
    for k in range(steps):
        t = float(k)
        pos = start + vel * t
        ids = np.arange(m)
        truth.append(pd.DataFrame({"time_s": t, "threat_id": ids, "east_m": pos[:, 0],
                                   "north_m": pos[:, 1], "up_m": pos[:, 2]}))
        seen = rng.uniform(size=m) < 0.85
        noisy = pos[seen] + rng.normal(0.0, 1_500.0, (int(seen.sum()), 3))
        n_false = max(1, m // 20)
        false = rng.uniform(0.0, 300_000.0, (n_false, 3))
        both = np.vstack([noisy, false])
        tid = np.concatenate([ids[seen] + 100_000 * (k // 7), 10_000_000 + np.arange(n_false)])
        tracks.append(pd.DataFrame({"time_s": t, "track_id": tid, "confirmed": True,
                                    "east_m": both[:, 0], "north_m": both[:, 1],
                                    "up_m": both[:, 2]}))
    return pd.concat(truth, ignore_index=True), pd.concat(tracks, ignore_index=True)


def timed(truth: pd.DataFrame, tracks: pd.DataFrame) -> tuple[float, float, object]:
    c0, w0 = time.process_time(), time.perf_counter()
    out = metrics.tracking_metrics(truth, tracks)
    return time.process_time() - c0, time.perf_counter() - w0, out


def slope(xs: list[float], ys: list[float]) -> float:
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return round(sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True))
                 / sum((a - mx) ** 2 for a in lx), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="250,1000,4000")
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    for m in sizes:
        truth, tracks = picture(np.random.default_rng(m), m, args.steps)
        cpu_s, wall_s, sparse = timed(truth, tracks)
        limit = metrics.DENSE_MAX_CELLS
        metrics.DENSE_MAX_CELLS = 10**15
        try:
            cpu_d, wall_d, dense = timed(truth, tracks)
        finally:
            metrics.DENSE_MAX_CELLS = limit
        a, b = sparse.per_step, dense.per_step  # type: ignore[attr-defined]
        same = bool(sparse.per_threat.equals(dense.per_threat)  # type: ignore[attr-defined]
                    and a["gospa_m"].equals(b["gospa_m"]))
        rows.append({"threats": m, "sparse_cpu_s_per_step": round(cpu_s / args.steps, 4),
                     "sparse_wall_s_per_step": round(wall_s / args.steps, 4),
                     "dense_cpu_s_per_step": round(cpu_d / args.steps, 4),
                     "dense_wall_s_per_step": round(wall_d / args.steps, 4),
                     "speedup_cpu": round(cpu_d / max(cpu_s, 1e-9), 1), "identical": same,
                     "load": [round(x, 2) for x in os.getloadavg()]})
        r = rows[-1]
        print(f"{m:5d} threats: sparse {r['sparse_cpu_s_per_step']:.4f} s CPU/step "
              f"({r['sparse_wall_s_per_step']:.4f} wall), dense {r['dense_cpu_s_per_step']:.4f} "
              f"s CPU/step ({r['dense_wall_s_per_step']:.4f} wall): {r['speedup_cpu']}x, "
              f"identical {same}, load {r['load']}")
    n = [float(r["threats"]) for r in rows]
    growth = {"sparse": slope(n, [r["sparse_cpu_s_per_step"] for r in rows]),
              "dense": slope(n, [r["dense_cpu_s_per_step"] for r in rows])}
    print(f"growth exponents (CPU per step vs threats): {growth}")
    print(json.dumps({"benchmark": "speed_metrics", "steps": args.steps, "runs": rows,
                      "growth_exponent": growth}))


if __name__ == "__main__":
    main()
