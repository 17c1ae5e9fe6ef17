"""Fixtures of the Monte Carlo tests: the default scenario as a file (``scenario_data``, the
same as raw data, comes from ``tests/conftest.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from iadsim.scenario.load import DEFAULT_SCENARIO


@pytest.fixture()
def scenario_file(tmp_path: Path) -> Path:
    """The default scenario, written to a temporary file."""
    path = tmp_path / "scenario.yaml"
    path.write_text(DEFAULT_SCENARIO.read_text(encoding="utf-8"), encoding="utf-8")
    return path
