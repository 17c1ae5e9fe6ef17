"""A fast stand-in for one replication, for tests of the store, backends and sweeps.

It draws from the replication's own seed exactly as the real replication does, so rows are
reproducible and distinct per (point, replication).
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

from iadsim.montecarlo.grid import SweepPoint
from iadsim.montecarlo.seeds import replication_seed

SHORT_SETS = (
    "simulation.duration_s=90",
    "threats[2].start.lat_deg=44.25",
    "threats[2].start.lon_deg=8.93",
    "threats[2].launch_time_s=0",
)
"""``--set`` options that shorten the default scenario to ~0.4 s a run, with some leakers."""


def fake_replicate(point: SweepPoint, replication: int) -> dict[str, Any]:
    """Leakers ~ Binomial(n_threats, n_threats / 100) from the replication's seed."""
    rng = np.random.default_rng(replication_seed(point.seed, point.index, replication))
    n = sum(g.count for g in point.scenario.threats)
    leakers = int(rng.binomial(n, min(1.0, n / 100.0)))
    delay_s = float(os.environ.get("IADSIM_FAKE_DELAY_S", "0"))
    if delay_s:
        time.sleep(delay_s)
    return {
        "n_threats": n,
        "leakers": leakers,
        "any_leaker": leakers > 0,
        "kills": n - leakers,
        "track_rms_m": float(rng.gamma(2.0, 50.0)),
    }


def dying_replicate(point: SweepPoint, replication: int) -> dict[str, Any]:
    """``fake_replicate``, but the first call of replication 3 kills its worker process.

    The first call creates the file named by ``IADSIM_FAKE_DIE_ONCE`` and exits the process
    abruptly (as a lost machine would); later calls find the file and run normally.
    """
    marker = os.environ["IADSIM_FAKE_DIE_ONCE"]
    if replication == 3:
        try:
            with open(marker, "x"):
                pass
        except FileExistsError:
            pass
        else:
            os._exit(3)
    return fake_replicate(point, replication)
