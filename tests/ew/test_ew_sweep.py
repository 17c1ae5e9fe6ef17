"""A sweep over jammer power or decoy count is built like any other sweep (``--set`` paths)."""

from __future__ import annotations

from iadsim.montecarlo.sweep import load_points
from iadsim.scenario.load import EXAMPLES_DIR


def test_jammer_power_and_decoy_count_sweep_points() -> None:
    points = load_points(EXAMPLES_DIR / "sead.yaml",
                         ["ew.jammers[0].power_w=100,1000", "threats[3].count=2,12"])
    assert len(points) == 4
    got = sorted((p.scenario.ew.jammers[0].power_w, p.scenario.threats[3].count) for p in points)
    assert got == [(100.0, 2), (100.0, 12), (1000.0, 2), (1000.0, 12)]
