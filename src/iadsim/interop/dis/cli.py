"""``iadsim dis ...``: replay and export DIS PDU files (arguments -> library calls)."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from iadsim.errors import DisError, InputDataError

dis_app = typer.Typer(
    name="dis", help="DIS (IEEE 1278.1, version 7): replay and export PDU files.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

PduFile = Annotated[Path, typer.Argument(help="A .pdu file (iadsim run --dis-out).")]


def _fail(message: str) -> typer.Exit:
    err_console.print(message, markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(2)


@dis_app.command("replay")
def replay_cmd(
    path: PduFile,
    to: Annotated[str, typer.Option(help="Where to send: udp://host:port (default loopback).")] = (
        "udp://127.0.0.1:3000"),
    speed: Annotated[float, typer.Option(help="Time compression (2 = twice as fast; "
                                         "inf = as fast as the rate ceiling allows).")] = 1.0,
    max_rate: Annotated[float, typer.Option(
        help="Ceiling in PDUs per second, sent in bursts of 64, so that a receiver on this "
             "machine keeps up (inf: none).")] = 20_000.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Send a .pdu file over UDP with its original timing (or faster with --speed)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from iadsim.interop.dis.stream import (
        PduFileReport,
        check_rate,
        check_resolvable,
        check_speed,
        iter_pdu_file,
        parse_udp_address,
        replay_file,
    )

    try:  # every option is checked before anything is printed or sent
        check_speed(speed, "--speed")
        check_rate(max_rate, "--max-rate")
        check_resolvable(parse_udp_address(to))
    except DisError as exc:
        raise _fail(f"iadsim dis replay: {exc}") from None
    try:
        scan = PduFileReport()
        span = [t for t, _ in iter_pdu_file(path, scan)]
        report = PduFileReport()
        first, last = (span[0], span[-1]) if span else (0.0, 0.0)
        with Progress(TextColumn("{task.description}"), BarColumn(),
                      TextColumn("{task.fields[sim]:.1f} / {task.fields[total_s]:.1f} s"),
                      TextColumn("{task.completed}/{task.total} PDUs"), TimeElapsedColumn(),
                      console=err_console, transient=True, disable=quiet) as bar:
            task = bar.add_task("Replaying", total=scan.records, sim=0.0, total_s=last - first)

            shown = [0.0]

            def progress(n: int, time_s: float) -> None:
                now = time.monotonic()
                if now - shown[0] >= 0.1 or n == scan.records:  # at most 10 updates a second
                    shown[0] = now
                    bar.update(task, completed=n, sim=time_s - first)

            n = replay_file(path, to, speed=speed, max_rate_pps=max_rate, report=report,
                            progress=progress, announce=lambda m: err_console.print(
                                m, markup=False, highlight=False))
    except (InputDataError, ValueError, OSError) as exc:
        raise _fail(f"{path}: {exc}" if not str(exc).startswith(str(path)) else str(exc)) from None
    console.print(f"Sent {n} PDUs from {path} to {to}", markup=False, highlight=False)
    if report.bad_time_records:
        console.print(f"Skipped {report.bad_time_records} records with a bad time (not finite, "
                      "negative, beyond 10 days, or earlier than the record before)",
                      markup=False, highlight=False, soft_wrap=True)
    if report.truncated_tail_bytes:
        console.print(f"Truncated last record ({report.truncated_tail_bytes} bytes) ignored",
                      markup=False, highlight=False)


@dis_app.command("export")
def export_cmd(
    out_dir: Annotated[Path, typer.Argument(help="An output folder of `iadsim run`.")],
    to: Annotated[Path, typer.Option(help="The .pdu file to write.")] = Path("run.pdu"),
) -> None:
    """Write the DIS PDUs of a finished run (its output folder) to a .pdu file."""
    from iadsim.interop.dis.export import run_pdus_from_folder
    from iadsim.interop.dis.stream import write_pdu_file

    try:
        n = write_pdu_file(to, run_pdus_from_folder(out_dir))
    except (InputDataError, ValueError, OSError, KeyError) as exc:
        raise _fail(f"{out_dir}: cannot export ({exc})") from None
    console.print(f"Wrote {n} PDUs to {to}")


@dis_app.command("info")
def info_cmd(path: PduFile) -> None:
    """Count the PDUs of a .pdu file by type, and the time span."""
    from iadsim.interop.dis.pdu import PduDecodeError, decode_pdu
    from iadsim.interop.dis.stream import PduFileReport, iter_pdu_file

    counts: Counter[str] = Counter()
    report = PduFileReport()
    first = last = None
    try:
        for t, data in iter_pdu_file(path, report):
            first = t if first is None else first
            last = t
            try:
                counts[type(decode_pdu(data)).__name__] += 1
            except PduDecodeError as exc:
                counts[f"malformed ({exc.reason})"] += 1
    except (InputDataError, OSError) as exc:
        raise _fail(str(exc)) from None
    if report.bad_time_records:
        counts["malformed (bad_time)"] += report.bad_time_records
    table = Table(title=f"{path}: {report.records} PDUs, {first or 0:.1f}-{last or 0:.1f} s")
    table.add_column("PDU")
    table.add_column("count", justify="right")
    for name, n in sorted(counts.items()):
        table.add_row(name, str(n))
    console.print(table)
    if report.truncated_tail_bytes:
        console.print(f"Truncated last record ({report.truncated_tail_bytes} bytes) ignored")
