"""reports/load.py: reading a run folder; a damaged file is a user error naming it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iadsim.cli import app
from iadsim.errors import InputDataError
from iadsim.reports.load import read_run


def test_a_good_run_folder_reads(run_dir: Path) -> None:
    assert len(read_run(run_dir).threats) > 0


@pytest.mark.parametrize("table", ["threats", "events", "truth"])
def test_a_truncated_table_names_the_file(run_dir: Path, table: str) -> None:
    path = run_dir / f"{table}.parquet"
    os.truncate(path, 200)
    with pytest.raises(InputDataError, match=rf"{table}\.parquet: damaged or not a Parquet "
                                             "table"):
        read_run(run_dir)


def test_a_table_that_is_not_parquet_names_the_file(run_dir: Path) -> None:
    (run_dir / "events.parquet").write_text("hello", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"events\.parquet: damaged"):
        read_run(run_dir)


def test_report_of_a_damaged_folder_exits_2_in_one_line(run_dir: Path) -> None:
    os.truncate(run_dir / "threats.parquet", 200)
    res = CliRunner().invoke(app, ["report", str(run_dir)])
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and "threats.parquet: damaged or not a Parquet table" in lines[0]
    assert "internal error" not in res.output
