"""Command line: arguments -> library calls, rich output. No simulation logic lives here."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from iadsim import __version__
from iadsim.errors import IadsimError, RunInterrupted, ScenarioError
from iadsim.interop.dis.cli import dis_app
from iadsim.terminal import Repro, crash_message, literal, write_crash_report

if TYPE_CHECKING:
    from iadsim.outcomes.result import Result
    from iadsim.scenario.model import Scenario

app = typer.Typer(
    name="iadsim",
    help="Simulate and analyse a layered air defence (notional parameters, textbook models).\n\n"
    "Start with `iadsim run` (the bundled default scenario) or `iadsim example > my.yaml`.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)
T = TypeVar("T")


def _say(text: object, *, err: bool = False) -> None:
    """Print one message literally: user text in it is neither markup nor escape codes."""
    (err_console if err else console).print(literal(text), soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"iadsim {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True,
        help="Print the version and exit.")] = False) -> None:
    """Simulate and analyse a layered air defence (notional parameters, textbook models)."""


@contextmanager
def _reported(repro: Repro) -> Iterator[Repro]:
    """Turn an unexpected exception into a short message, a crash file and exit code 1.

    User errors (a bad scenario, file or address) are handled where they arise and exit 2;
    anything else reaching here is a bug in iadsim and is reported as one, never as bad input.
    Python warnings shown meanwhile are printed as one literal line each (``_show_warning``);
    iadsim's own (``RunCostWarning``) are always shown.
    """
    from iadsim.sensors.radar import RunCostWarning

    try:
        with warnings.catch_warnings():  # restores the filters and showwarning on exit
            warnings.showwarning = _show_warning
            warnings.filterwarnings("once", category=RunCostWarning)
            yield repro
    except (typer.Exit, typer.Abort, KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:
        try:
            report: Path | None = write_crash_report(exc, repro)
        except OSError:  # no writable temporary folder: the traceback goes to the terminal
            report = None
        err_console.print(crash_message(exc, repro, report), soft_wrap=True)
        raise typer.Exit(1) from None


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: object = None, line: str | None = None) -> None:
    """``warnings.showwarning`` for the CLI: ``warning: <message>``, literally, on one line
    (no source line, no file path; control characters escaped)."""
    text = " ".join(str(message).split())
    _say(f"warning: {text}", err=True)


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
    from iadsim.scenario.load import load_scenario

    return _or_exit(lambda: load_scenario(_scenario_path(path)))


OverwriteRunOption = Annotated[bool, typer.Option(
    help="Write into a non-empty OUT: first delete what a run writes there (tables, "
         "summary.json, scenario.json, report.html, report_png/); other files are kept.")]


@app.command()
def run(
    scenario: ScenarioArg = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Override the scenario's seed.")] = None,
    out: Annotated[Path, typer.Option(help="Output folder (created if missing; refused if it "
                                           "holds files, unless --overwrite).")] = Path(
        "iadsim-out"
    ),
    overwrite: OverwriteRunOption = False,
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
    with _reported(Repro("run", str(_scenario_path(scenario)), seed)) as repro:
        _run(scenario, seed, out, overwrite, quiet, set_, replication, report_, dis_out, dis_udp,
             dis_in, dis_speed, repro)


def _run(scenario: Path | None, seed: int | None, out: Path, overwrite: bool, quiet: bool,
         set_: list[str] | None, replication: str | None, report_: bool, dis_out: Path | None,
         dis_udp: str | None, dis_in: str | None, dis_speed: float, repro: Repro) -> None:
    from iadsim.interop.dis.export import write_run_pdus
    from iadsim.interop.dis.session import DisOptions
    from iadsim.montecarlo.sweep import run_inputs
    from iadsim.simulation import run as run_simulation

    _check_outputs(out, dis_out, dis_speed)
    _check_dis_addresses(dis_udp, dis_in)
    run_seed: object = seed
    if set_ or replication is not None:
        sc, run_seed = _or_exit(lambda: run_inputs(_scenario_path(scenario), set_ or [],
                                                   replication, seed))
    else:
        sc = load_or_exit(scenario)
    if out.is_dir() and not overwrite and any(out.iterdir()):
        _say(f"iadsim run: --out {out} is not empty (it holds an earlier run or other files); "
             "give --overwrite to replace the run there, or another folder", err=True)
        raise typer.Exit(2)
    repro.seed = seed if seed is not None else int(sc.simulation.seed)
    _clear_run_outputs(out)
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(),
        TextColumn("{task.completed:>5.0f}/{task.total:.0f} s simulated"),
        TimeElapsedColumn(), TimeRemainingColumn(),
        console=err_console, disable=quiet, transient=True,
    ) as bar:
        task = bar.add_task(_markup_free(sc.name), total=sc.simulation.duration_s)
        try:
            result = run_simulation(
                sc, seed=run_seed, out_dir=out,  # type: ignore[arg-type]
                progress=lambda t, _d: bar.update(task, completed=t),
                dis=DisOptions(dis_in, dis_udp, dis_speed) if dis_in or dis_udp else None,
            )
        except RunInterrupted as stop:
            done = stop.result.summary["completed_s"]  # type: ignore[attr-defined]
            _say(f"Interrupted after {done:.0f} s simulated; partial results in {out}", err=True)
            raise typer.Exit(130) from None
        except (IadsimError, OSError) as exc:  # bad DIS source or address, disk
            _say(f"iadsim run: {exc}", err=True)
            raise typer.Exit(2) from None
    print_summary(result, out)
    if dis_out is not None:
        try:
            _say(f"DIS: {write_run_pdus(result, dis_out)} PDUs written to {dis_out}")
        except (IadsimError, OSError) as exc:  # more entities than DIS numbers, disk
            _say(f"iadsim run: --dis-out {dis_out}: {exc}", err=True)
            raise typer.Exit(2) from None
    if report_:
        _write_report(out)


def _markup_free(text: str) -> str:
    """User text for a rich template column (``[bold]{task.description}``): markup escaped."""
    from rich.markup import escape

    return escape(literal(text).plain)


def _check_outputs(out: Path, dis_out: Path | None, dis_speed: float = 1.0) -> None:
    """Refuse, before any work, outputs that cannot be written."""
    problems = []
    if out.exists() and not out.is_dir():
        problems.append(f"--out {out} is a file, not a folder")
    if dis_out is not None and not dis_out.resolve().parent.is_dir():
        problems.append(f"--dis-out {dis_out}: the folder {dis_out.parent} does not exist")
    from iadsim.interop.dis.stream import check_speed

    try:
        check_speed(dis_speed, "--dis-speed")
    except IadsimError as exc:
        problems.append(str(exc))
    for line in problems:
        _say(f"iadsim run: {line}", err=True)
    if problems:
        raise typer.Exit(2)


def _check_dis_addresses(dis_udp: str | None, dis_in: str | None) -> None:
    """Refuse malformed or unresolvable DIS addresses as the user errors they are (exit 2)."""
    from iadsim.interop.dis.stream import check_resolvable, parse_udp_address

    for option, text in (("--dis-udp", dis_udp), ("--dis-in", dis_in)):
        if text is None or (option == "--dis-in" and not text.startswith("udp://")):
            continue
        try:
            check_resolvable(parse_udp_address(text))
        except IadsimError as exc:
            _say(f"iadsim run: {option}: {exc}", err=True)
            raise typer.Exit(2) from None


def _clear_run_outputs(out: Path) -> None:
    """Delete what a run and its report write in ``out``, so no stale file survives."""
    from iadsim.outcomes.result import TABLES
    from iadsim.reports.build import PNG_FOLDER, REPORT_FILE

    if not out.is_dir():
        return
    for name in ("summary.json", "scenario.json", REPORT_FILE,
                 *(f"{table}.parquet" for table in TABLES)):
        (out / name).unlink(missing_ok=True)
    shutil.rmtree(out / PNG_FOLDER, ignore_errors=True)


def print_summary(result: Result, out: Path) -> None:
    """The end-of-run table: threats by type and fate, rounds spent, leakers per asset."""
    s = result.summary
    table = Table(title=literal(f"{s['scenario_name']} (seed {s['seed']})"))
    fates = ["killed", "leaked", "flying", "ended"]
    table.add_column("threat type")
    for f in fates:
        table.add_column(f, justify="right")
    table.add_column("total", justify="right")
    for ttype, row in s["threats"].items():
        table.add_row(literal(ttype), *(str(row.get(f, 0)) for f in fates),
                      str(sum(row.values())))
    table.add_row(literal("all", "bold"), *(literal(s["fates"].get(f, 0), "bold") for f in fates),
                  literal(s["threat_count"], "bold"))
    console.print(table)
    rounds = ", ".join(f"{c} {n}" for c, n in s["rounds_spent"].items())
    leaks = ", ".join(f"{a} {n}" for a, n in s["leakers_per_asset"].items())
    _say(f"Interceptors spent: {rounds} (total {s['rounds_total']}, "
         f"cost {s['interceptor_cost']:g})")
    _say(f"Leakers per asset: {leaks}")
    if "ew" in s:  # the contested fight (issue 16)
        from iadsim.ew.record import ew_totals
        _say("Contested: " + "; ".join(f"{k} {v}" for k, v in ew_totals(s["ew"]).items()))
    _say(f"Wall time {s['wall_time_s']:.2f} s. Results in {out}/")


def _scenario_path(path: Path | None) -> Path:
    from iadsim.scenario.load import DEFAULT_SCENARIO

    return path if path is not None else DEFAULT_SCENARIO


def _or_exit(call: Callable[[], T]) -> T:
    """Call; on a ScenarioError print one line per problem and exit with code 2."""
    try:
        return call()
    except ScenarioError as exc:
        for line in exc.problems:
            _say(line, err=True)
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
           overwrite: bool, saturation_level: float, quiet: bool, seed: int | None,
           listen: str | None, dashboard_address: str | None, command: str) -> None:
    path = _scenario_path(scenario)
    with _reported(Repro(command, str(path), seed)) as repro:
        if seed is not None:
            if any(s.split("=", 1)[0].strip() == "simulation.seed" for s in sets):
                _say(f"iadsim {command}: give the seed once, as --seed or as "
                     "--set simulation.seed=...", err=True)
                raise typer.Exit(2)
            sets = [*sets, f"simulation.seed={seed}"]
        chosen = _backend(backend, workers, scheduler)
        local_options = listen is not None or dashboard_address is not None
        if local_options and (scheduler is not None or chosen != Backend.dask.value):
            _say(f"iadsim {command}: --listen and --dashboard-address set up a local Dask "
                 "cluster (--workers N); they do not apply to --scheduler or to local "
                 "processes", err=True)
            raise typer.Exit(2)
        _sweep_points(path, sets, runs, out, chosen, workers, scheduler, chunk_size, resume,
                      overwrite, saturation_level, quiet, listen, dashboard_address, repro)


def _sweep_points(path: Path, sets: list[str], runs: int, out: Path, chosen: str,
                  workers: int | None, scheduler: str | None, chunk_size: int | None,
                  resume: bool, overwrite: bool, saturation_level: float, quiet: bool,
                  listen: str | None, dashboard_address: str | None, repro: Repro) -> None:
    from contextlib import ExitStack

    from iadsim.montecarlo.backends import LOOPBACK, available_cpus, local_cluster
    from iadsim.montecarlo.console import SweepProgress, saturation_table, summary_table
    from iadsim.montecarlo.replication import run_cost_warnings
    from iadsim.montecarlo.sweep import load_points, run_sweep, stored_replications

    points = _or_exit(lambda: load_points(path, sets))  # every point validated before work
    for line in run_cost_warnings(points):  # once up front, not once per replication
        _say(f"warning: {line}", err=True)
    repro.seed = points[0].seed
    name = points[0].scenario.name
    with ExitStack() as stack:
        if chosen == Backend.dask.value and scheduler is None:
            host = listen or LOOPBACK
            cluster = stack.enter_context(local_cluster(
                workers or available_cpus(), host=host, dashboard_address=dashboard_address))
            scheduler = cluster.scheduler_address
            _say(f"Dask: scheduler {scheduler}, dashboard {cluster.dashboard_link}", err=True)
            if host not in (LOOPBACK, "localhost", "::1"):
                _say(f"Dask listens on {host}: anyone who can reach it can submit work and "
                     "see the dashboard (no authentication)", err=True)
        try:
            with SweepProgress(_markup_free(name), err_console, disable=quiet) as progress:
                res = _or_exit(lambda: run_sweep(
                    path, runs=runs, out_dir=out, sets=sets, backend=chosen, workers=workers,
                    scheduler=scheduler, chunk_size=chunk_size, resume=resume,
                    overwrite=overwrite, saturation_level=saturation_level,
                    progress=progress, notify=lambda line: _say(line, err=True)))
        except KeyboardInterrupt:
            _say(f"Interrupted: {stored_replications(out)} of {runs * len(points)} "
                 f"replications are stored in {out}/; run the same command with "
                 "--resume to finish.", err=True)
            raise typer.Exit(130) from None
    console.print(summary_table(res))
    sat = saturation_table(res.saturation, res.params)
    if sat is not None:
        console.print(sat)
    done = len(res.replications)
    _say(f"{done} replications ({res.ran} run now, {res.resumed} already stored) in "
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
SweepSeedOption = Annotated[int | None, typer.Option(
    min=0, help="Override the scenario's seed (as --set simulation.seed=N); replication k of "
                "point p draws from SeedSequence(seed, spawn_key=(p, k)).")]
ListenOption = Annotated[str | None, typer.Option(
    help="Address the local Dask scheduler, workers and dashboard listen on. Default: "
         "127.0.0.1 (this machine only); another address exposes an unauthenticated "
         "dashboard and scheduler.", metavar="HOST", show_default=False)]
DashboardOption = Annotated[str | None, typer.Option(
    help="HOST:PORT of the local Dask dashboard and its HTTP endpoints (default: the --listen "
         "host, a free port).", metavar="HOST:PORT", show_default=False)]


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
    seed: SweepSeedOption = None,
    listen: ListenOption = None,
    dashboard_address: DashboardOption = None,
) -> None:
    """Monte Carlo: RUNS replications of a scenario, summarised with 95% intervals in OUT."""
    _sweep(scenario, set_ or [], runs, out, backend, workers, scheduler, chunk_size, resume,
           overwrite, saturation_level, quiet, seed, listen, dashboard_address, "mc")


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
    seed: SweepSeedOption = None,
    listen: ListenOption = None,
    dashboard_address: DashboardOption = None,
) -> None:
    """Parameter sweep: RUNS replications of every point of the --set grid, with statistics."""
    if not set_:
        _say("iadsim sweep needs at least one --set PATH=V1,V2,... (or use iadsim mc)", err=True)
        raise typer.Exit(2)
    _sweep(scenario, set_, runs, out, backend, workers, scheduler, chunk_size, resume,
           overwrite, saturation_level, quiet, seed, listen, dashboard_address, "sweep")


def _write_report(out_dir: Path, *, png: bool = False, coverage_alt_m: float = 100.0,
                  max_frames: int = 240) -> None:
    """Build the report of a results folder; bad folders and PNG problems exit with a message."""
    from iadsim.errors import InputDataError
    from iadsim.reports import build_report

    try:
        files = build_report(out_dir, png=png, coverage_alt_m=coverage_alt_m,
                             max_frames=max_frames)
    except InputDataError as exc:
        _say(exc, err=True)
        raise typer.Exit(2) from None
    except RuntimeError as exc:  # PNG export without kaleido or a Chromium
        _say(exc, err=True)
        raise typer.Exit(1) from None
    size_mb = files.html.stat().st_size / 1e6
    _say(f"Report: {files.html} ({size_mb:.1f} MB)")
    if files.pngs:
        _say(f"PNG charts: {', '.join(str(p) for p in files.pngs)}")


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
    with _reported(Repro("report", f"the results in {out_dir}")):
        _write_report(out_dir, png=png, coverage_alt_m=coverage_alt_m, max_frames=max_frames)


def _ballistic_reach(sc: Scenario, source: Path) -> None:
    """Raise ScenarioError (one line per shot) if a ballistic group's boost cannot fly it."""
    from iadsim.errors import ScenarioError
    from iadsim.world.frames import scenario_origin
    from iadsim.world.raid import ballistic_problems

    problems = ballistic_problems(sc, scenario_origin(sc))
    if problems:
        raise ScenarioError([f"{source}: {line}" for line in problems])


@app.command()
def validate(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file to check.")],
) -> None:
    """Check a scenario file; print one line per problem (exit code 2 if any)."""
    with _reported(Repro("validate", str(scenario))):
        sc = load_or_exit(scenario)
        _or_exit(lambda: _ballistic_reach(sc, scenario))  # the run's boost solves (~1 s each)
    n_threats = sum(g.count for g in sc.threats)
    _say(f"{scenario}: valid ({len(sc.sensors)} sensors, {len(sc.launchers)} launchers, "
         f"{n_threats} threats)")


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
    per interceptor class the fly-out envelope (time of flight, end speed; PNG and JSON); with
    a terrain section, the low-altitude maps and the vertical diagrams with multipath lobes."""
    from iadsim.sensors.coverage_views import write_coverage

    with _reported(Repro("coverage", str(_scenario_path(scenario)))):
        sc = load_or_exit(scenario)
        files = _or_exit(lambda: write_coverage(sc, out, rcs_m2=rcs_m2, pd=pd,
                                                altitude_m=altitude_m))
        from iadsim.reports.envelope_views import write_envelopes  # interceptor envelopes

        envelopes = write_envelopes(sc, out)
        terrain_files = []
        if sc.terrain is not None:  # low-altitude maps and multipath lobes (iadsim.terrain)
            from iadsim.terrain.coverage import write_terrain_coverage

            terrain_files = _or_exit(lambda: write_terrain_coverage(sc, out, rcs_m2=rcs_m2,
                                                                    pd=pd))
    _say(f"Coverage: {files.html}, {files.data}")
    if terrain_files:
        _say(f"Terrain: {', '.join(str(p) for p in terrain_files)}")
    _say(f"PNG: {', '.join(str(p) for p in files.pngs)}")
    _say(f"Envelopes: {', '.join(str(p) for p in envelopes)}")


@app.command()
def siting(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML with a terrain section.")],
    site: Annotated[list[str], typer.Option(
        help="Candidate site LAT,LON (degrees); repeat for each candidate.")],
    k: Annotated[int, typer.Option(min=1, help="How many sites to pick.")] = 2,
    sensor: Annotated[int, typer.Option(min=0, help="Index of the radar to site.")] = 0,
    height_m: Annotated[float, typer.Option(
        "--height-m", help="Target height above ground (m).")] = 30.0,
    rcs_m2: Annotated[float, typer.Option("--rcs-m2", help="Target RCS (m^2).")] = 0.1,
    pd: Annotated[float, typer.Option("--pd", help="Detection probability per look.")] = 0.5,
) -> None:
    """Pick the k candidate sites that best cover the threat axes low (greedy, with a bound)."""
    import numpy as np

    from iadsim.terrain.siting import corridor_points_deg, coverage_matrix, greedy_sites

    sc = load_or_exit(scenario)
    try:
        candidates = np.array([[float(v) for v in s.split(",")] for s in site]).reshape(-1, 2)
    except ValueError:
        _say(f"--site must be LAT,LON in degrees (got {site!r})", err=True)
        raise typer.Exit(2) from None
    if sc.terrain is None or sensor >= len(sc.sensors):
        _say(f"{scenario}: siting needs a terrain section and sensors[{sensor}]", err=True)
        raise typer.Exit(2)
    problems = [f"--site {i} must have lat_deg in [-90, 90] and lon_deg in [-180, 180] "
                f"(got {la:g},{lo:g})" for i, (la, lo) in enumerate(candidates)
                if not (-90.0 <= la <= 90.0 and -180.0 <= lo <= 180.0)]
    if not rcs_m2 > 0.0:
        problems.append(f"--rcs-m2 must be > 0 (got {rcs_m2!r})")
    if not height_m >= 0.0:
        problems.append(f"--height-m must be >= 0 (got {height_m!r})")
    if not sc.sensors[sensor].pfa < pd < 1.0:
        problems.append(f"--pd must be in (sensors[{sensor}].pfa, 1) = "
                        f"({sc.sensors[sensor].pfa}, 1) (got {pd!r})")
    if problems:
        for line in problems:
            _say(line, err=True)
        raise typer.Exit(2)
    points = corridor_points_deg(sc)
    covered = _or_exit(lambda: coverage_matrix(sc, candidates, points, sensor_index=sensor,
                                               height_m=height_m, rcs_m2=rcs_m2, pd=pd))
    res = greedy_sites(covered, k)
    for rank, (i, gain) in enumerate(zip(res.picked, res.gain, strict=True), 1):
        _say(f"{rank}. site {i} ({candidates[i, 0]:.4f}, {candidates[i, 1]:.4f}): "
             f"+{100 * gain:.1f} % of the corridor")
    _say(f"covered {100 * res.covered:.1f} % of {len(points)} corridor points at "
         f"{height_m:g} m above ground; no {len(res.picked)} of these sites cover more than "
         f"{100 * res.upper_bound:.1f} %")


@app.command()
def example(
    name: Annotated[str, typer.Option(
        help="Which bundled scenario: default, terrain (synthetic coast, sea-skimmers, "
             "clutter), sead (jammers, decoys and an ARM strike) or network (three mobile "
             "fire units under a brigade).")] = "default",
) -> None:
    """Print a bundled scenario (commented YAML) to start your own from."""
    from iadsim.scenario.load import EXAMPLES_DIR

    names = sorted(p.stem for p in EXAMPLES_DIR.glob("*.yaml"))
    if name not in names:
        _say(f"--name must be one of {', '.join(names)} (got {name!r})", err=True)
        raise typer.Exit(2)
    typer.echo((EXAMPLES_DIR / f"{name}.yaml").read_text(encoding="utf-8"), nl=False)


app.add_typer(dis_app, name="dis")


def main() -> None:
    """Entry point for ``python -m iadsim``."""
    app()


if __name__ == "__main__":
    main()
