"""Monte Carlo stage: a contested run's EW outcomes as replication columns.

In: a run's ``summary["ew"]`` (``ew.contested.ContestedSky.report``) and the sweep point's
scenario. Out: scalar columns whose keys depend only on the scenario (so every replication of
a point has them; none without an ``ew`` section): ``ew_radars_lost``, per radar
``ew_emit_s_<radar>`` (time emitted) and ``ew_lost_<radar>`` (1 if destroyed),
``ew_strobes``, ``ew_jammer_tracks`` (triangulated position tracks on a jammer) and
``ew_ghost_jammer_tracks``, ``ew_arm_hits``, ``ew_arm_misses``, ``ew_arms_intercepted``,
``ew_rounds_at_decoys``, ``ew_rounds_at_false_tracks``, ``ew_leakers_not_decoys`` and,
with ARM strikes, ``killed_anti_radiation_missile``.
``iadsim mc`` and ``iadsim sweep`` then report their means with intervals like any metric.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from iadsim.scenario.model import Scenario


def ew_columns(summary: Mapping[str, Any], scenario: Scenario) -> dict[str, float]:
    """The EW columns of one replication ({} when the scenario models no EW)."""
    if not scenario.ew.active:
        return {}
    ew = summary.get("ew", {}) or {}
    radars = ew.get("radars", {}) or {}
    row: dict[str, float] = {"ew_radars_lost": float(ew.get("radars_lost", 0))}
    for s in scenario.sensors:
        r = radars.get(s.name, {}) or {}
        row[f"ew_emit_s_{s.name}"] = float(r.get("emit_time_s", math.nan))
        row[f"ew_lost_{s.name}"] = float(r.get("destroyed_s") is not None)
    tracks = (ew.get("jammer_tracks", {}) or {}).get("position_tracks", []) or []
    arms = ew.get("arms", {}) or {}
    decoys = ew.get("decoys", {}) or {}
    row.update({
        "ew_strobes": float(ew.get("strobes", 0)),
        "ew_jammer_tracks": float(sum(t.get("jammer") != "ghost" for t in tracks)),
        "ew_ghost_jammer_tracks": float(sum(t.get("jammer") == "ghost" for t in tracks)),
        "ew_arm_hits": float(arms.get("hits", 0)),
        "ew_arm_misses": float(arms.get("misses", 0)),
        "ew_arms_intercepted": float(arms.get("intercepted", 0)),
        "ew_rounds_at_decoys": float(decoys.get("rounds_at_decoys", 0)),
        "ew_rounds_at_false_tracks": float(ew.get("rounds_at_false_tracks", 0)),
        "ew_leakers_not_decoys": float(decoys.get("leakers_not_decoys",
                                                  summary.get("leakers", 0))),
    })
    if scenario.ew.arm_strikes:  # ARM groups join the raid inside the run only
        by_type = (summary.get("threats", {}) or {}).get("anti_radiation_missile", {}) or {}
        row["killed_anti_radiation_missile"] = float(by_type.get("killed", 0))
    return row
