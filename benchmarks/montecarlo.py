"""Monte Carlo throughput: replications per second, serial vs local processes vs Dask.

Figures:

1. replications per second of the default scenario, serially and with 2 local worker
   processes (the whole ``run_sweep`` path: validation, pool start-up, chunk files, summary);
   the wall-clock speed-up should be >= 1.8 on 2 idle cores;
2. the overhead of the Dask backend (a ``LocalCluster`` of 2 workers, cluster start-up
   included) against 2 local processes at 1,000 replications of a shortened default scenario
   (``--set simulation.duration_s=...``, so the figure takes minutes, not an hour); it should be
   under 10%.

Wall-clock rates depend on what else the machine runs, so each sweep also reports the CPU
seconds it used (this process and its worker processes) per replication: the parallel
efficiency ``serial CPU/rep / parallel CPU/rep`` is the speed-up per core the backend would
give on idle cores, whatever the load while measuring. The load average is printed too.

Run: ``python benchmarks/montecarlo.py [--full-runs 8] [--rounds 1] [--overhead-runs 1000]
[--overhead-duration-s 30]``. Prints the figures, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from iadsim.montecarlo.sweep import run_sweep
from iadsim.scenario.load import DEFAULT_SCENARIO


@dataclass(frozen=True)
class Timing:
    """One timed sweep."""

    runs: int
    wall_s: float
    cpu_s: float

    @property
    def rate(self) -> float:
        """Replications per wall-clock second."""
        return self.runs / self.wall_s

    @property
    def cpu_per_rep_s(self) -> float:
        """CPU seconds (all processes) per replication."""
        return self.cpu_s / self.runs


def _cpu_s() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # reaped worker processes
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _timed_sweep(runs: int, backend: str, workers: int, sets: list[str], folder: Path) -> Timing:
    cpu0, start = _cpu_s(), time.perf_counter()
    res = run_sweep(DEFAULT_SCENARIO, runs=runs, out_dir=folder, sets=sets, backend=backend,
                    workers=workers)
    wall = time.perf_counter() - start
    assert len(res.replications) == runs
    return Timing(runs, wall, _cpu_s() - cpu0)


def _show(label: str, t: Timing) -> None:
    print(f"{label}: {t.runs} replications in {t.wall_s:.1f} s = {t.rate:.3f} rep/s "
          f"({t.cpu_per_rep_s:.2f} CPU s/rep; load {os.getloadavg()[0]:.1f})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full-runs", type=int, default=8,
                        help="replications of the full default scenario serially (x2 in parallel)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="serial / parallel measurements, alternated; the median is kept")
    parser.add_argument("--overhead-runs", type=int, default=1000)
    parser.add_argument("--overhead-duration-s", type=float, default=30.0)
    args = parser.parse_args()
    cpus = len(os.sched_getaffinity(0))
    load_before = os.getloadavg()[0]
    print(f"CPUs available: {cpus}; load average before: {load_before:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rounds = []
        for r in range(args.rounds):  # alternate, so a change of machine load hits both
            serial = _timed_sweep(args.full_runs, "serial", 1, [], root / f"serial{r}")
            _show("default scenario, serial", serial)
            par = _timed_sweep(2 * args.full_runs, "processes", 2, [], root / f"processes{r}")
            _show("default scenario, 2 local processes", par)
            speedup = par.rate / serial.rate
            efficiency = serial.cpu_per_rep_s / par.cpu_per_rep_s
            print(f"  wall speed-up {speedup:.2f}x; parallel efficiency {efficiency:.3f} "
                  f"(speed-up on 2 idle cores ~ {2 * efficiency:.2f}x)")
            rounds.append((speedup, efficiency, serial, par))
        speedup, efficiency, serial, par = sorted(rounds, key=lambda x: x[0])[len(rounds) // 2]
        short = [f"simulation.duration_s={args.overhead_duration_s:g}"]
        n = args.overhead_runs
        local = _timed_sweep(n, "processes", 2, short, root / "ov-processes")
        _show(f"duration_s={args.overhead_duration_s:g}, 2 local processes", local)
        dask = _timed_sweep(n, "dask", 2, short, root / "ov-dask")
        _show(f"duration_s={args.overhead_duration_s:g}, Dask LocalCluster of 2 workers", dask)
        overhead = dask.wall_s / local.wall_s - 1.0
        cpu_overhead = dask.cpu_s / local.cpu_s - 1.0
        print(f"  Dask overhead against local processes: {100 * overhead:+.1f}% wall, "
              f"{100 * cpu_overhead:+.1f}% CPU")
    load_after = os.getloadavg()[0]
    print(f"load average after: {load_after:.2f}")
    print(json.dumps({
        "benchmark": "montecarlo",
        "cpus": cpus,
        "load_before": round(load_before, 2),
        "load_after": round(load_after, 2),
        "default_serial_rep_per_s": round(serial.rate, 4),
        "default_2_processes_rep_per_s": round(par.rate, 4),
        "speedup_2_processes": round(speedup, 3),
        "parallel_efficiency": round(efficiency, 3),
        "serial_cpu_s_per_rep": round(serial.cpu_per_rep_s, 3),
        "processes_cpu_s_per_rep": round(par.cpu_per_rep_s, 3),
        "overhead_runs": n,
        "overhead_duration_s": args.overhead_duration_s,
        "processes_wall_s": round(local.wall_s, 2),
        "dask_wall_s": round(dask.wall_s, 2),
        "dask_overhead_pct": round(100 * overhead, 2),
        "dask_cpu_overhead_pct": round(100 * cpu_overhead, 2),
    }))


if __name__ == "__main__":
    main()
