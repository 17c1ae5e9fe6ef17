"""Helpers shared by the report and figure writers: names made safe for files and figures."""

from __future__ import annotations

import pytest

from iadsim.figures import file_stems, mpl_text


@pytest.mark.parametrize(("names", "stems"), [
    ([], []),
    (["radar"], ["radar"]),
    (["radar/1", "radar-1"], ["radar-1", "radar-1-2"]),
    (["a/1", "a-1", "a-1-2"], ["a-1", "a-1-2", "a-1-2-2"]),  # a suffix never takes a name
    (["Radar", "radar"], ["Radar", "radar-2"]),  # distinct on case-insensitive file systems
    (["///", "\x1b[31m"], ["unnamed", "31m"]),
])
def test_file_stems_are_safe_and_unique(names: list[str], stems: list[str]) -> None:
    got = file_stems(names)
    assert got == stems
    assert len({s.lower() for s in got}) == len(got)
    assert all(set(s) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
               for s in got)


def test_file_stems_keep_the_separator_asked_for() -> None:
    assert file_stems(["very long", "very/long"], sep="_") == ["very_long", "very_long-2"]


def test_mpl_text_escapes_control_characters_and_mathtext() -> None:
    assert mpl_text("r\x1b[31m $x$ \u202e") == "r\\x1b[31m \\$x\\$ \\u202e"
    assert mpl_text("plain name") == "plain name"
