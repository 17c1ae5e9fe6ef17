"""Tests of `iadsim mc`, `iadsim sweep` and `iadsim run --replication` (real simulation)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from mc_fakes import SHORT_SETS
from typer.testing import CliRunner

from iadsim.cli import app

SHORT = [a for s in (*SHORT_SETS[1:], "simulation.duration_s=60") for a in ("--set", s)]


def test_bad_set_refused_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    res = runner.invoke(app, ["sweep", "--set", "threats[0].count=10,0", "--set",
                              "command.reaction_time_s=5,-1", "--runs", "3", "--out", str(out),
                              "--backend", "serial"])
    assert res.exit_code == 2
    assert "threats[0].count must be >= 1 (got 0)" in res.output
    assert "command.reaction_time_s must be >= 0" in res.output
    res = runner.invoke(app, ["mc", "--set", "threats[7].count=3", "--out", str(out)])
    assert res.exit_code == 2
    assert "threats[7] does not exist" in res.output
    res = runner.invoke(app, ["mc", "--set", "threats[0].cuont=3", "--out", str(out)])
    assert res.exit_code == 2
    assert "threats[0].cuont is not a known field" in res.output
    assert not out.exists()


def test_run_replication_equals_the_sweep_row(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "sweep"
    res = runner.invoke(app, ["sweep", *SHORT, "--set", "threats[2].count=2,6", "--runs", "2",
                              "--out", str(out), "--backend", "serial", "-q"])
    assert res.exit_code == 0, res.output
    assert "P(any leaker)" in res.output
    assert (out / "summary.csv").exists()
    row = pd.read_parquet(out / "replications").set_index(["point", "replication"]).loc[(1, 1)]
    one = tmp_path / "one"
    res = runner.invoke(app, ["run", *SHORT, "--set", "threats[2].count=2,6",
                              "--replication", "1,1", "--out", str(one), "-q"])
    assert res.exit_code == 0, res.output
    summary = json.loads((one / "summary.json").read_text())
    assert summary["seed"] == "20261127:1,1"
    assert (summary["leakers"], summary["kills"], summary["rounds_total"]) == (
        row["leakers"], row["kills"], row["rounds_total"])
    assert summary["leakers_per_asset"] == {"city": row["leakers_city"],
                                            "airbase": row["leakers_airbase"]}
    res = runner.invoke(app, ["run", *SHORT, "--set", "threats[2].count=2,6", "--out", str(one)])
    assert res.exit_code == 2
    assert "--set gives 2 sweep points" in res.output


def test_sigkilled_cli_sweep_resumes_to_the_uninterrupted_tables(tmp_path: Path) -> None:
    killed, straight = tmp_path / "killed", tmp_path / "straight"
    args = ["sweep", *SHORT, "--set", "threats[2].count=2,6", "--runs", "4", "--chunk-size", "1"]
    cmd = [sys.executable, "-m", "iadsim", *args, "--backend", "processes", "--workers", "2", "-q",
           "--out", str(killed)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(list((killed / "replications").glob("chunk-*"))) < 2:
        assert proc.poll() is None, "the sweep ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stored = len(list((killed / "replications").glob("chunk-*")))
    assert 2 <= stored < 8
    runner = CliRunner()
    res = runner.invoke(app, [*args, "--out", str(killed), "--resume", "--backend", "serial"])
    assert res.exit_code == 0, res.output
    assert f"{8 - stored} run now, {stored} already stored" in " ".join(res.output.split())
    res = runner.invoke(app, [*args, "--out", str(straight), "--backend", "serial", "-q"])
    assert res.exit_code == 0, res.output
    a = pd.read_parquet(killed / "replications").sort_values(["point", "replication"])
    b = pd.read_parquet(straight / "replications").sort_values(["point", "replication"])
    assert not a.duplicated(["point", "replication"]).any()
    pd.testing.assert_frame_equal(a.drop(columns="wall_time_s").reset_index(drop=True),
                                  b.drop(columns="wall_time_s").reset_index(drop=True))
    pd.testing.assert_frame_equal(pd.read_parquet(killed / "summary.parquet"),
                                  pd.read_parquet(straight / "summary.parquet"))
    assert (killed / "summary.csv").read_text() == (straight / "summary.csv").read_text()


def test_damaged_results_exit_2_on_report_and_are_repaired_by_resume(tmp_path: Path) -> None:
    runner = CliRunner()
    good, bad = tmp_path / "good", tmp_path / "bad"
    args = ["mc", *SHORT, "--runs", "4", "--chunk-size", "2", "--backend", "serial", "-q"]
    res = runner.invoke(app, [*args, "--out", str(good)])
    assert res.exit_code == 0, res.output
    shutil.copytree(good, bad)
    first, second = sorted((bad / "replications").glob("chunk-*.parquet"))
    shutil.copyfile(first, second)  # one chunk's file replaced by another's
    res = runner.invoke(app, ["report", str(bad)])
    assert res.exit_code == 2
    assert res.output.strip() == (
        f"{second}: content differs from the sha256 recorded in manifest.json (changed, "
        f"truncated or replaced after it was written); --resume will move it aside and "
        f"recompute replications 2-3 of point 0")
    assert not (bad / "report.html").exists()
    res = runner.invoke(app, [*args, "--out", str(bad), "--resume"])
    assert res.exit_code == 0, res.output
    assert f"moved to {bad / 'quarantine' / second.name}; recomputing" in res.output
    assert "2 run now, 2 already stored" in " ".join(res.output.split())
    _same_tables(good, bad)
    manifest = bad / "manifest.json"
    manifest.write_text(manifest.read_text()[:100])  # a truncated manifest
    res = runner.invoke(app, ["report", str(bad)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert res.output.startswith(f"{manifest}: is damaged (JSONDecodeError")
    assert "with --resume to rebuild it" in res.output
    res = runner.invoke(app, [*args, "--out", str(bad), "--resume"])
    assert res.exit_code == 0, res.output
    assert f"warning: {manifest} is damaged" in res.output
    assert "0 run now, 4 already stored" in " ".join(res.output.split())
    _same_tables(good, bad)
    res = runner.invoke(app, ["report", str(bad)])
    assert res.exit_code == 0, res.output


def _same_tables(a: Path, b: Path) -> None:
    ta, tb = (pd.read_parquet(p / "replications").sort_values(["point", "replication"])
              .drop(columns="wall_time_s").reset_index(drop=True) for p in (a, b))
    pd.testing.assert_frame_equal(ta, tb)
    assert (a / "summary.csv").read_text() == (b / "summary.csv").read_text()
