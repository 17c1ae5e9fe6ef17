"""Track management: M-of-N, time-based misses, learned revisit, duplicates, rotating radars."""

from __future__ import annotations

import numpy as np
import pytest
from tracking_fakes import scan, single_radar

from iadsim.scenario.tracking_spec import TrackingSpec
from iadsim.sensors.batch import DetectionBatch
from iadsim.tracking.management import (
    RevisitEstimator,
    TrackTable,
    confirm_and_delete,
    duplicates,
    initiate,
    missed_scans,
    record_hits,
)
from iadsim.tracking.tracker import Tracker


def _one_track(spec: TrackingSpec, n_sensors: int = 1) -> TrackTable:
    return initiate(np.zeros((1, 3)), np.eye(3)[None], np.array([7]), sensor_id=0,
                    n_sensors=n_sensors, time_s=0.0, first_id=0, n_models=1, spec=spec)


@pytest.mark.parametrize(
    "pattern,confirmed_at,deleted_at",
    [
        ("HHH", 2, None),  # 3 of the first 3 scans
        ("HMHH", 3, None),  # 3 of 4
        ("HHMH", 3, None),
        ("HMMH", None, 2),  # two misses after one hit: the two-point rule drops it
        ("HMHMH", None, 3),  # 2 of 4 scans: M-of-N can no longer be met
    ],
)
def test_m_of_n_confirmation(pattern, confirmed_at, deleted_at):
    spec = TrackingSpec(confirm_m=3, confirm_n=4, initiation_max_misses=2)
    revisit = np.array([1.0])
    table = _one_track(spec)
    got_confirmed = got_deleted = None
    for k, c in enumerate(pattern[1:], start=1):
        hit = np.array([c == "H"])
        table, _ = record_hits(table, hit, np.array([7]), sensor_id=0, time_s=float(k),
                               revisit_s=revisit, spec=spec)
        newly, delete = confirm_and_delete(table, np.zeros(1), time_s=float(k),
                                           revisit_s=revisit, spec=spec)
        if newly[0] and got_confirmed is None:
            got_confirmed = k
            table = TrackTable(**{**{f: getattr(table, f) for f in table.__slots__},
                                  "confirmed": np.array([True])})
        # half a revisit later (the tracker's end-of-step expiry): a miss is booked once the
        # scan is a quarter revisit overdue
        _, later = confirm_and_delete(table, np.zeros(1), time_s=k + 0.5, revisit_s=revisit,
                                      spec=spec)
        if delete[0] or later[0]:
            got_deleted = k
            break
    assert got_confirmed == confirmed_at
    assert got_deleted == deleted_at


def test_misses_are_counted_in_revisits_of_each_radar():
    spec = TrackingSpec()
    table = _one_track(spec, n_sensors=2)
    revisit = np.array([10.0, 2.0])
    m = missed_scans(table, 9.0, revisit)
    assert m[0, 0] == 0.0  # the scan due at 10 s has not been made yet: no miss
    assert np.isinf(m[0, 1])  # radar 1 never saw the track: it owes nothing
    assert missed_scans(table, 12.0, revisit)[0, 0] == 0.0  # 2 s late: may still come
    assert missed_scans(table, 12.5, revisit)[0, 0] == 1.0  # a quarter revisit overdue
    assert missed_scans(table, 28.0, revisit)[0, 0] == 2.0  # the 30 s scan is still to come
    assert missed_scans(table, 33.0, revisit)[0, 0] == 3.0


def test_tentative_track_waits_for_the_scan_that_confirms_it():
    """A 10 s radar sees a target at 0, 10 and 30 s (3 of 4 scans): between scans, at 28 s,
    the scan due at 30 s is not yet missed, so the track lives to be confirmed by it."""
    spec = TrackingSpec(confirm_m=3, confirm_n=4)
    revisit = np.array([10.0])
    table = _one_track(spec)
    table, _ = record_hits(table, np.array([True]), np.array([7]), sensor_id=0, time_s=10.0,
                           revisit_s=revisit, spec=spec)
    _, delete = confirm_and_delete(table, np.zeros(1), time_s=28.0, revisit_s=revisit, spec=spec)
    assert not delete[0]
    table, _ = record_hits(table, np.array([True]), np.array([7]), sensor_id=0, time_s=30.0,
                           revisit_s=revisit, spec=spec)
    newly, delete = confirm_and_delete(table, np.zeros(1), time_s=30.0, revisit_s=revisit,
                                       spec=spec)
    assert newly[0] and not delete[0]
    # without that third hit, the track goes once the 30 s scan is overdue
    table = _one_track(spec)
    table, _ = record_hits(table, np.array([True]), np.array([7]), sensor_id=0, time_s=10.0,
                           revisit_s=revisit, spec=spec)
    _, delete = confirm_and_delete(table, np.zeros(1), time_s=33.0, revisit_s=revisit, spec=spec)
    assert delete[0]


def test_confirmed_track_survives_while_any_holding_radar_sees_it():
    spec = TrackingSpec(max_misses=3, max_coast_s=100.0)  # misses, not coasting, end it
    table = _one_track(spec, n_sensors=2)
    table = TrackTable(**{**{f: getattr(table, f) for f in table.__slots__},
                          "confirmed": np.array([True])})
    revisit = np.array([1.0, 10.0])
    # radar 1 (10 s) sees it at t = 10; radar 0 (1 s) never again
    table, _ = record_hits(table, np.array([True]), np.array([7]), sensor_id=1, time_s=10.0,
                           revisit_s=revisit, spec=spec)
    _, delete = confirm_and_delete(table, np.zeros(1), time_s=15.0, revisit_s=revisit, spec=spec)
    assert not delete[0]
    _, delete = confirm_and_delete(table, np.zeros(1), time_s=41.0, revisit_s=revisit, spec=spec)
    assert not delete[0]  # radar 1's third scan (40 s) may be late
    _, delete = confirm_and_delete(table, np.zeros(1), time_s=43.0, revisit_s=revisit, spec=spec)
    assert delete[0]


def test_revisit_estimator_learns_each_radar():
    est = RevisitEstimator(2, default_s=10.0)
    assert est.revisit_s.tolist() == [10.0, 10.0]
    rng = np.random.default_rng(0)
    est.add(1, 2.0 + rng.normal(0, 0.05, 300))
    est.add(1, rng.uniform(0.1, 1.0, 60))  # short dwell revisits do not drag it down much
    assert est.revisit_s[1] == pytest.approx(2.03, abs=0.05)
    assert est.revisit_s[0] == 10.0
    est.add(0, np.array([]))
    assert est.revisit_s[0] == 10.0


def test_duplicates_keep_the_older_track():
    spec = TrackingSpec()
    z = np.array([[0.0, 0, 0], [30.0, 0, 0], [5000.0, 0, 0]])
    table = initiate(z, np.broadcast_to(np.eye(3) * 100.0, (3, 3, 3)).copy(), np.zeros(3, int),
                     sensor_id=0, n_sensors=1, time_s=0.0, first_id=0, n_models=1, spec=spec)
    table = TrackTable(**{**{f: getattr(table, f) for f in table.__slots__},
                          "confirmed": np.ones(3, bool), "hits": np.array([5, 5, 5])})
    p = np.broadcast_to(np.diag([100.0, 100, 100, 25, 25, 25]), (3, 6, 6)).copy()
    x = np.zeros((3, 6))
    x[:, :3] = z
    dup = duplicates(table, x, p, threshold=16.8, max_distance_m=1000.0)
    assert dup.tolist() == [False, True, False]


def test_rotating_radar_with_beam_times_keeps_every_track(rng):
    """Detections stamped with their own beam times (azimuth-dependent) must not read as misses
    for the tracks the beam was not pointing at."""
    geometry = single_radar()
    tracker = Tracker(TrackingSpec(max_misses=2), geometry)
    n = 12
    bearing = np.linspace(0, 2 * np.pi, n, endpoint=False)
    pos0 = np.column_stack([30e3 * np.sin(bearing), 30e3 * np.cos(bearing), np.full(n, 3e3)])
    vel = np.column_stack([np.full(n, 100.0), np.zeros(n), np.zeros(n)])
    period = 4.0
    for step in range(1, 31):
        t0, t1 = (step - 1) * 1.0, step * 1.0
        parts = []
        for rev in range(int(t1 // period) + 1):
            beam_t = rev * period + bearing / (2 * np.pi) * period
            inside = (beam_t > t0) & (beam_t <= t1)
            for i in np.flatnonzero(inside):
                parts.append(scan((pos0[i] + vel[i] * beam_t[i])[None], beam_t[i], geometry,
                                  rng=rng, truth_ids=np.array([i])))
        st = tracker.step(DetectionBatch.concatenate(parts), t1)
    conf = st.tracks.take(st.tracks.confirmed)
    assert sorted(conf.truth_id.tolist()) == list(range(n))
    assert conf.track_id.tolist() == list(range(n))


def test_spec_rules_name_the_fields():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=r"confirm_m must be <= tracking\.confirm_n"):
        TrackingSpec(confirm_m=5, confirm_n=3)
    with pytest.raises(ValidationError, match="gate_probability"):
        TrackingSpec(gate_probability=1.5)
    with pytest.raises(ValidationError, match="extra"):
        TrackingSpec(confirm_k=3)


def _confirmed_two_radar_track(spec: TrackingSpec, hits: list[tuple[int, float]]) -> TrackTable:
    table = _one_track(spec, n_sensors=2)
    table = TrackTable(**{**{f: getattr(table, f) for f in table.__slots__},
                          "confirmed": np.array([True])})
    for sensor, t in hits:
        table, _ = record_hits(table, np.array([True]), np.array([7]), sensor_id=sensor,
                               time_s=t, revisit_s=np.array([1.0, 10.0]), spec=spec)
    return table


def test_track_score_deletes_a_track_both_radars_stopped_seeing():
    """Both radars hold the track at t = 10 and then see nothing (its target is gone): the
    1 s radar's misses drop the score; by hand, floor(dt / 1 - 1/4) misses reach 4 between
    dt = 4 (3 misses) and 4.3 s, while the 10 s radar has missed none. The rule of misses by
    every radar alone would keep the track until about 42.5 s."""
    spec = TrackingSpec(max_misses=3, max_coast_s=100.0, delete_after_total_misses=4)
    table = _confirmed_two_radar_track(spec, [(0, 10.0), (1, 10.0)])
    revisit = np.array([1.0, 10.0])
    for t, expect in [(14.0, False), (14.3, True)]:
        _, delete = confirm_and_delete(table, np.zeros(1), time_s=t, revisit_s=revisit,
                                       spec=spec)
        assert delete[0] == expect, t
    off = spec.model_copy(update={"delete_after_total_misses": None})
    _, delete = confirm_and_delete(table, np.zeros(1), time_s=40.0, revisit_s=revisit, spec=off)
    assert not delete[0]


def test_track_score_ignores_a_radar_that_lost_the_track_long_before():
    """The 1 s radar last saw the track at t = 0, the 10 s radar sees it every scan: the 1 s
    radar missed 24 scans by t = 25, but it lost the track more than 3 of its revisits before
    the latest detection, so its misses do not count and the track lives."""
    spec = TrackingSpec(max_misses=3, max_coast_s=100.0, delete_after_total_misses=4)
    table = _confirmed_two_radar_track(spec, [(0, 0.0), (1, 10.0), (1, 20.0)])
    _, delete = confirm_and_delete(table, np.zeros(1), time_s=25.0,
                                   revisit_s=np.array([1.0, 10.0]), spec=spec)
    assert not delete[0]
