"""Tests of iadsim.reports.timeline: engagements, their results and fire-control channels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iadsim.reports.load import read_run
from iadsim.reports.timeline import build_timeline, engagements


def test_engagements_pair_launches_with_results(run_dir: Path) -> None:
    table = engagements(read_run(run_dir)).table
    assert table.interceptor_id.tolist() == [0, 1, 2]
    assert table.result.tolist() == ["kill", "miss", "kill"]
    assert table.start_s.tolist() == [90.0, 100.0, 120.0]
    assert table.end_s.tolist() == [120.0, 130.0, 150.0]
    # 0 (90-120) and 1 (100-130) overlap; 2 starts at 120 when channel 0 frees up
    assert table.channel.tolist() == [0, 1, 0]


def test_timeline_traces(run_dir: Path) -> None:
    fig = build_timeline(read_run(run_dir))
    ends = {t.name: t for t in fig.data if t.mode == "markers"}
    assert set(ends) == {"hit (kill)", "miss"}
    assert list(ends["hit (kill)"].x) == [120.0, 150.0]
    assert list(ends["miss"].y) == ["L1 · ch 2"]
    assert list(fig.layout.yaxis.categoryarray) == ["L1 · ch 2", "L1 · ch 1"]
    assert "t-1" in ends["miss"].hovertext[0] and "miss" in ends["miss"].hovertext[0]


def _run_with_launches(run_dir: Path, starts: np.ndarray, ends: np.ndarray,
                       launchers: np.ndarray):
    run = read_run(run_dir)
    n = len(starts)
    launch = pd.DataFrame({"time_s": starts, "kind": "launch", "threat_id": 0, "track_id": 0,
                           "interceptor_id": np.arange(n), "launcher": launchers,
                           "interceptor_class": "short"})
    result = launch.assign(time_s=ends, kind="miss")
    events = pd.concat([launch, result], ignore_index=True).sort_values("time_s")
    for col in run.events.columns:
        if col not in events:
            events[col] = None
    return type(run)(**{**{f: getattr(run, f) for f in run.__slots__}, "events": events})


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_channels_are_as_few_as_the_most_engagements_at_once(run_dir: Path, seed: int) -> None:
    """Interval colouring: channels used == the largest number of simultaneous engagements
    (brute force over every instant), and no channel holds two overlapping engagements."""
    rng = np.random.default_rng(seed)
    n = 40
    starts = np.round(rng.uniform(0, 300, n), 1)
    ends = starts + np.round(rng.uniform(5, 60, n), 1)
    launchers = rng.choice(["A", "B"], n)
    table = engagements(_run_with_launches(run_dir, starts, ends, launchers)).table
    for launcher, group in table.groupby("launcher"):
        s, e = group.start_s.to_numpy(), group.end_s.to_numpy()
        instants = np.concatenate([s, e - 1e-6])
        most = max(int(((s <= t) & (t < e)).sum()) for t in instants)
        assert group.channel.nunique() == most == group.channel.max() + 1, launcher
        for _, lane in group.groupby("channel"):
            order = np.argsort(lane.start_s.to_numpy())
            assert np.all(lane.start_s.to_numpy()[order][1:] >= lane.end_s.to_numpy()[order][:-1])


def test_no_launches_gives_a_labelled_empty_timeline(run_dir: Path) -> None:
    run = _run_with_launches(run_dir, np.zeros(0), np.zeros(0), np.array([], dtype=object))
    fig = build_timeline(run)
    assert engagements(run).table.empty
    assert fig.layout.annotations[0].text == "no interceptor was launched"


def test_idle_launchers_get_a_row(run_dir: Path) -> None:
    run = read_run(run_dir)
    scenario = {**run.scenario, "launchers": [*run.scenario["launchers"],
                                              {**run.scenario["launchers"][0], "name": "A0"}]}
    run = type(run)(**{**{f: getattr(run, f) for f in run.__slots__}, "scenario": scenario})
    fig = build_timeline(run)
    assert list(fig.layout.yaxis.categoryarray) == ["L1 · ch 2", "L1 · ch 1", "A0 · idle"]


def test_launches_without_any_result_yet(run_dir: Path) -> None:
    """A run cut short: rounds in flight, no kill or miss anywhere (the ends table is empty)."""
    events = pd.read_parquet(run_dir / "events.parquet")
    events[~events.kind.isin(["kill", "miss"])].to_parquet(run_dir / "events.parquet")
    table = engagements(read_run(run_dir)).table
    assert table.result.tolist() == ["open", "open", "open"]
    assert table.end_s.tolist() == [120.0, 130.0, 150.0]  # the interceptors' last samples
