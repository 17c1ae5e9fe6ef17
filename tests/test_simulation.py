"""End to end: the default scenario runs, obeys inventories and envelopes, and is reproducible."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from iadsim.engagement.launchers import InterceptorClasses, Launchers
from iadsim.outcomes.result import Result
from iadsim.scenario.load import scenario_from_dict
from iadsim.scenario.model import Scenario
from iadsim.simulation import run, stage_generators
from iadsim.world.frames import Origin, approx_altitude_m


def test_every_threat_has_one_fate(default_result: Result, default_scenario: Scenario) -> None:
    th = default_result.threats
    # every member, plus what a raid adds: stand-off weapons, separated boosters and debris
    n = sum(g.count * (1 + (g.standoff.count if g.standoff else 0)
                       + ((1 + g.ballistic.debris_count) if g.type == "ballistic_missile"
                          and g.ballistic.separation else 0))
            for g in default_scenario.threats)
    assert len(th) == n
    assert set(th["fate"]) <= {"killed", "leaked", "flying", "ended"}
    killed = th[th["fate"] == "killed"]
    assert (killed["killer_class"] != "").all() and killed["fate_time_s"].notna().all()
    leaked = th[th["fate"] == "leaked"]
    assert (leaked["leaked_asset"].isin(["city", "airbase"])).all()
    s = default_result.summary
    assert s["kills"] + s["leakers"] + s["fates"]["flying"] + s["fates"]["ended"] == n
    assert sum(s["leakers_per_asset"].values()) == s["leakers"]
    assert s["kills"] > 0 and s["rounds_total"] > 0
    assert s["tracking"]["threats_tracked"] > 0.9 * n
    assert s["tracking"]["gospa_m"] >= s["tracking"]["localisation_m"] >= 0
    assert len(default_result.tracking) > 800


def test_kills_and_launches_match_events(default_result: Result) -> None:
    ev = default_result.events
    th = default_result.threats
    assert (ev["kind"] == "kill").sum() == (th["fate"] == "killed").sum()
    assert (ev["kind"] == "leak").sum() == (th["fate"] == "leaked").sum()
    launches = ev[ev["kind"] == "launch"]
    outcomes = ev[ev["kind"].isin(["kill", "miss"])]
    assert len(outcomes) <= len(launches)
    assert default_result.summary["rounds_total"] == len(launches)
    assert ev["time_s"].is_monotonic_increasing


def test_inventory_never_exceeded(default_result: Result, default_scenario: Scenario) -> None:
    launches = default_result.events.query("kind == 'launch'")
    per_launcher = launches.groupby("launcher").size()
    for spec in default_scenario.launchers:
        limit = spec.ready_rounds * (1 + spec.reloads)
        assert per_launcher.get(spec.name, 0) <= limit
        times = np.sort(launches.loc[launches["launcher"] == spec.name, "time_s"].to_numpy())
        assert np.all(np.diff(times) >= spec.min_launch_interval_s - 1e-9)


def test_no_launch_outside_the_envelope(default_result: Result,
                                        default_scenario: Scenario) -> None:
    """The planned intercept point of every round lies inside its class's envelope."""
    eng = default_result.engagements
    origin = Origin(**default_result.scenario["origin"])
    assert len(eng) == default_result.summary["rounds_total"] > 0
    pip = eng[["planned_east_m", "planned_north_m", "planned_up_m"]].to_numpy()
    alt = approx_altitude_m(pip, origin)
    profile = InterceptorClasses.from_scenario(default_scenario).profile()
    launchers = Launchers(default_scenario, origin)
    for row, a in zip(eng.itertuples(), alt, strict=True):
        cls = default_scenario.interceptors[row.interceptor_class]
        assert cls.min_range_m <= row.planned_range_m <= cls.max_range_m
        assert cls.min_altitude_m <= a <= cls.max_altitude_m
        # planned flight time: the class's fly-out table arrives at the planned point then
        tof = row.intercept_time_s - row.launch_time_s
        k = np.array([list(default_scenario.interceptors).index(row.interceptor_class)])
        site = launchers.position_enu_m[launchers.name.index(row.launcher)]
        arrival = profile.arrival_s(k, pip[row.Index][None, :], site[None, :])[0]
        assert arrival == pytest.approx(tof, abs=1e-3)
        assert tof >= cls.min_flight_time_s
    assert set(eng["outcome"]) <= {"kill", "miss", "in_flight"}
    assert (eng["outcome"] == "kill").sum() == default_result.summary["kills"]


def test_tracks_follow_truth_near_measurement_noise(default_result: Result) -> None:
    tr = default_result.tracks.query("confirmed and truth_id >= 0")
    truth = default_result.truth
    m = tr.merge(truth, left_on=["time_s", "truth_id"], right_on=["time_s", "threat_id"],
                 suffixes=("", "_true"))
    err = np.linalg.norm(m[["east_m", "north_m", "up_m"]].to_numpy()
                         - m[["east_m_true", "north_m_true", "up_m_true"]].to_numpy(), axis=1)
    # multifunction radar: 25 m range, 0.12 deg (about 200 m at 100 km) cross-range noise
    assert np.median(err) < 250.0
    assert len(m) > 1000


def short_scenario(default_data: dict[str, Any], duration_s: float = 300.0) -> Scenario:
    data = copy.deepcopy(default_data)
    data["simulation"]["duration_s"] = duration_s
    return scenario_from_dict(data)


def test_same_seed_same_outcomes(default_data: dict[str, Any]) -> None:
    sc = short_scenario(default_data)
    a, b = run(sc, seed=42), run(sc, seed=42)
    pd.testing.assert_frame_equal(a.threats, b.threats)
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.tracks, b.tracks)
    c = run(sc, seed=43)
    assert not c.events.equals(a.events)


def test_stage_streams_are_independent() -> None:
    g1 = stage_generators(7)
    g2 = stage_generators(np.random.SeedSequence(7))
    assert g1["engagement"].random() == g2["engagement"].random()
    assert g1["sensors"].random() != g1["engagement"].random()


def test_output_folder_round_trip(default_data: dict[str, Any], tmp_path: Path) -> None:
    sc = short_scenario(default_data, 120.0)
    res = run(sc, seed=1, out_dir=tmp_path, keep_trajectories=True)
    for name in ("summary.json", "scenario.json", "threats.parquet", "events.parquet",
                 "truth.parquet", "tracks.parquet", "interceptors.parquet"):
        assert (tmp_path / name).exists()
    back = Result.load(tmp_path)
    pd.testing.assert_frame_equal(back.threats, res.threats)
    assert back.summary == res.summary
    assert back.scenario["origin"]["lat_deg"] == pytest.approx(res.scenario["origin"]["lat_deg"])


def _rounds_at_dead_threats(result: Result) -> pd.DataFrame:
    """Rounds launched at a threat (the truth behind the track) already killed at launch, or
    at no threat on a track whose label or latest return is a threat already killed (the
    booking gives -1 there, so the first count alone could not fail: issue 11's review)."""
    eng = result.engagements.merge(result.threats[["threat_id", "fate", "fate_time_s"]],
                                   left_on="target_threat_id", right_on="threat_id", how="left")
    return eng[((eng["fate"] == "killed") & (eng["fate_time_s"] <= eng["launch_time_s"]))
               | eng["on_dead_track"]]


def test_no_round_at_a_threat_already_dead_on_any_seed(default_data: dict[str, Any]) -> None:
    """Issue 11: 14 of 320 rounds over seeds 1-8 went to threats killed in the same step (the
    command read the picture from before the kill assessment). Also checks the events: every
    launch names a live threat, and kills are credited once. The kill assessment is poor here
    (``kill_assessment_pc`` 0.7): a kill reported as a miss leaves its track engageable, and
    before the round was booked at the live threat behind the track's recent returns
    (``engagement.launch.booked_threats``) and an intercept near a coasting track was a look on
    it, 6 rounds over seeds 1-5 (900 s) went to dead threats (``benchmarks/dead_rounds.py``)."""
    data = copy.deepcopy(default_data)
    data["command"]["kill_assessment_pc"] = 0.7
    sc = short_scenario(data, 500.0)  # raid under way, ballistic missiles included
    launched = 0
    for seed in range(1, 9):
        res = run(sc, seed=seed, keep_trajectories=False)
        bad = _rounds_at_dead_threats(res)
        assert bad.empty, bad[["interceptor_id", "target_threat_id", "launch_time_s",
                               "fate_time_s"]].to_string()
        launched += len(res.engagements)
        kills = res.events.query("kind == 'kill'")
        assert kills["threat_id"].is_unique
    assert launched > 8 * 10


def test_no_round_at_a_dead_threat_over_the_whole_run_with_a_perfect_kill_assessment(
        default_scenario: Scenario) -> None:
    """Seed 8, 900 s: interceptor 9 went at threat 19 at 389 s, killed at 364.4 s. The cause is
    the imperfect kill assessment (pc 0.95 reported that kill as a miss, so track 274 stayed
    engageable; it coasted 24 s, a neighbour drone's detection updated it and the look of
    shoot-look-shoot passed). With ``kill_assessment_pc: 1`` no round goes to a dead threat."""
    sc = default_scenario.model_copy(update={"command": default_scenario.command.model_copy(
        update={"kill_assessment_pc": 1.0})})
    res = run(sc, seed=8, keep_trajectories=False)
    bad = _rounds_at_dead_threats(res)
    assert bad.empty, bad[["interceptor_id", "target_threat_id", "launch_time_s"]].to_string()
    assert len(res.engagements) > 20
    reports = res.events.query("kind == 'kill_assessment'")
    assert len(reports) > 0 and (reports["detail"].str.endswith("(correct)")).all()


def test_track_delay_has_one_definition(default_result: Result) -> None:
    """The per-threat ``track_delay_s`` is first confirmed track minus first detection, from
    the table's own columns, never negative; the summary's mean is the mean of that column."""
    th = default_result.threats
    want = th["first_track_s"] - th["first_detection_s"]
    pd.testing.assert_series_equal(th["track_delay_s"], want, check_names=False)
    assert (th["track_delay_s"].dropna() >= 0).all()
    # of the threats that flew (not the stand-off weapons of a carrier gone before the release)
    flew = ~(th["fate_time_s"] < th["launch_time_s"])
    assert th["track_delay_s"][flew].notna().sum() > 0.9 * flew.sum()
    assert default_result.summary["tracking"]["track_delay_s_mean"] == pytest.approx(
        th["track_delay_s"].mean())
    tracked = th["first_track_s"].notna().sum()
    assert default_result.summary["tracking"]["threats_tracked"] == tracked
    pd.testing.assert_series_equal(th["time_to_track_s"], th["first_track_s"]
                                   - th["launch_time_s"], check_names=False)
    # per threat type: the summary's timing is the table's own, row for row
    by_type = default_result.summary["tracking"]["by_type"]
    assert set(by_type) == set(th["type"])
    for kind, rows in th.groupby("type"):
        got = by_type[kind]
        assert got["threats"] == len(rows)
        assert got["threats_tracked"] == rows["track_delay_s"].notna().sum()
        if rows["track_delay_s"].notna().any():
            assert got["track_delay_s_mean"] == pytest.approx(rows["track_delay_s"].mean())
            assert got["track_delay_s_median"] == pytest.approx(rows["track_delay_s"].median())
        assert got["gospa_m"] >= got["localisation_m"] >= 0
        assert got["track_breaks"] == rows["track_breaks"].sum()


def test_the_radars_stop_seeing_a_threat_once_it_is_dead(default_result: Result) -> None:
    """Who is alive is world state: no true detection of a killed threat after its kill."""
    th = default_result.threats.set_index("threat_id")
    killed = th[th["fate"] == "killed"]
    assert len(killed) > 5
    truth = default_result.truth
    late = truth.merge(killed[["fate_time_s"]], left_on="threat_id", right_index=True)
    assert (late["time_s"] <= late["fate_time_s"]).all()
