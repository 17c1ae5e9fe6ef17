"""Tests of iadsim.reports.outcome_tables: fates, rounds per class and cost."""

from __future__ import annotations

from pathlib import Path

from report_fakes import write_run_folder

from iadsim.reports.load import read_run
from iadsim.reports.outcome_tables import (
    build_outcome_summary,
    build_outcome_table,
    rounds_and_cost,
)


def test_rounds_and_cost_per_class(run_dir: Path) -> None:
    table = rounds_and_cost(read_run(run_dir)).set_index("class")
    assert table.loc["short", "rounds"] == 3
    assert table.loc["short", "cost"] == 3 * 0.5
    assert table.loc["total", "rounds"] == 3 and table.loc["total", "cost"] == 1.5


def test_outcome_table_has_every_threat_and_its_fate(run_dir: Path) -> None:
    fig = build_outcome_table(read_run(run_dir))
    cells = dict(zip([h.replace("<b>", "").replace("</b>", "") for h in fig.data[0].header.values],
                     fig.data[0].cells.values, strict=True))
    assert list(cells["fate"]) == ["killed", "leaked", "killed", "flying"]
    assert list(cells["killed by"]) == ["L1 (short)", "–", "L1 (short)", "–"]
    assert list(cells["leaked on"]) == ["–", "port", "–", "–"]


def test_fates_by_type(run_dir: Path) -> None:
    fig = build_outcome_summary(read_run(run_dir))
    bars = {t.name: dict(zip(t.x, t.y, strict=True)) for t in fig.data if t.type == "bar"}
    assert bars["killed"] == {"aircraft": 0, "cruise missile": 1, "uav": 1}
    assert bars["leaked"]["aircraft"] == 1 and bars["flying"]["aircraft"] == 1


def test_names_in_tables_are_escaped(tmp_path: Path) -> None:
    run = read_run(write_run_folder(tmp_path / "r", threat_name="<b>x</b>", asset_name="a&b"))
    fig = build_outcome_table(run)
    values = [str(v) for col in fig.data[0].cells.values for v in col]
    assert "&lt;b&gt;x&lt;/b&gt;-0" in values and "a&amp;b" in values
    assert not any("<b>" in v for v in values)


def test_outcome_table_is_tall_enough_for_every_threat(run_dir: Path) -> None:
    """61 threats: every row is drawn (a PNG cannot scroll), at the table's own row height."""
    import pandas as pd

    threats = pd.read_parquet(run_dir / "threats.parquet")
    many = pd.concat([threats] * 16, ignore_index=True).head(61)
    many["threat_id"] = range(61)
    many.to_parquet(run_dir / "threats.parquet")
    fig = build_outcome_table(read_run(run_dir))
    assert len(fig.data[0].cells.values[0]) == 61
    header_and_margins_px = 110
    assert fig.layout.height >= header_and_margins_px + 61 * fig.data[0].cells.height
