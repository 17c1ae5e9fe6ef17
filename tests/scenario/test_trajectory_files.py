"""``threats[i].trajectory_file`` at the scenario edge: short messages, never open a pipe."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from iadsim.errors import ScenarioError
from iadsim.scenario.load import DEFAULT_SCENARIO, scenario_from_dict
from iadsim.scenario.trajectory_files import resolve_trajectory_files

BASE = yaml.safe_load(DEFAULT_SCENARIO.read_text())


def problem(value: Any, source: str = "raid.yaml") -> str:
    """The one problem line when ``threats[0].trajectory_file`` is ``value``."""
    data = copy.deepcopy(BASE)
    data["threats"][0]["trajectory_file"] = value
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, source)
    (line,) = info.value.problems
    return line


def test_a_list_is_shown_by_type_and_first_items() -> None:
    line = problem(list(range(500)))
    assert line == ("raid.yaml: threats[0].trajectory_file must be a path "
                    "(got a list: [0, 1, 2, ...])")
    assert len(problem({"k" * 1_000: "v" * 1_000})) < 200


def test_a_long_path_is_cut() -> None:
    line = problem("x" * 5_000 + ".csv")
    assert line.startswith("raid.yaml: threats[0].trajectory_file cannot be read (File name too "
                           "long) (got 'xxx")
    assert len(line) < 200


def test_a_directory_a_device_and_a_pipe_say_what_they_are(tmp_path: Path) -> None:
    assert problem("/") == "raid.yaml: threats[0].trajectory_file is a directory (got '/')"
    assert problem("/dev/zero") == ("raid.yaml: threats[0].trajectory_file is not a regular file "
                                    "(a character device) (got '/dev/zero')")
    os.mkfifo(tmp_path / "fifo.csv")  # no writer: opening it would block for ever
    source = str(tmp_path / "raid.yaml")
    assert problem("fifo.csv", source) == (f"{source}: threats[0].trajectory_file is not a "
                                           "regular file (a named pipe) (got 'fifo.csv')")


def test_a_missing_relative_path_shows_where_it_was_looked_for(tmp_path: Path) -> None:
    source = str(tmp_path / "raid.yaml")
    line = problem("nope.csv", source)
    assert line.startswith(f"{source}: threats[0].trajectory_file not found (got 'nope.csv', "
                           "resolved to '/")
    assert line.endswith("/nope.csv')")


def test_groups_without_a_file_are_left_alone() -> None:
    data, problems = resolve_trajectory_files(BASE, "raid.yaml")
    assert problems == [] and data == BASE
    assert resolve_trajectory_files([1, 2], "raid.yaml") == ([1, 2], [])


def test_an_empty_path_is_an_error_not_the_current_folder() -> None:
    # found by running the valid fuzz mutants: "" validated, then the run read "." and crashed
    assert problem("") == "raid.yaml: threats[0].trajectory_file must not be empty (got '')"
