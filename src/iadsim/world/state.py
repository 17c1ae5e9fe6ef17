"""World stage: who is still in the world. Threats now; radars and launchers once they can fall.

In: the ``ThreatSet`` and what happened to each threat (destroyed by an interceptor, impact on a
defended asset, end of its path). Out: the ``threat_alive`` mask that radars, the end game and
DIS read, and when and why each threat left. Outcomes record fates from here; they do not own
them. Every method works on all threats at once and at n = 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from iadsim.scenario.model import THREAT_TYPES
from iadsim.world.threats import ThreatSet

IN_WORLD, DESTROYED, IMPACTED, PATH_ENDED = range(4)
"""Codes of ``WorldState.threat_status``: still there, killed, reached an asset, path over."""

_BALLISTIC = THREAT_TYPES.index("ballistic_missile")


@dataclass(frozen=True, slots=True)
class Arrivals:
    """What ``WorldState.advance`` found at one time: every threat's true state, (n, 3) each,
    the ids that impacted an asset (with the asset each hit) and those whose path ended."""

    position_enu_m: NDArray[np.float64]
    velocity_enu_mps: NDArray[np.float64]
    impacted: NDArray[np.int64]
    asset: NDArray[np.int64]
    ended: NDArray[np.int64]


class WorldState:
    """Per-threat presence: ``threat_status`` (codes above) and ``threat_gone_s``, (n,) each.

    A threat that is not launched yet is ``IN_WORLD`` (alive) but not in the air: combine with
    ``ThreatSet.in_air`` for what radars can see.
    """

    def __init__(self, threats: ThreatSet, *, assets: tuple[NDArray[np.float64], ...] = (),
                 not_at_assets: NDArray[np.int64] | None = None) -> None:
        n = len(threats)
        self.threats = threats
        # threats aimed at something other than the defended assets (anti-radiation missiles at
        # radars): flying over an asset is not an impact on it
        self.aims_at_asset = np.ones(n, bool)
        if not_at_assets is not None:
            self.aims_at_asset[np.asarray(not_at_assets, np.int64)] = False
        # defended assets (positions (a, 3) ENU, values, radii (a,)), as ``advance`` reads them
        pos, _, radius = assets if assets else (np.empty((0, 3)), np.empty(0), np.empty(0))
        self.asset_position_enu_m = np.asarray(pos, float).reshape(-1, 3)
        self.asset_radius_m = np.asarray(radius, float).reshape(-1)
        self.threat_status = np.full(n, IN_WORLD, np.int8)
        self.threat_gone_s = np.full(n, np.nan)
        self.threat_impact_asset = np.full(n, -1, np.int64)
        self._unreleased = np.empty(0, np.int64)  # reported as ended by the next ``arrivals``

    @property
    def threat_alive(self) -> NDArray[np.bool_]:
        """Not destroyed, not impacted, path not over, ``(n,)`` (a copy)."""
        return self.threat_status == IN_WORLD

    def present_after(self, time_s: float) -> NDArray[np.bool_]:
        """In the world at some time after ``time_s``, ``(n,)``: alive, or gone (destroyed,
        impacted, path over) later than ``time_s`` (a threat killed within a step is seen by
        the step's looks made before its death: ``DetectionBatch.seen_before``)."""
        return (self.threat_status == IN_WORLD) | (self.threat_gone_s > time_s)

    def destroy_threats(
        self, threat_id: NDArray[np.int64], time_s: NDArray[np.float64], lethal: NDArray[np.bool_]
    ) -> NDArray[np.bool_]:
        """Apply intercept outcomes in time order; ``True`` where a lethal one killed a live threat.

        Rows are intercepts (``threat_id`` -1: nothing there). A second lethal intercept on a
        threat already destroyed (earlier in the list, or before) kills nothing.
        """
        threat_id = np.asarray(threat_id, np.int64)
        killed = np.zeros(threat_id.shape[0], bool)
        for k in np.argsort(time_s, kind="stable").tolist():
            tid = int(threat_id[k])
            if lethal[k] and tid >= 0 and self.threat_status[tid] == IN_WORLD:
                self.threat_status[tid] = DESTROYED
                self.threat_gone_s[tid] = float(time_s[k])
                killed[k] = True
                self._drop_unreleased(tid, float(time_s[k]))
        return killed

    def evade(self, time_s: float, engaged: NDArray[np.int64], *, rng: np.random.Generator
              ) -> NDArray[np.int64]:
        """Aircraft that interceptors in flight are aimed at (``engaged`` ids) may break (drawn
        once each, ``world.evasion``); a carrier that breaks drops the weapons not yet released.
        Returns the ids that break now."""
        ev = self.threats.evasion
        if ev is None:
            return np.empty(0, np.int64)
        engaged = np.asarray(engaged, np.int64)
        engaged = engaged[(engaged >= 0) & (engaged < len(self.threats))]
        live = engaged[self.threat_status[engaged] == IN_WORLD]
        go = ev.draw(live, time_s, rng=rng)
        if go.size:
            self.threats.start_evasion(go, time_s)
            for row in ev.rows[go].tolist():
                self._drop_unreleased(row, time_s)
        return ev.rows[go].astype(np.int64)

    def _drop_unreleased(self, carrier: int, time_s: float) -> None:
        """Stand-off weapons a killed (or breaking) carrier had not released yet never fly: their
        path ends (fate ``ended``) then."""
        th = self.threats
        rows = th.weapon_rows[(th.weapon_carrier == carrier)
                              & (th.launch_time_s[th.weapon_rows] > time_s)]
        rows = rows[self.threat_status[rows] == IN_WORLD]
        self.threat_status[rows] = PATH_ENDED
        self.threat_gone_s[rows] = time_s
        self._unreleased = np.concatenate([self._unreleased, rows.astype(np.int64)])

    def advance(self, time_s: float) -> Arrivals:
        """Threat truth at ``time_s``; those reaching one of the world's defended assets (given
        at construction) or the end of their path leave the world (``arrivals``)."""
        pos, vel = self.threats.state(time_s)
        impacted, asset, ended = self.arrivals(time_s, pos, self.asset_position_enu_m,
                                               self.asset_radius_m)
        return Arrivals(pos, vel, impacted, asset, ended)

    def arrivals(
        self,
        time_s: float,
        position_enu_m: NDArray[np.float64],
        asset_position_enu_m: NDArray[np.float64],
        asset_radius_m: NDArray[np.float64],
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """Threats reaching an asset by ``time_s`` (ballistic ones only at impact) leave the world,
        as do those whose path is over.

        ``position_enu_m`` (n, 3) is every threat's position at ``time_s``. Returns the ids that
        impacted, the asset each hit (first asset whose radius holds it), and the ids whose path
        ended without an impact.
        """
        th = self.threats
        present = self.threat_alive & (th.launch_time_s <= time_s)
        ground_m = np.linalg.norm(
            position_enu_m[:, None, :2] - asset_position_enu_m[None, :, :2], axis=2
        ).reshape(len(th), -1)
        inside = ground_m <= asset_radius_m[None, :]
        at_end = time_s >= th.end_time_s
        ballistic = th.threat_type == _BALLISTIC
        hit = present & np.where(ballistic, at_end, True) & inside.any(axis=1) & self.aims_at_asset
        ids = np.flatnonzero(hit).astype(np.int64)
        asset = np.argmax(inside[ids], axis=1).astype(np.int64) if ids.size else ids.copy()
        self.threat_status[ids] = IMPACTED
        self.threat_gone_s[ids] = np.minimum(time_s, th.end_time_s[ids])
        self.threat_impact_asset[ids] = asset
        ended = np.flatnonzero(self.threat_alive & at_end).astype(np.int64)
        self.threat_status[ended] = PATH_ENDED
        self.threat_gone_s[ended] = th.end_time_s[ended]
        if self._unreleased.size:  # stand-off weapons of carriers killed before the release
            ended, self._unreleased = np.sort(np.concatenate([ended, self._unreleased])), \
                np.empty(0, np.int64)
        return ids, asset, ended
