"""Command line: arguments -> library calls, rich output. No simulation logic lives here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from iadsim.errors import RunInterrupted, ScenarioError
from iadsim.outcomes.result import Result
from iadsim.scenario.load import DEFAULT_SCENARIO, load_scenario
from iadsim.scenario.model import Scenario

app = typer.Typer(
    name="iadsim",
    help="Simulate and analyse a layered air defence (notional parameters, textbook models).\n\n"
    "Start with `iadsim run` (the bundled default scenario) or `iadsim example > my.yaml`.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

ScenarioArg = Annotated[
    Path | None,
    typer.Argument(help="Scenario YAML file; the bundled default scenario if omitted.",
                   show_default=False),
]


def load_or_exit(path: Path | None) -> Scenario:
    """Load a scenario; on a bad file print one line per problem and exit with code 2."""
    try:
        return load_scenario(path if path is not None else DEFAULT_SCENARIO)
    except ScenarioError as exc:
        for line in exc.problems:
            err_console.print(line, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


@app.command()
def run(
    scenario: ScenarioArg = None,
    seed: Annotated[int | None, typer.Option(help="Override the scenario's seed.")] = None,
    out: Annotated[Path, typer.Option(help="Output folder (created if missing).")] = Path(
        "iadsim-out"
    ),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Run one engagement and write its results (summary.json, *.parquet) to OUT."""
    from iadsim.simulation import run as run_simulation

    sc = load_or_exit(scenario)
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(),
        TextColumn("{task.completed:>5.0f}/{task.total:.0f} s simulated"),
        TimeElapsedColumn(), TimeRemainingColumn(),
        console=err_console, disable=quiet, transient=True,
    ) as bar:
        task = bar.add_task(sc.name, total=sc.simulation.duration_s)
        try:
            result = run_simulation(
                sc, seed=seed, out_dir=out,
                progress=lambda t, _d: bar.update(task, completed=t),
            )
        except RunInterrupted as stop:
            done = stop.result.summary["completed_s"]  # type: ignore[attr-defined]
            err_console.print(f"Interrupted after {done:.0f} s simulated; partial results in {out}")
            raise typer.Exit(130) from None
    print_summary(result, out)


def print_summary(result: Result, out: Path) -> None:
    """The end-of-run table: threats by type and fate, rounds spent, leakers per asset."""
    s = result.summary
    table = Table(title=f"{s['scenario_name']} (seed {s['seed']})")
    fates = ["killed", "leaked", "flying", "ended"]
    table.add_column("threat type")
    for f in fates:
        table.add_column(f, justify="right")
    table.add_column("total", justify="right")
    for ttype, row in s["threats"].items():
        table.add_row(ttype, *(str(row.get(f, 0)) for f in fates), str(sum(row.values())))
    table.add_row("[bold]all", *(f"[bold]{s['fates'][f]}" for f in fates),
                  f"[bold]{s['threat_count']}")
    console.print(table)
    rounds = ", ".join(f"{c} {n}" for c, n in s["rounds_spent"].items())
    leaks = ", ".join(f"{a} {n}" for a, n in s["leakers_per_asset"].items())
    console.print(f"Interceptors spent: {rounds} (total {s['rounds_total']}, "
                  f"cost {s['interceptor_cost']:g})")
    console.print(f"Leakers per asset: {leaks}")
    console.print(f"Wall time {s['wall_time_s']:.2f} s. Results in {out}/")


@app.command()
def validate(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file to check.")],
) -> None:
    """Check a scenario file; print one line per problem (exit code 2 if any)."""
    sc = load_or_exit(scenario)
    n_threats = sum(g.count for g in sc.threats)
    console.print(f"{scenario}: valid ({len(sc.sensors)} sensors, {len(sc.launchers)} launchers, "
                  f"{n_threats} threats)", markup=False, highlight=False, soft_wrap=True)


@app.command()
def example() -> None:
    """Print the bundled default scenario (commented YAML) to start your own from."""
    typer.echo(DEFAULT_SCENARIO.read_text(encoding="utf-8"), nl=False)


def main() -> None:
    """Entry point for ``python -m iadsim``."""
    app()


if __name__ == "__main__":
    main()
