"""Sensors stage: the multifunction radar's time and energy budget, and its scheduler.

In: the radar's search volume, PRF and frame time or pulses per beam (once, at build); then
for each pipeline step the step's time, the interceptors it guides, and its own track file.
Out: a plan (uplinks, which held tracks get a dwell and when, how much of the search frame the
step advances), then the file updated with the step's detections. The rules, stated once:

* **Energy.** A search frame visits ``beam_positions`` = ceil(azimuth extent / azimuth
  beamwidth) x ceil(elevation extent / elevation beamwidth) beam positions, each for a dwell
  of ``pulses_per_beam`` pulse repetition intervals; an interval is the longer of 1 /
  ``prf_hz`` and the listening time 2 R / c to the search's instrumented range R
  (``search_range_m``, default ``max_range_m``): frame time = beam positions x pulses x
  max(1 / PRF, 2 R / c) (:func:`search_budget`; Barton's search equation: a beam cannot move
  before the echo from the farthest range it reports is back). So search never reports a
  target beyond R, and never an echo from an earlier pulse (range-ambiguous). The scenario
  gives the frame time (the pulses follow, at least one, so a frame too short for one pulse
  per beam takes longer than asked) or the pulses (the frame follows). Search detection integrates exactly those pulses; a track dwell integrates
  ``prf_hz x track_dwell_s`` of them, so track range exceeds search range. Without ``prf_hz``
  the time per pulse is unknown and the frame takes ``scan_period_s`` as given.
* **Time.** Guidance uplinks come first (``uplink_dwell_s`` per interceptor in flight every
  ``uplink_interval_s``); then confirmation and track dwells of ``track_dwell_s`` each, by
  priority (then the most overdue), up to ``max_track_fraction`` of the step; the rest of the
  step goes to search, so the more the radar tracks and guides, the slower its search
  revisit (the classic multifunction trade). Radar time per function is totalled
  (:meth:`MultifunctionScheduler.budget_report`).
* **Confirmation.** A search detection of a target not held opens a track if there is room
  (higher priority first); its first dwell (a confirmation dwell, due at once) must detect it
  or the track is dropped. Until a second detection gives it a velocity a track is revisited
  at high priority (its target may be fast).
* **Handover.** The system picture cues the radar (:meth:`MultifunctionScheduler.cue`: the
  fused tracks' positions, velocities and position sigmas): a held track without a velocity
  (one detection, or a confirmation dwell a dwell after it) takes the velocity of the cue in
  whose gate its detection falls (``GATE_SIGMAS`` of both sigmas), so its next dwell points
  where the target will be. Without one the radar's second look at 0.5 s points at a still
  position, which a 1.4 km/s re-entry vehicle has left by 0.7 km, most of a 1.5 deg beam at
  30 km: the track was confirmed and lost every search frame.
* **Revisit.** A held track is due every ``revisit_high_s`` / ``revisit_medium_s`` /
  ``revisit_low_s`` by its priority (0 high, 1 medium, 2 low). Priority comes from the threat's
  time to go to the radar (closing geometry the radar measures): under 60 s high, under 180 s
  medium, else low; the command stage may override it with :meth:`MultifunctionScheduler.
  set_priority`.
* **Capacity.** At most ``track_capacity`` tracks are held; three missed dwells in a row (one
  missed confirmation dwell) drop one; so does a younger track within ``DUPLICATE_M`` of an
  older one (``iadsim.sensors.track_file``). The radar never learns that a target is gone.

The same radars' fire-control and guidance channels (``fire_control_channels``,
``guidance_channels`` in the sensor spec) limit the command stage: see
``iadsim.scenario.command_spec.channel_limits`` and ``iadsim.command.doctrine``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.sensors import track_file
from iadsim.sensors.range_equation import SPEED_OF_LIGHT_MPS

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


@dataclass(frozen=True, slots=True)
class SearchBudget:
    """A multifunction radar's search frame: beam positions x pulses per beam / PRF."""

    beam_positions: int
    pulses_per_beam: int
    dwell_s: float  # radar time per beam position
    frame_s: float  # one frame when the whole budget goes to search
    range_m: float = float("inf")  # instrumented search range: search reports nothing beyond


def search_beam_positions(
    *,
    azimuth_extent_rad: float,
    azimuth_beamwidth_rad: float,
    elevation_extent_rad: float,
    elevation_beamwidth_rad: float,
) -> int:
    """Beam positions of one search frame (a fan beam, infinite elevation width: one row)."""
    columns = max(int(np.ceil(azimuth_extent_rad / azimuth_beamwidth_rad - 1e-9)), 1)
    if not np.isfinite(elevation_beamwidth_rad):
        return columns
    rows = max(int(np.ceil(elevation_extent_rad / elevation_beamwidth_rad - 1e-9)), 1)
    return columns * rows


def search_budget(
    *,
    beam_positions: int,
    prf_hz: float | None,
    frame_s: float | None = None,
    pulses_per_beam: int | None = None,
    default_pulses: int = 1,
    instrumented_range_m: float = float("inf"),
) -> SearchBudget:
    """The search frame from the frame time *or* the pulses per beam (module doc, Energy).

    One pulse interval is ``max(1 / prf_hz, 2 instrumented_range_m / c)``. Given ``frame_s``,
    the pulses are ``floor(frame_s / (beam_positions x interval))``, at least one, and the
    frame is what those pulses take. Without ``prf_hz``: ``default_pulses`` per beam over the
    ``frame_s`` given.
    """
    if prf_hz is None:
        if frame_s is None:
            raise ValueError("a search frame without prf_hz needs its frame time")
        return SearchBudget(beam_positions, default_pulses, frame_s / beam_positions, frame_s,
                            instrumented_range_m)
    interval_s = pulse_interval_s(prf_hz, instrumented_range_m)
    if pulses_per_beam is None:
        if frame_s is None:
            raise ValueError("a search frame needs its frame time or its pulses per beam")
        pulses_per_beam = max(int(np.floor(frame_s / (beam_positions * interval_s) + 1e-9)), 1)
    dwell_s = pulses_per_beam * interval_s
    return SearchBudget(beam_positions, pulses_per_beam, dwell_s, beam_positions * dwell_s,
                        instrumented_range_m)


def pulse_interval_s(prf_hz: float, instrumented_range_m: float) -> float:
    """One search pulse's share of a beam dwell: the pulse repetition interval, or the
    listening time to the instrumented range if longer (2 R / c)."""
    return max(1.0 / prf_hz, 2.0 * instrumented_range_m / SPEED_OF_LIGHT_MPS)


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
        uplink_dwell_s: float = 0.0,
        uplink_interval_s: float = 1.0,
    ) -> None:
        self.search_frame_s = float(search_frame_s)
        self.uplink_dwell_s = float(uplink_dwell_s)
        self.uplink_interval_s = float(uplink_interval_s)
        self.uplinks = 0  # interceptors in flight this radar guides
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
        self.confirming = np.zeros(0, bool)  # opened by search, confirmation dwell not yet run
        # The radar's own estimate of each held track (radar-local ENU), from its detections.
        self.position_m = np.zeros((0, 3))
        self.velocity_mps = np.zeros((0, 3))
        self.state_s = np.zeros(0)
        self.updates = np.zeros(0, np.int64)  # detections the estimate is built on
        self.opened_sigma_m = np.zeros(0)  # RMS position sigma of the detection that opened it
        # Handover cues from the system picture (radar-local ENU), at ``cue_time_s``.
        self.cue_time_s = 0.0
        self.cue_position_m = np.zeros((0, 3))
        self.cue_velocity_mps = np.zeros((0, 3))
        self.cue_sigma_m = np.zeros(0)
        self.cued_total = 0
        self._next_id = 0
        self.max_held = 0
        self.search_time_total_s = 0.0
        self.track_time_total_s = 0.0
        self.confirm_time_total_s = 0.0
        self.uplink_time_total_s = 0.0
        self.borrowed_s = 0.0  # radar time confirmations took after the plan: search pays it
        self.deferred_total = 0
        self.dwells_total = 0
        self.dwell_hits_total = 0

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def tracked_ids(self) -> NDArray[np.int64]:
        """The radar's own ids of the tracks it holds, in the order they were taken on."""
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
        uplink_time = min(self.uplinks * self.uplink_dwell_s * span_s / self.uplink_interval_s,
                          span_s)
        track_room_s = min(self.max_track_fraction * span_s, span_s - uplink_time)
        room = int(np.floor(track_room_s / self.track_dwell_s + 1e-9))
        chosen = order[:room]
        chosen = chosen[np.argsort(when[chosen], kind="stable")]
        k = chosen.size
        # Dwells run back to back from each one's due time (never before the step starts).
        slot = start_s + self.track_dwell_s * np.arange(1, k + 1)
        dwell_time = np.minimum(np.maximum(when[chosen], slot), end_s)
        chosen_rows = rows[chosen]
        confirm_time = float(np.count_nonzero(self.confirming[chosen_rows])) * self.track_dwell_s
        track_time = k * self.track_dwell_s - confirm_time
        search_time = max(span_s - uplink_time - k * self.track_dwell_s - self.borrowed_s, 0.0)
        self.borrowed_s = 0.0
        width = min(_TWO_PI * search_time / self.search_frame_s, _TWO_PI)
        start_rad = self.search_azimuth_rad
        after = float(np.mod(start_rad + width, _TWO_PI))
        # A frame ending a hair before north has ended: snap, or the next step reports it again.
        self.search_azimuth_rad = 0.0 if after > _TWO_PI - 1e-9 else after
        self.search_time_total_s += search_time
        self.track_time_total_s += track_time
        self.confirm_time_total_s += confirm_time
        self.uplink_time_total_s += uplink_time
        self.deferred_total += int(order.size - k)
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
        *,
        dwell_hit_ids: ArrayLike,
        dwell_hit_local_m: ArrayLike,
        dwell_hit_time_s: ArrayLike,
        search_local_m: ArrayLike,
        search_time_s: ArrayLike,
        search_sigma_m: ArrayLike,
    ) -> None:
        """Record the step's outcome in the radar's own track file (no truth).

        Parameters
        ----------
        plan : SchedulePlan
            The plan this step ran.
        end_s : float
            End of the step.
        dwell_hit_ids, dwell_hit_local_m, dwell_hit_time_s : array_like, (h,), (h, 3), (h,)
            Held tracks detected on their dwells, where (radar-local ENU) and when.
        search_local_m, search_time_s, search_sigma_m : array_like, (m, 3), (m,), (m,)
            The step's search detections (false alarms included: the radar cannot tell)
            and their RMS position sigmas.
            Each updates the held track in whose gate it falls; the others open tracks, if
            there is room, whose confirmation dwell is due at once.
        """
        dwelled = np.unique(plan.dwell_ids)
        rows = _rows_of(self.ids, dwelled)
        hit_ids = np.asarray(dwell_hit_ids, np.int64)
        self.dwells_total += int(plan.dwell_ids.size)
        self.dwell_hits_total += int(hit_ids.size)
        if rows.size:
            last = np.full(rows.size, -np.inf)
            np.maximum.at(last, np.searchsorted(dwelled, plan.dwell_ids), plan.dwell_time_s)
            self.last_dwell_s[rows] = last
            hit = np.isin(dwelled, hit_ids)
            looks = np.bincount(np.searchsorted(dwelled, plan.dwell_ids), minlength=rows.size)
            # A missed confirmation dwell drops the track at once.
            missed = np.where(self.confirming[rows], MISSES_TO_DROP, self.misses[rows] + looks)
            self.misses[rows] = np.where(hit, 0, missed)
            self.confirming[rows] = False
        self._apply(hit_ids, np.asarray(dwell_hit_local_m, float).reshape(-1, 3),
                    np.asarray(dwell_hit_time_s, float))
        self._keep(self.misses < MISSES_TO_DROP)
        z = np.asarray(search_local_m, float).reshape(-1, 3)
        tz = np.asarray(search_time_s, float)
        age = tz[:, None] - self.state_s[None, :]
        pred = self.position_m[None, :, :] + self.velocity_mps[None, :, :] * age[..., None]
        sz = np.asarray(search_sigma_m, float)
        track = track_file.associate(pred, age, z, sz)
        seen = track >= 0
        self._apply(self.ids[track[seen]], z[seen], tz[seen])
        new = np.flatnonzero(~seen)
        new = new[track_file.distinct(z[new], sz[new])][: max(self.track_capacity - len(self),
                                                              0)]
        if new.size:
            k = new.size
            self.ids = np.concatenate([self.ids, self._next_id + np.arange(k, dtype=np.int64)])
            self._next_id += k
            # Confirmation dwell due at once (served from the next step's start).
            self.last_dwell_s = np.concatenate(
                [self.last_dwell_s, np.full(k, float(end_s) - self.revisit_s[LOW])])
            self.confirming = np.concatenate([self.confirming, np.ones(k, bool)])
            self.misses = np.concatenate([self.misses, np.zeros(k, np.int64)])
            # High priority until a second detection gives it a velocity (then by closing):
            # pointed at a still position, a low-priority dwell 4 s on misses anything fast
            # (a 1.4 km/s re-entry vehicle is 5.6 km from it, several beamwidths)
            self.priority = np.concatenate([self.priority, np.full(k, HIGH, np.int8)])
            self.forced = np.concatenate([self.forced, np.zeros(k, bool)])
            self.position_m = np.vstack([self.position_m, z[new]])
            self.velocity_mps = np.vstack([self.velocity_mps, np.zeros((k, 3))])
            self.state_s = np.concatenate([self.state_s, tz[new]])
            self.updates = np.concatenate([self.updates, np.ones(k, np.int64)])
            self.opened_sigma_m = np.concatenate([self.opened_sigma_m, sz[new]])
        self._take_cues()
        self._keep(~track_file.duplicates(track_file.predict(
            self.position_m, self.velocity_mps, self.state_s, np.full(len(self), end_s))))
        # Priority from the track's own range and closing speed (unless command set it).
        moving = (self.updates >= 2) & ~self.forced
        range_m = np.linalg.norm(self.position_m, axis=1)
        closing = -np.einsum("ij,ij->i", self.velocity_mps, self.position_m) / np.maximum(
            range_m, 1.0)
        self.priority = np.where(moving, priority_from_closing(range_m, closing),
                                 self.priority).astype(np.int8)
        self.max_held = max(self.max_held, len(self))

    def cue(self, time_s: float, position_m: ArrayLike, velocity_mps: ArrayLike,
            sigma_m: ArrayLike) -> None:
        """Handover cues (module doc, Handover): the system picture's tracks at ``time_s``,
        positions (n, 3) and velocities (n, 3) in this radar's local ENU, RMS position sigmas
        (n,); they replace the previous cues."""
        self.cue_time_s = float(time_s)
        self.cue_position_m = np.asarray(position_m, float).reshape(-1, 3)
        self.cue_velocity_mps = np.asarray(velocity_mps, float).reshape(-1, 3)
        self.cue_sigma_m = np.asarray(sigma_m, float).reshape(-1)

    def _take_cues(self) -> None:
        """Held tracks without a velocity take the velocity of the nearest cue in whose gate
        their position falls: ``GATE_SIGMAS`` x the root sum square of the cue's position sigma
        and that of the detection that opened the track."""
        rows = np.flatnonzero(self.updates == 1)
        if rows.size == 0 or self.cue_position_m.shape[0] == 0:
            return
        age = self.state_s[rows][:, None] - self.cue_time_s
        pred = self.cue_position_m[None, :, :] + self.cue_velocity_mps[None, :, :] * age[..., None]
        d = np.linalg.norm(pred - self.position_m[rows][:, None, :], axis=2)
        gate = track_file.GATE_SIGMAS * np.hypot(self.opened_sigma_m[rows][:, None],
                                                 self.cue_sigma_m[None, :])
        d = np.where(d <= gate, d, np.inf)
        best = np.argmin(d, axis=1)
        ok = np.isfinite(d[np.arange(rows.size), best])
        self.velocity_mps[rows[ok]] = self.cue_velocity_mps[best[ok]]
        self.updates[rows[ok]] = 2  # a velocity: the pointing filter refines it from here
        self.cued_total += int(np.count_nonzero(ok))

    def pointing_m(self, ids: ArrayLike, time_s: ArrayLike) -> NDArray[np.float64]:
        """Where the held tracks ``ids`` predict their targets at ``time_s`` (k, 3), radar-local
        ENU: a track dwell points its beam there."""
        rows = _rows_of(self.ids, np.asarray(ids, np.int64))
        return track_file.predict(self.position_m[rows], self.velocity_mps[rows],
                                  self.state_s[rows], np.asarray(time_s, float))

    def _apply(self, ids: NDArray[np.int64], z: NDArray[np.float64],
               time_s: NDArray[np.float64]) -> None:
        """Update held tracks ``ids`` with measurements ``z`` in time order (several per track
        in one step: one round per measurement of the busiest track)."""
        order = np.argsort(time_s, kind="stable")
        ids, z, time_s = ids[order], z[order], time_s[order]
        while ids.size:
            _, first = np.unique(ids, return_index=True)
            rows = _rows_of(self.ids, ids[first])
            (self.position_m[rows], self.velocity_mps[rows], self.state_s[rows],
             self.updates[rows]) = track_file.update(
                self.position_m[rows], self.velocity_mps[rows], self.state_s[rows],
                self.updates[rows], z[first], time_s[first])
            rest = np.ones(ids.size, bool)
            rest[first] = False
            ids, z, time_s = ids[rest], z[rest], time_s[rest]

    def set_uplinks(self, count: int) -> None:
        """Interceptors in flight this radar guides from now on (each costs uplink time)."""
        self.uplinks = max(int(count), 0)

    def budget_report(self) -> dict[str, float | int | None]:
        """Radar time per function so far (seconds and fractions) and the search frame it
        gave: ``search_frame_mean_s`` is a frame's length at the search share achieved."""
        spent = {
            "search": self.search_time_total_s,
            "track": self.track_time_total_s,
            "confirmation": self.confirm_time_total_s,
            "uplink": self.uplink_time_total_s,
        }
        total = sum(spent.values())
        out: dict[str, float | int | None] = {f"{k}_s": round(v, 6) for k, v in spent.items()}
        out.update({f"{k}_fraction": round(v / total, 6) if total > 0 else 0.0
                    for k, v in spent.items()})
        share = spent["search"] / total if total > 0 else 1.0
        out["search_frame_s"] = self.search_frame_s
        out["search_frame_mean_s"] = (round(self.search_frame_s / share, 6) if share > 0
                                      else None)  # None: no search at all
        out["deferred_dwells"] = self.deferred_total
        out["dwells"] = self.dwells_total
        out["dwell_detections"] = self.dwell_hits_total  # merged returns count once
        out["max_tracks_held"] = self.max_held
        out["tracks_cued"] = self.cued_total  # new tracks given a velocity by a handover cue
        return out

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
        self.confirming = self.confirming[keep]
        self.position_m = self.position_m[keep]
        self.velocity_mps = self.velocity_mps[keep]
        self.state_s = self.state_s[keep]
        self.updates = self.updates[keep]
        self.opened_sigma_m = self.opened_sigma_m[keep]


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
