"""The tracker end to end on fake radar scans: counts, continuity, fusion, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from tracking_fakes import scan, single_radar

from iadsim.errors import InputDataError
from iadsim.scenario.tracking_spec import TrackingSpec
from iadsim.sensors.batch import DetectionBatch, SensorGeometry
from iadsim.tracking.metrics import gospa
from iadsim.tracking.tracker import Tracker
from iadsim.world.frames import GRAVITY_MPS2, Origin, geodetic_to_enu, rotation_enu_to_local


def _fly(pos, vel, t):
    return np.asarray(pos, float) + np.asarray(vel, float) * t


def test_no_detections_no_tracks():
    tracker = Tracker(TrackingSpec(), single_radar())
    for t in (1.0, 2.0, 3.0):
        step = tracker.step(DetectionBatch.empty(), t)
        assert len(step.tracks) == 0
        assert step.confirmed_ids.dtype == np.int64 and len(step.confirmed_ids) == 0
        assert len(step.dropped_ids) == 0


@pytest.mark.parametrize("model", ["ncv", "imm"])
def test_one_target_confirmed_held_and_dropped(rng, model):
    spec = TrackingSpec(motion_model=model, confirm_m=3, confirm_n=4, max_misses=3)
    geometry = single_radar()
    tracker = Tracker(spec, geometry)
    pos0, vel = np.array([30_000.0, 20_000.0, 5_000.0]), np.array([-200.0, 50.0, 0.0])
    confirmed_at, confirmed_ids = None, []
    for k in range(1, 31):
        truth = _fly(pos0, vel, k)[None]
        step = tracker.step(scan(truth, k, geometry, rng=rng), float(k))
        confirmed_ids += step.confirmed_ids.tolist()
        if confirmed_at is None and len(step.confirmed_ids):
            confirmed_at = k
    assert confirmed_at == 3 and confirmed_ids == [0]
    tracks = step.tracks
    assert len(tracks) == 1 and tracks.confirmed[0] and tracks.truth_id[0] == 0
    assert np.linalg.norm(tracks.position_enu_m[0] - _fly(pos0, vel, 30)) < 60.0
    assert np.linalg.norm(tracks.velocity_enu_mps[0] - vel) < 15.0
    assert 0.9 < tracks.quality[0] <= 1.0
    np.testing.assert_allclose(tracks.covariance, np.swapaxes(tracks.covariance, 1, 2))
    assert np.linalg.eigvalsh(tracks.covariance).min() > 0
    # the target vanishes: the radar keeps scanning (clutter far away), the track goes
    dropped = []
    for k in range(31, 36):
        far = scan(np.array([[-90_000.0, -90_000.0, 1_000.0]]), k, geometry, rng=rng,
                   truth_ids=np.array([-1]))
        dropped += tracker.step(far, float(k)).dropped_ids.tolist()
    assert dropped == [0]


@pytest.mark.parametrize("association", ["gnn", "jpda"])
def test_many_targets_in_clutter_all_held(rng, association):
    geometry = single_radar()
    n = 40
    pos0 = np.column_stack([rng.uniform(-60e3, 60e3, (n, 2)), rng.uniform(1e3, 9e3, n)])
    vel = np.column_stack([rng.normal(0, 150, (n, 2)), np.zeros(n)])
    spec = TrackingSpec(max_speed_mps=600.0, association=association)
    tracker = Tracker(spec, geometry)
    for k in range(1, 21):
        truth = pos0 + vel * k
        det = scan(truth, k, geometry, rng=rng, pd=0.9, false_alarms=60, max_range_m=90e3)
        step = tracker.step(det, float(k))
    conf = step.tracks.take(step.tracks.confirmed)
    g = gospa(pos0 + vel * 20, conf.position_enu_m, cutoff_m=500.0)
    assert g.n_missed == 0 and g.n_false <= 1
    assert sorted(conf.truth_id[conf.truth_id >= 0].tolist()) == list(range(n))
    ids = step.tracks.track_id
    assert len(np.unique(ids)) == len(ids) and np.all(np.diff(ids) > 0)


@pytest.mark.parametrize("model", ["ncv", "imm"])
@pytest.mark.parametrize("association", ["gnn", "jpda"])
def test_crossing_targets_are_not_swapped(model, association):
    """Two aircraft 40 km out cross at 20 degrees; 20 m and 1 mrad noise, Pd 0.9."""
    geometry = single_radar()
    spec = TrackingSpec(motion_model=model, association=association, max_speed_mps=600.0)
    cross = np.array([40_000.0, 0.0, 6_000.0])
    half = np.radians(10.0)
    vel = 250.0 * np.array([[np.cos(half), np.sin(half), 0], [np.cos(half), -np.sin(half), 0]])
    swaps = 0
    for seed in range(4):
        rng = np.random.default_rng(seed)
        tracker = Tracker(spec, geometry)
        ids_before = ids_after = None
        for k in range(-40, 41):
            truth = cross + vel * k
            step = tracker.step(scan(truth, k, geometry, rng=rng, pd=0.9), float(k))
            conf = step.tracks.take(step.tracks.confirmed)
            if k in (-15, 40):
                assert len(conf) == 2
                # which track is nearest each target
                d = np.linalg.norm(conf.position_enu_m[None] - truth[:, None], axis=2)
                ids = conf.track_id[np.argmin(d, axis=1)].tolist()
                if k == -15:
                    ids_before = ids
                else:
                    ids_after = ids
        assert ids_before is not None and len(set(ids_before)) == 2
        swaps += ids_before != ids_after
    assert swaps == 0


def _two_radars():
    origin = Origin(50.0, 10.0, 0.0)
    sites = [(50.0, 10.0, 20.0), (50.5, 11.0, 50.0)]
    pos = np.array([geodetic_to_enu(la, lo, al, origin) for la, lo, al in sites])
    rot = np.array([rotation_enu_to_local(origin, la, lo) for la, lo, _ in sites])
    return SensorGeometry(pos, rot)


def test_two_radars_feed_one_picture(rng):
    geometry = _two_radars()
    tracker = Tracker(TrackingSpec(), geometry)
    pos0 = geometry.position_enu_m[1] + np.array([-30_000.0, -20_000.0, 8_000.0])
    vel = np.array([150.0, 100.0, 0.0])
    errs = []
    for k in range(1, 31):
        truth = _fly(pos0, vel, k)[None]
        a = scan(truth, k, geometry, rng=rng, sensor_id=0, angle_sigma_rad=2e-3)
        later = _fly(pos0, vel, k + 0.5)[None]
        b = scan(later, k + 0.5, geometry, rng=rng, sensor_id=1, angle_sigma_rad=2e-3)
        # both radars' detections in one step, in any order
        step = tracker.step(DetectionBatch.concatenate([b, a]), k + 0.5)
        if k > 10:
            errs.append(np.linalg.norm(step.tracks.position_enu_m[0] - later[0]))
    assert len(step.tracks) == 1 and step.tracks.confirmed[0]
    assert np.mean(errs) < 45.0  # one radar alone: about 55 m (radar 1) and 65 m (radar 0)


def test_a_radar_that_never_saw_a_track_does_not_delete_it(rng):
    geometry = _two_radars()
    spec = TrackingSpec(max_misses=2)
    tracker = Tracker(spec, geometry)
    pos0 = geometry.position_enu_m[0] + np.array([20_000.0, 0.0, 3_000.0])
    vel = np.array([0.0, 200.0, 0.0])
    far = np.array([[1e6, 1e6, 1e4]])
    for k in range(1, 25):
        a = scan(_fly(pos0, vel, k)[None], k, geometry, rng=rng, sensor_id=0)
        # radar 1 scans every second too but only ever sees a distant clutter point
        b = scan(far, k, geometry, rng=rng, sensor_id=1, truth_ids=np.array([-1]))
        step = tracker.step(DetectionBatch.concatenate([a, b]), float(k))
    target = step.tracks.take(step.tracks.truth_id == 0)
    assert len(target) == 1 and target.confirmed[0] and target.track_id[0] == 0


def test_ballistic_target_held_by_gravity_models(rng):
    geometry = single_radar()
    pos0 = np.array([150_000.0, 50_000.0, 60_000.0])
    vel = np.array([-1_500.0, -500.0, 1_000.0])
    for model in ("ballistic", "imm"):
        tracker = Tracker(TrackingSpec(motion_model=model), geometry)
        for k in range(1, 41):
            t = float(k)
            truth = pos0 + vel * t + np.array([0, 0, -0.5 * GRAVITY_MPS2 * t**2])
            step = tracker.step(scan(truth[None], t, geometry, rng=rng, max_range_m=300e3), t)
        assert len(step.tracks) == 1 and step.tracks.confirmed[0]
        assert np.linalg.norm(step.tracks.position_enu_m[0] - truth) < 200.0


def test_bad_rows_are_named_and_nothing_is_lost(rng):
    geometry = single_radar()
    tracker = Tracker(TrackingSpec(), geometry)
    truth = np.array([[10_000.0, 0.0, 1_000.0], [0.0, 20_000.0, 2_000.0]])
    tracker.step(scan(truth, 1.0, geometry, rng=rng), 1.0)
    det = scan(truth + np.array([200.0, 0, 0]), 2.0, geometry, rng=rng)
    bad_range = det.range_m.copy()
    bad_range[1] = np.nan
    bad = DetectionBatch(**{**{f: getattr(det, f) for f in det.__slots__}, "range_m": bad_range})
    before = tracker.picture(2.0)
    with pytest.raises(InputDataError, match=r"detections\[1\]\.range_m must be finite") as err:
        tracker.step(bad, 2.0)
    assert err.value.rows == [1]
    after = tracker.picture(2.0)
    np.testing.assert_array_equal(before.position_enu_m, after.position_enu_m)
    # dropping the named rows keeps the rest
    keep = np.setdiff1d(np.arange(len(bad)), err.value.rows)
    step = tracker.step(bad.take(keep), 2.0)
    assert len(step.tracks) == 2
    # times going backwards, and an infinite angle
    late = scan(truth, 1.5, geometry, rng=rng)
    with pytest.raises(InputDataError, match=r"detections\[0\]\.time_s goes backwards") as err:
        tracker.step(late, 3.0)
    assert err.value.rows == [0, 1]
    inf = scan(truth, 3.0, geometry, rng=rng)
    inf.azimuth_rad[0] = np.inf
    with pytest.raises(InputDataError, match=r"detections\[0\]\.azimuth_rad") as err:
        tracker.step(inf, 3.0)
    assert err.value.rows == [0]


def test_drop_removes_tracks_by_id(rng):
    geometry = single_radar()
    tracker = Tracker(TrackingSpec(), geometry)
    truth = np.array([[10_000.0, 0.0, 1_000.0], [0.0, 20_000.0, 2_000.0]])
    step = tracker.step(scan(truth, 1.0, geometry, rng=rng), 1.0)
    assert step.tracks.track_id.tolist() == [0, 1]
    tracker.drop(np.array([0, 99]))
    assert tracker.picture(1.0).track_id.tolist() == [1]
    tracker.drop(np.array([], dtype=np.int64))
    assert tracker.picture(1.0).track_id.tolist() == [1]


def test_picture_is_predicted_to_the_step_time(rng):
    geometry = single_radar()
    tracker = Tracker(TrackingSpec(motion_model="ncv"), geometry)
    pos0, vel = np.array([20_000.0, 0.0, 1_000.0]), np.array([0.0, 100.0, 0.0])
    for k in range(1, 11):
        step = tracker.step(scan(_fly(pos0, vel, k)[None], k, geometry, rng=rng), float(k))
    later = tracker.step(DetectionBatch.empty(), 12.0)
    assert later.tracks.time_s[0] == 12.0
    moved = later.tracks.position_enu_m[0] - step.tracks.position_enu_m[0]
    np.testing.assert_allclose(moved, 2.0 * step.tracks.velocity_enu_mps[0], atol=1e-6)


def test_bad_rows_can_be_skipped(rng):
    geometry = single_radar()
    tracker = Tracker(TrackingSpec(on_bad_detections="drop"), geometry)
    truth = np.array([[10_000.0, 0.0, 1_000.0], [0.0, 20_000.0, 2_000.0]])
    for k in range(1, 5):
        det = scan(truth, float(k), geometry, rng=rng)
        det.elevation_rad[0] = np.nan
        step = tracker.step(det, float(k))
    assert [e.rows for e in tracker.rejected] == [[0]] * 4
    assert "detections[0].elevation_rad must be finite" in str(tracker.rejected[0])
    assert step.tracks.truth_id.tolist() == [1]


@pytest.mark.parametrize("model", ["ncv", "imm"])
def test_returned_pictures_are_not_changed_by_later_steps(rng, model):
    geometry = single_radar()
    tracker = Tracker(TrackingSpec(motion_model=model), geometry)
    truth = np.array([[10_000.0, 0.0, 1_000.0], [0.0, 20_000.0, 2_000.0]])
    for k in range(1, 5):
        step = tracker.step(scan(truth + k * 100.0, float(k), geometry, rng=rng), float(k))
    kept = {f: getattr(step.tracks, f).copy() for f in step.tracks.__slots__}
    for k in range(5, 9):
        tracker.step(scan(truth + k * 100.0, float(k), geometry, rng=rng), float(k))
    for f, v in kept.items():
        np.testing.assert_array_equal(getattr(step.tracks, f), v)


def test_tracks_expire_when_the_radars_fall_silent(rng):
    geometry = single_radar()
    tracker = Tracker(TrackingSpec(max_misses=3), geometry)
    truth = np.array([[10_000.0, 0.0, 1_000.0]])
    for k in range(1, 8):
        tracker.step(scan(truth + k * 50.0, float(k), geometry, rng=rng), float(k))
    dropped = []
    for k in range(8, 15):
        step = tracker.step(DetectionBatch.empty(), float(k))
        dropped += step.dropped_ids.tolist()
        if k <= 9:
            assert len(step.tracks) == 1  # coasting through two missed 1 s scans
    assert dropped == [0] and len(step.tracks) == 0


def test_position_error_near_the_measurement_noise(rng):
    """Well-separated straight flyers: the steady-state RMS position error lies between a
    tenth of the raw measurement noise and the noise itself (filtering helps, never hurts)."""
    geometry = single_radar()
    n = 12
    bearing = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    pos0 = np.column_stack([40e3 * np.sin(bearing), 40e3 * np.cos(bearing), np.full(n, 6e3)])
    vel = np.column_stack([-150.0 * np.sin(bearing + 0.3), -150.0 * np.cos(bearing + 0.3),
                           np.zeros(n)])
    tracker = Tracker(TrackingSpec(motion_model="ncv"), geometry)
    errors = []
    for k in range(1, 61):
        truth = pos0 + vel * k
        step = tracker.step(scan(truth, k, geometry, rng=rng), float(k))
        if k > 20:  # after convergence
            t = step.tracks.take(step.tracks.confirmed)
            errors.append(t.position_enu_m - truth[t.truth_id])
    err = np.concatenate(errors)
    assert len(err) == 40 * n  # every target held every scan
    rms_err = np.sqrt(np.mean(np.sum(err**2, axis=1)))
    # raw noise: 20 m in range, 1 mrad in two angles at the targets' ranges
    ranges = np.linalg.norm(pos0, axis=1)  # 40 km at the start, within 9 km of it throughout
    raw_rms = np.sqrt(20.0**2 + 2 * (1e-3 * ranges.mean()) ** 2)
    assert 0.1 * raw_rms < rms_err < raw_rms
