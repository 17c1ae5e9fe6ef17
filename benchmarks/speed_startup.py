"""Start-up (issue 14, figure 5): ``iadsim --help`` under 0.3 s, branch vs baseline.

Usage: python benchmarks/speed_startup.py [--repeats 5] [--baseline /work/main/src]

Runs ``python -m iadsim --help`` and, for reference, a bare ``python -c pass``, ``--repeats``
times each; reports the median wall time (``time.perf_counter``) and the median CPU time of the
child (user + system rusage), with the load average. Also lists which heavy libraries
``import iadsim.cli`` loads. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

from speed_common import add_tree_arguments, child_env, load, ratio, trees

HEAVY = ("plotly", "dask", "pyarrow", "pandas", "numpy", "scipy", "scipy.stats",
         "scipy.optimize", "pydantic")


def _timed(cmd: list[str], src: str, repeats: int) -> dict[str, float]:
    walls, cpus = [], []
    for _ in range(repeats):
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        w0 = time.perf_counter()
        subprocess.run(cmd, env=child_env(src), check=True, capture_output=True, timeout=120)
        walls.append(time.perf_counter() - w0)
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(ru1.ru_utime - ru0.ru_utime + ru1.ru_stime - ru0.ru_stime)
    return {"wall_s": round(statistics.median(walls), 3),
            "cpu_s": round(statistics.median(cpus), 3)}


def _heavy_loaded(src: str) -> list[str]:
    code = f"import sys, iadsim.cli; print([m for m in {HEAVY!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], env=child_env(src), check=True,
                          capture_output=True, text=True, timeout=120)
    return list(json.loads(done.stdout.strip().replace("'", '"')))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    add_tree_arguments(parser)
    args = parser.parse_args()
    out: dict[str, object] = {"benchmark": "speed_startup", "load_before": load()}
    bare = _timed([sys.executable, "-c", "pass"], args.src, args.repeats)
    out["bare_python"] = bare
    print(f"bare python: {bare['cpu_s']:.3f} s CPU, {bare['wall_s']:.3f} s wall")
    for label, src in trees(args):
        fig = _timed([sys.executable, "-m", "iadsim", "--help"], src, args.repeats)
        fig["heavy_imports"] = _heavy_loaded(src)  # type: ignore[assignment]
        fig["load"] = load()  # type: ignore[assignment]
        out[label] = fig
        print(f"{label:8s} iadsim --help: {fig['cpu_s']:.3f} s CPU, {fig['wall_s']:.3f} s wall "
              f"(load {fig['load']}); import iadsim.cli loads {fig['heavy_imports']}")
    if "baseline" in out:
        out["speedup_cpu"] = ratio(out["baseline"]["cpu_s"],  # type: ignore[index]
                                   out["branch"]["cpu_s"])  # type: ignore[index]
        print(f"speed-up (CPU): {out['speedup_cpu']}x")
    out["target_0_3_s_met_cpu"] = out["branch"]["cpu_s"] < 0.3  # type: ignore[index]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
