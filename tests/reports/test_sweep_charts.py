"""Tests of iadsim.reports.sweep_charts against folders written by the real sweep machinery."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from report_fakes import write_sweep_folder

from iadsim.errors import InputDataError
from iadsim.reports.sweep_charts import (
    build_distributions,
    build_saturation,
    build_sweep_page,
    is_sweep_folder,
    read_sweep,
)

PARAMS = ["command.reaction_time_s", "threats[2].count"]


def test_saturation_curves_follow_the_summary(sweep_dir: Path) -> None:
    manifest, _reps, summary, sat = read_sweep(sweep_dir)
    assert manifest["params"] == PARAMS and is_sweep_folder(sweep_dir)
    fig = build_saturation(summary, sat, PARAMS)
    curves = [t for t in fig.data if t.mode == "lines+markers" and t.xaxis == "x"]
    assert [t.name for t in curves] == ["command.reaction_time_s=4", "command.reaction_time_s=12"]
    for curve, (_, part) in zip(curves, summary.groupby("command.reaction_time_s"), strict=True):
        part = part.sort_values("n_threats_mean")
        np.testing.assert_allclose(curve.x, part.n_threats_mean)  # 22, 37, 47, 57 threats
        np.testing.assert_allclose(curve.y, part.p_any_leaker)
    bands = [t for t in fig.data if t.fill == "toself" and t.xaxis == "x"]
    assert len(bands) == 2
    first = summary[summary["command.reaction_time_s"] == 4].sort_values("n_threats_mean")
    np.testing.assert_allclose(bands[0].y, np.concatenate(
        [first.p_any_leaker_high, first.p_any_leaker_low[::-1]]))
    marks = [t for t in fig.data if str(t.name).startswith("saturation")]
    assert len(marks) == len(sat)
    np.testing.assert_allclose([m.x[0] for m in marks], sat.saturation_raid_size)
    # one panel per mean the summary has: leakers, rounds and cost
    assert [a.text for a in fig.layout.annotations][:4] == [
        "P(any leaker), Wilson 95%", "mean leakers, 95% CI", "mean rounds, 95% CI",
        "mean cost, 95% CI"]


def test_distributions_box_per_point(sweep_dir: Path) -> None:
    _m, reps, summary, _s = read_sweep(sweep_dir)
    fig = build_distributions(reps, summary, PARAMS)
    boxes = [t for t in fig.data if t.type == "box"]
    assert len(boxes) == 2 * len(summary)  # leakers and rounds, per point
    first = reps[reps.point == 0]
    np.testing.assert_array_equal(boxes[0].y, first.leakers.to_numpy(float))
    assert boxes[0].name == "4, 5"


def test_one_point_gets_histograms(tmp_path: Path) -> None:
    out = write_sweep_folder(tmp_path / "mc", [], runs=40)
    _m, reps, summary, _s = read_sweep(out)
    fig = build_distributions(reps, summary, [])
    hists = [t for t in fig.data if t.type == "histogram"]
    assert len(hists) == 2 and len(hists[0].x) == 40
    page = build_sweep_page(out)
    assert page.facts["runs"] == "40" and len(page.sections) == 3


def test_unexpected_summary_is_reported(tmp_path: Path, sweep_dir: Path) -> None:
    broken = pd.read_parquet(sweep_dir / "summary.parquet").drop(columns="p_any_leaker_low")
    broken.to_parquet(sweep_dir / "summary.parquet")
    with pytest.raises(InputDataError, match=r"summary\.parquet: differs from the checksum"):
        read_sweep(sweep_dir)
    # a manifest that agrees with the edited file: the column check still names the column
    manifest = json.loads((sweep_dir / "manifest.json").read_text())
    manifest["outputs"]["summary.parquet"] = hashlib.sha256(
        (sweep_dir / "summary.parquet").read_bytes()).hexdigest()
    (sweep_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputDataError,
                       match=r"summary\.parquet: missing column 'p_any_leaker_low'"):
        read_sweep(sweep_dir)


def test_distribution_note_matches_what_is_drawn(tmp_path: Path) -> None:
    one = build_sweep_page(write_sweep_folder(tmp_path / "one", [], runs=6))
    [fig] = one.sections[0].figures.values()
    assert {t.type for t in fig.data} == {"histogram"}
    assert "histogram" in one.sections[0].note and "box" not in one.sections[0].note
    many = build_sweep_page(write_sweep_folder(tmp_path / "many", ["threats[2].count=5,20"],
                                               runs=6))
    [fig] = many.sections[0].figures.values()
    assert {t.type for t in fig.data} == {"box"}
    assert "box" in many.sections[0].note
