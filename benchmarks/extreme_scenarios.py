"""Run extreme-but-valid single-field variants of the default scenario and record what breaks.

Usage: python benchmarks/extreme_scenarios.py [--duration-s 30] [--timeout-s 60]
                                               [--memory-gib 3] [--only REGEX]

Every numeric field of the radars, the tracker, the threat groups, the interceptor classes and
the command is set, one at a time, to the edges its validation allows (the bound itself, just
inside an open bound, or a huge value where there is no upper bound), plus hand-written cases
(repeated waypoints, a threat starting on its aim, JPDA in clutter, ...). Each variant is
validated, then run for ``--duration-s`` in a forked child under a memory limit and a wall-time
limit. A variant refused at validation is fine (the message is printed); a crash, a timeout or
a memory blow-up is a finding. Prints one line per variant, the counts by outcome, and ends with
one JSON line.
"""

from __future__ import annotations

import argparse
import copy
import json
import multiprocessing as mp
import os
import re
import resource
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import yaml
from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel

import iadsim
from iadsim.scenario.command_spec import CommandSpec, InterceptorClassSpec
from iadsim.scenario.model import SimulationSpec, ThreatGroup
from iadsim.scenario.sensor_spec import SensorSpec
from iadsim.scenario.tracking_spec import TrackingSpec

Mutation = Callable[[dict[str, Any]], None]
UNBOUNDED_HUGE = 1e12


def _edges(model: type[BaseModel]) -> dict[str, list[float]]:
    """Extreme values each numeric field of ``model`` accepts: its bounds, or huge/tiny."""
    out: dict[str, list[float]] = {}
    for name, field in model.model_fields.items():
        ann = str(field.annotation)
        if not any(t in ann for t in ("float", "int")) or "dict" in ann or "list" in ann:
            continue
        is_int = "int" in ann and "float" not in ann
        lo = hi = None
        lo_open = hi_open = False
        for m in field.metadata:
            if isinstance(m, Ge):
                lo = m.ge
            elif isinstance(m, Gt):
                lo, lo_open = m.gt, True
            elif isinstance(m, Le):
                hi = m.le
            elif isinstance(m, Lt):
                hi, hi_open = m.lt, True
        values: list[float] = []
        if lo is not None:
            values.append(lo + (1 if is_int else max(abs(lo) * 1e-6, 1e-6)) if lo_open else lo)
        if hi is not None:
            values.append(hi - (1 if is_int else max(abs(hi) * 1e-6, 1e-6)) if hi_open else hi)
        else:
            values.append(100_000 if is_int else UNBOUNDED_HUGE)
        out[name] = values
    return out


def _set(path: tuple[Any, ...], value: Any) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        node = d
        for key in path[:-1]:
            node = node.setdefault(key, {}) if isinstance(node, dict) else node[key]
        node[path[-1]] = value

    return mutate


def _cases() -> list[tuple[str, Mutation]]:
    cases: list[tuple[str, Mutation]] = []
    for name, values in _edges(SensorSpec).items():
        for k in (0, 1):
            for v in values:
                cases.append((f"sensors[{k}].{name}={v:g}", _set(("sensors", k, name), v)))
    for name, values in _edges(TrackingSpec).items():
        for v in values:
            cases.append((f"tracking.{name}={v:g}", _set(("tracking", name), v)))
    for name, values in _edges(ThreatGroup).items():
        for v in values:
            cases.append((f"threats[3].{name}={v:g}", _set(("threats", 3, name), v)))
    for name, values in _edges(InterceptorClassSpec).items():
        for v in values:
            cases.append((f"interceptors.short.{name}={v:g}",
                          _set(("interceptors", "short", name), v)))
    for name, values in _edges(CommandSpec).items():
        for v in values:
            cases.append((f"command.{name}={v:g}", _set(("command", name), v)))
    for name, values in _edges(SimulationSpec).items():
        if name != "duration_s":
            for v in values:
                cases.append((f"simulation.{name}={v:g}", _set(("simulation", name), v)))

    def repeated_waypoint(d: dict[str, Any]) -> None:
        d["threats"][1]["route"] = [d["threats"][1]["route"][0]] * 2 + d["threats"][1]["route"]

    def start_on_aim(d: dict[str, Any]) -> None:
        d["threats"][4]["start"] = dict(d["defended_assets"][0]["position"], alt_m=800)

    def route_through_start(d: dict[str, Any]) -> None:
        s = d["threats"][1]["start"]
        d["threats"][1]["route"] = [{"lat_deg": s["lat_deg"], "lon_deg": s["lon_deg"]}]

    def ballistic_on_aim(d: dict[str, Any]) -> None:
        d["threats"][5]["start"] = dict(d["defended_assets"][1]["position"])

    def jpda_clutter(d: dict[str, Any]) -> None:
        d["tracking"] = {"association": "jpda"}
        d["sensors"][0]["false_alarms_per_scan"] = 2000.0

    def jpda_dense(d: dict[str, Any]) -> None:
        d["tracking"] = {"association": "jpda", "clutter_density_per_m3": 1e-18}
        d["sensors"][0]["false_alarms_per_scan"] = 500.0
        d["threats"][4]["count"] = 500
        d["threats"][4]["lateral_spacing_m"] = 20.0

    def big_raid(d: dict[str, Any]) -> None:
        d["threats"][4]["count"] = 20_000
        d["threats"][4]["spacing_s"] = 0.0

    cases += [
        ("route repeats a waypoint", repeated_waypoint),
        ("threat starts on its aim asset", start_on_aim),
        ("route's first waypoint is the start", route_through_start),
        ("ballistic missile starts on its aim", ballistic_on_aim),
        ("jpda, 2000 false alarms per scan", jpda_clutter),
        ("jpda, 500 drones abreast 20 m apart in clutter", jpda_dense),
        ("20000 drones at once", big_raid),
        ("range_sigma_m=30000", _set(("sensors", 0, "range_sigma_m"), 30_000.0)),
        ("tiny beams", lambda d: d["sensors"][0].update(
            azimuth_beamwidth_deg=1e-9, elevation_beamwidth_deg=1e-9)),
        ("scan_period_s=0.001 both", lambda d: [s.update(scan_period_s=0.001)
                                                for s in d["sensors"]]),
    ]
    return cases


def _child(data: dict[str, Any], memory_bytes: int, queue: Any) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    warnings.simplefilter("error")  # a warning is reported as a warning, not a crash
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scenario = iadsim.scenario_from_dict(data)
            iadsim.run(scenario, keep_trajectories=False)
        note = "; ".join(sorted({str(w.message)[:120] for w in caught}))
        queue.put(("ok" if not note else "ok+warning", time.perf_counter() - t0, note))
    except iadsim.ScenarioError as exc:
        queue.put(("refused", time.perf_counter() - t0, str(exc).splitlines()[0][:200]))
    except MemoryError:
        queue.put(("memory", time.perf_counter() - t0, "MemoryError"))
    except BaseException as exc:  # this script reports every crash
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{os.path.basename(tb.filename)}:{tb.lineno}"
        queue.put(("crash", time.perf_counter() - t0, f"{type(exc).__name__} at {where}: "
                   f"{str(exc)[:150]}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration-s", type=float, default=30.0)
    parser.add_argument("--timeout-s", type=float, default=60.0)
    parser.add_argument("--slow-s", type=float, default=20.0, help="report runs slower than this")
    parser.add_argument("--memory-gib", type=float, default=3.0)
    parser.add_argument("--only", default="", help="run only cases whose label matches this regex")
    args = parser.parse_args()
    base = yaml.safe_load(iadsim.DEFAULT_SCENARIO.read_text(encoding="utf-8"))
    base["simulation"]["duration_s"] = args.duration_s
    ctx = mp.get_context("fork")
    counts: Counter[str] = Counter()
    findings = []
    for label, mutate in _cases():
        if not re.search(args.only, label):
            continue
        data = copy.deepcopy(base)
        mutate(data)
        queue = ctx.Queue()
        proc = ctx.Process(target=_child, args=(data, int(args.memory_gib * 2**30), queue))
        proc.start()
        proc.join(args.timeout_s)
        if proc.is_alive():
            proc.kill()
            proc.join()
            outcome, wall_s, note = "timeout", args.timeout_s, f"over {args.timeout_s:g} s"
        elif queue.empty():
            outcome, wall_s, note = "crash", 0.0, f"child died (exit code {proc.exitcode})"
        else:
            outcome, wall_s, note = queue.get()
        if outcome.startswith("ok") and wall_s > args.slow_s:
            outcome = "slow"
        counts[outcome] += 1
        if outcome in ("crash", "timeout", "memory", "slow"):
            findings.append({"case": label, "outcome": outcome, "note": note})
        print(f"{outcome:10s} {wall_s:6.1f} s  {label}  {note}", flush=True)
    print("counts:", dict(counts))
    print(json.dumps({"benchmark": "extreme_scenarios", "cases": sum(counts.values()),
                      "counts": dict(counts), "findings": findings}))


if __name__ == "__main__":
    main()
