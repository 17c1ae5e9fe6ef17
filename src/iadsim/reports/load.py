"""Read an output folder (``iadsim run --out DIR``) into DataFrames; reports read nothing else.

In: the folder documented in ``docs/ARCHITECTURE.md`` (``summary.json``, ``scenario.json``, the
five parquet tables, and ``tracking.parquet`` when present). Out: a ``RunResults`` record. A
table that is absent reads as empty with its documented columns, so a run without launches
still reports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from iadsim.errors import InputDataError

COLUMNS: dict[str, list[str]] = {
    "threats": [
        "threat_id", "name", "group", "type", "launch_time_s", "fate", "fate_time_s",
        "killer_launcher", "killer_class", "leaked_asset", "interceptors_fired",
        "first_detection_s", "first_track_s",
    ],
    "events": [
        "time_s", "kind", "threat_id", "track_id", "interceptor_id", "launcher",
        "interceptor_class", "sensor", "asset", "count", "detail",
    ],
    "truth": [
        "time_s", "threat_id", "east_m", "north_m", "up_m", "lat_deg", "lon_deg", "alt_m",
        "vel_east_mps", "vel_north_mps", "vel_up_mps",
    ],
    "tracks": [
        "time_s", "track_id", "truth_id", "confirmed", "east_m", "north_m", "up_m", "lat_deg",
        "lon_deg", "alt_m", "vel_east_mps", "vel_north_mps", "vel_up_mps", "position_sigma_m",
    ],
    "interceptors": [
        "time_s", "interceptor_id", "launcher", "interceptor_class", "target_threat_id",
        "east_m", "north_m", "up_m", "lat_deg", "lon_deg", "alt_m", "vel_east_mps",
        "vel_north_mps", "vel_up_mps",
    ],
}


@dataclass(frozen=True, slots=True)
class RunResults:
    """One run's results, as written by ``iadsim run --out``."""

    out_dir: Path
    summary: dict[str, Any]
    scenario: dict[str, Any]
    threats: pd.DataFrame
    events: pd.DataFrame
    truth: pd.DataFrame
    tracks: pd.DataFrame
    interceptors: pd.DataFrame
    tracking: pd.DataFrame | None = None
    """``tracking.parquet`` (GOSPA per step) when the run wrote it, else None."""
    sites: pd.DataFrame | None = None
    """``sites.parquet`` (a networked run's radars and launchers per step) when written."""
    ew: pd.DataFrame | None = None
    """``ew.parquet`` (jammers, strobes, jammer tracks, radar states per step: ``ew.record``)
    of a contested run, else None."""

    @property
    def title(self) -> str:
        """The scenario name as the user wrote it (unescaped)."""
        return str(self.summary.get("scenario_name") or self.scenario.get("name") or "iadsim run")


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputDataError(f"{path}: missing; not an iadsim output folder?")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputDataError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise InputDataError(f"{path}: must hold a JSON object (got {type(data).__name__})")
    return data


def _read_table(out_dir: Path, name: str) -> pd.DataFrame:
    path = out_dir / f"{name}.parquet"
    if not path.is_file():
        return pd.DataFrame({c: pd.Series(dtype=float) for c in COLUMNS[name]})
    frame = _read_parquet(path)
    missing = [c for c in COLUMNS[name] if c not in frame.columns]
    if missing:
        raise InputDataError(f"{path}: missing columns {missing}")
    return frame


def _read_parquet(path: Path) -> pd.DataFrame:
    """A Parquet table; a damaged or unreadable file is an ``InputDataError`` naming it."""
    import pyarrow as pa

    try:
        return pd.read_parquet(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputDataError(f"{path}: damaged or not a Parquet table ({exc}); run the "
                             "simulation again to rewrite the folder") from exc


def read_run(out_dir: str | Path) -> RunResults:
    """Read one run's output folder.

    Raises
    ------
    InputDataError
        If ``summary.json`` or ``scenario.json`` is missing or damaged, or a table is damaged or
        lacks a documented column.
    """
    out = Path(out_dir)
    tracking_path, sites_path = out / "tracking.parquet", out / "sites.parquet"
    ew_path = out / "ew.parquet"
    return RunResults(
        out_dir=out,
        summary=_read_json(out / "summary.json"),
        scenario=_read_json(out / "scenario.json"),
        **{name: _read_table(out, name) for name in COLUMNS},
        tracking=_read_parquet(tracking_path) if tracking_path.is_file() else None,
        sites=_read_parquet(sites_path) if sites_path.is_file() else None,
        ew=_read_parquet(ew_path) if ew_path.is_file() else None,
    )


def is_run_folder(out_dir: str | Path) -> bool:
    """True if ``out_dir`` holds one run's results."""
    out = Path(out_dir)
    return (out / "summary.json").is_file() and (out / "scenario.json").is_file()
