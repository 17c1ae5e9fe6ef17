"""Data links: track reports queued, sent within a capacity, delivered after a latency.

In: report batches offered by a node (one row per track, its state at the report time and a
priority: higher is sent first). Out: the reports delivered by each step. A link sends at most
``capacity_reports_per_s`` reports per second (the budget of a step carries over, fractions
included); beyond that the reports wait, lowest priority last, and a report that waited longer
than ``max_delay_s`` is dropped. A newer report of a track replaces its queued older one
(superseded: the receiver wants the latest state). A failed link delivers nothing from its
failure time on; what was queued or in the air is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from iadsim.tracking.batch import TrackBatch


def concat_tracks(parts: list[TrackBatch]) -> TrackBatch:
    """Rows of several pictures, in order (``last_hit_s`` kept when every part has it)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return TrackBatch.empty()
    if len(parts) == 1:
        return parts[0]
    out = {}
    for f in fields(TrackBatch):
        cols = [getattr(p, f.name) for p in parts]
        out[f.name] = None if any(c is None for c in cols) else np.concatenate(cols)
    return TrackBatch(**out)


@dataclass(frozen=True, slots=True)
class Reports:
    """Track reports, one row per report: the track as reported, and its link bookkeeping."""

    tracks: TrackBatch  # the reported state (``time_s`` is the report time)
    source: NDArray[np.int64]  # (n,) node that made the report
    priority: NDArray[np.float64]  # (n,) higher is sent first
    offered_s: NDArray[np.float64]  # (n,) time put on the link (the origin's, end to end)
    deliver_s: NDArray[np.float64]  # (n,) arrival time once sent (inf: not yet)

    def __len__(self) -> int:
        return len(self.tracks)

    @classmethod
    def empty(cls) -> Reports:
        e = np.empty(0)
        return cls(TrackBatch.empty(), np.empty(0, np.int64), e, e.copy(), e.copy())

    @classmethod
    def of(cls, tracks: TrackBatch, source: int, priority: NDArray[np.float64],
           time_s: float) -> Reports:
        n = len(tracks)
        return cls(tracks, np.full(n, source, np.int64), np.asarray(priority, float),
                   np.full(n, float(time_s)), np.full(n, np.inf))

    def take(self, index: NDArray[np.intp] | NDArray[np.bool_]) -> Reports:
        return Reports(self.tracks.take(index), self.source[index], self.priority[index],
                       self.offered_s[index], self.deliver_s[index])

    @staticmethod
    def concat(parts: list[Reports]) -> Reports:
        parts = [p for p in parts if len(p)]
        if not parts:
            return Reports.empty()
        if len(parts) == 1:
            return parts[0]
        return Reports(concat_tracks([p.tracks for p in parts]),
                       np.concatenate([p.source for p in parts]),
                       np.concatenate([p.priority for p in parts]),
                       np.concatenate([p.offered_s for p in parts]),
                       np.concatenate([p.deliver_s for p in parts]))


@dataclass
class LinkStats:
    """Counts and delivered latencies of one link over a run."""

    offered: int = 0
    superseded: int = 0
    dropped: int = 0  # waited longer than max_delay_s
    lost: int = 0  # queued or in the air when the link failed
    sent: int = 0
    delivered: int = 0
    latency_sum_s: float = 0.0
    latency_max_s: float = 0.0
    busy_s: float = 0.0  # steps in which the link sent at full capacity

    def as_dict(self, duration_s: float, capacity_per_s: float) -> dict[str, float | int]:
        mean = self.latency_sum_s / self.delivered if self.delivered else float("nan")
        return {
            "offered": self.offered, "superseded": self.superseded, "dropped": self.dropped,
            "lost": self.lost, "sent": self.sent, "delivered": self.delivered,
            "mean_latency_s": mean, "max_latency_s": self.latency_max_s,
            "load": self.sent / max(capacity_per_s * duration_s, 1e-9),
            "saturated_s": self.busy_s,
        }


class DataLink:
    """One link: a priority queue limited by capacity, then a fixed latency."""

    def __init__(self, *, capacity_per_s: float, latency_s: float, max_delay_s: float,
                 fail_time_s: float = np.inf) -> None:
        self.capacity_per_s = float(capacity_per_s)
        self.latency_s = float(latency_s)
        self.max_delay_s = float(max_delay_s)
        self.fail_time_s = float(fail_time_s)
        self.queue = Reports.empty()
        self.in_air = Reports.empty()
        self.stats = LinkStats()
        self._budget = 0.0
        self._time_s = 0.0

    def up(self, time_s: float) -> bool:
        """Whether the link still works at ``time_s``."""
        return time_s < self.fail_time_s

    def offer(self, reports: Reports) -> None:
        """Queue reports; a queued older report of the same track is superseded."""
        if len(reports) == 0:
            return
        self.stats.offered += len(reports)
        old = np.isin(self.queue.tracks.track_id, reports.tracks.track_id)
        self.stats.superseded += int(old.sum())
        self.queue = Reports.concat([self.queue.take(~old), reports])

    def transmit(self, time_s: float) -> Reports:
        """Send what the capacity allows up to ``time_s``; the reports delivered by then."""
        dt = max(time_s - self._time_s, 0.0)
        self._time_s = time_s
        if not self.up(time_s):
            self.stats.lost += len(self.queue) + len(self.in_air)
            self.queue, self.in_air = Reports.empty(), Reports.empty()
            return Reports.empty()
        stale = time_s - self.queue.offered_s > self.max_delay_s
        self.stats.dropped += int(stale.sum())
        queue = self.queue.take(~stale)
        # the unused budget carries over, up to one second's worth (no bursts after a lull)
        self._budget = min(self._budget + self.capacity_per_s * dt,
                           max(self.capacity_per_s * max(dt, 1.0), 1.0))
        n_send = min(int(self._budget + 1e-9), len(queue))
        order = np.lexsort((queue.offered_s, -queue.priority))  # priority, then oldest first
        send, keep = order[:n_send], order[n_send:]
        if keep.size:
            self.stats.busy_s += dt
        self._budget -= n_send
        sent = queue.take(send)
        sent = Reports(sent.tracks, sent.source, sent.priority, sent.offered_s,
                       np.full(len(sent), time_s + self.latency_s))
        self.stats.sent += len(sent)
        self.queue = queue.take(np.sort(keep))
        flying = Reports.concat([self.in_air, sent])
        due = flying.deliver_s <= time_s + 1e-9
        out = flying.take(due)
        self.in_air = flying.take(~due)
        self.stats.delivered += len(out)
        if len(out):
            lat = out.deliver_s - out.tracks.time_s
            self.stats.latency_sum_s += float(lat.sum())
            self.stats.latency_max_s = max(self.stats.latency_max_s, float(lat.max()))
        return out
