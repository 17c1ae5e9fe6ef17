"""Fixtures for the report tests; the helpers behind them live in ``report_fakes``.

Test modules import helpers from ``report_fakes`` (a unique module name), never from
``conftest``: several test folders have a ``conftest.py`` and only one can be imported under
that name when folders are collected together.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from report_fakes import write_run_folder, write_sweep_folder


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """A toy output folder."""
    return write_run_folder(tmp_path / "run")


@pytest.fixture
def sweep_dir(tmp_path: Path) -> Path:
    """A raid-size sweep (three sizes of the first cruise-missile wave) at two reaction times."""
    return write_sweep_folder(tmp_path / "sweep", ["command.reaction_time_s=4,12",
                                                  "threats[2].count=5,20,30,40"])
