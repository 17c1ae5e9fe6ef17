"""Monte Carlo throughput: replications per second, serial vs local processes vs Dask.

Figures:

1. replications per second of the default scenario, serially and with 2 local worker
   processes (the whole ``run_sweep`` path: validation, pool start-up, chunk files, summary);
   the speed-up should be >= 1.8 on 2 cores;
2. the overhead of the Dask backend (a ``LocalCluster`` of 2 workers, cluster start-up
   included) against 2 local processes at 1,000 replications of a shortened default scenario
   (``--set simulation.duration_s=...``, so the figure takes minutes, not an hour); it should be
   under 10%.

Run: ``python benchmarks/montecarlo.py [--full-runs 8] [--rounds 1] [--overhead-runs 1000]
[--overhead-duration-s 30]``. Prints the figures, then one JSON line. The figures are wall-clock
rates: run it on an otherwise idle machine (the load average is printed before and after).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from iadsim.montecarlo.sweep import run_sweep
from iadsim.scenario.load import DEFAULT_SCENARIO


def _timed_sweep(runs: int, backend: str, workers: int, sets: list[str], folder: Path) -> float:
    start = time.perf_counter()
    res = run_sweep(DEFAULT_SCENARIO, runs=runs, out_dir=folder, sets=sets, backend=backend,
                    workers=workers)
    wall = time.perf_counter() - start
    assert len(res.replications) == runs
    return wall


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
    print(f"CPUs available: {cpus}; load average before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rates = []
        for r in range(args.rounds):  # alternate, so a change of machine load hits both
            serial_s = _timed_sweep(args.full_runs, "serial", 1, [], root / f"serial{r}")
            serial_rate = args.full_runs / serial_s
            print(f"default scenario, serial: {args.full_runs} replications in {serial_s:.1f} s "
                  f"= {serial_rate:.3f} rep/s")
            par_runs = 2 * args.full_runs
            par_s = _timed_sweep(par_runs, "processes", 2, [], root / f"processes{r}")
            par_rate = par_runs / par_s
            print(f"default scenario, 2 local processes: {par_runs} replications in "
                  f"{par_s:.1f} s = {par_rate:.3f} rep/s; speed-up {par_rate / serial_rate:.2f}x")
            rates.append((par_rate / serial_rate, serial_rate, par_rate))
        speedup, serial_rate, par_rate = sorted(rates)[len(rates) // 2]
        print(f"median speed-up over {args.rounds} round(s): {speedup:.2f}x")
        short = [f"simulation.duration_s={args.overhead_duration_s:g}"]
        n = args.overhead_runs
        local_s = _timed_sweep(n, "processes", 2, short, root / "ov-processes")
        dask_s = _timed_sweep(n, "dask", 2, short, root / "ov-dask")
        overhead = dask_s / local_s - 1.0
        print(f"{n} replications (duration_s={args.overhead_duration_s:g}): 2 local processes "
              f"{local_s:.1f} s ({n / local_s:.2f} rep/s), Dask LocalCluster of 2 workers "
              f"{dask_s:.1f} s ({n / dask_s:.2f} rep/s); Dask overhead {100 * overhead:+.1f}%")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(json.dumps({
        "benchmark": "montecarlo",
        "cpus": cpus,
        "default_serial_rep_per_s": round(serial_rate, 4),
        "default_2_processes_rep_per_s": round(par_rate, 4),
        "speedup_2_processes": round(speedup, 3),
        "overhead_runs": n,
        "overhead_duration_s": args.overhead_duration_s,
        "processes_wall_s": round(local_s, 2),
        "dask_wall_s": round(dask_s, 2),
        "dask_overhead_pct": round(100 * overhead, 2),
    }))


if __name__ == "__main__":
    main()
