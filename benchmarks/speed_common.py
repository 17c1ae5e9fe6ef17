"""Shared plumbing of the ``speed_*`` benchmarks (issue 14): code trees, children, figures.

Every figure is measured in a child process whose ``PYTHONPATH`` is one code tree's ``src``, so
a branch and a baseline (``--baseline /work/main/src``) are timed side by side in one run, under
the same machine load. A child prints its figures as one JSON line (the last line of its
output); CPU time is ``time.process_time()`` in the child (or the children's rusage for
commands), wall time ``time.perf_counter()``, and each figure carries ``os.getloadavg()``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE_SRC = Path(__file__).resolve().parents[1] / "src"


def add_tree_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--src", default=str(HERE_SRC),
                        help="code tree to measure (default: this checkout's src)")
    parser.add_argument("--baseline", default=None,
                        help="a second src to measure in the same run (e.g. /work/main/src)")


def trees(args: argparse.Namespace) -> list[tuple[str, str]]:
    out = [("branch", args.src)]
    if args.baseline:
        out.append(("baseline", args.baseline))
    return out


def child_env(src: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=src, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    return env


def run_child(src: str, code: str, *, timeout_s: float = 7200.0) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter on tree ``src``; its last output line is JSON."""
    done = subprocess.run([sys.executable, "-c", code], env=child_env(src), capture_output=True,
                          text=True, timeout=timeout_s, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"child on {src} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b > 0 else None
