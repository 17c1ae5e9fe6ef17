"""Command line: arguments -> library calls, rich output. No simulation logic lives here."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from iadsim.errors import IadsimError, RunInterrupted, ScenarioError
from iadsim.interop.dis.cli import dis_app
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
T = TypeVar("T")

ScenarioArg = Annotated[
    Path | None,
    typer.Argument(help="Scenario YAML file; the bundled default scenario if omitted.",
                   show_default=False),
]


SetOption = Annotated[list[str] | None, typer.Option(
    "--set", metavar="PATH=V1[,V2...]",
    help="Set a scenario field by its path (threats[0].count=10); several values make a sweep "
         "grid. Repeatable.")]


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
    seed: Annotated[int | None, typer.Option(min=0, help="Override the scenario's seed.")] = None,
    out: Annotated[Path, typer.Option(help="Output folder (created if missing).")] = Path(
        "iadsim-out"
    ),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    set_: SetOption = None,
    replication: Annotated[str | None, typer.Option(
        help="Replay replication K of sweep point P (P,K; give the sweep's --set options).",
        metavar="P,K")] = None,
    report_: Annotated[bool, typer.Option(
        "--report", help="Also write OUT/report.html (as `iadsim report OUT`).")] = False,
    dis_out: Annotated[Path | None, typer.Option(
        help="Write the run's DIS PDUs (Entity State, Fire, Detonation) to this .pdu file.",
    )] = None,
    dis_udp: Annotated[str | None, typer.Option(
        help="Send DIS PDUs live over UDP to HOST:PORT as the run goes (paced to the wall "
             "clock, see --dis-speed).", metavar="HOST:PORT")] = None,
    dis_in: Annotated[str | None, typer.Option(
        help="Hostile entities from DIS become threats: udp://HOST:PORT (live, paced) or a "
             ".pdu file.", metavar="SOURCE")] = None,
    dis_speed: Annotated[float, typer.Option(
        help="Run seconds per wall second when talking live DIS (inf: unpaced).")] = 1.0,
) -> None:
    """Run one engagement and write its results (summary.json, *.parquet) to OUT."""
    from iadsim.interop.dis.export import write_run_pdus
    from iadsim.interop.dis.session import DisOptions
    from iadsim.montecarlo.sweep import run_inputs
    from iadsim.simulation import run as run_simulation

    _check_outputs(out, dis_out)
    run_seed: object = seed
    if set_ or replication is not None:
        sc, run_seed = _or_exit(lambda: run_inputs(_scenario_path(scenario), set_ or [],
                                                   replication, seed))
    else:
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
                sc, seed=run_seed, out_dir=out,  # type: ignore[arg-type]
                progress=lambda t, _d: bar.update(task, completed=t),
                dis=DisOptions(dis_in, dis_udp, dis_speed) if dis_in or dis_udp else None,
            )
        except RunInterrupted as stop:
            done = stop.result.summary["completed_s"]  # type: ignore[attr-defined]
            err_console.print(f"Interrupted after {done:.0f} s simulated; partial results in {out}")
            raise typer.Exit(130) from None
        except (IadsimError, ValueError, OSError) as exc:  # bad DIS source or address, disk
            err_console.print(f"iadsim run: {exc}", markup=False, highlight=False,
                              soft_wrap=True)
            raise typer.Exit(2) from None
    print_summary(result, out)
    if dis_out is not None:
        console.print(f"DIS: {write_run_pdus(result, dis_out)} PDUs written to {dis_out}")
    if report_:
        _write_report(out)


def _check_outputs(out: Path, dis_out: Path | None) -> None:
    """Refuse, before any work, outputs that cannot be written."""
    problems = []
    if out.exists() and not out.is_dir():
        problems.append(f"--out {out} is a file, not a folder")
    if dis_out is not None and not dis_out.resolve().parent.is_dir():
        problems.append(f"--dis-out {dis_out}: the folder {dis_out.parent} does not exist")
    for line in problems:
        err_console.print(f"iadsim run: {line}", markup=False, highlight=False, soft_wrap=True)
    if problems:
        raise typer.Exit(2)


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


def _scenario_path(path: Path | None) -> Path:
    return path if path is not None else DEFAULT_SCENARIO


def _or_exit(call: Callable[[], T]) -> T:
    """Call; on a ScenarioError print one line per problem and exit with code 2."""
    try:
        return call()
    except ScenarioError as exc:
        for line in exc.problems:
            err_console.print(line, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


class Backend(StrEnum):
    """Where replications run."""

    serial = "serial"
    processes = "processes"
    dask = "dask"


def _backend(backend: Backend | None, workers: int | None, scheduler: str | None) -> str:
    """``--scheduler`` or ``--workers N`` alone mean Dask; otherwise local processes."""
    if backend is not None:
        return backend.value
    if scheduler is not None or workers is not None:
        return Backend.dask.value
    return Backend.processes.value


def _sweep(scenario: Path | None, sets: list[str], runs: int, out: Path, backend: Backend | None,
           workers: int | None, scheduler: str | None, chunk_size: int | None, resume: bool,
           overwrite: bool, saturation_level: float, quiet: bool) -> None:
    from iadsim.montecarlo.console import SweepProgress, saturation_table, summary_table
    from iadsim.montecarlo.sweep import load_points, run_sweep, stored_replications

    path = _scenario_path(scenario)
    chosen = _backend(backend, workers, scheduler)
    points = _or_exit(lambda: load_points(path, sets))  # every point validated before work
    name = points[0].scenario.name
    try:
        with SweepProgress(name, err_console, disable=quiet) as progress:
            res = _or_exit(lambda: run_sweep(
                path, runs=runs, out_dir=out, sets=sets, backend=chosen, workers=workers,
                scheduler=scheduler, chunk_size=chunk_size, resume=resume, overwrite=overwrite,
                saturation_level=saturation_level, progress=progress))
    except KeyboardInterrupt:
        err_console.print(f"Interrupted: {stored_replications(out)} of {runs * len(points)} "
                          f"replications are stored in {out}/; run the same command with "
                          "--resume to finish.")
        raise typer.Exit(130) from None
    console.print(summary_table(res))
    sat = saturation_table(res.saturation, res.params)
    if sat is not None:
        console.print(sat)
    done = len(res.replications)
    console.print(f"{done} replications ({res.ran} run now, {res.resumed} already stored) in "
                  f"{res.wall_time_s:.1f} s = {res.ran / max(res.wall_time_s, 1e-9):.2f} rep/s. "
                  f"Results in {out}/ (summary.csv, summary.parquet, replications/*.parquet)")


RunsOption = Annotated[int, typer.Option(min=1, help="Replications per sweep point.")]
BackendOption = Annotated[Backend | None, typer.Option(
    help="serial, local processes, or Dask. Default: local processes on all CPUs; Dask when "
    "--workers or --scheduler is given.", show_default=False)]
WorkersOption = Annotated[int | None, typer.Option(
    min=1, help="Start a Dask LocalCluster of N workers (with --backend processes: a pool of "
    "N local processes).")]
SchedulerOption = Annotated[str | None, typer.Option(
    help="Address of an existing Dask scheduler (tcp://HOST:PORT); implies --backend dask.")]
ChunkOption = Annotated[int | None, typer.Option(
    min=1, help="Replications per task and per Parquet file; default: ~8 tasks per worker.")]
ResumeOption = Annotated[bool, typer.Option(
    help="Complete the sweep stored in OUT: run only the missing replications.")]
OverwriteOption = Annotated[bool, typer.Option(
    help="Delete the sweep stored in OUT and start again.")]
LevelOption = Annotated[float, typer.Option(
    min=0.0, max=1.0, help="P(any leaker) level that defines the saturation raid size.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


@app.command()
def mc(
    scenario: ScenarioArg = None,
    runs: RunsOption = 100,
    set_: SetOption = None,
    out: Annotated[Path, typer.Option(help="Results folder.")] = Path("iadsim-mc"),
    backend: BackendOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    chunk_size: ChunkOption = None,
    resume: ResumeOption = False,
    overwrite: OverwriteOption = False,
    saturation_level: LevelOption = 0.5,
    quiet: QuietOption = False,
) -> None:
    """Monte Carlo: RUNS replications of a scenario, summarised with 95% intervals in OUT."""
    _sweep(scenario, set_ or [], runs, out, backend, workers, scheduler, chunk_size, resume,
           overwrite, saturation_level, quiet)


@app.command()
def sweep(
    scenario: ScenarioArg = None,
    set_: SetOption = None,
    runs: RunsOption = 100,
    out: Annotated[Path, typer.Option(help="Results folder.")] = Path("iadsim-sweep"),
    backend: BackendOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    chunk_size: ChunkOption = None,
    resume: ResumeOption = False,
    overwrite: OverwriteOption = False,
    saturation_level: LevelOption = 0.5,
    quiet: QuietOption = False,
) -> None:
    """Parameter sweep: RUNS replications of every point of the --set grid, with statistics."""
    if not set_:
        err_console.print("iadsim sweep needs at least one --set PATH=V1,V2,... (or use iadsim mc)")
        raise typer.Exit(2)
    _sweep(scenario, set_, runs, out, backend, workers, scheduler, chunk_size, resume,
           overwrite, saturation_level, quiet)


def _write_report(out_dir: Path, *, png: bool = False, coverage_alt_m: float = 100.0,
                  max_frames: int = 240) -> None:
    """Build the report of a results folder; bad folders and PNG problems exit with a message."""
    from iadsim.errors import InputDataError
    from iadsim.reports import build_report

    try:
        files = build_report(out_dir, png=png, coverage_alt_m=coverage_alt_m,
                             max_frames=max_frames)
    except InputDataError as exc:
        err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except RuntimeError as exc:  # PNG export without kaleido or a Chromium
        err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    size_mb = files.html.stat().st_size / 1e6
    console.print(f"Report: {files.html} ({size_mb:.1f} MB)", markup=False, highlight=False)
    if files.pngs:
        console.print(f"PNG charts: {', '.join(str(p) for p in files.pngs)}", markup=False,
                      highlight=False, soft_wrap=True)


@app.command()
def report(
    out_dir: Annotated[Path, typer.Argument(
        help="A run folder (iadsim run --out) or a Monte Carlo folder (iadsim mc/sweep --out).",
        show_default=False)],
    png: Annotated[bool, typer.Option(
        "--png", help="Also write every chart as a PNG in OUT_DIR/report_png "
                      "(needs kaleido and a local Chromium).")] = False,
    coverage_alt_m: Annotated[float, typer.Option(
        help="Target altitude (m) at which radar coverage is drawn on the replay map.")] = 100.0,
    max_frames: Annotated[int, typer.Option(
        min=2, help="Most frames of the replay (time steps are decimated to fit).")] = 240,
) -> None:
    """Write OUT_DIR/report.html: a self-contained, offline report (replay, charts, tables)."""
    _write_report(out_dir, png=png, coverage_alt_m=coverage_alt_m, max_frames=max_frames)


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
def coverage(
    scenario: ScenarioArg = None,
    rcs_m2: Annotated[float, typer.Option("--rcs-m2", help="Target RCS (m^2).")] = 1.0,
    pd: Annotated[float, typer.Option("--pd", help="Detection probability per look.")] = 0.5,
    altitude_m: Annotated[float, typer.Option(
        "--altitude-m", help="Target altitude (m) of the network coverage map.")] = 1000.0,
    out: Annotated[Path, typer.Option(help="Output folder (created if missing).")] = Path(
        "coverage"),
) -> None:
    """Draw radar coverage: per radar the vertical diagram, the network map (HTML and PNG);
    per interceptor class the fly-out envelope (time of flight, end speed; PNG and JSON)."""
    from iadsim.sensors.coverage_views import write_coverage

    sc = load_or_exit(scenario)
    files = _or_exit(lambda: write_coverage(sc, out, rcs_m2=rcs_m2, pd=pd,
                                            altitude_m=altitude_m))
    console.print(f"Coverage: {files.html}, {files.data}", markup=False, highlight=False,
                  soft_wrap=True)
    console.print(f"PNG: {', '.join(str(p) for p in files.pngs)}", markup=False,
                  highlight=False, soft_wrap=True)
    from iadsim.reports.envelope_views import write_envelopes  # interceptor envelopes

    console.print(f"Envelopes: {', '.join(str(p) for p in write_envelopes(sc, out))}",
                  markup=False, highlight=False, soft_wrap=True)


@app.command()
def example() -> None:
    """Print the bundled default scenario (commented YAML) to start your own from."""
    typer.echo(DEFAULT_SCENARIO.read_text(encoding="utf-8"), nl=False)


app.add_typer(dis_app, name="dis")


def main() -> None:
    """Entry point for ``python -m iadsim``."""
    app()


if __name__ == "__main__":
    main()
