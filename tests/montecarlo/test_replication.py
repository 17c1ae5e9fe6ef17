"""Tests of iadsim.montecarlo.replication with the real simulation (shortened default)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from dask.distributed import LocalCluster
from mc_fakes import SHORT_SETS

from iadsim.errors import ScenarioError
from iadsim.montecarlo.replication import summary_row
from iadsim.montecarlo.sweep import replay_inputs, run_sweep
from iadsim.scenario.model import Scenario
from iadsim.simulation import run
from iadsim.world.frames import scenario_origin
from iadsim.world.threats import build_threats

SETS = [*SHORT_SETS[1:], "threats[2].count=2,6"]


def test_replication_replayed_alone_equals_it_inside_a_sweep(scenario_file: Path,
                                                             tmp_path: Path) -> None:
    res = run_sweep(scenario_file, runs=3, out_dir=tmp_path / "out", sets=[*SHORT_SETS[:1], *SETS],
                    backend="serial")
    table = res.replications
    assert len(table) == 6
    assert table["leakers"].sum() > 0
    scenario, seq = replay_inputs(scenario_file, [*SHORT_SETS[:1], *SETS], point=1,
                                  replication=2)
    assert scenario.threats[2].count == 6
    assert seq.spawn_key == (1, 2) and seq.entropy == 20261127
    result = run(scenario, seed=seq)  # the full run, as `iadsim run --replication 1,2` does
    row = summary_row(result.summary, scenario)
    inside = table[(table["point"] == 1) & (table["replication"] == 2)].iloc[0]
    for key, value in row.items():
        assert inside[key] == value or (pd.isna(inside[key]) and pd.isna(value)), key
    # and a different replication differs
    other = table[(table["point"] == 1) & (table["replication"] == 0)].iloc[0]
    assert other["seed_fingerprint"] != inside["seed_fingerprint"]


def test_row_columns_do_not_depend_on_the_replication(default_scenario) -> None:
    # a run without kills has no rounds_per_kill (None in summary.json): NaN, not a lost column
    base = {"threat_count": 61, "leakers": 3, "kills": 0, "cost_exchange_ratio": 1.5,
            "interrupted": False, "raid_annihilated": False}
    undefined = summary_row({**base, "rounds_per_kill": None}, default_scenario)
    defined = summary_row({**base, "rounds_per_kill": 2.0}, default_scenario)
    assert list(undefined) == list(defined)
    assert np.isnan(undefined["rounds_per_kill"]) and defined["rounds_per_kill"] == 2.0
    assert undefined["cost_exchange_ratio"] == 1.5
    assert "interrupted" not in undefined and "raid_annihilated" in undefined


def test_replay_refuses_a_point_outside_the_grid(scenario_file: Path) -> None:
    with pytest.raises(ScenarioError, match=r"point must be within 0\.\.1"):
        replay_inputs(scenario_file, SETS, point=2, replication=0)


def test_backends_give_identical_tables(scenario_file: Path, tmp_path: Path) -> None:
    # Dask through an existing scheduler (the --scheduler path); the LocalCluster that
    # --backend dask --workers N starts is exercised in test_backends.py
    tables = {}
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster:
        for backend in ("serial", "processes", "dask"):
            out = tmp_path / backend
            run_sweep(scenario_file, runs=2, out_dir=out, sets=[*SETS, "simulation.duration_s=60"],
                      backend=backend, workers=2, chunk_size=1,
                      scheduler=cluster.scheduler_address if backend == "dask" else None)
            reps = pd.read_parquet(out / "replications").sort_values(["point", "replication"])
            tables[backend] = (reps.drop(columns="wall_time_s").reset_index(drop=True),
                               pd.read_parquet(out / "summary.parquet"))
    for backend in ("processes", "dask"):
        pd.testing.assert_frame_equal(tables["serial"][0], tables[backend][0])
        pd.testing.assert_frame_equal(tables["serial"][1], tables[backend][1])
    summary = tables["serial"][1]
    assert summary["threats[2].count"].tolist() == [2, 6]
    # every object in the world: the groups' members plus what a raid adds (separated boosters,
    # stand-off weapons), counted here from the scenario of each point on its own
    expected = []
    for point in (0, 1):
        scenario, _ = replay_inputs(scenario_file, [*SETS, "simulation.duration_s=60"],
                                    point=point, replication=0)
        expected.append(len(build_threats(scenario, scenario_origin(scenario))))
    assert expected[1] - expected[0] == 4
    assert np.all(summary["n_threats_mean"].to_numpy() == expected)


def test_a_prebuilt_envelope_table_gives_the_same_replication(default_scenario: Scenario) -> None:
    from dataclasses import replace

    from iadsim.engagement.launchers import envelope_table
    from iadsim.montecarlo.grid import SweepPoint
    from iadsim.montecarlo.replication import replicate

    short = default_scenario.model_copy(
        update={"simulation": default_scenario.simulation.model_copy(update={"duration_s": 120.0})})
    bare = SweepPoint(index=0, values={}, scenario=short)
    built = replace(bare, envelopes=envelope_table(short))
    assert replicate(built, 3) == replicate(bare, 3)


def test_run_cost_is_warned_once_per_sweep_not_per_replication(scenario_file: Path) -> None:
    """Point 1 (pfa 2e-3 on the first radar, ~2,700 false alarms per simulated second) warns,
    point 0 does not; replications run silently (warnings are errors in the tests)."""
    from iadsim.montecarlo.replication import replicate, run_cost_warnings
    from iadsim.montecarlo.sweep import load_points
    from iadsim.sensors.radar import RunCostWarning

    points = load_points(scenario_file, ["simulation.duration_s=2", "sensors[0].pfa=1e-7,2e-3"])
    lines = run_cost_warnings(points)
    assert len(lines) == 1 and lines[0].startswith("sweep point(s) 1: the radars make 2,")
    assert run_cost_warnings(points[1:]) == [lines[0].removeprefix("sweep point(s) 1: ")]
    assert run_cost_warnings(points[:1]) == []
    with pytest.warns(RunCostWarning):  # a single run still warns
        run(points[1].scenario, seed=1, out_dir=None, keep_trajectories=False)
    assert replicate(points[1], 0)["n_threats"] > 0  # no warning raised here
