"""Command line, terminal side: user text printed literally, internal errors reported usefully.

In: strings that may hold user text (scenario, asset, radar, threat names; values from files),
and unexpected exceptions. Out: rich ``Text`` that no markup or escape sequence in a name can
restyle (``[bold red]`` is shown as written, an ESC byte as ``\\x1b``), and a crash file with
the full traceback and what is needed to reproduce the failure.
"""

from __future__ import annotations

import platform
import re
import shlex
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rich.text import Text

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides/isolates
# that reorder what a terminal shows (U+202A-U+202E, U+2066-U+2069).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    """``text`` with every control character written as an escape (``\\x1b``, ``\\u202e``)."""
    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CONTROL.sub(escape, str(text))


def literal(text: object, style: str = "") -> Text:
    """User text as a rich ``Text``: markup is not parsed, control characters are escaped."""
    return Text(printable(text), style=style)


@dataclass
class Repro:
    """What reproduces a command: its scenario file and seed, filled in as they become known."""

    command: str
    scenario: str = "the bundled default scenario"
    seed: int | None = None
    argv: list[str] = field(default_factory=lambda: ["iadsim", *sys.argv[1:]])

    def command_line(self) -> list[str]:
        """The command as typed, with ``--seed`` added when the seed came from the scenario."""
        if self.seed is None or "--seed" in self.argv or self.command not in SEEDED:
            return list(self.argv)
        return [*self.argv, "--seed", str(self.seed)]


SEEDED = ("run", "mc", "sweep")


def write_crash_report(exc: BaseException, repro: Repro, folder: Path | None = None) -> Path:
    """Write the traceback of ``exc`` with the command line, versions, scenario and seed.

    The file goes to ``folder`` (default: the temporary directory) under a new unique name.
    """
    from importlib import metadata

    try:
        version = metadata.version("iadsim")
    except metadata.PackageNotFoundError:
        version = "unknown"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(folder) if folder is not None else Path(tempfile.gettempdir())
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, delete=False,
                                     prefix=f"iadsim-error-{stamp}-", suffix=".txt") as fh:
        fh.write(f"iadsim {repro.command}: internal error\n"
                 f"command: {shlex.join(repro.command_line())}\n"
                 f"scenario: {repro.scenario}\n"
                 f"seed: {repro.seed if repro.seed is not None else 'the scenario seed'}\n"
                 f"iadsim {version}, Python {platform.python_version()}, "
                 f"{platform.platform()}\n"
                 f"time: {datetime.now(UTC).isoformat()}\n\n")
        fh.write("".join(traceback.format_exception(exc)))
    return Path(fh.name)


def crash_message(exc: BaseException, repro: Repro, report: Path | None) -> Text:
    """The few lines shown for an internal error (no traceback): what, how to reproduce, where."""
    what = f"{type(exc).__name__}: {exc}"
    if len(what) > 300:
        what = what[:300] + " ..."
    seed = f"seed {repro.seed}" if repro.seed is not None else "the scenario's own seed"
    inputs = f"scenario: {repro.scenario}, {seed}" if repro.command in SEEDED else \
        f"input: {repro.scenario}"
    return literal(
        f"iadsim {repro.command}: internal error ({what}).\n"
        "This is a bug in iadsim, not a problem with your input.\n"
        f"Reproduce with: {shlex.join(repro.command_line())}  "
        f"({inputs})\n"
        + (f"Full traceback: {report} (please attach it to a bug report)" if report is not None
           else "Full traceback (it could not be written to a file):\n"
           + "".join(traceback.format_exception(exc))))
