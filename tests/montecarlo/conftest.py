"""Fixtures of the Monte Carlo tests: a small scenario file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from iadsim.scenario.load import DEFAULT_SCENARIO


@pytest.fixture()
def scenario_file(tmp_path: Path) -> Path:
    """The default scenario, written to a temporary file."""
    path = tmp_path / "scenario.yaml"
    path.write_text(DEFAULT_SCENARIO.read_text(encoding="utf-8"), encoding="utf-8")
    return path


SHORT_SETS = (
    "simulation.duration_s=90",
    "threats[2].start.lat_deg=44.25",
    "threats[2].start.lon_deg=8.93",
    "threats[2].launch_time_s=0",
)
"""``--set`` options that shorten the default scenario to ~0.4 s a run, with some leakers."""


@pytest.fixture()
def scenario_data() -> dict:
    """The default scenario as raw data."""
    return yaml.safe_load(DEFAULT_SCENARIO.read_text(encoding="utf-8"))
