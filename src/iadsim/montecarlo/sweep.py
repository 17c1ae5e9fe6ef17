"""Monte Carlo stage: the whole sweep — validate, plan, run chunks, store, summarise.

In: a scenario file, ``--set`` options, the number of replications per point, a results folder
and a backend. Out: the results folder (see ``store``) and a ``SweepResult``. ``iadsim mc`` is a
sweep with no ``--set`` grid (one point).
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from iadsim.errors import ScenarioError
from iadsim.jsonfile import atomic_write_bytes
from iadsim.montecarlo import store
from iadsim.montecarlo.backends import Replicate, Work, available_cpus, execute
from iadsim.montecarlo.grid import (
    SweepPoint,
    build_grid,
    parse_overrides,
    read_scenario_data,
    scenario_digest,
)
from iadsim.montecarlo.replication import replicate as default_replicate
from iadsim.montecarlo.seeds import replication_seed
from iadsim.montecarlo.summary import saturation, summarise
from iadsim.scenario.model import Scenario

Progress = Callable[[int, int], None]
"""``progress(completed, total)``: replications finished so far (including resumed ones)."""


@dataclass(frozen=True)
class SweepResult:
    """What a sweep produced; the same tables are in ``out_dir``."""

    out_dir: Path
    points: list[SweepPoint]
    replications: pd.DataFrame
    summary: pd.DataFrame
    saturation: pd.DataFrame
    ran: int
    resumed: int
    wall_time_s: float
    params: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    """What ``--resume`` found wrong in the folder and did about it, one line each."""


def load_points(scenario_path: str | Path, sets: Sequence[str] = ()) -> list[SweepPoint]:
    """Read the scenario file and validate every point of the ``--set`` grid (no work done)."""
    data = read_scenario_data(scenario_path)
    return build_grid(data, parse_overrides(sets), source=str(scenario_path))


def replay_inputs(scenario_path: str | Path, sets: Sequence[str], point: int, replication: int,
                  seed: int | None = None) -> tuple[Scenario, np.random.SeedSequence]:
    """The scenario and seed that replay replication ``replication`` of sweep point ``point``.

    ``sets`` are the sweep's ``--set`` options (the grid is rebuilt and validated, and point
    ``point`` taken from it); ``seed`` replaces the scenario seed, as ``--seed`` does.
    ``iadsim.simulation.run(scenario, seed=seq)`` then reproduces that replication bit for bit.

    Raises
    ------
    ScenarioError
        A bad scenario or ``--set``, or a point outside the grid.
    """
    points = load_points(scenario_path, sets)
    if not 0 <= point < len(points):
        raise ScenarioError([f"--replication {point},{replication}: point must be within "
                             f"0..{len(points) - 1} (the --set grid has {len(points)} point(s))"])
    if replication < 0:
        raise ScenarioError([f"--replication {point},{replication}: replication must be >= 0"])
    chosen = points[point]
    base = chosen.seed if seed is None else seed
    return chosen.scenario, replication_seed(base, point, replication)


def run_inputs(scenario_path: str | Path, sets: Sequence[str], replication: str | None,
               seed: int | None) -> tuple[Scenario, int | np.random.SeedSequence | None]:
    """The scenario and seed of ``iadsim run [--set ...] [--replication p,k] [--seed S]``.

    Without ``--replication`` the ``--set`` options must give one point (plain overrides) and
    the seed is ``seed`` (None: the scenario's). With ``--replication p,k`` it is replication
    ``k`` of sweep point ``p`` of the same ``--set`` grid, bit for bit as in the sweep.
    """
    if replication is None:
        points = load_points(scenario_path, sets)
        if len(points) > 1:
            raise ScenarioError([f"--set gives {len(points)} sweep points; pick one with "
                                 "--replication POINT,REPLICATION or use `iadsim sweep`"])
        return points[0].scenario, seed
    point, rep = parse_replication(replication)
    return replay_inputs(scenario_path, sets, point, rep, seed)


def parse_replication(text: str) -> tuple[int, int]:
    """``'3,17'`` -> ``(3, 17)``; a single ``'17'`` is replication 17 of point 0."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 1:
        parts = ["0", *parts]
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ScenarioError([f"--replication {text}: expected POINT,REPLICATION as two integers "
                             ">= 0, e.g. 0,17"])
    return int(parts[0]), int(parts[1])


def stored_replications(out_dir: str | Path) -> int:
    """How many replications the manifest of ``out_dir`` lists as stored."""
    return store.recorded_replications(out_dir)


def default_chunk_size(n_replications: int, workers: int) -> int:
    """About eight chunks per worker, 1 to 25 replications each."""
    return max(1, min(25, math.ceil(n_replications / (8 * max(1, workers)))))


def run_sweep(scenario_path: str | Path, *, runs: int, out_dir: str | Path,
              sets: Sequence[str] = (), backend: str = "processes", workers: int | None = None,
              scheduler: str | None = None, chunk_size: int | None = None,
              resume: bool = False, overwrite: bool = False, saturation_level: float = 0.5,
              replicate: Replicate = default_replicate,
              progress: Progress | None = None,
              notify: Callable[[str], None] | None = None) -> SweepResult:
    """Run ``runs`` replications of every point of the ``--set`` grid; store and summarise.

    Every grid point is validated before any replication runs. With ``resume`` the stored
    chunks are verified (``store.open_store``: damaged or stray files are moved to
    ``quarantine/``, a damaged manifest is rebuilt, each told through ``notify`` and kept in
    ``SweepResult.repairs``) and only the missing replications run; the final tables equal an
    uninterrupted run's.

    Raises
    ------
    ScenarioError
        A bad scenario, ``--set`` path or value (naming the field), or a results folder that
        holds another sweep (``store.StoreError``).
    """
    if runs < 1:
        raise ValueError(f"runs must be >= 1 (got {runs})")
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    points = load_points(scenario_path, sets)
    params = list(points[0].values)
    manifest = _manifest(scenario_path, sets, points, runs, backend, scheduler, started)
    repairs: list[str] = []

    def tell(line: str) -> None:
        repairs.append(line)
        if notify is not None:
            notify(line)

    results = store.open_store(out_dir, manifest, resume=resume, overwrite=overwrite,
                               notify=tell)
    missing = results.missing(len(points), runs)
    n_missing = sum(len(v) for v in missing.values())
    total = runs * len(points)
    n_workers = 1 if backend == "serial" and scheduler is None else (workers or available_cpus())
    chunks = store.plan_chunks(missing, chunk_size or default_chunk_size(n_missing, n_workers))
    completed = total - n_missing
    if progress is not None:
        progress(completed, total)

    def on_done(chunk: store.Chunk, rows: pd.DataFrame) -> None:
        nonlocal completed
        results.add(chunk, rows)
        completed += chunk.size
        if progress is not None:
            progress(completed, total)

    # one fly-out table and one terrain per point, not per replication (the same every seed)
    from iadsim.engagement.launchers import envelope_table

    todo = {c.point for c in chunks}
    points = [replace(p, envelopes=envelope_table(p.scenario), terrain=_terrain(p.scenario))
              if p.index in todo else p for p in points]
    work = Work(points=tuple(points), replicate=replicate)
    execute(work, chunks, on_done, backend=backend, workers=workers, scheduler=scheduler)
    replications = results.replications(runs)
    counts = replications.groupby("point").size().reindex(range(len(points)), fill_value=0)
    if len(replications) != total or (counts != runs).any():  # an internal error, never input
        raise RuntimeError(f"{out_dir}: the store holds {len(replications)} of {total} "
                           f"replications after the sweep (per point: {counts.tolist()})")
    summary = summarise(replications, params)
    sat = saturation(summary, params, saturation_level)
    write_summaries(out_dir, summary, sat)
    results.finish({"complete": True, "finished_utc": datetime.now(UTC).isoformat()})
    return SweepResult(out_dir=Path(out_dir), points=points, replications=replications,
                       summary=summary, saturation=sat, ran=n_missing, resumed=total - n_missing,
                       wall_time_s=time.perf_counter() - t0, params=params, repairs=repairs)


def write_summaries(out_dir: str | Path, summary: pd.DataFrame, sat: pd.DataFrame) -> None:
    """``summary.csv``, ``summary.parquet`` and (for raid-size sweeps) ``saturation.csv``.

    Each is written atomically (a synced temporary file, then renamed).
    """
    out = Path(out_dir)
    atomic_write_bytes(out / "summary.csv", summary.to_csv(index=False).encode("utf-8"))
    buffer = io.BytesIO()
    summary.to_parquet(buffer, index=False)
    atomic_write_bytes(out / "summary.parquet", buffer.getvalue())
    if not sat.empty:
        atomic_write_bytes(out / "saturation.csv", sat.to_csv(index=False).encode("utf-8"))
    else:
        (out / "saturation.csv").unlink(missing_ok=True)


def _manifest(scenario_path: str | Path, sets: Sequence[str], points: Sequence[SweepPoint],
              runs: int, backend: str, scheduler: str | None,
              started: datetime) -> dict[str, Any]:
    return {
        "format": store.FORMAT,
        "iadsim_version": _version(),
        "scenario_file": str(Path(scenario_path).resolve()),
        "scenario_name": points[0].scenario.name,
        "sets": list(sets),
        "params": list(points[0].values),
        "points": [{"point": p.index, "values": p.values, "seed": p.seed,
                    "scenario_sha256": scenario_digest(p.scenario)} for p in points],
        "runs": runs,
        "seeding": "numpy.random.SeedSequence(entropy=seed, spawn_key=(point, replication))",
        "backend": "dask" if scheduler else backend,
        "started_utc": started.isoformat(),
        "complete": False,
    }


def _version() -> str:
    try:
        return metadata.version("iadsim")
    except metadata.PackageNotFoundError:
        return "unknown"


def _terrain(scenario: Scenario) -> Any:
    """The scenario's terrain (``terrain.site_view.build_terrain``), None without a section."""
    if scenario.terrain is None:
        return None
    from iadsim.sensors.radar import build_radars
    from iadsim.terrain.site_view import build_terrain
    from iadsim.world.frames import scenario_origin

    origin = scenario_origin(scenario)
    return build_terrain(scenario, origin, build_radars(list(scenario.sensors), origin))
