"""Monte Carlo stage, terminal side: the progress bar of a sweep and its summary tables.

In: ``progress(completed, total)`` calls and a ``SweepResult``. Out: rich renderables.
"""

from __future__ import annotations

import math
from types import TracebackType

import pandas as pd
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from iadsim.montecarlo.sweep import SweepResult
from iadsim.terminal import literal


class RateColumn(ProgressColumn):
    """Replications per second, over rich's recent-speed window."""

    def render(self, task: Task) -> Text:
        """``12.3 rep/s``, or ``-- rep/s`` before the first chunk."""
        speed = task.finished_speed or task.speed
        return Text("-- rep/s" if speed is None else f"{speed:.2f} rep/s")


class SweepProgress:
    """A context manager whose instance is the ``progress`` callback of ``run_sweep``.

    Replications already stored (``--resume``) are shown done from the start and do not count
    in the rate or the ETA.
    """

    def __init__(self, description: str, console: Console, *, disable: bool = False) -> None:
        self._bar = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("replications"), RateColumn(), TimeElapsedColumn(),
            TextColumn("ETA"), TimeRemainingColumn(),
            console=console, disable=disable, speed_estimate_period=120.0,
        )
        self._description = description
        self._task: TaskID | None = None

    def __enter__(self) -> SweepProgress:
        self._bar.__enter__()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._bar.__exit__(exc_type, exc, tb)

    def __call__(self, completed: int, total: int) -> None:
        """Record that ``completed`` of ``total`` replications are stored."""
        if self._task is None:
            self._task = self._bar.add_task(self._description, total=total, completed=completed)
        else:
            self._bar.update(self._task, completed=completed)


def _ci(mean: float, low: float, high: float, digits: int = 2) -> str:
    if math.isnan(low):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


def varying(params: list[str], table: pd.DataFrame) -> list[str]:
    """The parameters that take more than one value in ``table`` (the others are overrides)."""
    return [p for p in params if table[p].nunique(dropna=False) > 1]


def _bound(x: float, raid_size_max: float) -> str:
    """A band end; NaN means the Wilson bound never reaches the level inside the swept sizes."""
    return f"> {raid_size_max:g}" if math.isnan(x) else f"{x:.1f}"


def summary_table(result: SweepResult) -> Table:
    """Per sweep point: the swept values, runs, P(any leaker) and means with 95% intervals."""
    s = result.summary
    table = Table(title=literal(f"{result.points[0].scenario.name}: {len(result.points)} "
                                f"point(s), 95% intervals (Wilson for P, Student t for means)"))
    table.add_column("point", justify="right")
    swept = varying(result.params, s)
    for p in swept:
        table.add_column(literal(p))
    table.add_column("runs", justify="right")
    table.add_column("P(any leaker)", justify="right")
    metrics = [("leakers", "leakers"), ("kills", "kills"), ("rounds_total", "rounds"),
               ("cost", "cost")]
    metrics = [(m, label) for m, label in metrics if f"{m}_mean" in s.columns]
    for _, label in metrics:
        table.add_column(label, justify="right")
    for row in s.to_dict("records"):
        cells = [str(row["point"]), *(literal(row[p]) for p in swept), str(row["runs"]),
                 _ci(row["p_any_leaker"], row["p_any_leaker_low"], row["p_any_leaker_high"])]
        cells += [_ci(row[f"{m}_mean"], row[f"{m}_low"], row[f"{m}_high"], 1)
                  for m, _ in metrics]
        table.add_row(*cells)
    return table


def saturation_table(saturation: pd.DataFrame, params: list[str]) -> Table | None:
    """The saturation raid size per combination of the other swept values (None if no sweep)."""
    if saturation.empty:
        return None
    level = float(saturation["level"].iloc[0])
    table = Table(
        title=f"Saturation: raid size where P(any leaker) reaches {level:g}",
        caption="band: where the upper .. lower Wilson 95% bound of P(any leaker) reaches the "
                "level; '> N': not reached inside the swept raid sizes (up to N)",
        caption_justify="left")
    others = varying([p for p in params if p in saturation.columns], saturation)
    for p in others:
        table.add_column(literal(p))
    table.add_column("raid sizes swept", justify="right")
    table.add_column("saturation raid size", justify="right")
    table.add_column("band (Wilson)", justify="right")
    for row in saturation.to_dict("records"):
        x = row["saturation_raid_size"]
        if math.isnan(x):
            sat = f"not reached (> {row['raid_size_max']:g})"
        elif x <= row["raid_size_min"]:
            sat = f"<= {x:g}"
        else:
            sat = f"{x:.1f}"
        lo, hi = row["saturation_low"], row["saturation_high"]
        band = f"{_bound(lo, row['raid_size_max'])} .. {_bound(hi, row['raid_size_max'])}"
        table.add_row(*(literal(row[p]) for p in others),
                      f"{row['raid_size_min']:g} .. {row['raid_size_max']:g}", sat, band)
    return table
