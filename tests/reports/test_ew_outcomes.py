"""Tests of iadsim.reports.ew_outcomes: the contested fight's outcomes in the run report."""

from __future__ import annotations

import json
from pathlib import Path

from report_fakes import write_run_folder

from iadsim.reports.build import run_page
from iadsim.reports.ew_outcomes import build_ew_table
from iadsim.reports.load import read_run

EW = {
    "radars": {"search": {"emit_time_s": 222.8, "destroyed_s": 222.8},
               "mfr": {"emit_time_s": 412.0, "destroyed_s": None}},
    "radars_lost": 1,
    "burn_through_m": {"search": {"soj": 54_391.0, "ssj": 27_819.0}, "mfr": {"ssj": 9_012.0}},
    "strobes": 310, "ghost_fixes": 4,
    "jammer_tracks": {"angle_tracks": {"search": 2}, "ghost_tracks": 1,
                      "position_tracks": [{"jammer": "soj"}, {"jammer": "ghost"}]},
    "arms": {"fired": 4, "hits": 1, "misses": 2, "intercepted": 1, "outcomes": []},
    "decoys": {"groups": {}, "rounds_at_decoys": 9},
    "rounds_at_false_tracks": 3,
}


def _cells(fig, k: int) -> dict[str, list[str]]:
    heads = [h.replace("<b>", "").replace("</b>", "") for h in fig.data[k].header.values]
    return dict(zip(heads, (list(c) for c in fig.data[k].cells.values), strict=True))


def test_the_contested_table_shows_each_radar_and_the_run_totals(run_dir: Path) -> None:
    summary = json.loads((run_dir / "summary.json").read_text())
    (run_dir / "summary.json").write_text(json.dumps({**summary, "ew": EW}))
    fig = build_ew_table(read_run(run_dir))
    radars = _cells(fig, 0)
    assert radars["radar"] == ["search", "mfr"]
    assert radars["emitting (s)"] == ["223", "412"] and radars["lost at (s)"] == ["222.8", "–"]
    assert radars["burn-through soj (km)"] == ["54.4", "–"]
    assert radars["burn-through ssj (km)"] == ["27.8", "9.0"]
    totals = dict(zip(*_cells(fig, 1).values(), strict=True))
    assert totals["radars lost"] == "1" and totals["rounds at decoys"] == "9"
    assert totals["rounds at false tracks"] == "3"
    assert totals["ARMs fired / hits / misses / intercepted"] == "4 / 1 / 2 / 1"
    assert totals["jammer position tracks (ghosts)"] == "2 (1)"
    anchors = [s.anchor for s in run_page(read_run(run_dir)).sections]
    assert anchors[-1] == "contested"


def test_a_run_without_electronic_attack_has_no_contested_section(tmp_path: Path) -> None:
    run = read_run(write_run_folder(tmp_path / "clean"))
    assert build_ew_table(run) is None
    assert "contested" not in [s.anchor for s in run_page(run).sections]
