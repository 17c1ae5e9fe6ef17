"""One ``scan`` event per radar look (time, radar) with its count, in (time, radar) order."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np

from iadsim.outcomes.assemble import RunRecord
from iadsim.outcomes.events import EventLog
from iadsim.sensors.batch import DetectionBatch


def test_scan_events_count_each_look_in_time_then_radar_order() -> None:
    rng = np.random.default_rng(11)
    n = 300
    times = rng.choice([1.0, 1.25, 1.5, 2.0], n)
    sensors = rng.integers(0, 3, n)
    empty = DetectionBatch.empty()
    det = DetectionBatch(**{f.name: np.zeros(n, getattr(empty, f.name).dtype)
                            for f in dataclasses.fields(DetectionBatch)})
    det = dataclasses.replace(det, time_s=times, sensor_id=sensors.astype(det.sensor_id.dtype))
    rec = SimpleNamespace(events=EventLog(), radars=[SimpleNamespace(name=f"r{i}") for i in
                                                      range(3)],
                          fates=SimpleNamespace(detected=lambda *_: None))
    RunRecord.scans(rec, det)  # type: ignore[arg-type]
    got = [(r[0], r[7], r[9]) for r in rec.events.rows_since(0)]
    # independent: count by brute force over the sorted distinct (time, radar) keys
    keys = sorted(set(zip(times.tolist(), sensors.tolist(), strict=True)))
    want = [(t, f"r{s}", int(np.sum((times == t) & (sensors == s)))) for t, s in keys]
    assert got == want and sum(c for *_, c in got) == n
    RunRecord.scans(rec, empty)  # type: ignore[arg-type]
    assert len(rec.events) == len(want)
