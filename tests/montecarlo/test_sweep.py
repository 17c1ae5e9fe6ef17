"""Tests of iadsim.montecarlo.sweep with the stand-in replication: store, resume, SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from mc_fakes import fake_replicate

from iadsim.errors import ScenarioError
from iadsim.montecarlo.sweep import run_sweep

SETS = ["threats[0].count=10,30,60", "command.cycle_s=2,4"]


def _tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    reps = pd.read_parquet(out / "replications").sort_values(["point", "replication"])
    return reps.drop(columns="wall_time_s").reset_index(drop=True), pd.read_csv(
        out / "summary.csv")


def test_sweep_writes_folder_and_summary(scenario_file: Path, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    out = tmp_path / "out"
    res = run_sweep(scenario_file, runs=20, out_dir=out, sets=SETS, backend="serial",
                    chunk_size=7, replicate=fake_replicate,
                    progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 120) and calls[-1] == (120, 120)
    assert res.ran == 120 and res.resumed == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json", "replications", "saturation.csv", "summary.csv", "summary.parquet"]
    assert len(list((out / "replications").glob("chunk-*.parquet"))) == 6 * 3
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] is True and manifest["runs"] == 20
    assert manifest["points"][3]["values"] == {"threats[0].count": 30, "command.cycle_s": 4.0}
    summary = pd.read_parquet(out / "summary.parquet")
    assert summary["runs"].tolist() == [20] * 6
    assert summary["threats[0].count"].tolist() == [10, 10, 30, 30, 60, 60]
    # the summary agrees with the replication rows it summarises
    reps = res.replications
    p4 = reps[reps["point"] == 4]
    assert summary.loc[4, "p_any_leaker"] == pytest.approx(p4["any_leaker"].mean())
    assert summary.loc[4, "leakers_mean"] == pytest.approx(p4["leakers"].mean())
    assert summary.loc[4, "n_threats_mean"] == 23 + 60
    # the folder is queryable with DuckDB as documented
    by_point = duckdb.sql(
        f"SELECT point, avg(leakers) AS m, count(*) AS n FROM "
        f"read_parquet('{out}/replications/*.parquet') GROUP BY point ORDER BY point").df()
    assert by_point["n"].tolist() == [20] * 6
    np.testing.assert_allclose(by_point["m"], summary["leakers_mean"])
    top = duckdb.sql(f"SELECT \"threats[0].count\" AS c, p_any_leaker FROM "
                     f"'{out}/summary.parquet' ORDER BY p_any_leaker DESC, c DESC").fetchall()[0]
    assert top == (60, summary["p_any_leaker"].max())
    sat = pd.read_csv(out / "saturation.csv")
    assert sat["command.cycle_s"].tolist() == [2.0, 4.0]
    assert (sat["raid_size_min"] == 33).all() and (sat["raid_size_max"] == 83).all()


def test_resume_extends_and_equals_straight_run(scenario_file: Path, tmp_path: Path) -> None:
    straight = tmp_path / "straight"
    run_sweep(scenario_file, runs=10, out_dir=straight, sets=SETS[:1], backend="serial",
              replicate=fake_replicate)
    partial = tmp_path / "partial"
    run_sweep(scenario_file, runs=4, out_dir=partial, sets=SETS[:1], backend="serial",
              chunk_size=3, replicate=fake_replicate)
    with pytest.raises(ScenarioError, match="--resume"):
        run_sweep(scenario_file, runs=10, out_dir=partial, sets=SETS[:1], backend="serial",
                  replicate=fake_replicate)
    with pytest.raises(ScenarioError, match="cannot resume"):
        run_sweep(scenario_file, runs=10, out_dir=partial, sets=["threats[0].count=10,31,60"],
                  backend="serial", resume=True, replicate=fake_replicate)
    res = run_sweep(scenario_file, runs=10, out_dir=partial, sets=SETS[:1], backend="serial",
                    resume=True, chunk_size=4, replicate=fake_replicate)
    assert res.ran == 18 and res.resumed == 12
    for a, b in zip(_tables(straight), _tables(partial), strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_bad_set_refused_before_any_work(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(ScenarioError, match=r"threats\[0\]\.count must be >= 1 \(got -3\)"):
        run_sweep(scenario_file, runs=5, out_dir=out, sets=["threats[0].count=10,-3"],
                  backend="serial", replicate=fake_replicate)
    assert not out.exists()


def test_sigkilled_sweep_resumes_to_the_same_tables(scenario_file: Path, tmp_path: Path) -> None:
    here = Path(__file__).parent
    killed = tmp_path / "killed"
    script = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from mc_fakes import fake_replicate\n"
        "from iadsim.montecarlo.sweep import run_sweep\n"
        "run_sweep(sys.argv[2], runs=40, out_dir=sys.argv[3], sets=sys.argv[4:],"
        " backend='serial', chunk_size=2, replicate=fake_replicate)\n"
    )
    env = {**os.environ, "IADSIM_FAKE_DELAY_S": "0.02"}
    proc = subprocess.Popen([sys.executable, "-c", script, str(here), str(scenario_file),
                             str(killed), *SETS[:1]], env=env)
    deadline = time.monotonic() + 60
    while len(list((killed / "replications").glob("chunk-*"))) < 5:
        assert proc.poll() is None, "the sweep ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not (killed / "summary.csv").exists()
    res = run_sweep(scenario_file, runs=40, out_dir=killed, sets=SETS[:1], backend="serial",
                    resume=True, replicate=fake_replicate)
    assert 0 < res.ran < 120
    straight = tmp_path / "straight"
    run_sweep(scenario_file, runs=40, out_dir=straight, sets=SETS[:1], backend="serial",
              replicate=fake_replicate)
    reps, summary = _tables(killed)
    straight_reps, straight_summary = _tables(straight)
    assert not reps.duplicated(["point", "replication"]).any()
    assert len(reps) == 120
    pd.testing.assert_frame_equal(reps, straight_reps)
    pd.testing.assert_frame_equal(summary, straight_summary)
