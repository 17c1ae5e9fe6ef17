"""Data links: capacity by priority, latency, stale drops, supersession, failure."""

from __future__ import annotations

import numpy as np

from iadsim.network.datalink import DataLink, Reports
from iadsim.tracking.batch import TrackBatch


def _tracks(ids: list[int], time_s: float) -> TrackBatch:
    n = len(ids)
    return TrackBatch(
        time_s=np.full(n, time_s), track_id=np.array(ids, np.int64),
        position_enu_m=np.zeros((n, 3)), velocity_enu_mps=np.zeros((n, 3)),
        covariance=np.broadcast_to(np.eye(6), (n, 6, 6)).copy(), confirmed=np.ones(n, bool),
        quality=np.ones(n), truth_id=np.array(ids, np.int64))


def _offer(link: DataLink, ids: list[int], priority: list[float], time_s: float) -> None:
    link.offer(Reports.of(_tracks(ids, time_s), 0, np.array(priority, float), time_s))


def test_full_link_delays_the_lowest_priority_reports_first() -> None:
    link = DataLink(capacity_per_s=4.0, latency_s=0.0, max_delay_s=100.0)
    ids = list(range(10))
    priority = [3.0, 9.0, 1.0, 7.0, 0.0, 8.0, 2.0, 6.0, 5.0, 4.0]
    _offer(link, ids, priority, 0.0)
    got = [link.transmit(t).tracks.track_id.tolist() for t in (1.0, 2.0, 3.0)]
    # independent expectation: the ids sorted by decreasing priority, four per second
    by_priority = [i for _, i in sorted(zip(priority, ids, strict=True), reverse=True)]
    assert [sorted(g) for g in got] == [sorted(by_priority[0:4]), sorted(by_priority[4:8]),
                                        sorted(by_priority[8:10])]
    assert link.stats.delivered == 10 and link.stats.dropped == 0


def test_capacity_fractions_carry_over() -> None:
    link = DataLink(capacity_per_s=0.5, latency_s=0.0, max_delay_s=100.0)
    _offer(link, [1, 2], [1.0, 0.0], 0.0)
    sent = [len(link.transmit(t)) for t in (1.0, 2.0, 3.0, 4.0)]
    assert sent == [0, 1, 0, 1]


def test_latency_and_stale_drop() -> None:
    link = DataLink(capacity_per_s=1.0, latency_s=0.5, max_delay_s=2.5)
    _offer(link, [1, 2, 3], [3.0, 2.0, 1.0], 0.0)
    assert len(link.transmit(1.0)) == 0  # id 1 sent at 1.0, arrives at 1.5
    second = link.transmit(2.0)
    assert second.tracks.track_id.tolist() == [1]
    assert np.allclose(second.deliver_s, 1.5)
    third = link.transmit(3.0)  # id 3 has waited 3.0 s > 2.5 s: dropped
    assert third.tracks.track_id.tolist() == [2]
    assert link.stats.dropped == 1
    assert link.stats.latency_max_s == 2.5  # id 2: reported at 0, arrived at 2.5


def test_newer_report_supersedes_the_queued_one() -> None:
    link = DataLink(capacity_per_s=1.0, latency_s=0.0, max_delay_s=100.0)
    _offer(link, [1, 2], [0.0, 0.0], 0.0)
    _offer(link, [2], [5.0], 0.5)
    out = link.transmit(1.0)
    assert out.tracks.track_id.tolist() == [2] and out.tracks.time_s.tolist() == [0.5]
    assert link.stats.superseded == 1


def test_failed_link_delivers_nothing_from_the_failure_time() -> None:
    link = DataLink(capacity_per_s=10.0, latency_s=0.0, max_delay_s=100.0, fail_time_s=3.0)
    for t in (1.0, 2.0, 3.0, 4.0):
        _offer(link, [1], [1.0], t - 0.5)
        out = link.transmit(t)
        assert len(out) == (1 if t < 3.0 else 0)
    assert not link.up(3.0) and link.up(2.999)
    assert link.stats.lost == 2  # the reports of 2.5 s and 3.5 s


def test_empty_link() -> None:
    link = DataLink(capacity_per_s=1.0, latency_s=0.0, max_delay_s=1.0)
    assert len(link.transmit(1.0)) == 0
