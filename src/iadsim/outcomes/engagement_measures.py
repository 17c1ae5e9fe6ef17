"""Outcomes: engagement measures of one run, for ``summary.json``.

In: the run's threats table (one row per threat, with fate and killer class) and engagements
table (one row per interceptor fired), interceptor and threat costs. Out: rounds per class and
per kill, the notional cost-exchange ratio, whether the raid was annihilated, and the
engagement timeline per launcher. P(raid annihilation) is the Monte Carlo mean of
``raid_annihilation`` over replications.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd


def engagement_measures(
    threats: pd.DataFrame,
    engagements: pd.DataFrame,
    *,
    class_names: tuple[str, ...],
    class_cost: Mapping[str, float],
    threat_cost: Mapping[str, float],
) -> dict[str, Any]:
    """Measures of one run (JSON-ready).

    * ``rounds_per_kill``: interceptors fired / threats killed (None without kills);
    * ``rounds_per_kill_by_class``: rounds of a class / kills credited to that class;
    * ``kills_by_class``: threats killed by each class;
    * ``threat_cost_killed``, ``threat_cost_total``: notional costs from ``threat_cost``;
    * ``cost_exchange_ratio``: cost of threats killed / cost of interceptors fired (> 1
      favours the defence; None when nothing was fired);
    * ``raid_annihilated``: every threat killed, also as ``raid_annihilation`` (1.0 or 0.0, a
      numeric metric whose Monte Carlo mean is P(raid annihilation));
      ``no_leakers``: no threat reached an asset;
    * ``engagement_timeline``: per launcher, one entry per interceptor, in launch order.
    """
    fate = threats["fate"].astype(str).to_numpy()
    killed = threats[fate == "killed"]
    fired = engagements["interceptor_class"].astype(str).to_numpy()
    rounds = {c: int(np.sum(fired == c)) for c in class_names}
    killer = killed["killer_class"].astype(str).to_numpy()
    kills_by_class = {c: int(np.sum(killer == c)) for c in class_names}
    total_rounds = int(sum(rounds.values()))
    types = threats["type"].astype(str).to_numpy()
    cost_of = np.array([float(threat_cost.get(t, 0.0)) for t in types], dtype=float)
    threat_killed_cost = float(cost_of[fate == "killed"].sum())
    spent = float(sum(rounds[c] * class_cost[c] for c in class_names))
    timeline: dict[str, list[dict[str, Any]]] = {}
    if len(engagements):
        ordered = engagements.sort_values(["launch_time_s", "interceptor_id"], kind="stable")
        for launcher, rows in ordered.groupby("launcher", sort=True, observed=True):
            timeline[str(launcher)] = [
                {
                    "interceptor_id": int(r.interceptor_id),
                    "launch_time_s": float(r.launch_time_s),
                    "intercept_time_s": float(r.intercept_time_s),
                    "track_id": int(r.track_id),
                    "threat_id": int(r.target_threat_id),
                    "outcome": str(r.outcome),
                }
                for r in rows.itertuples(index=False)
            ]
    n_killed = len(killed)
    return {
        "rounds_per_kill": total_rounds / n_killed if n_killed else None,
        "rounds_per_kill_by_class": {
            c: (rounds[c] / kills_by_class[c] if kills_by_class[c] else None) for c in class_names
        },
        "kills_by_class": kills_by_class,
        "threat_cost_killed": threat_killed_cost,
        "threat_cost_total": float(cost_of.sum()),
        "cost_exchange_ratio": threat_killed_cost / spent if spent > 0 else None,
        "raid_annihilated": bool(len(threats) > 0 and n_killed == len(threats)),
        "raid_annihilation": float(len(threats) > 0 and n_killed == len(threats)),
        "no_leakers": bool(not (fate == "leaked").any()),
        "engagement_timeline": timeline,
    }
