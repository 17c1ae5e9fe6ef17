"""Wall time of ``iadsim mc --runs N`` on the default scenario, 1 and 2 worker processes
(issue 14, figure 2: 1,000 runs under 5 minutes on 2 cores, scaling >= 1.8x), branch vs baseline.

Usage: python benchmarks/speed_mc.py [--runs 40] [--workers 1,2] [--baseline /work/main/src]

Each measurement is the command line itself (``python -m iadsim mc --backend processes
--workers W --quiet``) in a fresh temporary folder; wall time by ``time.perf_counter``, CPU as
the children's user + system rusage. The 1,000-run wall time is extrapolated linearly from the
per-run wall (start-up included once). Other processes on the machine steal cores: read the
scaling beside the load average. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from speed_common import add_tree_arguments, child_env, load, ratio, trees


def _children_cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed_mc(src: str, runs: int, workers: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "iadsim", "mc", "--runs", str(runs), "--backend",
               "processes", "--workers", str(workers), "--quiet", "--out", str(Path(tmp) / "mc")]
        la, c0, w0 = load(), _children_cpu_s(), time.perf_counter()
        subprocess.run(cmd, env=child_env(src), check=True, capture_output=True, timeout=7200)
        wall, cpu = time.perf_counter() - w0, _children_cpu_s() - c0
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "load_before": la,
            "wall_per_run_s": round(wall / runs, 4),
            "extrapolated_1000_runs_wall_s": round(1000 * wall / runs, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--workers", default="1,2")
    add_tree_arguments(parser)
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    out: dict[str, object] = {"benchmark": "speed_mc", "runs": args.runs}
    for label, src in trees(args):
        figs = {}
        for w in counts:
            f = timed_mc(src, args.runs, w)
            figs[f"workers_{w}"] = f
            print(f"{label:8s} {args.runs} runs on {w} worker(s): {f['wall_s']:.1f} s wall, "
                  f"{f['cpu_s']:.1f} s CPU, load {f['load_before']}; 1,000 runs ~ "
                  f"{f['extrapolated_1000_runs_wall_s']:.0f} s wall")
        if 1 in counts and 2 in counts:
            figs["scaling_1_to_2"] = ratio(figs["workers_1"]["wall_s"],
                                           figs["workers_2"]["wall_s"])
            print(f"{label:8s} scaling 1 -> 2 workers: {figs['scaling_1_to_2']}x")
        out[label] = figs
    out["load_after"] = load()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
