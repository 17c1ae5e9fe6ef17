"""Ghost-track rate of the default scenario per seed, split by cause.

Usage: python benchmarks/ghost_causes.py [--seeds 1 2 ...]
A ghost sample is as in ``iadsim.tracking.ghosts`` (no threat within 3 sigma of a confirmed
track sample). Causes: *coasting* (its last detection more than 2.5 s before the sample),
*clutter* (its majority truth vote is a false alarm, -1); the rest were hit recently by a real
target's detections (a wrong state or covariance).
Prints per seed: ghost sample rate, ghost track rate, shares by cause, GOSPA, track breaks,
missed fraction after first track, kills, leakers, rounds. ``PYTHONPATH=/path/to/other/src``
runs another checkout's code with this script (before/after comparisons).
"""

from __future__ import annotations

import argparse
import json
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

import iadsim
from iadsim.outcomes import recorder as recorder_mod
from iadsim.tracking.ghosts import ghost_flags

_COAST: list[np.ndarray] = []


def _patch() -> None:
    cls = next(v for v in vars(recorder_mod).values()
               if isinstance(v, type) and hasattr(v, "tracks_frame"))
    orig = cls.tracks

    def tracks(self, time_s, tracks):
        orig(self, time_s, tracks)
        _COAST.append(time_s - tracks.last_hit_s.max(axis=1) if len(tracks) else np.empty(0))

    cls.tracks = tracks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(1, 9)))
    parser.add_argument("--total-misses", type=int, default=0,
                        help="tracking.delete_after_total_misses (0: the scenario's own)")
    args = parser.parse_args()
    _patch()
    scenario = iadsim.default_scenario()
    if args.total_misses:
        tracking = scenario.tracking.model_copy(
            update={"delete_after_total_misses": args.total_misses})
        scenario = scenario.model_copy(update={"tracking": tracking})
    rows = []
    for seed in args.seeds:
        _COAST.clear()
        result = iadsim.run(scenario, seed=seed)
        tracks = result.tracks.copy()
        tracks["coast_s"] = np.concatenate(_COAST)
        conf = tracks[tracks["confirmed"]]
        flags = ghost_flags(result.truth, tracks)
        g = flags["ghost"].to_numpy(bool)
        coast = conf["coast_s"].to_numpy(float)[g]
        clutter = conf["truth_id"].to_numpy(int)[g] < 0
        n = max(int(g.sum()), 1)
        s = result.summary
        row = {"seed": seed, "ghost_sample_rate": round(float(g.mean()), 4),
               "ghost_track_rate": round(s["tracking"]["ghost_track_rate"], 4),
               "confirmed_tracks": s["tracking"]["confirmed_tracks"],
               "ghost_samples": int(g.sum()),
               "coasting_gt_2p5s": round(float((coast > 2.5).sum() / n), 3),
               "clutter_vote": round(float(clutter.sum() / n), 3),
               "gospa_m": round(s["tracking"]["gospa_m"], 1),
               "track_breaks": s["tracking"]["track_breaks"],
               "missed_after_first_track": round(
                   s["tracking"]["missed_fraction_after_first_track"], 4),
               "kills": s["kills"], "leakers": s["leakers"], "rounds": s["rounds_total"]}
        rows.append(row)
        print(json.dumps(row), flush=True)
    mean = {k: round(float(np.mean([r[k] for r in rows])), 4) for k in rows[0] if k != "seed"}
    print(json.dumps({"mean": mean}))


if __name__ == "__main__":
    main()
