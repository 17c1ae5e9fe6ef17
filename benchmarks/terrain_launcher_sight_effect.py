"""What the launchers' sight over the terrain changes in the terrain example (one seed).

Runs the bundled terrain example twice with the same seed: as is, and with the launchers'
line of sight switched off (``simulation.with_launcher_sight`` replaced by the identity), and
prints the engagements and kills of each, CPU (``time.process_time``) and wall time, the load
average, and one JSON line.

Usage: ``PYTHONPATH=src python benchmarks/terrain_launcher_sight_effect.py [--seed 1]``
"""

from __future__ import annotations

import argparse
import json
import os
import time

import iadsim.simulation as sim
from iadsim.scenario.load import EXAMPLES_DIR, load_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    scenario = load_scenario(EXAMPLES_DIR / "terrain.yaml")
    out = {}
    real = sim.with_launcher_sight
    for name, hook in (("with_sight", real), ("without_sight", lambda c, *a, **k: c)):
        sim.with_launcher_sight = hook
        cpu0, wall0 = time.process_time(), time.perf_counter()
        result = sim.run(scenario, seed=args.seed, keep_trajectories=False)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        out[name] = {"engagements": len(result.engagements), "kills": result.summary["kills"],
                     "cpu_s": round(cpu, 2), "wall_s": round(wall, 2)}
        print(f"{name}: {out[name]['engagements']} engagements, {out[name]['kills']} kills; "
              f"CPU {cpu:.2f} s, wall {wall:.2f} s")
    sim.with_launcher_sight = real
    load = os.getloadavg()
    print(f"load average {load[0]:.2f}")
    print(json.dumps({"benchmark": "terrain_launcher_sight_effect", "seed": args.seed, **out,
                      "loadavg_1min": round(load[0], 2)}))


if __name__ == "__main__":
    main()
