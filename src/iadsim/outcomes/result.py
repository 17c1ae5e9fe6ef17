"""A run's results: the summary and five tables, saved to and loaded from an output folder."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from iadsim.jsonfile import write_json
from iadsim.scenario.threat_spec import ROLES

TABLES = ("threats", "events", "engagements", "truth", "tracks", "interceptors", "tracking",
          "sites",
          "ew")


@dataclass(frozen=True)
class Result:
    """Everything a run produced; reports, exports and statistics read only this.

    ``summary`` is the content of ``summary.json``; the tables are those of the output folder
    (schemas in the README). ``scenario`` is the validated scenario as plain data, plus its
    ENU ``origin``.
    """

    summary: dict[str, Any]
    scenario: dict[str, Any]
    threats: pd.DataFrame
    events: pd.DataFrame
    engagements: pd.DataFrame = field(default_factory=pd.DataFrame)
    truth: pd.DataFrame = field(default_factory=pd.DataFrame)
    tracks: pd.DataFrame = field(default_factory=pd.DataFrame)
    interceptors: pd.DataFrame = field(default_factory=pd.DataFrame)
    tracking: pd.DataFrame = field(default_factory=pd.DataFrame)
    sites: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Networked runs: every radar's and launcher's position and status per step
    (``iadsim.network.sites``); empty otherwise (the sites are the scenario's)."""
    ew: pd.DataFrame = field(default_factory=pd.DataFrame)  # iadsim.ew.record (contested runs)

    def save(self, out_dir: str | Path) -> Path:
        """Write ``summary.json``, ``scenario.json`` and one Parquet file per table.

        The JSON files are strict (``iadsim.jsonfile``): an undefined number is ``null``.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        write_json(out / "summary.json", self.summary)
        write_json(out / "scenario.json", self.scenario)
        for name in TABLES:
            table = getattr(self, name)
            if name in ("threats", "events", "engagements") or len(table.columns):
                table.to_parquet(out / f"{name}.parquet", index=False)
        return out

    @classmethod
    def load(cls, out_dir: str | Path) -> Result:
        """Read an output folder written by ``save``."""
        out = Path(out_dir)
        tables = {
            name: pd.read_parquet(out / f"{name}.parquet")
            for name in TABLES
            if (out / f"{name}.parquet").exists()
        }
        return cls(
            summary=json.loads((out / "summary.json").read_text()),
            scenario=json.loads((out / "scenario.json").read_text()),
            **tables,
        )


def build_summary(threats: pd.DataFrame, events: pd.DataFrame, *, seed: int | str,
                  scenario_name: str, duration_s: float, wall_time_s: float,
                  class_names: tuple[str, ...], class_cost: dict[str, float],
                  asset_names: tuple[str, ...]) -> dict[str, Any]:
    """The machine-readable summary of one run (the content of ``summary.json``)."""
    by_type = (
        threats.groupby(["type", "fate"], observed=True).size().unstack(fill_value=0)
        if len(threats) else pd.DataFrame()
    )
    launches = events[events["kind"] == "launch"]
    rounds = {c: int((launches["interceptor_class"] == c).sum()) for c in class_names}
    leaked = threats[threats["fate"] == "leaked"]
    leakers = {a: int((leaked["leaked_asset"] == a).sum()) for a in asset_names}
    fates = {f: int((threats["fate"] == f).sum()) for f in ("killed", "leaked", "flying", "ended")}
    cost = float(sum(rounds[c] * class_cost[c] for c in class_names))
    return {
        "scenario_name": scenario_name,
        "seed": seed,
        "duration_s": duration_s,
        "wall_time_s": round(wall_time_s, 4),
        "threat_count": len(threats),
        "threats": {str(t): {str(f): int(v) for f, v in row.items()}
                    for t, row in by_type.iterrows()},
        "fates": fates,
        "kills": fates["killed"],
        "leakers": fates["leaked"],
        "leakers_per_asset": leakers,
        "rounds_spent": rounds,
        "rounds_total": int(sum(rounds.values())),
        "interceptor_cost": cost,
        "rounds_by_role": _rounds_by_role(threats, launches),
    }


def _rounds_by_role(threats: pd.DataFrame, launches: pd.DataFrame) -> dict[str, int]:
    """Rounds launched at threats and at a ballistic raid's boosters, debris and decoys."""
    if "role" not in threats or len(threats) == 0:
        return {"threat": len(launches)}
    role = threats.set_index("threat_id")["role"].reindex(launches["threat_id"].to_numpy())
    return {r: int((role == r).sum()) for r in ROLES}
