"""Kill assessment: the command stage learns, ``kill_assessment_s`` after each intercept, whether
the engaged threat was destroyed, and is right with probability ``kill_assessment_pc``.

In: each resolved interceptor's track id, intercept time and whether its target is in fact gone
(the world state: what a battle-damage look observes). Out: the track ids reported killed (the
tracker drops them and the doctrine stops engaging them). A report is wrong with probability
``1 - kill_assessment_pc``: a real kill reported as a miss leaves the track engageable (it
draws a round only if a fire-control radar still holds it, and a destroyed target gives no
returns), a miss reported as a kill lets a live threat go until the radars form a new track.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class KillReports:
    """Assessments reported in one step, one row each, in report-time order.

    ``kill`` is what the command believes (right with probability ``kill_assessment_pc``);
    whether it was right is truth the command never sees (outcomes record it).
    ``drop_track_id``: the tracks the tracker drops because their threat was reported killed.
    """

    interceptor_id: NDArray[np.int64]
    track_id: NDArray[np.int64]
    time_s: NDArray[np.float64]
    intercept_time_s: NDArray[np.float64]
    kill: NDArray[np.bool_]
    drop_track_id: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))

    def __len__(self) -> int:
        return int(self.track_id.shape[0])


class KillAssessment:
    """Queue of intercepts awaiting their assessment; one uniform draw per intercept.

    Parameters
    ----------
    delay_s
        Time from intercept to report.
    pc
        Probability that a report is correct (kill reported as kill, miss as miss).
    rng
        Draws for the report errors (only consumed when ``pc < 1``).
    """

    def __init__(self, delay_s: float, pc: float, *, rng: np.random.Generator) -> None:
        self.delay_s, self.pc, self.rng = float(delay_s), float(pc), rng
        self._due_s = np.empty(0)
        self._track_id = np.empty(0, np.int64)
        self._destroyed = np.empty(0, bool)
        self._interceptor_id = np.empty(0, np.int64)

    def add(
        self,
        track_id: NDArray[np.int64],
        intercept_time_s: NDArray[np.float64],
        target_destroyed: NDArray[np.bool_],
        interceptor_id: NDArray[np.int64] | None = None,
    ) -> None:
        """Queue intercepts (one row each) for assessment at ``intercept_time_s + delay_s``;
        ``interceptor_id`` (default -1) names the round each assessment is of."""
        iid = (np.full(np.shape(track_id), -1, np.int64) if interceptor_id is None
               else np.asarray(interceptor_id, np.int64))
        self._interceptor_id = np.concatenate([self._interceptor_id, iid])
        self._due_s = np.concatenate([self._due_s, np.asarray(intercept_time_s) + self.delay_s])
        self._track_id = np.concatenate([self._track_id, np.asarray(track_id, np.int64)])
        self._destroyed = np.concatenate([self._destroyed, np.asarray(target_destroyed, bool)])

    def reports(self, time_s: float) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
        """Assessments due by ``time_s``: track ids and the reported kill (``True``) or miss."""
        due = self.due(time_s)
        return due.track_id, due.kill

    def due(self, time_s: float) -> KillReports:
        """Assessments due by ``time_s`` (removed from the queue), in report-time order."""
        due = self._due_s <= time_s + 1e-9
        order = np.flatnonzero(due)[np.argsort(self._due_s[due], kind="stable")]
        track_id, destroyed = self._track_id[order], self._destroyed[order]
        out = dict(interceptor_id=self._interceptor_id[order], track_id=track_id,
                   time_s=self._due_s[order], intercept_time_s=self._due_s[order] - self.delay_s)
        keep = ~due
        self._due_s, self._track_id = self._due_s[keep], self._track_id[keep]
        self._destroyed, self._interceptor_id = self._destroyed[keep], self._interceptor_id[keep]
        if self.pc >= 1.0 or order.size == 0:
            return KillReports(kill=destroyed, **out)
        correct = self.rng.random(order.size) < self.pc
        return KillReports(kill=np.where(correct, destroyed, ~destroyed), **out)

    @property
    def pending_track_id(self) -> NDArray[np.int64]:
        """Tracks with an intercept not assessed yet."""
        return self._track_id.copy()
