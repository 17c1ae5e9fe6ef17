"""The hardened YAML reader: one regression test per failure class, from a minimal input."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from iadsim.errors import ScenarioError
from iadsim.scenario.load import DEFAULT_SCENARIO
from iadsim.scenario.yaml_reader import (
    ReaderLimits,
    key_segment,
    read_yaml_bytes,
    read_yaml_file,
    read_yaml_text,
)


def problem(data: bytes | str, limits: ReaderLimits | None = None) -> str:
    """The single problem line of a bad document (source ``raid.yaml``)."""
    with pytest.raises(ScenarioError) as info:
        if isinstance(data, bytes):
            read_yaml_bytes(data, "raid.yaml", limits=limits)
        else:
            read_yaml_text(data, "raid.yaml", limits=limits)
    assert len(info.value.problems) == 1
    (line,) = info.value.problems
    assert line.startswith("raid.yaml: ") and "\n" not in line
    return line


def laughs(levels: int, width: int, section: str = "tracking") -> str:
    """The "billion laughs" alias bomb: ``levels`` lists of ``width`` aliases to the last."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"l{k}: &l{k} [{', '.join([f'*l{k - 1}'] * width)}]" for k in range(1, levels)]
    return "\n".join([*lines, f"{section}: *l{levels - 1}", ""])


def test_the_default_scenario_reads_like_pyyaml_would() -> None:
    import yaml

    assert read_yaml_file(DEFAULT_SCENARIO) == yaml.safe_load(DEFAULT_SCENARIO.read_text())


def test_billion_laughs_fails_at_the_size_limit_naming_the_anchor_line() -> None:
    line = problem(laughs(9, 9))  # 9**9 = 387 million values once expanded
    assert re.search(r"raid\.yaml: l5: holds more than 250000 values once aliases are expanded "
                     r".*\(line 6, column 5\)", line)


def test_an_alias_bomb_under_the_size_limit_still_reads() -> None:
    data = read_yaml_text(laughs(3, 4), "raid.yaml")
    assert data["tracking"] == [[["lol"] * 4] * 4] * 4


def test_alias_count_limit() -> None:
    text = "a: &a 1\nb: [*a, *a, *a, *a]\n"
    line = problem(text, ReaderLimits(max_aliases=3))
    assert re.search(r"b\[3\]: more than 3 aliases \(limit of the scenario reader\) "
                     r"\(line 2, column 17\)", line)


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    assert "a[1][0]: alias *a refers to a node that contains it (line 1, column 12)" in problem(
        "a: &a [1, [*a]]")


def test_an_undefined_alias_names_its_line() -> None:
    assert "not valid YAML (line 1, column 4): found undefined alias" in problem("a: *nope")


@pytest.mark.parametrize("opening", ["[", "{a: "])
def test_deep_nesting_is_a_limit_not_a_recursion_error(opening: str) -> None:
    closing = "]" if opening == "[" else "}"
    line = problem("a: " + opening * 5000 + "1" * (opening != "[") + closing * 5000)
    assert "nested deeper than 32 levels (limit of the scenario reader) (line 1" in line
    # the path is named when the reader's own pass gets there before PyYAML >= 6.0.4's limit
    assert line.startswith("raid.yaml: ") and len(line) < 250


def test_depth_counts_aliases_expanded() -> None:
    text = "a: &a [[[[1]]]]\nb: [[[*a]]]\n"
    assert read_yaml_text(text, "raid.yaml", limits=ReaderLimits(max_depth=8))["b"]
    line = problem(text, ReaderLimits(max_depth=6))
    assert "b[0][0][0]: nested deeper than 6 levels once alias *a is expanded" in line


def test_size_limit_in_bytes(tmp_path: Path) -> None:
    assert "over the 10-byte limit of a scenario file" in problem(b"a: 12345678", ReaderLimits(
        max_bytes=10))
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (2 << 20))
    with pytest.raises(ScenarioError, match=r"big\.yaml: the file is over the 1,048,576-byte"):
        read_yaml_file(big)


def test_latin1_byte_gives_line_column_and_offset() -> None:
    line = problem(b"a: 1\nname: caf\xe9\n")
    assert "raid.yaml: not UTF-8 text (line 2, column 10, byte offset 14: 0xe9)" in line
    assert "save the file as UTF-8" in line


def test_a_flipped_byte_after_a_utf8_bom() -> None:
    assert "(line 1, column 4, byte offset 6: 0xff)" in problem(b"\xef\xbb\xbfa: \xff\n")
    assert "(line 1, column 8, byte offset 8: 0xe9)" in problem(b"name: \xc3\xa9\xe9\n")


@pytest.mark.parametrize(("encoding", "name"), [("utf-16", "UTF-16"), ("utf-32", "UTF-32")])
def test_utf16_and_utf32_with_a_bom_are_refused(encoding: str, name: str) -> None:
    line = problem("name: café\n".encode(encoding))
    assert f"the file is {name} text (line 1, column 1, byte offset 0: a byte-order mark)" in line


def test_a_utf8_bom_is_fine() -> None:
    assert read_yaml_bytes(b"\xef\xbb\xbfname: caf\xc3\xa9\n", "raid.yaml") == {"name": "café"}


def test_duplicate_keys_name_the_key_and_both_lines() -> None:
    assert "raid.yaml: name is given twice (line 1 and line 3)" in problem(
        "name: a\nx: 1\nname: b\n")
    line = problem("sensors:\n  - name: r\n    pfa: 1.0e-6\n    pfa: 0.1\n")
    assert "sensors[0].pfa is given twice (line 3 and line 4); a key may appear once" in line


def test_merge_keys_may_be_overridden_without_a_duplicate() -> None:
    data = read_yaml_text("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  x: 3\n", "raid.yaml")
    assert data["c"] == {"x": 3, "y": 2}


def test_syntax_errors_give_line_and_column() -> None:
    assert re.search(r"not valid YAML \(line 3, column 1\): .*did not find expected", problem(
        "a: 1\nb: [1,\n"))
    assert "not valid YAML (line 2, column 1): expected a single document" in problem(
        "a: 1\n---\nb: 2\n")


def test_control_characters_give_line_and_column() -> None:
    assert "not valid YAML (line 2, column 4): the character U+0007 is not allowed" in problem(
        "a: 1\nb: \x07\n")


def test_huge_integers_are_refused_with_their_path() -> None:
    line = problem("threats:\n  - count: " + "9" * 5000 + "\n")
    assert "threats[0].count: an integer of 5000 characters is too large" in line
    assert "(line 2, column 12)" in line
    assert read_yaml_text("seed: 18446744073709551616", "raid.yaml") == {"seed": 2**64}


@pytest.mark.parametrize(("text", "pattern"), [
    ("t: 2026-13-45", r"t: cannot read the value '2026-13-45' \(month must be in 1\.\.12\)"),
    ("x: !!float abc", r"x: cannot read the value 'abc'"),
    ("x: !!bool maybe", r"x: cannot read the value 'maybe'"),
    ("x: !!int 0xZZ", r"x: cannot read the value '0xZZ'"),
    ("x: !!binary 'not base64!'", r"not valid YAML \(line 1, column 4\): .*base64"),
    ("x: !!python/object/apply:os.system ['id']", r"could not determine a constructor"),
])
def test_values_no_constructor_can_build_name_the_node(text: str, pattern: str) -> None:
    assert re.search(pattern, problem(text))


def test_yaml_12_floats_are_numbers() -> None:
    data = read_yaml_text("a: 1e-6\nb: 1.0e6\nc: -2E+3\nd: 5.5e+9\ne: 1e\nf: 1_000\n", "x")
    assert data == {"a": 1e-6, "b": 1e6, "c": -2000.0, "d": 5.5e9, "e": "1e", "f": 1000}


def test_odd_keys_are_quoted_in_paths() -> None:
    assert key_segment("max_range_m") == ".max_range_m"
    assert key_segment("rcs_m\t2") == "['rcs_m\\t2']"
    assert "a['b c'] is given twice" in problem("a:\n  b c: 1\n  b c: 2\n")


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"none\.yaml: scenario file not found$"):
        read_yaml_file(tmp_path / "none.yaml")
    with pytest.raises(ScenarioError, match=r": scenario file is a directory$"):
        read_yaml_file(tmp_path)
    with pytest.raises(ScenarioError, match=r"'a\\x00b\.yaml': scenario file cannot be read "
                                            r"\(embedded null byte\)$"):
        read_yaml_file("a\0b.yaml")


def test_devices_and_pipes_are_named_and_never_opened(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"^/dev/zero: scenario file is not a regular file "
                                            r"\(a character device\)$"):
        read_yaml_file("/dev/zero")
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)  # no writer: opening it would block for ever
    with pytest.raises(ScenarioError, match=r"fifo\.yaml: scenario file is not a regular file "
                                            r"\(a named pipe\)$"):
        read_yaml_file(fifo)
