"""Benchmark: one scan of 10,000 targets by 4 radars (geometry, Swerling draws, merging,
detection, SNR-dependent noise, false alarms), vectorised, on one core.

Run: ``python benchmarks/radar_detection.py`` (set OMP/OPENBLAS threads to 1 for one core).
Prints the median and best wall time of a full scan of all four radars over repeated runs,
then one JSON line.
"""

from __future__ import annotations

import json
import os
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

from iadsim.scenario.sensor_spec import SensorSpec  # noqa: E402
from iadsim.sensors.look import look  # noqa: E402
from iadsim.sensors.radar import build_radars  # noqa: E402
from iadsim.world.frames import Origin  # noqa: E402

N_TARGETS = 10_000
N_RADARS = 4
REPEATS = 100


def make_radars() -> list:
    """Four 3D surveillance radars on a 200 km square around the origin."""
    specs = []
    for i, (lat, lon) in enumerate([(0.9, 0.9), (0.9, -0.9), (-0.9, 0.9), (-0.9, -0.9)]):
        specs.append(
            SensorSpec.model_validate(
                dict(
                    name=f"radar-{i}",
                    position=dict(lat_deg=50.0 + lat, lon_deg=10.0 + lon),
                    scan_period_s=10.0,
                    max_range_m=300e3,
                    reference_range_m=200e3,
                    swerling=1,
                    prf_hz=1000.0,
                    range_resolution_m=150.0,
                    azimuth_beamwidth_deg=1.5,
                    elevation_beamwidth_deg=2.0,
                    range_sigma_m=20.0,
                    azimuth_sigma_deg=0.05,
                    elevation_sigma_deg=0.05,
                )
            )
        )
    return build_radars(specs, Origin(50.0, 10.0, 0.0))


def main() -> None:
    rng = np.random.default_rng(1)
    radars = make_radars()
    pos = np.column_stack(
        [
            rng.uniform(-250e3, 250e3, N_TARGETS),
            rng.uniform(-250e3, 250e3, N_TARGETS),
            rng.uniform(30.0, 12e3, N_TARGETS),
        ]
    )
    vel = rng.normal(0.0, 200.0, (N_TARGETS, 3))
    rcs = rng.choice([0.01, 0.1, 1.0, 5.0], N_TARGETS)
    ids = np.arange(N_TARGETS, dtype=np.int64)

    def scan() -> int:
        total = 0
        for site in radars:
            batch = look(
                site,
                start_s=0.0,
                truth_time_s=0.0,
                position_enu_m=pos,
                velocity_enu_mps=vel,
                rcs_m2=rcs,
                truth_id=ids,
                rng=rng,
            )
            total += len(batch)
        return total

    scan()  # warm up
    times, cpu = [], []
    for _ in range(REPEATS):
        t0, c0 = time.perf_counter(), time.process_time()
        n_det = scan()
        cpu.append(time.process_time() - c0)
        times.append(time.perf_counter() - t0)
    median_ms = 1e3 * float(np.median(times))
    best_ms = 1e3 * float(np.min(times))
    cpu_ms = 1e3 * float(np.median(cpu))
    print(f"targets {N_TARGETS}, radars {N_RADARS}, detections per scan ~{n_det}")
    print(
        f"one scan, all radars: median {median_ms:.2f} ms, best {best_ms:.2f} ms "
        f"({REPEATS} repeats; target < 20 ms)"
    )
    print(
        f"median CPU time of this process per scan: {cpu_ms:.2f} ms (a busy machine inflates "
        "wall time more than CPU time)"
    )
    print(
        json.dumps(
            {
                "benchmark": "radar_detection",
                "targets": N_TARGETS,
                "radars": N_RADARS,
                "detections": n_det,
                "median_ms": round(median_ms, 3),
                "best_ms": round(best_ms, 3),
                "cpu_median_ms": round(cpu_ms, 3),
                "target_ms": 20.0,
            }
        )
    )


if __name__ == "__main__":
    main()
