"""Benchmark: iadsim's tracker against a Stone Soup EKF + GNN tracker on the same detections.

One seeded scenario: N aircraft (a fifth of them fly coordinated turns of 2-4 g mid-run) within
100 km of one radar at the origin, 1 s scans, Pd 0.9, noise 20 m in range and 1 mrad in angles,
and uniform clutter in (range, azimuth, elevation) of about ``--clutter`` false alarms per scan
(default 50, or N when N > 50). Both trackers use a nearly-constant-velocity model with the same
process noise, chi-square gating at 0.999, GNN assignment, confirmation after 3 detections and
deletion after 3 missed scans. Printed: each tracker's wall time per scan (tracking only, detection
objects built beforehand), the ratio, and each one's mean GOSPA (p = 2, cutoff 1 km, confirmed
tracks against truth, every scan); the last line is one JSON object.

    python benchmarks/tracking_vs_stonesoup.py --targets 50 --scans 30 --seed 1
    python benchmarks/tracking_vs_stonesoup.py --targets 1000 --scans 60 --no-stonesoup

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


@dataclass
class Scenario:
    truth: list[np.ndarray]  # per scan (N, 3) truth positions
    scans: list[DetectionBatch]  # per scan detections
    times_s: np.ndarray


def make_scenario(n_targets: int, n_scans: int, clutter: float, seed: int) -> Scenario:
    """Truth paths and detections of the benchmark scenario (seeded)."""
    rng = np.random.default_rng(seed)
    ground_m = np.sqrt(rng.uniform(15_000.0**2, 90_000.0**2, n_targets))
    bearing = rng.uniform(0, 2 * np.pi, n_targets)
    pos = np.stack([ground_m * np.sin(bearing), ground_m * np.cos(bearing),
                    rng.uniform(1_000.0, 10_000.0, n_targets)], axis=1)
    speed = rng.uniform(150.0, 300.0, n_targets)
    heading = rng.uniform(0, 2 * np.pi, n_targets)
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
    from stonesoup.dataassociator.neighbour import GNNWith2DAssignment
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
    associator = GNNWith2DAssignment(hypothesiser)
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


def mean_gospa(sc: Scenario, tracks: list[np.ndarray], after_scan: int = 0) -> tuple[float, float]:
    """Mean GOSPA (m) and mean missed fraction from scan ``after_scan`` on."""
    g, missed = [], []
    for truth, est in list(zip(sc.truth, tracks, strict=True))[after_scan:]:
        res = gospa(truth, est, cutoff_m=CUTOFF_M, p=2)
        g.append(res.gospa_m)
        missed.append(res.n_missed / max(len(truth), 1))
    return float(np.mean(g)), float(np.mean(missed))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--targets", type=int, default=50)
    ap.add_argument("--scans", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--clutter", type=float, default=None,
                    help="mean false alarms per scan (default 50, or N when N > 50)")
    ap.add_argument("--no-stonesoup", action="store_true", help="run iadsim only")
    args = ap.parse_args()
    clutter = args.clutter if args.clutter is not None else max(50.0, float(args.targets))
    sc = make_scenario(args.targets, args.scans, clutter, args.seed)
    n_det = int(np.mean([len(s) for s in sc.scans]))
    print(f"scenario: {args.targets} targets, {args.scans} scans, ~{clutter:.0f} false alarms "
          f"per scan, {n_det} detections per scan, seed {args.seed}")
    spec = iadsim_spec()
    run_iadsim(make_scenario(5, 3, 5, 0), spec)  # warm up imports and caches
    imm = run_iadsim(sc, spec.model_copy(update={"motion_model": "imm"}))
    i_wall, i_tracks, i_worst, i_cpu = run_iadsim(sc, spec)
    settle = 5
    i_gospa, _ = mean_gospa(sc, i_tracks)
    _, i_missed_after = mean_gospa(sc, i_tracks, settle)
    print(f"iadsim IMM: {imm[0] * 1e3:9.2f} ms per scan (CPU {imm[3] * 1e3:.2f} ms), "
          f"mean GOSPA {mean_gospa(sc, imm[1])[0]:8.1f} m (its default model, for reference)")
    print(f"iadsim:     {i_wall * 1e3:9.2f} ms per scan (CPU {i_cpu * 1e3:.2f} ms, worst "
          f"{i_worst * 1e3:.2f} ms), mean GOSPA {i_gospa:8.1f} m, missed after scan {settle}: "
          f"{100 * i_missed_after:.2f}%")
    result = {
        "targets": args.targets, "scans": args.scans, "seed": args.seed,
        "false_alarms_per_scan": clutter,
        "iadsim_ms_per_scan": round(i_wall * 1e3, 3),
        "iadsim_worst_ms": round(i_worst * 1e3, 3),
        "iadsim_cpu_ms_per_scan": round(i_cpu * 1e3, 3),
        "iadsim_gospa": round(i_gospa, 2),
        "iadsim_missed_fraction_after_init": round(i_missed_after, 5),
        "iadsim_imm_ms_per_scan": round(imm[0] * 1e3, 3),
        "iadsim_imm_gospa": round(mean_gospa(sc, imm[1])[0], 2),
        "stonesoup_ms_per_scan": None, "speed_ratio": None, "stonesoup_gospa": None,
    }
    if not args.no_stonesoup:
        s_wall, s_tracks, s_cpu = run_stonesoup(sc)
        s_gospa, _ = mean_gospa(sc, s_tracks)
        _, s_missed_after = mean_gospa(sc, s_tracks, settle)
        print(f"stonesoup:  {s_wall * 1e3:9.2f} ms per scan (CPU {s_cpu * 1e3:.2f} ms), mean "
              f"GOSPA {s_gospa:8.1f} m, missed after scan {settle}: {100 * s_missed_after:.2f}%")
        print(f"speed ratio (stonesoup / iadsim): {s_wall / i_wall:.0f}x wall, "
              f"{s_cpu / i_cpu:.0f}x CPU")
        result.update(
            stonesoup_ms_per_scan=round(s_wall * 1e3, 3), speed_ratio=round(s_wall / i_wall, 1),
            stonesoup_cpu_ms_per_scan=round(s_cpu * 1e3, 3),
            cpu_speed_ratio=round(s_cpu / i_cpu, 1),
            stonesoup_gospa=round(s_gospa, 2),
            stonesoup_missed_fraction_after_init=round(s_missed_after, 5),
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
