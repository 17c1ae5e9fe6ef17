"""What terrain costs: per-scenario precompute and per-replication time, with and without.

Builds the bundled terrain example's terrain (a synthetic 90-m DEM over 300 km x 300 km, about
11 million heights, one masking table per radar at 0.1 deg x 90 m out to its maximum
range, and one per launcher at 0.25 deg x 90 m), then runs replications of the example with that prebuilt terrain
(``simulation.run(terrain=...)``, masking, terrain following, multipath, clutter) and of the
same scenario without its terrain section, for the same seeds. Prints CPU time
(``time.process_time``) and wall time, the load average, and ends with one JSON line.
Targets (issue #18): precompute < 10 s, replication ratio < 1.5.

Usage: ``PYTHONPATH=src python benchmarks/terrain_cost.py [--seeds 2]``
"""

from __future__ import annotations

import argparse
import json
import os
import time

from iadsim.scenario.load import EXAMPLES_DIR, load_scenario
from iadsim.sensors.radar import build_radars
from iadsim.simulation import run
from iadsim.terrain.site_view import build_terrain
from iadsim.world.frames import scenario_origin


def _timed(call):  # type: ignore[no-untyped-def]
    cpu0, wall0 = time.process_time(), time.perf_counter()
    out = call()
    return out, time.process_time() - cpu0, time.perf_counter() - wall0


def _sensors_only(scenario, model) -> float:  # type: ignore[no-untyped-def]
    """CPU seconds of the radars' looks over the whole run, same truth, same generator."""
    import numpy as np

    from iadsim.sensors.radar import observe
    from iadsim.terrain.site_view import apply_terrain
    from iadsim.world.threats import build_threats

    origin = scenario_origin(scenario)
    threats = build_threats(scenario, origin)
    radars = build_radars(list(scenario.sensors), origin)
    threats, radars = apply_terrain(scenario, origin, threats, radars, model)
    alive = np.ones(len(threats), bool)
    rng = np.random.default_rng(1)
    cpu0 = time.process_time()
    for t in range(1, 901):
        observe(radars, threats, alive, t - 1.0, float(t), rng=rng)
    return time.process_time() - cpu0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args()
    scenario = load_scenario(EXAMPLES_DIR / "terrain.yaml")
    plain = scenario.model_copy(update={"terrain": None})
    origin = scenario_origin(scenario)
    model, pre_cpu, pre_wall = _timed(
        lambda: build_terrain(scenario, origin, build_radars(list(scenario.sensors), origin)))
    assert model is not None and model.grid is not None
    cells = int(model.grid.height_m.size)
    n_launch = 0 if model.launchers is None else len(model.launchers.tables)
    print(f"precompute: DEM {model.grid.height_m.shape} ({cells / 1e6:.1f} M heights) + "
          f"{len(model.sites)} radar and {n_launch} launcher masking tables: "
          f"CPU {pre_cpu:.2f} s, wall {pre_wall:.2f} s")
    with_cpu = without_cpu = with_wall = without_wall = 0.0
    for seed in range(1, args.seeds + 1):
        _, c, w = _timed(lambda s=seed: run(scenario, seed=s, keep_trajectories=False,
                                            terrain=model))
        with_cpu, with_wall = with_cpu + c, with_wall + w
        _, c, w = _timed(lambda s=seed: run(plain, seed=s, keep_trajectories=False))
        without_cpu, without_wall = without_cpu + c, without_wall + w
        print(f"seed {seed}: with terrain CPU {with_cpu:.2f} s so far, without "
              f"{without_cpu:.2f} s so far")
    n = args.seeds
    ratio = with_cpu / without_cpu
    sensors_with, sensors_without = _sensors_only(scenario, model), _sensors_only(plain, None)
    print(f"sensors stage alone (900 one-second steps, all threats alive): with terrain CPU "
          f"{sensors_with:.2f} s, without {sensors_without:.2f} s: ratio "
          f"{sensors_with / sensors_without:.2f}")
    load = os.getloadavg()
    print(f"replication: with terrain CPU {with_cpu / n:.2f} s (wall {with_wall / n:.2f} s), "
          f"without CPU {without_cpu / n:.2f} s (wall {without_wall / n:.2f} s): "
          f"CPU ratio {ratio:.2f}; load average {load[0]:.2f}")
    print(json.dumps({
        "benchmark": "terrain_cost", "dem_heights": cells, "radars": len(model.sites),
        "launchers": n_launch,
        "precompute_cpu_s": round(pre_cpu, 3), "precompute_wall_s": round(pre_wall, 3),
        "replication_with_terrain_cpu_s": round(with_cpu / n, 3),
        "replication_without_terrain_cpu_s": round(without_cpu / n, 3),
        "replication_with_terrain_wall_s": round(with_wall / n, 3),
        "replication_without_terrain_wall_s": round(without_wall / n, 3),
        "replication_cpu_ratio": round(ratio, 3),
        "sensors_stage_cpu_ratio": round(sensors_with / sensors_without, 3), "seeds": n, "loadavg_1min": round(load[0], 2),
        "precompute_target_s": 10.0, "ratio_target": 1.5,
    }))


if __name__ == "__main__":
    main()
