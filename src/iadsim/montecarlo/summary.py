"""Monte Carlo stage: replication rows -> one summary row per sweep point, and saturation.

In: the verified replications table (``store.load_verified``). Out: ``summary`` (per point: runs,
P(any leaker) with its Wilson 95% interval, and for every metric its mean with a Student-t 95%
interval) and ``saturation`` (per combination of the non-raid-size parameters: the raid size at
which P(any leaker) crosses ``level``, with the band where its Wilson interval crosses it).
Wall times are left out, so the tables of a resumed sweep equal those of an uninterrupted one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from iadsim.montecarlo.stats import crossing_point, t_interval, wilson_interval

_FIXED = {"point", "replication", "seed", "seed_fingerprint", "wall_time_s", "any_leaker",
          "raid_annihilated"}
_PROPORTIONS = {"p_any_leaker": "any_leaker", "p_raid_annihilation": "raid_annihilated"}
_RAID_SIZE_RE = re.compile(r"^threats\[\d+\]\.count$")


def metric_columns(replications: pd.DataFrame, params: Sequence[str]) -> list[str]:
    """The numeric metric columns of a replications table, in table order."""
    return [c for c in replications.columns
            if c not in _FIXED and c not in params
            and pd.api.types.is_numeric_dtype(replications[c])
            and not pd.api.types.is_bool_dtype(replications[c])]


def summarise(replications: pd.DataFrame, params: Sequence[str],
              confidence: float = 0.95) -> pd.DataFrame:
    """One row per sweep point: its parameters, runs, P(any leaker) and metric means with CIs.

    Columns: ``point``, each parameter, ``runs``, ``p_any_leaker`` and
    ``p_raid_annihilation`` with their Wilson ``_low`` / ``_high`` bounds, then
    ``<metric>_mean``, ``<metric>_low``, ``<metric>_high``; the lower bound of a metric that is
    never negative is clipped at 0.
    """
    metrics = metric_columns(replications, params)
    rows = []
    for point, group in replications.groupby("point", sort=True):
        row: dict[str, object] = {"point": int(point)}
        for p in params:
            row[p] = group[p].iloc[0]
        n = len(group)
        row["runs"] = n
        for name, column in _PROPORTIONS.items():
            if column in group:  # Wilson intervals for proportions
                hits = int(group[column].astype(bool).sum())
                low, high = wilson_interval(hits, n, confidence)
                row.update({name: hits / n, f"{name}_low": float(low),
                            f"{name}_high": float(high)})
        for m in metrics:
            values = group[m].to_numpy(dtype=np.float64)
            mean, lo, hi = t_interval(values, confidence)
            if np.nanmin(values, initial=np.inf) >= 0.0:
                lo = max(lo, 0.0)  # counts, costs and errors cannot be negative
            row.update({f"{m}_mean": mean, f"{m}_low": lo, f"{m}_high": hi})
        rows.append(row)
    return pd.DataFrame(rows)


def raid_size_params(params: Sequence[str]) -> list[str]:
    """The swept parameters that set the raid size (``threats[i].count``)."""
    return [p for p in params if _RAID_SIZE_RE.match(p)]


def saturation(summary: pd.DataFrame, params: Sequence[str], level: float = 0.5) -> pd.DataFrame:
    """Raid size where P(any leaker) first reaches ``level``, per other-parameter combination.

    The raid size is ``n_threats_mean`` (threats per replication); the crossing is interpolated
    linearly between sweep points. ``saturation_low`` / ``saturation_high`` are where the upper /
    lower Wilson bounds cross the level. NaN: never reached within the sweep; the smallest raid
    size: reached at or below it. Empty when no ``threats[i].count`` is swept.
    """
    raid = raid_size_params(params)
    if not raid or summary.empty:
        return pd.DataFrame()
    others = [p for p in params if p not in raid]
    groups = summary.groupby(others, sort=False) if others else [((), summary)]
    rows = []
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        x = group["n_threats_mean"].to_numpy()
        row: dict[str, object] = dict(zip(others, key, strict=True))
        row.update(
            level=level,
            points=len(group),
            raid_size_min=float(x.min()),
            raid_size_max=float(x.max()),
            saturation_raid_size=crossing_point(x, group["p_any_leaker"], level),
            saturation_low=crossing_point(x, group["p_any_leaker_high"], level),
            saturation_high=crossing_point(x, group["p_any_leaker_low"], level),
        )
        rows.append(row)
    return pd.DataFrame(rows)
