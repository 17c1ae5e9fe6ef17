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

import numpy as np
from numpy.typing import NDArray


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

    def add(
        self,
        track_id: NDArray[np.int64],
        intercept_time_s: NDArray[np.float64],
        target_destroyed: NDArray[np.bool_],
    ) -> None:
        """Queue intercepts (one row each) for assessment at ``intercept_time_s + delay_s``."""
        self._due_s = np.concatenate([self._due_s, np.asarray(intercept_time_s) + self.delay_s])
        self._track_id = np.concatenate([self._track_id, np.asarray(track_id, np.int64)])
        self._destroyed = np.concatenate([self._destroyed, np.asarray(target_destroyed, bool)])

    def reports(self, time_s: float) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
        """Assessments due by ``time_s``: track ids and the reported kill (``True``) or miss."""
        due = self._due_s <= time_s + 1e-9
        order = np.flatnonzero(due)[np.argsort(self._due_s[due], kind="stable")]
        track_id, destroyed = self._track_id[order], self._destroyed[order]
        keep = ~due
        self._due_s, self._track_id = self._due_s[keep], self._track_id[keep]
        self._destroyed = self._destroyed[keep]
        if self.pc >= 1.0 or order.size == 0:
            return track_id, destroyed
        correct = self.rng.random(order.size) < self.pc
        return track_id, np.where(correct, destroyed, ~destroyed)

    @property
    def pending_track_id(self) -> NDArray[np.int64]:
        """Tracks with an intercept not assessed yet."""
        return self._track_id.copy()
