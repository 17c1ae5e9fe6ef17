"""Tests of iadsim.reports.tracking_quality: GOSPA curves and time to first track."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from iadsim.reports.load import read_run
from iadsim.reports.tracking_quality import build_tracking, gospa_series


def test_gospa_series_uses_the_runs_cutoff_and_sees_the_false_track(run_dir: Path) -> None:
    series = gospa_series(read_run(run_dir))
    assert (series.cutoff_m == 1000.0).all()  # summary.json: tracking.cutoff_m
    at = series.set_index("time_s")
    # 30 s: threats 0-2 tracked (from 10, 20, 30 s), threat 3 not yet: one missed
    assert at.loc[30.0, "n_truth"] == 4 and at.loc[30.0, "n_missed"] == 1
    # 50 s: all four tracked and the false track (40-60 s) is far from every threat
    assert at.loc[50.0, "n_false"] == 1 and at.loc[50.0, "n_missed"] == 0
    # closed form of a lone false track's part: (c^p / 2)^(1/p)
    np.testing.assert_allclose(at.loc[50.0, "false_m"], (1000.0**2 / 2) ** 0.5)
    np.testing.assert_allclose(at.gospa_m**2, at.localisation_m**2 + at.missed_m**2
                               + at.false_m**2)


def test_tracking_figure_traces(run_dir: Path) -> None:
    fig = build_tracking(read_run(run_dir))
    names = [t.name for t in fig.data]
    for expected in ("GOSPA", "localisation part", "missed part", "false part",
                     "missed threats", "false tracks", "threats flying", "time to first track"):
        assert expected in names
    bar = next(t for t in fig.data if t.name == "time to first track")
    # first track at 10 (k + 1) s, every threat launched at 0 s
    np.testing.assert_allclose(bar.x, [10.0, 20.0, 30.0, 40.0])
    assert list(bar.y) == ["t-0", "t-1", "t-2", "t-3"]
    assert "GOSPA" in fig.layout.annotations[0].text and "c = 1000 m" in \
        fig.layout.annotations[0].text


def test_the_runs_own_tracking_table_is_used_when_written(run_dir: Path) -> None:
    computed = gospa_series(read_run(run_dir))
    written = computed.drop(columns=["cutoff_m", "p"]).assign(gospa_m=computed.gospa_m + 1.0)
    written.to_parquet(run_dir / "tracking.parquet")
    run = read_run(run_dir)
    np.testing.assert_allclose(gospa_series(run).gospa_m, computed.gospa_m + 1.0)
    # an explicit cut-off recomputes
    np.testing.assert_allclose(gospa_series(run, cutoff_m=1000.0).gospa_m, computed.gospa_m)


def test_tracking_per_type_table(run_dir: Path) -> None:
    from iadsim.reports.tracking_quality import build_tracking_by_type, tracking_by_type

    run = read_run(run_dir)
    table = tracking_by_type(run).set_index("type")  # recomputed: the summary has no by_type
    assert sorted(table.index) == ["aircraft", "cruise_missile", "uav"]
    assert table.loc["aircraft", "threats"] == 2
    # every fake threat is first tracked 5 s after its first detection, 10 (k + 1) s after launch
    np.testing.assert_allclose(table["track_delay_s_mean"], 5.0)
    assert table.loc["aircraft", "time_to_track_s_mean"] == 30.0  # threats 1 and 3: 20, 40 s
    fig = build_tracking_by_type(run)
    cells = fig.data[0].cells.values
    assert len(cells[0]) == 3
    header = [h.replace("<b>", "").replace("</b>", "") for h in fig.data[0].header.values]
    assert list(cells[header.index("track delay mean (s)")]) == ["5.0"] * 3
    # a run that reports its own per-type table is shown as reported
    summary = json.loads((run_dir / "summary.json").read_text())
    summary["tracking"]["by_type"] = {"uav": {"threats": 1, "gospa_m": 123.0}}
    (run_dir / "summary.json").write_text(json.dumps(summary))
    shown = tracking_by_type(read_run(run_dir))
    assert shown["type"].tolist() == ["uav"] and shown["gospa_m"].tolist() == [123.0]
