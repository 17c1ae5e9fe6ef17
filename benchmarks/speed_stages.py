"""Per-stage CPU of one default replication (issue 14): where a replication's time goes.

Usage: PYTHONPATH=src python benchmarks/speed_stages.py [repeats, default 2]

Wraps the stage calls of ``iadsim.simulation.run`` with ``time.process_time`` accumulators
(``Tracker.picture`` is also counted inside ``Tracker.step``, which calls it once), runs the
default scenario once to build its invariants, then ``repeats`` times with
``keep_trajectories=False``, and prints the run with the least total CPU as one JSON line with
the load average. For a branch against a baseline run it alternately under each tree's
``PYTHONPATH`` (other processes share the machine: compare shares of the total, not seconds).
"""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from typing import Any

import iadsim
import iadsim.simulation as sim
from iadsim.command.doctrine import CommandCentre
from iadsim.tracking.tracker import Tracker

ACC: dict[str, float] = {}


def wrap(owner: Any, name: str, label: str) -> None:
    f = getattr(owner, name)

    @functools.wraps(f)
    def timed(*a: Any, **k: Any) -> Any:
        c = time.process_time()
        try:
            return f(*a, **k)
        finally:
            ACC[label] = ACC.get(label, 0.0) + time.process_time() - c

    setattr(owner, name, timed)


def main() -> None:
    wrap(sim, "advance_flights", "engagement.advance_flights (end games)")
    wrap(sim, "observe", "sensors.observe")
    wrap(Tracker, "step", "tracking.step")
    wrap(Tracker, "picture", "tracking.picture")
    wrap(CommandCentre, "cycle", "command.cycle")
    wrap(CommandCentre, "assess_kills", "command.assess_kills")
    wrap(sim, "launch_orders", "engagement.launch_orders")
    wrap(sim, "assemble_result", "outcomes.assemble_result (metrics)")
    wrap(sim, "_handover", "sensors.handover")
    scenario = iadsim.default_scenario()
    iadsim.run(scenario, keep_trajectories=False)
    best: tuple[float, dict[str, float]] | None = None
    for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 2):
        ACC.clear()
        c = time.process_time()
        iadsim.run(scenario, keep_trajectories=False)
        total = time.process_time() - c
        if best is None or total < best[0]:
            best = (total, dict(ACC))
    assert best is not None
    stages = {k: round(v, 3) for k, v in sorted(best[1].items(), key=lambda kv: -kv[1])}
    print(json.dumps({"benchmark": "speed_stages", "total_cpu_s": round(best[0], 3),
                      "stages_cpu_s": stages,
                      "load": [round(x, 2) for x in os.getloadavg()]}))


if __name__ == "__main__":
    main()
