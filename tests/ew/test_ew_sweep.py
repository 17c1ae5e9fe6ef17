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


def test_ew_outcomes_are_replication_columns_and_absent_without_ew() -> None:
    import math

    from iadsim.montecarlo.ew_columns import ew_columns
    from iadsim.montecarlo.replication import summary_row
    from iadsim.scenario.load import load_scenario

    sead = load_scenario(EXAMPLES_DIR / "sead.yaml")
    summary = {"leakers": 3, "threats": {"anti_radiation_missile": {"killed": 2}}, "ew": {
        "radars_lost": 1, "strobes": 40,
        "radars": {"surveillance-radar": {"emit_time_s": 120.0, "destroyed_s": 118.5},
                   "multifunction-radar": {"emit_time_s": 300.0, "destroyed_s": None}},
        "jammer_tracks": {"position_tracks": [{"jammer": "soj"}, {"jammer": "ghost"},
                                              {"jammer": "ssj"}]},
        "arms": {"hits": 1, "misses": 2, "intercepted": 1},
        "decoys": {"rounds_at_decoys": 5, "leakers_not_decoys": 2},
        "rounds_at_false_tracks": 4}}
    row = summary_row(summary, sead)
    expected = {"ew_radars_lost": 1, "ew_emit_s_surveillance-radar": 120.0,
                "ew_lost_surveillance-radar": 1, "ew_emit_s_multifunction-radar": 300.0,
                "ew_lost_multifunction-radar": 0, "ew_strobes": 40, "ew_jammer_tracks": 2,
                "ew_ghost_jammer_tracks": 1, "ew_arm_hits": 1, "ew_arm_misses": 2,
                "ew_arms_intercepted": 1, "ew_rounds_at_decoys": 5,
                "ew_rounds_at_false_tracks": 4, "ew_leakers_not_decoys": 2,
                "killed_anti_radiation_missile": 2}
    assert {k: row[k] for k in expected} == expected
    assert "ew" not in row
    # a replication whose run said nothing still has every column (scenario-fixed keys)
    empty = ew_columns({}, sead)
    assert set(empty) == set(expected) and math.isnan(empty["ew_emit_s_surveillance-radar"])
    default = load_scenario(EXAMPLES_DIR / "default.yaml")
    assert ew_columns(summary, default) == {}
    assert not [k for k in summary_row({"leakers": 0}, default) if k.startswith("ew_")]
