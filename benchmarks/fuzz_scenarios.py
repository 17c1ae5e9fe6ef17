"""Benchmark: fuzz the scenario loader with 10,000 seeded mutations of the bundled scenario.

Run: ``python benchmarks/fuzz_scenarios.py [--cases 10000] [--seed 1] [--slow-s 1.0]
[--runs 100] [--run-s 20]``.
Each case is one mutation (``iadsim.scenario.mutations``, the kinds in turn) validated
in-process like ``iadsim validate`` does; the first ``--runs`` cases that validate are then run
(``iadsim.simulation.run``, cut to ``--run-s`` simulated seconds, no trajectories) and counted
``run_ok``, ``run_crashed`` (an exception: a bug) or ``run_warned`` (a warning other than
``RunCostWarning``, counted besides ``run_ok``).
Classes: ``valid``; ``scenario_error`` (every line names
the file and a field path or a line); ``unnamed_problem`` (a ScenarioError line that does not);
``other_exception`` (anything else: a bug); ``slow`` (over ``--slow-s``, counted besides its
class). Prints counts by class and by kind, the time per case, the first few bad cases, then
one JSON line.
"""

from __future__ import annotations

import argparse
import collections
import json
import time
import traceback
import warnings

import numpy as np

from iadsim.errors import ScenarioError
from iadsim.scenario.load import DEFAULT_SCENARIO, scenario_from_yaml
from iadsim.scenario.model import Scenario
from iadsim.scenario.mutations import KINDS, cut_duration, mutate, problems_without_path
from iadsim.scenario.yaml_reader import read_yaml_bytes
from iadsim.sensors.radar import RunCostWarning
from iadsim.simulation import run

SOURCE = "fuzz.yaml"


def _bug(exc: Exception) -> str:
    where = traceback.extract_tb(exc.__traceback__)[-1]
    return f"{type(exc).__name__}: {exc!s:.120} ({where.filename}:{where.lineno})"


def classify(content: bytes) -> tuple[str, str, Scenario | None]:
    """The class of one case, a one-line note for the bad ones and the scenario if valid."""
    try:
        scenario = scenario_from_yaml(content, SOURCE)
    except ScenarioError as exc:
        unnamed = problems_without_path(exc.problems, SOURCE)
        return ("unnamed_problem", unnamed[0][:200], None) if unnamed else (
            "scenario_error", "", None)
    except Exception as exc:
        return "other_exception", _bug(exc), None
    return "valid", "", scenario


def run_briefly(scenario: Scenario, duration_s: float) -> tuple[str, str]:
    """``run_ok``, ``run_warned`` or ``run_crashed`` and a note for the last two."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            run(cut_duration(scenario, duration_s), keep_trajectories=False)
    except Exception as exc:
        return "run_crashed", _bug(exc)
    other = [w for w in caught if not issubclass(w.category, RunCostWarning)]
    return ("run_warned", f"{other[0].category.__name__}: {other[0].message!s:.120}") if other \
        else ("run_ok", "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--slow-s", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=100, help="valid cases to run (at most)")
    parser.add_argument("--run-s", type=float, default=20.0, help="simulated seconds per run")
    args = parser.parse_args()

    raw = DEFAULT_SCENARIO.read_bytes()
    base = read_yaml_bytes(raw, str(DEFAULT_SCENARIO))
    rng = np.random.default_rng(args.seed)
    by_class: collections.Counter[str] = collections.Counter()
    by_kind: dict[str, collections.Counter[str]] = {k: collections.Counter() for k in KINDS}
    times_s = np.empty(args.cases)
    run_times_s: list[float] = []
    bad: list[str] = []
    wall0 = time.perf_counter()
    for i in range(args.cases):
        kind = KINDS[i % len(KINDS)]
        content = mutate(raw, kind, rng=rng, data=base)
        t0 = time.perf_counter()
        cls, note, scenario = classify(content)
        times_s[i] = time.perf_counter() - t0
        by_class[cls] += 1
        by_kind[kind][cls] += 1
        if scenario is not None and len(run_times_s) < args.runs:
            t0 = time.perf_counter()
            run_cls, note = run_briefly(scenario, args.run_s)
            run_times_s.append(time.perf_counter() - t0)
            for counts in (by_class, by_kind[kind]):
                counts["run_crashed" if run_cls == "run_crashed" else "run_ok"] += 1
                if run_cls == "run_warned":
                    counts["run_warned"] += 1
            cls = run_cls
        if times_s[i] > args.slow_s:
            by_class["slow"] += 1
            by_kind[kind]["slow"] += 1
            note = note or f"{times_s[i]:.2f} s"
        if note and len(bad) < 10:
            bad.append(f"case {i} ({kind}, {cls}): {note}")
    wall_s = time.perf_counter() - wall0

    classes = ("valid", "scenario_error", "unnamed_problem", "other_exception", "slow",
               "run_ok", "run_crashed", "run_warned")
    print(f"{args.cases} mutations of {DEFAULT_SCENARIO.name} (seed {args.seed}) in "
          f"{wall_s:.1f} s; {len(run_times_s)} valid ones run for {args.run_s:g} s")
    for cls in classes:
        print(f"  {cls:16s} {by_class[cls]:6d}")
    print("by kind:")
    for kind in KINDS:
        counts = by_kind[kind]
        print(f"  {kind:14s} " + "  ".join(f"{c}={counts[c]}" for c in classes if counts[c]))
    p50, p99 = np.percentile(times_s, [50, 99]) * 1e3
    print(f"time per case: median {p50:.1f} ms, p99 {p99:.1f} ms, max {times_s.max() * 1e3:.1f} ms")
    runs_s = np.asarray(run_times_s or [np.nan])
    r50, r99 = np.percentile(runs_s, [50, 99])
    print(f"time per run: median {r50:.2f} s, p99 {r99:.2f} s, max {runs_s.max():.2f} s")
    for line in bad:
        print("  " + line)
    print(json.dumps({
        "benchmark": "fuzz_scenarios", "cases": args.cases, "seed": args.seed,
        **{cls: by_class[cls] for cls in classes},
        "by_kind": {k: dict(by_kind[k]) for k in KINDS},
        "median_ms": round(float(p50), 2), "p99_ms": round(float(p99), 2),
        "max_ms": round(float(times_s.max()) * 1e3, 2), "wall_s": round(wall_s, 1),
        "runs": len(run_times_s), "run_s": args.run_s,
        "run_median_s": round(float(r50), 3), "run_max_s": round(float(runs_s.max()), 3),
    }))


if __name__ == "__main__":
    main()
