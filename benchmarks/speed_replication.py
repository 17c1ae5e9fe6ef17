"""CPU of one replication of the default scenario (issue 14, figure 1), branch vs baseline.

Usage: python benchmarks/speed_replication.py [--repeats 3] [--baseline /work/main/src]

In a fresh interpreter per code tree (imports excluded): the first run of the scenario (it
builds the per-scenario invariants), then ``--repeats`` further runs with
``keep_trajectories=False`` (as the Monte Carlo runs it) and as many with all tables kept.
Figures are CPU seconds (``time.process_time``) with wall seconds and the load average beside
them; the targets are 0.5 s and 1.5 s of CPU. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json

from speed_common import add_tree_arguments, load, ratio, run_child, trees

CHILD = """
import json, os, statistics, time
import iadsim
scenario = iadsim.default_scenario()
def timed(keep):
    c0, w0 = time.process_time(), time.perf_counter()
    r = iadsim.run(scenario, keep_trajectories=keep)
    return time.process_time() - c0, time.perf_counter() - w0, r.summary["kills"]
first = timed(False)
lean = [timed(False) for _ in range({repeats})]
full = [timed(True) for _ in range({repeats})]
med = lambda xs, k: round(statistics.median(x[k] for x in xs), 3)
print(json.dumps({{"first_cpu_s": round(first[0], 3), "first_wall_s": round(first[1], 3),
                  "lean_cpu_s": med(lean, 0), "lean_wall_s": med(lean, 1),
                  "full_cpu_s": med(full, 0), "full_wall_s": med(full, 1),
                  "kills": [x[2] for x in [first, *lean, *full]],
                  "load": [round(x, 2) for x in os.getloadavg()]}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    add_tree_arguments(parser)
    args = parser.parse_args()
    out: dict[str, object] = {"benchmark": "speed_replication", "load_before": load()}
    for label, src in trees(args):
        fig = run_child(src, CHILD.format(repeats=args.repeats))
        out[label] = fig
        print(f"{label:8s} ({src}): first run {fig['first_cpu_s']:.2f} s CPU "
              f"({fig['first_wall_s']:.2f} s wall); keep_trajectories=False "
              f"{fig['lean_cpu_s']:.2f} s CPU ({fig['lean_wall_s']:.2f} s wall); all tables "
              f"{fig['full_cpu_s']:.2f} s CPU ({fig['full_wall_s']:.2f} s wall); "
              f"load {fig['load']}")
    if "baseline" in out:
        b, n = out["baseline"], out["branch"]
        out["speedup_lean_cpu"] = ratio(b["lean_cpu_s"], n["lean_cpu_s"])  # type: ignore[index]
        out["speedup_full_cpu"] = ratio(b["full_cpu_s"], n["full_cpu_s"])  # type: ignore[index]
        print(f"speed-up (CPU): lean {out['speedup_lean_cpu']}x, full {out['speedup_full_cpu']}x")
    br = out["branch"]
    out["target_lean_0_5_s_met"] = br["lean_cpu_s"] <= 0.5  # type: ignore[index]
    out["target_full_1_5_s_met"] = br["full_cpu_s"] <= 1.5  # type: ignore[index]
    out["load_after"] = load()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
