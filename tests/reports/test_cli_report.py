"""Tests of the report commands: ``iadsim report OUT_DIR`` and ``iadsim run --report``."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from iadsim.cli import app
from iadsim.scenario.load import DEFAULT_SCENARIO

runner = CliRunner()


def test_report_command_writes_the_page(run_dir: Path) -> None:
    result = runner.invoke(app, ["report", str(run_dir), "--coverage-alt-m", "5000",
                                 "--max-frames", "20"])
    assert result.exit_code == 0, result.output
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "radar coverage at 5000 m" in html
    assert "Report:" in result.output and "MB" in result.output


def test_report_command_rejects_a_folder_without_results(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "not an iadsim output folder" in result.output


def test_run_with_report(tmp_path: Path) -> None:
    data = yaml.safe_load(DEFAULT_SCENARIO.read_text(encoding="utf-8"))
    data["simulation"]["duration_s"] = 120
    data["threats"] = [dict(g, count=1) for g in data["threats"][:2]]
    scenario = tmp_path / "small.yaml"
    scenario.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(scenario), "--out", str(out), "--quiet", "--report"])
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file() and (out / "summary.json").is_file()
