"""Threat fates: killed (by whom, when), leaked (onto which asset), ended, or still flying.

``FateBook`` records what the world state (``iadsim.world.state``) decided: who was killed by
which interceptor, who reached which asset, whose path ended; it writes the matching events.
Who is still alive is world state, not an outcome.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from iadsim.engagement.interceptors import InterceptorFlights, InterceptResults
from iadsim.engagement.launchers import InterceptorClasses, Launchers
from iadsim.outcomes.events import EventLog
from iadsim.scenario.model import THREAT_TYPES
from iadsim.scenario.threat_spec import ROLES
from iadsim.world.threats import ThreatSet

FATES = ("flying", "killed", "leaked", "ended")
FLYING, KILLED, LEAKED, ENDED = range(4)


class FateBook:
    """Per-threat fate columns, filled in as the run goes."""

    def __init__(self, threats: ThreatSet, asset_names: tuple[str, ...], events: EventLog) -> None:
        n = len(threats)
        self.threats = threats
        self.asset_names = asset_names
        self.events = events
        self.fate = np.zeros(n, np.int8)
        self.fate_time_s = np.full(n, np.nan)
        self.killer = np.full(n, -1, np.int64)  # interceptor id
        self.leaked_asset = np.full(n, -1, np.int64)
        self.first_detection_s = np.full(n, np.nan)
        self.first_track_s = np.full(n, np.nan)
        self.interceptors_fired = np.zeros(n, np.int64)

    def detected(self, truth_id: NDArray[np.int64], time_s: NDArray[np.float64]) -> None:
        """Note first detections (false alarms, id -1, are ignored)."""
        ok = truth_id >= 0
        ids, t = truth_id[ok], time_s[ok]
        first = np.full(len(self.fate), np.inf)
        np.minimum.at(first, ids, t)
        seen = np.isfinite(first) & np.isnan(self.first_detection_s)
        self.first_detection_s[seen] = first[seen]

    def tracked(
        self, truth_id: NDArray[np.int64], confirmed: NDArray[np.bool_], time_s: float
    ) -> None:
        """Note the first time a confirmed track follows each threat."""
        ids = truth_id[confirmed & (truth_id >= 0)]
        new = ids[np.isnan(self.first_track_s[ids])]
        self.first_track_s[new] = time_s

    def intercepts(self, res: InterceptResults, killed: NDArray[np.bool_],
                   flights: InterceptorFlights, launchers: Launchers,
                   classes: InterceptorClasses) -> None:
        """Record end-game results in time order; ``killed``: which of them destroyed their
        threat (``WorldState.destroy_threats``)."""
        for k in np.argsort(res.time_s, kind="stable"):
            iid, tid = int(res.interceptor_id[k]), int(res.threat_id[k])
            lau = int(flights.launcher[iid])
            cls = classes.name[int(flights.class_index[iid])]
            common: dict[str, Any] = dict(
                interceptor_id=iid, launcher=launchers.name[lau], interceptor_class=cls,
                track_id=int(flights.track_id[iid]))
            t = float(res.time_s[k])
            self.events.add(t, "intercept", threat_id=tid, count=0,
                            detail=f"miss distance {res.miss_distance_m[k]:.1f} m", **common)
            if killed[k]:
                self.fate[tid], self.fate_time_s[tid], self.killer[tid] = KILLED, t, iid
                self.events.add(t, "kill", threat_id=tid, **common)
            else:
                why = ("outside the kill radius" if not res.in_basket[k] else
                       "survived the Pk draw" if not res.killed[k] else "target already gone")
                self.events.add(t, "miss", threat_id=tid, detail=why, **common)

    def arrivals(self, impacted: NDArray[np.int64], asset: NDArray[np.int64],
                 ended: NDArray[np.int64], gone_s: NDArray[np.float64]) -> None:
        """Record threats that reached an asset (leaked) and whose path ended (from the world
        state's ``arrivals``); ``gone_s`` (n,) is when each threat left the world."""
        for tid, a in zip(impacted.tolist(), asset.tolist(), strict=True):
            t = float(gone_s[tid])
            self.fate[tid], self.fate_time_s[tid], self.leaked_asset[tid] = LEAKED, t, a
            self.events.add(t, "leak", threat_id=tid, asset=self.asset_names[a])
        self.fate[ended] = ENDED
        self.fate_time_s[ended] = gone_s[ended]

    def frame(self, flights: InterceptorFlights, launchers: Launchers,
              classes: InterceptorClasses, tracks_truth: NDArray[np.int64]) -> pd.DataFrame:
        """``threats.parquet``: one row per threat with its fate."""
        th = self.threats
        fired = np.bincount(tracks_truth[tracks_truth >= 0], minlength=len(th))
        killer = self.killer
        has = killer >= 0
        safe = np.maximum(killer, 0)
        k_lau = np.where(has, flights.launcher[safe], -1) if len(flights) else killer
        k_cls = np.where(has, flights.class_index[safe], -1) if len(flights) else killer
        return pd.DataFrame({
            "threat_id": np.arange(len(th), dtype=np.int64),
            "name": pd.array(th.name, dtype="string"),
            "group": pd.array(th.group, dtype="string"),
            "type": pd.array([THREAT_TYPES[c] for c in th.threat_type], dtype="string"),
            "role": pd.array([ROLES[r] for r in _roles(th)], dtype="string"),  # (#19)
            "launch_time_s": th.launch_time_s,
            "fate": pd.array([FATES[f] for f in self.fate], dtype="string"),
            "fate_time_s": self.fate_time_s,
            "killer_launcher": pd.array(
                [launchers.name[i] if i >= 0 else "" for i in k_lau], dtype="string"),
            "killer_class": pd.array(
                [classes.name[i] if i >= 0 else "" for i in k_cls], dtype="string"),
            "leaked_asset": pd.array(
                [self.asset_names[a] if a >= 0 else "" for a in self.leaked_asset],
                dtype="string"),
            "interceptors_fired": fired[: len(th)].astype(np.int64),
            "first_detection_s": self.first_detection_s,
            "first_track_s": self.first_track_s,
        })


def _roles(th: ThreatSet) -> NDArray[np.int8]:
    """Each row's index into ``ROLES`` (threat, booster, debris, decoy); rows the world did not
    build (DIS-in threats joining later) are threats."""
    out = np.zeros(len(th), np.int8)
    if th.role is not None:
        out[: len(th.role)] = th.role[: len(th)]
    return out
