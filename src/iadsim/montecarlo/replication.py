"""Monte Carlo stage: one replication -> one flat row of metrics.

In: a validated ``SweepPoint`` and a replication index. Out: a dict of scalars (counts as int,
metrics as float) whose keys depend only on the scenario, so every chunk of a point has the same
columns: ``n_threats``, ``leakers``, ``any_leaker``, ``raid_annihilated``, ``kills``,
``leakers_<asset>`` for every defended asset, ``rounds_<class>`` for every interceptor class,
``rounds_total``, ``cost``,
``fate_<fate>``, ``leaked_<type>`` and ``killed_<type>`` for every threat type in the raid,
``track_<metric>`` for every tracking metric (when the run reports them), the ``ew_*``
columns of a contested scenario (``montecarlo.ew_columns``), and every other
numeric summary value (``rounds_per_kill``, ``cost_exchange_ratio``, ...; NaN when undefined,
so the columns do not depend on the replication).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

from iadsim.montecarlo.ew_columns import ew_columns
from iadsim.montecarlo.grid import SweepPoint
from iadsim.montecarlo.seeds import replication_seed
from iadsim.scenario.model import Scenario

FATES = ("killed", "leaked", "flying", "ended")
_NOT_METRICS = {"seed", "scenario_name", "duration_s", "wall_time_s", "threats", "fates",
                "rounds_spent", "leakers_per_asset", "kills", "leakers", "tracking", "cost",
                "interceptor_cost", "threat_count", "rounds_total", "completed_s", "interrupted",
                "raid_annihilation", "ew"}


def replicate(point: SweepPoint, replication: int) -> dict[str, Any]:
    """Run replication ``replication`` of ``point`` with its own seed; return its metrics row.

    No output folder is written and trajectory tables are not kept. ``RunCostWarning`` is not
    repeated per replication (a sweep says it once, up front: ``run_cost_warnings``).
    """
    from iadsim.sensors.radar import RunCostWarning
    from iadsim.simulation import run  # imported here: workers import only what they use

    seed = replication_seed(point.seed, point.index, replication)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunCostWarning)
        result = run(point.scenario, seed=seed, out_dir=None, keep_trajectories=False,
                     envelopes=point.envelopes, terrain=point.terrain)
    return summary_row(result.summary, point.scenario)


def run_cost_warnings(points: list[SweepPoint]) -> list[str]:
    """The distinct run-cost warnings of a sweep's points (``sensors.radar.run_cost_warning``),
    each with the points it applies to, in point order."""
    from iadsim.sensors.radar import run_cost_warning, site_from_spec
    from iadsim.world.frames import scenario_origin

    found: dict[str, list[int]] = {}
    for p in points:
        origin = scenario_origin(p.scenario)
        sites = [site_from_spec(s, i, origin) for i, s in enumerate(p.scenario.sensors)]
        message = run_cost_warning(sites)
        if message is not None:
            found.setdefault(message, []).append(p.index)
    n = len(points)
    return [message if len(at) == n else f"sweep point(s) {', '.join(map(str, at))}: {message}"
            for message, at in found.items()]


def summary_row(summary: Mapping[str, Any], scenario: Scenario) -> dict[str, Any]:
    """Flatten a run's ``summary`` (summary.json) into one row with scenario-fixed columns."""
    n_threats = summary.get("threat_count", sum(g.count for g in scenario.threats))
    row: dict[str, Any] = {"n_threats": int(n_threats)}
    leakers = int(summary.get("leakers", 0))
    row["leakers"] = leakers
    row["any_leaker"] = leakers > 0
    row["raid_annihilated"] = bool(summary.get(
        "raid_annihilated", int(summary.get("kills", 0)) == int(n_threats)))
    row["kills"] = int(summary.get("kills", 0))
    per_asset = summary.get("leakers_per_asset", {}) or {}
    for asset in scenario.defended_assets:
        row[f"leakers_{asset.name}"] = int(per_asset.get(asset.name, 0))
    rounds = summary.get("rounds_spent", {}) or {}
    for name in scenario.interceptors:
        row[f"rounds_{name}"] = int(rounds.get(name, 0))
    row["rounds_total"] = int(sum(int(v) for v in rounds.values()))
    row["cost"] = _cost(summary, rounds, scenario)
    fates = summary.get("fates", {}) or {}
    for fate in FATES:
        row[f"fate_{fate}"] = int(fates.get(fate, 0))
    by_type = summary.get("threats", {}) or {}
    for threat_type in dict.fromkeys(g.type for g in scenario.threats):
        counts = by_type.get(threat_type, {}) or {}
        row[f"leaked_{threat_type}"] = int(counts.get("leaked", 0))
        row[f"killed_{threat_type}"] = int(counts.get("killed", 0))
    for name, value in sorted((summary.get("tracking", {}) or {}).items()):
        if isinstance(value, bool | int | float) or value is None:
            row[f"track_{name}"] = math.nan if value is None else float(value)
    row.update(ew_columns(summary, scenario))  # ew: radars lost, emit time, rounds drawn
    for name, value in summary.items():
        if name in _NOT_METRICS or isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            row[name] = float(value)
        elif value is None:  # undefined in this run (rounds_per_kill without kills): NaN
            row[name] = math.nan
    return row


def _cost(summary: Mapping[str, Any], rounds: Mapping[str, Any], scenario: Scenario) -> float:
    cost = summary.get("interceptor_cost", summary.get("cost"))
    if isinstance(cost, int | float) and not isinstance(cost, bool):
        return float(cost)
    if isinstance(cost, Mapping) and "total" in cost:
        return float(cost["total"])
    return float(sum(int(n) * scenario.interceptors[c].cost
                     for c, n in rounds.items() if c in scenario.interceptors))

