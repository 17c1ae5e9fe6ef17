"""Figures of docs/validation.md for the threat models (issue 19), from the tests' own references.

Prints the error of ballistic free flight against Kepler, of a vertical re-entry against
Allen-Eggers, of the ECI flight against an ECEF integration with Coriolis and centrifugal terms,
the solved default shot (miss, apogee, flight time, impact speed, against the old flat vacuum
parabola), the Hermite tables, the weaving re-entry vehicle, and the drag filter. The reference
code is imported from the tests. Ends with one JSON line.

Usage: ``PYTHONPATH=src python benchmarks/threat_validation.py``
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import pymap3d
from scipy.integrate import solve_ivp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "world"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "tracking"))

import test_ballistic as tb
import test_ballistic_filter as tf

from iadsim.tracking.ballistic_filter import DragFilterParams
from iadsim.world.ballistic import (
    OMEGA_EARTH_RAD_S,
    WGS84_A_M,
    Physics,
    Shot,
    Weave,
    coast,
    eci_to_ecef,
    height_m,
    solve_shot,
)
from iadsim.world.trajectories import ballistic_paths


def _impact_miss_m(fl: object, lat: float, lon: float) -> float:
    ecef = eci_to_ecef(np.array([fl.impact_s]),  # type: ignore[attr-defined]
                       np.hstack([fl.impact_eci_m, np.zeros(3)])[None])  # type: ignore[attr-defined]
    la, lo, _ = pymap3d.ecef2geodetic(*ecef[0, :3])
    return float(pymap3d.geodetic2aer(la, lo, 0.0, lat, lon, 0.0)[2])


def main() -> None:
    cpu0, wall0 = time.process_time(), time.perf_counter()
    out: dict[str, float] = {}
    r0 = np.array([WGS84_A_M + 80_000.0, 0.0, 0.0])
    v0 = np.array([2_000.0, 2_500.0, 800.0])
    fl = coast(np.concatenate([r0, v0]), 0.0, 1.0, tb.VACUUM_INERTIAL)
    times = np.linspace(10.0, 0.95 * fl.impact_s, 40)
    got = fl.state_eci(times)[:, :3]
    want = np.array([tb.kepler_position(r0, v0, t) for t in times])
    out["kepler_max_error_m"] = float(np.max(np.linalg.norm(got - want, axis=1)))

    rho0, scale, beta, ve, h0 = 1.225, 7_200.0, 3_000.0, 6_000.0, 120_000.0
    phys = Physics(j2=False, omega_rad_s=0.0, gravity=False,
                   density=lambda h: rho0 * math.exp(-h / scale))
    worst = 0.0
    for stop in (40_000.0, 20_000.0, 10_000.0, 0.0):
        f = coast(np.array([WGS84_A_M + h0, 0, 0, -ve, 0, 0]), 0.0, beta, phys, stop_height_m=stop)
        v = float(np.linalg.norm(f.state_eci(np.array([f.impact_s]))[0, 3:]))
        k = rho0 * scale / (2 * beta)
        ref = ve * math.exp(-k * (math.exp(-stop / scale) - math.exp(-h0 / scale)))
        worst = max(worst, abs(v / ref - 1.0))
    out["allen_eggers_max_rel_error"] = worst
    out["allen_eggers_impact_speed_mps"] = v

    physics = Physics()
    launch = np.array(pymap3d.geodetic2ecef(42.2, 9.3, 50_000.0))
    v_ecef = np.array(pymap3d.enu2uvw(900.0, 1_300.0, 1_000.0, 42.2, 9.3))
    w = OMEGA_EARTH_RAD_S
    v_eci = v_ecef + np.array([-w * launch[1], w * launch[0], 0.0])
    f = coast(np.concatenate([launch, v_eci]), 0.0, 5_000.0, physics)
    got = eci_to_ecef(np.array([f.impact_s]), np.hstack([f.impact_eci_m, np.zeros(3)])[None])

    def ground(_t: float, y: np.ndarray) -> float:
        return height_m(y[:3])

    ground.terminal, ground.direction = True, -1.0  # type: ignore[attr-defined]
    ref = solve_ivp(tb._ecef_rhs(5_000.0, physics.density), (0.0, 2_000.0),
                    np.concatenate([launch, v_ecef]), method="LSODA", rtol=1e-11, atol=1e-6,
                    events=ground)
    out["ecef_vs_eci_impact_diff_m"] = float(np.linalg.norm(got[0, :3] - ref.y_events[0][0][:3]))
    out["ecef_vs_eci_impact_time_diff_s"] = abs(f.impact_s - float(ref.t_events[0][0]))
    still = coast(np.concatenate([launch, v_ecef]), 0.0, 5_000.0, Physics(omega_rad_s=0.0))
    out["rotation_impact_shift_m"] = float(np.linalg.norm(still.impact_eci_m - got[0, :3]))

    shot = Shot(42.20, 9.30, 0.0, 44.60, 8.55, 70_000.0, None)
    t_solve = time.process_time()
    fl, ctl = solve_shot(shot, tb.DEFAULT_MOTOR, 5_000.0)
    out["solve_cpu_s"] = time.process_time() - t_solve
    out["default_shot_miss_m"] = _impact_miss_m(fl, 44.60, 8.55)
    out["default_shot_apogee_error_m"] = abs(fl.apogee_m - 70_000.0)
    out["default_shot_flight_time_s"] = fl.impact_s
    ends = np.array([ctl[2], fl.impact_s])
    ground_v = eci_to_ecef(ends, fl.state_eci(ends))[:, 3:]  # earth-relative (ECEF) velocities
    out["default_shot_burnout_speed_mps"] = float(np.linalg.norm(ground_v[0]))
    out["default_shot_impact_speed_mps"] = float(np.linalg.norm(ground_v[1]))
    out["default_shot_impact_speed_inertial_mps"] = float(np.linalg.norm(
        fl.state_eci(np.array([fl.impact_s]))[0, 3:]))
    flat = ballistic_paths(np.zeros((1, 2)), np.array([[272_000.0, 0.0]]), np.array([70_000.0]),
                           np.array([np.nan]))
    out["flat_vacuum_flight_time_s"] = float(flat.flight_time_s[0])
    out["flat_vacuum_impact_speed_mps"] = float(np.hypot(flat.ground_speed_mps[0],
                                                         flat.vertical_speed_mps[0]))
    fl_t, _ = solve_shot(Shot(42.20, 9.30, 0.0, 44.60, 8.55, None, 300.0), tb.DEFAULT_MOTOR,
                         5_000.0)
    out["flight_time_shot_miss_m"] = _impact_miss_m(fl_t, 44.60, 8.55)
    out["flight_time_shot_error_s"] = abs(fl_t.impact_s - 300.0)
    fl_w, _ = solve_shot(shot, tb.DEFAULT_MOTOR, 5_000.0,
                         weave=Weave(4.0 * 9.80665, 25_000.0, 6.0))
    out["weave_shot_miss_m"] = _impact_miss_m(fl_w, 44.60, 8.55)

    t, truth = tf._truth(5_000.0)
    err, beta_est = tf._run(t, truth, DragFilterParams(), seed=7)
    grav = DragFilterParams(kappa_noise=0.0, prior_beta_kg_m2=1e12, prior_kappa_sigma=0.0)
    err_g, _ = tf._run(t, truth, grav, seed=7)
    out["drag_filter_final_beta_kg_m2"] = float(beta_est[-1])
    out["drag_filter_rms_last25_m"] = float(np.sqrt(np.mean(err[-25:] ** 2)))
    out["gravity_only_rms_last25_m"] = float(np.sqrt(np.mean(err_g[-25:] ** 2)))

    for key, value in out.items():
        print(f"{key:40s} {value:.6g}")
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(f"cpu {cpu:.1f} s, wall {wall:.1f} s, load {os.getloadavg()}")
    print(json.dumps({**out, "cpu_s": cpu, "wall_s": wall, "load": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
