"""Tests of iadsim.terminal: user text printed literally, internal errors reported usefully."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from iadsim.terminal import Repro, crash_message, literal, printable, write_crash_report


@pytest.mark.parametrize(("text", "shown"), [
    ("plain name-1", "plain name-1"),
    ("\x1b[31mred", "\\x1b[31mred"),
    ("bell\x07 del\x7f csi\x9b", "bell\\x07 del\\x7f csi\\x9b"),
    ("\u202eevil\u2066", "\\u202eevil\\u2066"),
    ("tab\tand\nnewline", "tab\tand\nnewline"),
    ("", ""),
])
def test_printable_escapes_every_control_character(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_literal_is_not_markup_even_on_a_colour_terminal() -> None:
    console = Console(force_terminal=True, color_system="truecolor", width=120)
    with console.capture() as cap:
        console.print(literal("[bold red]x[/] [link=http://e]y[/link]"))
    out = cap.get()
    assert "[bold red]x[/] [link=http://e]y[/link]" in out
    assert "\x1b]8" not in out  # no hyperlink escape


def _boom() -> ZeroDivisionError:
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError as exc:
        return exc
    raise AssertionError


def test_crash_report_holds_the_traceback_and_how_to_reproduce(tmp_path: Path) -> None:
    repro = Repro("mc", "raid.yaml", 42, argv=["iadsim", "mc", "raid.yaml", "--runs", "10"])
    path = write_crash_report(_boom(), repro, tmp_path)
    text = path.read_text()
    assert path.parent == tmp_path and path.name.startswith("iadsim-error-")
    assert "command: iadsim mc raid.yaml --runs 10 --seed 42" in text
    assert "ZeroDivisionError: division by zero" in text and "in _boom" in text
    message = crash_message(_boom(), repro, path).plain
    assert message.splitlines()[0] == "iadsim mc: internal error (ZeroDivisionError: division " \
                                      "by zero)."
    assert f"Full traceback: {path}" in message and "Traceback (most" not in message


def test_crash_message_without_a_file_shows_the_traceback() -> None:
    message = crash_message(_boom(), Repro("run", "raid.yaml", 1, argv=["iadsim", "run"]),
                            None).plain
    assert "Traceback (most recent call last)" in message and "in _boom" in message
