"""Raids of thousands (issue 14, figure 3): CPU per stage and its growth with the raid size.

Usage: python benchmarks/speed_raid.py [--sizes 250,1000,4000] [--radars 8] [--duration-s 900]
                                       [--baseline /work/main/src]

The default scenario's threat groups are scaled up to about each size (counts times
size / 25, as in the issue's table), each group launched over the same time window as in the
default (``spacing_s`` shrunk; ``lateral_spacing_m`` kept, so a wave is wider abreast), and its
two radars copied to ``--radars`` sites a few km apart. Each size runs once
(``keep_trajectories=False``, seed 1) in a fresh interpreter per
code tree; the stages are timed by wrapping their entry points with exclusive CPU timers
(``time.process_time``; a nested stage's time is not counted twice): truth (``ThreatSet.state``
and ``positions``), sensors (``observe``), tracking (``Tracker.step/picture/drop``), command
(``CommandCentre.cycle/assess_kills``), engagement (``advance_flights``, ``launch_orders``,
``Launchers.advance``, ``InterceptorFlights.guide``), metrics (``tracking_metrics``) and the
rest. The growth exponent of each stage is the least-squares slope of log CPU on log size
(n log n shows as about 1.1 over this range; 2 is quadratic). Target: 4,000 threats with 8
radars for 900 s under 60 s of CPU. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math

from speed_common import add_tree_arguments, load, ratio, run_child, trees

CHILD = r"""
import copy, json, os, time, importlib
import numpy as np
import yaml
import iadsim
from iadsim.scenario.load import DEFAULT_SCENARIO, scenario_from_dict

SIZE, RADARS, DURATION = {size}, {radars}, {duration}
data = yaml.safe_load(open(DEFAULT_SCENARIO))
base = sum(int(g["count"]) for g in data["threats"])
for g in data["threats"]:  # more threats per group, launched over the same time window
    old = int(g["count"])
    g["count"] = max(1, round(old * SIZE / base))
    g["spacing_s"] = float(g.get("spacing_s", 0.0)) * (old - 1) / max(g["count"] - 1, 1)
sensors = data["sensors"]
copies = []
for k in range(RADARS):
    s = copy.deepcopy(sensors[k % len(sensors)])
    s["name"] = f"{{s['name']}}-{{k}}"
    s["position"]["lat_deg"] += 0.04 * (k // len(sensors))
    s["position"]["lon_deg"] -= 0.03 * (k // len(sensors))
    copies.append(s)
data["sensors"] = copies
data["simulation"]["duration_s"] = DURATION
scenario = scenario_from_dict(data)

stage_cpu = {{}}
stack = []
def timer(stage, fn):
    def wrapped(*a, **k):
        stack.append(0.0)
        c0 = time.process_time()
        try:
            return fn(*a, **k)
        finally:
            spent = time.process_time() - c0
            inner = stack.pop()
            stage_cpu[stage] = stage_cpu.get(stage, 0.0) + spent - inner
            if stack:
                stack[-1] += spent
    return wrapped

def wrap(stage, module, owner, name):
    try:
        obj = importlib.import_module(module)
        if owner:
            obj = getattr(obj, owner)
        setattr(obj, name, timer(stage, getattr(obj, name)))
    except (ImportError, AttributeError):
        pass

for spec in [("truth", "iadsim.world.threats", "ThreatSet", "state"),
             ("truth", "iadsim.world.threats", "ThreatSet", "positions"),
             ("truth", "iadsim.world.cache", "MemoThreatSet", "state"),
             ("truth", "iadsim.world.cache", "EvasiveMemoThreatSet", "state"),
             ("sensors", "iadsim.simulation", None, "observe"),
             ("tracking", "iadsim.tracking.tracker", "Tracker", "step"),
             ("tracking", "iadsim.tracking.tracker", "Tracker", "picture"),
             ("tracking", "iadsim.tracking.tracker", "Tracker", "drop"),
             ("command", "iadsim.command.doctrine", "CommandCentre", "cycle"),
             ("command", "iadsim.command.doctrine", "CommandCentre", "assess_kills"),
             ("engagement", "iadsim.simulation", None, "advance_flights"),
             ("engagement", "iadsim.simulation", None, "launch_orders"),
             ("engagement", "iadsim.engagement.launchers", "Launchers", "advance"),
             ("engagement", "iadsim.engagement.interceptors", "InterceptorFlights", "guide"),
             ("metrics", "iadsim.outcomes.assemble", None, "tracking_metrics")]:
    wrap(*spec)
c0, w0 = time.process_time(), time.perf_counter()
result = iadsim.run(scenario, seed=1, keep_trajectories=False)
cpu, wall = time.process_time() - c0, time.perf_counter() - w0
stage_cpu["other"] = cpu - sum(stage_cpu.values())
print(json.dumps({{"threats": int(result.summary["threat_count"]), "cpu_s": round(cpu, 2),
                  "wall_s": round(wall, 2),
                  "stages_cpu_s": {{k: round(v, 3) for k, v in sorted(stage_cpu.items())}},
                  "load": [round(x, 2) for x in os.getloadavg()]}}))
"""


def slope(xs: list[float], ys: list[float]) -> float | None:
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return round(sum((p[0] - mx) * (p[1] - my) for p in pts) / den, 2) if den else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="250,1000,4000")
    parser.add_argument("--radars", type=int, default=8)
    parser.add_argument("--duration-s", type=float, default=900.0)
    add_tree_arguments(parser)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    out: dict[str, object] = {"benchmark": "speed_raid", "radars": args.radars,
                              "duration_s": args.duration_s, "load_before": load()}
    for label, src in trees(args):
        rows = []
        for size in sizes:
            fig = run_child(src, CHILD.format(size=size, radars=args.radars,
                                              duration=args.duration_s))
            rows.append(fig)
            stages = ", ".join(f"{k} {v:.2f}" for k, v in fig["stages_cpu_s"].items())
            print(f"{label:8s} {fig['threats']:5d} threats, {args.radars} radars, "
                  f"{args.duration_s:.0f} s: {fig['cpu_s']:.1f} s CPU ({fig['wall_s']:.1f} s "
                  f"wall, load {fig['load']}); {stages}")
        n = [float(r["threats"]) for r in rows]
        growth = {"total": slope(n, [r["cpu_s"] for r in rows])}
        for stage in rows[-1]["stages_cpu_s"]:
            growth[stage] = slope(n, [r["stages_cpu_s"].get(stage, 0.0) for r in rows])
        print(f"{label:8s} growth exponents (CPU vs threats): {growth}")
        out[label] = {"runs": rows, "growth_exponent": growth}
    if "baseline" in out:
        b = out["baseline"]["runs"]  # type: ignore[index]
        n = out["branch"]["runs"]  # type: ignore[index]
        out["speedup_cpu"] = [ratio(x["cpu_s"], y["cpu_s"]) for x, y in zip(b, n, strict=True)]
        print(f"speed-up (CPU) per size: {out['speedup_cpu']}")
    out["load_after"] = load()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
