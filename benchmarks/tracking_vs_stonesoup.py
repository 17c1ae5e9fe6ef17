"""Benchmark: iadsim's tracker against a Stone Soup EKF + GNN tracker on the same detections.

Two seeded cases, one radar at the origin, 1 s scans, Pd 0.9, noise 20 m in range and 1 mrad in
angles, and uniform clutter in (range, azimuth, elevation) of about ``--clutter`` false alarms
per scan (default 50, or N when N > 50):

* ``--case random`` (default): N aircraft within 100 km flying straight and level, a fifth of
  them flying coordinated turns of 2-4 g mid-run;
* ``--case flights``: the recorded-trajectory case, N aircraft flying the way flight recordings
  do (climbs, descents, turns, climbing turns and speed changes with smooth transitions; see
  ``make_flight_scenario``), generated deterministically.

Trackers: iadsim's default tracker (``TrackingSpec()``: IMM, its own gates and M-of-N), the same
with a 50 m/s vertical initiation prior, and with the benchmark's settings (the same process
noise, chi-square gate 0.999, GNN, confirmation 3 of 5, deletion after 3 missed scans) its IMM
and its NCV filter; Stone Soup's EKF + GNN with the NCV settings (its own k-d tree
pre-selection of detections, exact here). Printed: each tracker's wall and CPU time per scan
(tracking only, detection objects built beforehand), mean GOSPA and its localisation part
(p = 2, cutoff 1 km, confirmed tracks against truth, every scan) and the share of targets
missed after scan 5; the last line is one JSON object.

    python benchmarks/tracking_vs_stonesoup.py --targets 50 --scans 30 --seed 1
    python benchmarks/tracking_vs_stonesoup.py --case flights --targets 50 --scans 120
    python benchmarks/tracking_vs_stonesoup.py --targets 1000 --scans 15 --no-stonesoup

Stone Soup is the ``bench`` extra (``pip install "iadsim[bench]"``).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core: no BLAS threads

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402

from iadsim.scenario.tracking_spec import TrackingSpec  # noqa: E402
from iadsim.sensors.batch import DetectionBatch, SensorGeometry  # noqa: E402
from iadsim.tracking.filters import ct_transition  # noqa: E402
from iadsim.tracking.metrics import gospa  # noqa: E402
from iadsim.tracking.tracker import Tracker  # noqa: E402
from iadsim.world.frames import enu_to_aer  # noqa: E402

RANGE_SIGMA_M = 20.0
ANGLE_SIGMA_RAD = 1e-3
PD = 0.9
ACCEL_NOISE_MPS2 = 5.0
CUTOFF_M = 1_000.0
CLUTTER_RANGE_M = (5_000.0, 130_000.0)
CLUTTER_MAX_ELEVATION_RAD = 0.6
KDTREE_WINDOW_M = 5_000.0
VERTICAL_PRIOR_MPS = 50.0  # initiation_velocity_sigma_vertical_mps of the prior row


@dataclass
class Scenario:
    truth: list[np.ndarray]  # per scan (N, 3) truth positions
    scans: list[DetectionBatch]  # per scan detections
    times_s: np.ndarray


def start_states(
    rng: np.random.Generator, n: int, max_ground_m: float, speed_mps: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start positions (uniform over the ring 15 km - ``max_ground_m``, 1-10 km high), speeds
    and headings."""
    ground_m = np.sqrt(rng.uniform(15_000.0**2, max_ground_m**2, n))
    bearing = rng.uniform(0, 2 * np.pi, n)
    pos = np.stack([ground_m * np.sin(bearing), ground_m * np.cos(bearing),
                    rng.uniform(1_000.0, 10_000.0, n)], axis=1)
    return pos, rng.uniform(*speed_mps, n), rng.uniform(0, 2 * np.pi, n)


def make_scenario(n_targets: int, n_scans: int, clutter: float, seed: int) -> Scenario:
    """Truth paths and detections of the benchmark scenario (seeded)."""
    rng = np.random.default_rng(seed)
    pos, speed, heading = start_states(rng, n_targets, 90_000.0, (150.0, 300.0))
    vel = np.stack([speed * np.sin(heading), speed * np.cos(heading), np.zeros(n_targets)], 1)
    manoeuvre = rng.random(n_targets) < 0.2
    turn_g = rng.uniform(2.0, 4.0, n_targets) * rng.choice([-1.0, 1.0], n_targets)
    omega = np.where(manoeuvre, turn_g * 9.80665 / speed, 0.0)
    turn_start = rng.integers(n_scans // 4, max(n_scans // 2, n_scans // 4 + 1), n_targets)
    turn_len = rng.integers(10, 25, n_targets)
    geometry = single_radar()
    truth, scans = [], []
    state = np.concatenate([pos, vel], axis=1)
    times = np.arange(1, n_scans + 1, dtype=float)
    for k, t in enumerate(times):
        w = np.where((k >= turn_start) & (k < turn_start + turn_len), omega, 0.0)
        state = np.einsum("nij,nj->ni", ct_transition(w, 1.0), state)
        truth.append(state[:, :3].copy())
        scans.append(radar_scan(state[:, :3], t, clutter, geometry, rng))
    return Scenario(truth, scans, times)


def make_flight_scenario(n_targets: int, n_scans: int, clutter: float, seed: int) -> Scenario:
    """The recorded-trajectory case: aircraft flying the way flight recordings do (seeded).

    Each aircraft flies a random sequence of 15-60 s manoeuvre segments, as a recorded flight
    does: straight and level, climbs at 5-15 m/s, descents at 5-20 m/s, rate-one to 4 deg/s turns
    (up to about 2 g at 250 m/s), climbing and descending turns, and speed changes of up to
    1.5 m/s^2 (speed kept within 110-300 m/s). The turn-rate and climb-rate commands reach the
    aircraft through first-order lags of 4 s, so transitions are smooth, not the textbook's
    instantaneous switches of model; altitude stays within 300-12,000 m. Integrated at 0.1 s
    steps and sampled every scan (1 s); one radar at the origin sees them as in ``make_scenario``.
    """
    rng = np.random.default_rng(seed)
    pos, speed, heading = start_states(rng, n_targets, 80_000.0, (120.0, 280.0))
    turn_rate = np.zeros(n_targets)  # rad/s, positive clockwise (heading from north)
    climb = np.zeros(n_targets)  # m/s
    cmd_turn, cmd_climb, cmd_accel = (np.zeros(n_targets) for _ in range(3))
    seg_end = np.zeros(n_targets)
    sub, dt = 10, 0.1
    geometry = single_radar()
    truth, scans = [], []
    times = np.arange(1, n_scans + 1, dtype=float)
    t = 0.0
    for scan_t in times:
        for _ in range(sub):
            new = t >= seg_end
            if new.any():  # the next segment of each aircraft whose segment ended
                k = int(new.sum())
                kind = rng.integers(0, 6, k)  # level, climb, descend, turn, climb-turn, desc-turn
                rate = np.deg2rad(rng.uniform(1.5, 4.0, k)) * rng.choice([-1.0, 1.0], k)
                up = rng.uniform(5.0, 15.0, k)
                down = -rng.uniform(5.0, 20.0, k)
                cmd_turn[new] = np.where(kind >= 3, rate, 0.0)
                cmd_climb[new] = np.select([(kind == 1) | (kind == 4), (kind == 2) | (kind == 5)],
                                           [up, down], 0.0)
                cmd_accel[new] = np.where(rng.random(k) < 0.3, rng.uniform(-1.5, 1.5, k), 0.0)
                seg_end[new] = t + rng.uniform(15.0, 60.0, k)
            alt = pos[:, 2]
            want_climb = np.where((alt < 300.0) & (cmd_climb < 0), 0.0,
                                  np.where((alt > 12_000.0) & (cmd_climb > 0), 0.0, cmd_climb))
            turn_rate += (cmd_turn - turn_rate) * dt / 4.0
            climb += (want_climb - climb) * dt / 4.0
            accel = np.where(((speed < 110.0) & (cmd_accel < 0))
                             | ((speed > 300.0) & (cmd_accel > 0)), 0.0, cmd_accel)
            speed = speed + accel * dt
            heading = heading + turn_rate * dt
            ground_speed = np.sqrt(np.maximum(speed**2 - climb**2, 1.0))
            pos = pos + dt * np.stack([ground_speed * np.sin(heading),
                                       ground_speed * np.cos(heading), climb], axis=1)
            t += dt
        truth.append(pos.copy())
        scans.append(radar_scan(pos, float(scan_t), clutter, geometry, rng))
    return Scenario(truth, scans, times)


def single_radar() -> SensorGeometry:
    return SensorGeometry(np.zeros((1, 3)), np.eye(3)[None].copy())


def radar_scan(
    truth: np.ndarray, time_s: float, clutter: float, geometry: SensorGeometry,
    rng: np.random.Generator,
) -> DetectionBatch:
    r, a, e = enu_to_aer(truth - geometry.position_enu_m[0])
    seen = np.flatnonzero(rng.random(len(truth)) < PD)
    n_false = int(rng.poisson(clutter))
    k = len(seen)
    rr = np.concatenate([r[seen] + rng.normal(0, RANGE_SIGMA_M, k),
                         rng.uniform(*CLUTTER_RANGE_M, n_false)])
    aa = np.mod(np.concatenate([a[seen] + rng.normal(0, ANGLE_SIGMA_RAD, k),
                                rng.uniform(0, 2 * np.pi, n_false)]), 2 * np.pi)
    ee = np.concatenate([e[seen] + rng.normal(0, ANGLE_SIGMA_RAD, k),
                         rng.uniform(0.0, CLUTTER_MAX_ELEVATION_RAD, n_false)])
    m = len(rr)
    return DetectionBatch(
        time_s=np.full(m, time_s), sensor_id=np.zeros(m, np.int32), range_m=rr,
        azimuth_rad=aa, elevation_rad=ee, range_sigma_m=np.full(m, RANGE_SIGMA_M),
        azimuth_sigma_rad=np.full(m, ANGLE_SIGMA_RAD),
        elevation_sigma_rad=np.full(m, ANGLE_SIGMA_RAD), snr_db=np.full(m, np.nan),
        truth_id=np.concatenate([seen, np.full(n_false, -1)]).astype(np.int64),
    )


def iadsim_spec() -> TrackingSpec:
    return TrackingSpec(
        motion_model="ncv", process_noise_accel_mps2=ACCEL_NOISE_MPS2, association="gnn",
        gate_probability=0.999, confirm_m=3, confirm_n=5, max_misses=3, max_speed_mps=400.0,
    )


def run_iadsim(
    sc: Scenario, spec: TrackingSpec
) -> tuple[float, list[np.ndarray], float, float]:
    """Wall time per scan (s), confirmed positions per scan, worst scan (s), CPU per scan (s)."""
    tracker = Tracker(spec, single_radar())
    out, walls = [], []
    c0 = time.process_time()
    for t, det in zip(sc.times_s, sc.scans, strict=True):
        t0 = time.perf_counter()
        step = tracker.step(det, float(t))
        walls.append(time.perf_counter() - t0)
        out.append(step.tracks.position_enu_m[step.tracks.confirmed])
    cpu = (time.process_time() - c0) / len(sc.times_s)
    return float(np.mean(walls)), out, float(np.max(walls)), cpu


def run_stonesoup(sc: Scenario) -> tuple[float, list[np.ndarray], float]:
    """The same scans through Stone Soup's EKF + GNN multi-target tracker."""
    from datetime import datetime, timedelta

    from scipy.stats import chi2
    from stonesoup.dataassociator.tree import DetectionKDTreeGNN2D
    from stonesoup.deleter.time import UpdateTimeStepsDeleter
    from stonesoup.hypothesiser.distance import DistanceHypothesiser
    from stonesoup.initiator.simple import MultiMeasurementInitiator
    from stonesoup.measures import Mahalanobis
    from stonesoup.models.measurement.nonlinear import CartesianToElevationBearingRange
    from stonesoup.models.transition.linear import (
        CombinedLinearGaussianTransitionModel,
        ConstantVelocity,
    )
    from stonesoup.predictor.kalman import KalmanPredictor
    from stonesoup.tracker.simple import MultiTargetTracker
    from stonesoup.types.detection import Clutter, Detection
    from stonesoup.types.state import GaussianState
    from stonesoup.updater.kalman import ExtendedKalmanUpdater

    start = datetime(2026, 1, 1)
    model = CartesianToElevationBearingRange(
        ndim_state=6, mapping=(0, 2, 4),
        noise_covar=np.diag([ANGLE_SIGMA_RAD**2, ANGLE_SIGMA_RAD**2, RANGE_SIGMA_M**2]),
    )
    transition = CombinedLinearGaussianTransitionModel([ConstantVelocity(ACCEL_NOISE_MPS2**2)] * 3)
    predictor = KalmanPredictor(transition)
    updater = ExtendedKalmanUpdater(model)
    gate = float(np.sqrt(chi2.ppf(0.999, 3)))
    hypothesiser = DistanceHypothesiser(predictor, updater, Mahalanobis(), missed_distance=gate)
    # Stone Soup's own k-d tree pre-selection in measurement space (elevation, bearing, range):
    # only detections within KDTREE_WINDOW_M (dominated by range, as the angles are radians) of
    # a track's predicted measurement are hypothesised. The window is many times any 0.999 gate
    # of these tracks, so the association is the plain GNN's; it makes N = 1,000 in 1,000 false
    # alarms feasible (the dense hypothesiser scores every track-detection pair).
    associator = DetectionKDTreeGNN2D(hypothesiser, predictor, updater,
                                      max_distance=KDTREE_WINDOW_M)
    prior = GaussianState(np.zeros((6, 1)), np.diag([0, 200.0**2, 0, 200.0**2, 0, 200.0**2]))
    initiator = MultiMeasurementInitiator(
        prior_state=prior, deleter=UpdateTimeStepsDeleter(2), data_associator=associator,
        updater=updater, measurement_model=model, min_points=3,
    )
    # detection objects are built before timing (the reader is not what we measure)
    feed = []
    for t, det in zip(sc.times_s, sc.scans, strict=True):
        stamp = start + timedelta(seconds=float(t))
        bearing = np.mod(np.pi / 2 - det.azimuth_rad + np.pi, 2 * np.pi) - np.pi
        objs = set()
        for el, b, r, tid in zip(det.elevation_rad, bearing, det.range_m, det.truth_id,
                                 strict=True):
            cls = Detection if tid >= 0 else Clutter
            objs.add(cls(np.array([[el], [b], [r]]), timestamp=stamp, measurement_model=model))
        feed.append((stamp, objs))

    class Reader:
        def __iter__(self):
            return iter(feed)

    tracker = MultiTargetTracker(
        initiator=initiator, deleter=UpdateTimeStepsDeleter(3), detector=Reader(),
        data_associator=associator, updater=updater,
    )
    out = []
    t0, c0 = time.perf_counter(), time.process_time()
    for _, tracks in tracker:
        out.append(np.array([np.asarray(tr.state_vector).ravel()[[0, 2, 4]] for tr in tracks])
                   .reshape(-1, 3))
    n = len(sc.times_s)
    return (time.perf_counter() - t0) / n, out, (time.process_time() - c0) / n


def mean_gospa(
    sc: Scenario, tracks: list[np.ndarray], after_scan: int = 0
) -> tuple[float, float, float]:
    """Mean GOSPA (m), mean localisation part (m) and mean missed fraction from ``after_scan``."""
    g, loc, missed = [], [], []
    for truth, est in list(zip(sc.truth, tracks, strict=True))[after_scan:]:
        res = gospa(truth, est, cutoff_m=CUTOFF_M, p=2)
        g.append(res.gospa_m)
        loc.append(res.localisation_m)
        missed.append(res.n_missed / max(len(truth), 1))
    return float(np.mean(g)), float(np.mean(loc)), float(np.mean(missed))


SETTLE_SCANS = 5


def scores(sc: Scenario, tracks: list[np.ndarray]) -> dict[str, float]:
    """GOSPA (total, localisation) over every scan, and the missed fraction after settling."""
    total, loc, _ = mean_gospa(sc, tracks)
    _, _, missed_after = mean_gospa(sc, tracks, SETTLE_SCANS)
    return {"gospa": round(total, 2), "localisation": round(loc, 2),
            "missed_fraction_after_init": round(missed_after, 5)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--case", choices=("random", "flights"), default="random",
                    help="random: straight flights and 2-4 g turns; flights: the "
                         "recorded-trajectory case (climbs, descents, turns; see "
                         "make_flight_scenario)")
    ap.add_argument("--targets", type=int, default=50)
    ap.add_argument("--scans", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--clutter", type=float, default=None,
                    help="mean false alarms per scan (default 50, or N when N > 50)")
    ap.add_argument("--no-stonesoup", action="store_true", help="run iadsim only")
    args = ap.parse_args()
    clutter = args.clutter if args.clutter is not None else max(50.0, float(args.targets))
    build = make_flight_scenario if args.case == "flights" else make_scenario
    sc = build(args.targets, args.scans, clutter, args.seed)
    n_det = int(np.mean([len(s) for s in sc.scans]))
    print(f"scenario {args.case}: {args.targets} targets, {args.scans} scans, ~{clutter:.0f} "
          f"false alarms per scan, {n_det} detections per scan, seed {args.seed}")
    spec = iadsim_spec()
    run_iadsim(make_scenario(5, 3, 5, 0), spec)  # warm up imports and caches
    default = run_iadsim(sc, TrackingSpec())
    prior = run_iadsim(sc, TrackingSpec(initiation_velocity_sigma_vertical_mps=VERTICAL_PRIOR_MPS))
    imm = run_iadsim(sc, spec.model_copy(update={"motion_model": "imm"}))
    i_wall, i_tracks, i_worst, i_cpu = run_iadsim(sc, spec)
    rows = {"iadsim_default": (default[0], default[3], scores(sc, default[1])),
            "iadsim_default_vprior": (prior[0], prior[3], scores(sc, prior[1])),
            "iadsim_imm": (imm[0], imm[3], scores(sc, imm[1])),
            "iadsim": (i_wall, i_cpu, scores(sc, i_tracks))}
    labels = {"iadsim_default": "iadsim default tracker (TrackingSpec())",
              "iadsim_default_vprior": f"iadsim default, vertical prior {VERTICAL_PRIOR_MPS:g} m/s",
              "iadsim_imm": "iadsim IMM, benchmark settings",
              "iadsim": "iadsim NCV, benchmark settings", "stonesoup": "Stone Soup EKF + GNN"}
    if not args.no_stonesoup:
        s_wall, s_tracks, s_cpu = run_stonesoup(sc)
        rows["stonesoup"] = (s_wall, s_cpu, scores(sc, s_tracks))
    for key, (wall, cpu, sc_) in rows.items():
        print(f"{labels[key]:44s} {wall * 1e3:9.2f} ms per scan (CPU {cpu * 1e3:8.2f} ms), "
              f"mean GOSPA {sc_['gospa']:8.1f} m, localisation {sc_['localisation']:7.1f} m, "
              f"missed after scan {SETTLE_SCANS}: "
              f"{100 * sc_['missed_fraction_after_init']:.2f}%")
    result: dict[str, object] = {
        "case": args.case, "targets": args.targets, "scans": args.scans, "seed": args.seed,
        "false_alarms_per_scan": clutter, "iadsim_worst_ms": round(i_worst * 1e3, 3),
        "stonesoup_ms_per_scan": None, "speed_ratio": None, "stonesoup_gospa": None,
    }
    for key, (wall, cpu, sc_) in rows.items():
        result[f"{key}_ms_per_scan"] = round(wall * 1e3, 3)
        result[f"{key}_cpu_ms_per_scan"] = round(cpu * 1e3, 3)
        result.update({f"{key}_{name}": value for name, value in sc_.items()})
    if "stonesoup" in rows:
        s_wall, s_cpu = rows["stonesoup"][:2]
        print(f"speed ratio (stonesoup / iadsim NCV): {s_wall / i_wall:.0f}x wall, "
              f"{s_cpu / i_cpu:.0f}x CPU")
        result.update(speed_ratio=round(s_wall / i_wall, 1),
                      cpu_speed_ratio=round(s_cpu / i_cpu, 1))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
