"""The tracker's reused work (issue 14) is invisible: a reused picture equals a fresh one."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from tracking_fakes import scan, single_radar

from iadsim.errors import InputDataError
from iadsim.scenario.tracking_spec import TrackingSpec
from iadsim.sensors.batch import DetectionBatch
from iadsim.tracking.batch import TrackBatch
from iadsim.tracking.tracker import Tracker

FIELDS = [f.name for f in dataclasses.fields(TrackBatch)]


def _twins(model: str, steps: int = 8) -> tuple[Tracker, Tracker]:
    """Two trackers fed the same scans of three crossing targets and some clutter."""
    geometry = single_radar()
    spec = TrackingSpec(motion_model=model, confirm_m=2, confirm_n=3)
    a, b = Tracker(spec, geometry), Tracker(spec, geometry)
    pos0 = np.array([[30e3, 20e3, 5e3], [-25e3, 10e3, 3e3], [5e3, -40e3, 8e3]])
    vel = np.array([[-200.0, 50.0, 0.0], [150.0, 0.0, -5.0], [0.0, 250.0, 0.0]])
    rng = np.random.default_rng(7)
    for k in range(1, steps + 1):
        det = scan(pos0 + vel * k, float(k) - 0.3, geometry, rng=rng, false_alarms=3)
        a.step(det, float(k))
        b.step(det, float(k))
    return a, b


def _same(x: TrackBatch, y: TrackBatch) -> None:
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(x, name), getattr(y, name), err_msg=name)


@pytest.mark.parametrize("model", ["ncv", "imm"])
def test_reused_picture_is_the_fresh_one_and_owns_its_arrays(model):
    a, b = _twins(model)
    first = a.picture(8.0)
    assert len(first) >= 3 and first.confirmed.sum() >= 3
    again = a.picture(8.0)  # reused
    _same(first, again)
    for name in FIELDS:  # a caller may scribble on its copy without touching the next one
        assert not np.shares_memory(getattr(first, name), getattr(again, name)), name
    again.position_enu_m[:] = 0.0
    again.quality[:] = -1.0
    _same(first, a.picture(8.0))
    # a later time (predicted afresh) equals a tracker that never built a picture
    _same(a.picture(8.7), b.picture(8.7))
    _same(a.picture(8.0), b.picture(8.0))


def test_drop_changes_the_reused_picture():
    a, b = _twins("imm")
    before = a.picture(8.0)
    gone = int(before.track_id[before.confirmed][0])
    a.drop(np.array([gone]))
    after = a.picture(8.0)
    assert gone not in after.track_id.tolist()
    assert len(after) == len(before) - 1
    keep = before.track_id != gone
    np.testing.assert_array_equal(after.position_enu_m, before.position_enu_m[keep])
    a.drop(np.array([10_000]))  # unknown id: nothing changes
    _same(after, a.picture(8.0))
    # and b, never dropped, still has it
    assert gone in b.picture(8.0).track_id.tolist()


def _clean(n: int = 4) -> DetectionBatch:
    rng = np.random.default_rng(3)
    truth = np.column_stack([rng.uniform(5e3, 50e3, n), rng.uniform(5e3, 50e3, n),
                             rng.uniform(1e3, 9e3, n)])
    return scan(truth, 1.5, single_radar(), rng=rng)


@pytest.mark.parametrize(("name", "value"), [
    ("range_m", np.nan), ("azimuth_rad", np.inf), ("elevation_rad", -np.inf),
    ("range_sigma_m", 0.0), ("azimuth_sigma_rad", -1e-3), ("time_s", 0.5), ("time_s", 2.5),
    ("sensor_id", 1), ("sensor_id", -1),
])
def test_the_quick_input_check_lets_no_bad_row_through(name, value):
    tracker = Tracker(TrackingSpec(), single_radar())
    tracker.step(DetectionBatch.empty(), 1.0)
    det = _clean()
    column = getattr(det, name).copy()
    column[2] = value
    with pytest.raises(InputDataError) as err:
        tracker.step(dataclasses.replace(det, **{name: column}), 2.0)
    assert err.value.rows == [2]


def test_the_quick_input_check_passes_a_clean_batch():
    tracker = Tracker(TrackingSpec(), single_radar())
    tracker.step(DetectionBatch.empty(), 1.0)
    step = tracker.step(_clean(), 2.0)
    assert len(step.tracks) == 4 and tracker.rejected == []
