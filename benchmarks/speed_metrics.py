"""Tracking metrics (GOSPA, OSPA, continuity) on raids of thousands: sparse vs dense (issue 14).

Usage: python benchmarks/speed_metrics.py [--sizes 250,1000,4000] [--steps 5] [--spread-m 3000]

A synthetic picture per size: threats flying straight over ``--spread-m`` (300 km; 3 km: a
tightly clustered raid), confirmed tracks on 85% of them (1.5 km noise, ids changing every 7
steps) and 5% false tracks, ``--steps`` times. ``tracking_metrics`` is timed
(``time.process_time``, wall beside it) as it runs by default (``auto``: dense up to
``DENSE_MAX_CELLS`` pairs or when the counted close pairs exceed ``DENSE_PAIR_SHARE`` of all,
sparse otherwise), with the gated sparse assignment forced, and with the dense one forced, in
one process, and the results are compared (they must be equal). The growth exponent is the
least-squares slope of log CPU on log size. The last line is one JSON object.
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

from iadsim.tracking import gated_assignment, metrics

MODES = {"auto": {}, "sparse": {"DENSE_PAIR_SHARE": float("inf")},
         "dense": {"DENSE_MAX_CELLS": 10**15}}
"""Routes timed: the default choice, and each one forced (``gated_assignment`` settings)."""


def picture(rng: np.random.Generator, m: int, steps: int,
            spread_m: float = 300_000.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    start = rng.uniform(0.0, spread_m, (m, 3)) * [1.0, 1.0, 0.03]
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
        false = rng.uniform(0.0, spread_m, (n_false, 3))
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
    parser.add_argument("--spread-m", type=float, default=300_000.0,
                        help="side of the square the raid starts in (3000: tightly clustered)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    for m in sizes:
        truth, tracks = picture(np.random.default_rng(m), m, args.steps, args.spread_m)
        row: dict[str, object] = {"threats": m}
        got = {}
        for mode, settings in MODES.items():
            saved = {k: getattr(gated_assignment, k) for k in settings}
            for k, v in settings.items():
                setattr(gated_assignment, k, v)
            try:
                cpu_s, wall_s, got[mode] = timed(truth, tracks)
            finally:
                for k, v in saved.items():
                    setattr(gated_assignment, k, v)
            row[f"{mode}_cpu_s_per_step"] = round(cpu_s / args.steps, 4)
            row[f"{mode}_wall_s_per_step"] = round(wall_s / args.steps, 4)
        b = got["dense"]
        row["identical"] = all(
            bool(g.per_threat.equals(b.per_threat)  # type: ignore[attr-defined]
                 and g.per_step["gospa_m"].equals(b.per_step["gospa_m"]))  # type: ignore[attr-defined]
            for g in got.values())
        row["load"] = [round(x, 2) for x in os.getloadavg()]
        rows.append(row)
        print(f"{m:5d} threats: " + ", ".join(
            f"{k} {row[f'{k}_cpu_s_per_step']:.4f} s CPU/step "
            f"({row[f'{k}_wall_s_per_step']:.4f} wall)" for k in MODES)
            + f"; identical {row['identical']}, load {row['load']}")
    n = [float(r["threats"]) for r in rows]
    growth = {k: slope(n, [float(r[f"{k}_cpu_s_per_step"]) for r in rows])  # type: ignore[arg-type]
              for k in MODES}
    print(f"growth exponents (CPU per step vs threats): {growth}")
    print(json.dumps({"benchmark": "speed_metrics", "steps": args.steps,
                      "spread_m": args.spread_m, "runs": rows,
                      "growth_exponent": growth}))


if __name__ == "__main__":
    main()
