"""Sensors stage: the multifunction radar's scheduler.

In: for each pipeline step, the step's time budget; the radar's own track file. Out: a plan
(which held tracks get a dwell and when, how much azimuth the search frame advances), then
the file updated with the step's detections. The rules, stated once:

* **Budget.** Track dwells of ``track_dwell_s`` each come first, by priority (then the most
  overdue), up to ``max_track_fraction`` of the step; the rest of the step goes to search.
  A full search frame takes ``scan_period_s`` of radar time, so the more tracks held, the
  slower the search revisit (the classic multifunction trade).
* **Revisit.** A held track is due every ``revisit_high_s`` / ``revisit_medium_s`` /
  ``revisit_low_s`` by its priority (0 high, 1 medium, 2 low). Priority comes from the threat's
  time to go to the radar (closing geometry the radar measures): under 60 s high, under 180 s
  medium, else low; the command stage may override it with :meth:`MultifunctionScheduler.
  set_priority`.
* **Capacity.** At most ``track_capacity`` tracks are held: a search detection of a target not
  held opens a track if there is room (higher priority first); three missed dwells in a row or
  a target gone drop it.

The same radars' fire-control and guidance channels (``fire_control_channels``,
``guidance_channels`` in the sensor spec) limit the command stage: see
``iadsim.scenario.command_spec.channel_limits`` and ``iadsim.command.doctrine``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

HIGH, MEDIUM, LOW = 0, 1, 2
MISSES_TO_DROP = 3
_TWO_PI = 2.0 * np.pi


@dataclass(frozen=True, slots=True)
class SchedulePlan:
    """What the radar does during one step."""

    dwell_ids: NDArray[np.int64]  # (k,) held targets that get a track dwell
    dwell_time_s: NDArray[np.float64]  # (k,)
    search_start_rad: float  # search window swept this step, clockwise from north
    search_width_rad: float
    search_time_s: float  # radar time spent on search
    deferred: int  # due dwells that did not fit in the budget


class MultifunctionScheduler:
    """Track file and time budget of one multifunction radar (mutable, one per run)."""

    def __init__(
        self,
        *,
        search_frame_s: float,
        track_capacity: int,
        track_dwell_s: float,
        max_track_fraction: float,
        revisit_s: Sequence[float],
    ) -> None:
        self.search_frame_s = float(search_frame_s)
        self.track_capacity = int(track_capacity)
        self.track_dwell_s = float(track_dwell_s)
        self.max_track_fraction = float(max_track_fraction)
        self.revisit_s = np.asarray(revisit_s, dtype=float)  # by priority level
        self.search_azimuth_rad = 0.0
        self.ids = np.zeros(0, np.int64)
        self.last_dwell_s = np.zeros(0)
        self.misses = np.zeros(0, np.int64)
        self.priority = np.zeros(0, np.int8)
        self.forced = np.zeros(0, bool)  # priority set by the command stage
        self.max_held = 0
        self.search_time_total_s = 0.0
        self.track_time_total_s = 0.0

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def tracked_ids(self) -> NDArray[np.int64]:
        """Target (threat) ids the radar holds in track, in the order they were taken on."""
        return self.ids.copy()

    def plan(self, start_s: float, end_s: float) -> SchedulePlan:
        """Split ``(start_s, end_s]`` between due track dwells and search."""
        span_s = max(end_s - start_s, 0.0)
        revisit = self.revisit_s[self.priority]
        due_at = self.last_dwell_s + revisit
        due = np.flatnonzero(due_at <= end_s)
        # A track whose revisit is shorter than the step is due several times in it.
        # An overdue track is served as soon as possible, with no backlog of missed revisits.
        first = np.maximum(due_at[due], start_s + 1e-9)
        repeats = np.floor((end_s - first) / revisit[due]).astype(np.int64) + 1
        rows = np.repeat(due, repeats)
        nth = np.arange(rows.size) - np.repeat(np.cumsum(repeats) - repeats, repeats)
        when = np.repeat(first, repeats) + nth * revisit[rows]
        order = np.lexsort((when, self.priority[rows]))
        room = int(np.floor(self.max_track_fraction * span_s / self.track_dwell_s + 1e-9))
        chosen = order[:room]
        chosen = chosen[np.argsort(when[chosen], kind="stable")]
        k = chosen.size
        # Dwells run back to back from each one's due time (never before the step starts).
        slot = start_s + self.track_dwell_s * np.arange(1, k + 1)
        dwell_time = np.minimum(np.maximum(when[chosen], slot), end_s)
        chosen_rows = rows[chosen]
        track_time = k * self.track_dwell_s
        search_time = max(span_s - track_time, 0.0)
        width = min(_TWO_PI * search_time / self.search_frame_s, _TWO_PI)
        start_rad = self.search_azimuth_rad
        self.search_azimuth_rad = float(np.mod(start_rad + width, _TWO_PI))
        self.search_time_total_s += search_time
        self.track_time_total_s += track_time
        return SchedulePlan(
            dwell_ids=self.ids[chosen_rows].copy(),
            dwell_time_s=dwell_time,
            search_start_rad=start_rad,
            search_width_rad=width,
            search_time_s=search_time,
            deferred=int(order.size - k),
        )

    def update(
        self,
        plan: SchedulePlan,
        end_s: float,
        dwell_hit_ids: ArrayLike,
        search_ids: ArrayLike,
        search_priority: ArrayLike,
        present_ids: ArrayLike,
    ) -> None:
        """Record the step's outcome.

        Parameters
        ----------
        plan : SchedulePlan
            The plan this step ran.
        end_s : float
            End of the step; a track opened now is first due a revisit interval later.
        dwell_hit_ids : array_like of int
            Targets detected on their track dwell.
        search_ids, search_priority : array_like
            Targets detected by the search (truth ids >= 0) and their priority levels.
        present_ids : array_like of int
            Targets still in the air and alive; others leave the file.
        """
        dwelled = np.unique(plan.dwell_ids)
        rows = _rows_of(self.ids, dwelled)
        if rows.size:
            last = np.full(rows.size, -np.inf)
            np.maximum.at(last, np.searchsorted(dwelled, plan.dwell_ids), plan.dwell_time_s)
            self.last_dwell_s[rows] = last
            hit = np.isin(dwelled, np.asarray(dwell_hit_ids, np.int64))
            looks = np.bincount(np.searchsorted(dwelled, plan.dwell_ids), minlength=rows.size)
            self.misses[rows] = np.where(hit, 0, self.misses[rows] + looks)
        keep = (self.misses < MISSES_TO_DROP) & np.isin(self.ids, np.asarray(present_ids))
        self._keep(keep)
        ids = np.asarray(search_ids, np.int64)
        prio = np.asarray(search_priority, np.int8)
        held = np.isin(ids, self.ids)
        # Refresh the priority of held targets seen by search (unless command set it).
        rows = _rows_of(self.ids, ids[held])
        self.priority[rows] = np.where(self.forced[rows], self.priority[rows], prio[held])
        new = np.flatnonzero(~held)
        if new.size:
            _, first = np.unique(ids[new], return_index=True)
            new = new[np.sort(first)]
            new = new[np.argsort(prio[new], kind="stable")]
            new = new[: max(self.track_capacity - len(self), 0)]
            if new.size:
                self.ids = np.concatenate([self.ids, ids[new]])
                self.last_dwell_s = np.concatenate(
                    [self.last_dwell_s, np.full(new.size, float(end_s))]
                )
                self.misses = np.concatenate([self.misses, np.zeros(new.size, np.int64)])
                self.priority = np.concatenate([self.priority, prio[new]])
                self.forced = np.concatenate([self.forced, np.zeros(new.size, bool)])
        self.max_held = max(self.max_held, len(self))

    def set_priority(self, ids: ArrayLike, priority: ArrayLike) -> None:
        """Command's threat priorities (0 high, 1 medium, 2 low) for held targets."""
        ids_ = np.asarray(ids, np.int64)
        prio = np.broadcast_to(np.asarray(priority, np.int8), ids_.shape)
        held = np.isin(ids_, self.ids)
        rows = _rows_of(self.ids, ids_[held])
        self.priority[rows] = prio[held]
        self.forced[rows] = True

    def _keep(self, keep: NDArray[np.bool_]) -> None:
        self.ids = self.ids[keep]
        self.last_dwell_s = self.last_dwell_s[keep]
        self.misses = self.misses[keep]
        self.priority = self.priority[keep]
        self.forced = self.forced[keep]


def _rows_of(held: NDArray[np.int64], ids: NDArray[np.int64]) -> NDArray[np.intp]:
    """Rows of ``held`` holding each of ``ids`` (all of which must be held)."""
    if ids.size == 0:
        return np.zeros(0, np.intp)
    order = np.argsort(held, kind="stable")
    return order[np.searchsorted(held[order], ids)]


def priority_from_closing(range_m: ArrayLike, closing_speed_mps: ArrayLike) -> NDArray[np.int8]:
    """Priority level from time to go to the radar: < 60 s high, < 180 s medium, else low."""
    r = np.asarray(range_m, dtype=float)
    v = np.asarray(closing_speed_mps, dtype=float)
    time_to_go_s = np.where(v > 1.0, r / np.maximum(v, 1.0), np.inf)
    return np.where(time_to_go_s < 60.0, HIGH, np.where(time_to_go_s < 180.0, MEDIUM, LOW)).astype(
        np.int8
    )
