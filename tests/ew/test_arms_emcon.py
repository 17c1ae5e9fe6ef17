"""ARMs and emission control: the Rayleigh miss, the emission policies, and in a run an ARM
that hits a radar still emitting and misses by more one that shut down early."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from iadsim.ew.arms import draw_arm_hits, miss_sigma_m
from iadsim.ew.emcon import EmissionState
from iadsim.scenario.ew_spec import RadarEwSpec
from iadsim.scenario.load import EXAMPLES_DIR, scenario_from_dict
from iadsim.simulation import run

SEAD = yaml.safe_load((EXAMPLES_DIR / "sead.yaml").read_text(encoding="utf-8"))


def test_hit_rate_over_many_draws_is_the_rayleigh_closed_form() -> None:
    rng = np.random.default_rng(7)
    n = 200_000
    sigma = np.full(n, 12.0)
    hit, miss = draw_arm_hits(sigma, np.full(n, 15.0), rng=rng)
    p = 1.0 - np.exp(-(15.0**2) / (2 * 12.0**2))
    assert hit.mean() == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / n))
    assert np.mean(miss) == pytest.approx(12.0 * np.sqrt(np.pi / 2), rel=0.01)
    assert draw_arm_hits(np.empty(0), np.empty(0), rng=rng)[0].shape == (0,)


def test_miss_sigma_grows_with_silence_and_not_below_the_emitting_miss() -> None:
    out = miss_sigma_m(np.array([5.0, 5.0, 5.0]), np.array([15.0, 15.0, 15.0]),
                       np.array([-3.0, 0.0, 10.0]))
    np.testing.assert_allclose(out, [5.0, 5.0, 155.0])


def _state(**kw: Any) -> EmissionState:
    return EmissionState(["a", "b"], [RadarEwSpec(name="b", **kw)])


def test_blink_emits_its_on_fraction_and_always_emits_all_the_time() -> None:
    st = _state(emission="blink", blink_on_s=3.0, blink_off_s=2.0)
    for t in range(100):
        st.step(float(t), float(t + 1), np.full(2, np.inf))
    np.testing.assert_allclose(st.emit_time_s, [100.0, 60.0])


def test_shutdown_on_arm_goes_silent_for_shutdown_s_and_a_destroyed_radar_never_emits() -> None:
    st = _state(emission="shutdown_on_arm", arm_warning_range_m=10_000.0, shutdown_s=5.0)
    assert st.step(0.0, 1.0, np.array([np.inf, 20_000.0])).tolist() == [True, True]
    assert st.step(1.0, 2.0, np.array([np.inf, 9_000.0])).tolist() == [True, False]
    for t in (2.0, 3.0, 4.0, 5.0):
        assert not st.step(t, t + 1, np.full(2, np.inf))[1]
    assert st.step(6.0, 7.0, np.full(2, np.inf))[1]
    assert st.last_emit_s[1] == 7.0
    st.destroy(0, 7.5)
    st.destroy(0, 9.0)  # the first hit counts
    assert not st.step(7.0, 8.0, np.full(2, np.inf))[0]
    assert st.destroyed_s[0] == 7.5


def _arm_scenario(policy: str) -> dict[str, Any]:
    d = copy.deepcopy(SEAD)
    d["simulation"]["duration_s"] = 330
    d["threats"] = [g for g in d["threats"] if g["name"] == "fighters"]
    d["launchers"] = []  # no point defence: the ARM reaches its radar
    d.setdefault("command", {})["ballistic_reserve"] = {}  # no rounds left to hold back
    d["ew"] = {
        "radars": [{"name": "surveillance-radar", "emission": policy, "arm_warning": "ideal",
                    "arm_warning_range_m": 50_000, "shutdown_s": 3_000}],
        "arm_strikes": [{"name": "a", "target_radar": "surveillance-radar",
                         "launch": {"lat_deg": 43.6, "lon_deg": 8.7, "alt_m": 9000},
                         "launch_time_s": 10, "count": 1, "speed_mps": 700,
                         "miss_sigma_m": 5, "miss_growth_mps": 15, "lethal_radius_m": 20}],
    }
    return d


@pytest.fixture(scope="module")
def arm_runs() -> dict[str, Any]:
    return {p: run(scenario_from_dict(_arm_scenario(p)), seed=3, keep_trajectories=False)
            for p in ("always", "shutdown_on_arm")}


def test_an_arm_hits_a_radar_that_keeps_emitting(arm_runs: dict[str, Any]) -> None:
    ew = arm_runs["always"].summary["ew"]
    [arm] = ew["arms"]["outcomes"]
    assert arm["hit"] and arm["silence_s"] < 1.0 + 1e-9
    destroyed = ew["radars"]["surveillance-radar"]["destroyed_s"]
    assert destroyed == pytest.approx(arm["time_s"])
    assert ew["radars_lost"] == 1
    # the radar emits until the impact and sees nothing after it
    assert ew["radars"]["surveillance-radar"]["emit_time_s"] == pytest.approx(
        np.ceil(destroyed), abs=1.0)
    ev = arm_runs["always"].events
    scans = ev[(ev["kind"] == "scan") & (ev["sensor"] == "surveillance-radar")]
    assert len(scans) and scans["time_s"].max() <= destroyed + 1.0


def test_an_arm_misses_by_more_when_its_radar_shuts_down_early(
        arm_runs: dict[str, Any]) -> None:
    [emitting] = arm_runs["always"].summary["ew"]["arms"]["outcomes"]
    [silent] = arm_runs["shutdown_on_arm"].summary["ew"]["arms"]["outcomes"]
    # warned 50 km out (3D) at 700 m/s ground speed, cruising 11,830 m above the antenna
    # (12 km, radar 150 m + 20 m mast): sqrt(50000^2 - 11830^2) = 48.58 km on the ground, so
    # silent about 69.4 s before impact (one step of slack)
    assert silent["silence_s"] == pytest.approx(np.sqrt(50_000**2 - 11_830**2) / 700, abs=2.0)
    assert not silent["hit"] and silent["miss_m"] > 20 * emitting["miss_m"]
    assert arm_runs["shutdown_on_arm"].summary["ew"]["radars_lost"] == 0


def _frames(result: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    return result.threats, result.events


def test_a_jammer_that_never_switches_on_gives_the_clean_run_exactly() -> None:
    clean = copy.deepcopy(SEAD)
    clean["simulation"]["duration_s"] = 240
    clean.pop("ew")
    idle = copy.deepcopy(clean)
    idle["ew"] = {"jammers": [{**SEAD["ew"]["jammers"][0], "start_time_s": 80_000}]}
    a = run(scenario_from_dict(clean), seed=5, keep_trajectories=False)
    b = run(scenario_from_dict(idle), seed=5, keep_trajectories=False)
    assert "ew" not in a.summary and b.summary["ew"]["strobes"] == 0
    pd.testing.assert_frame_equal(a.threats, b.threats)
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.engagements, b.engagements)


def test_a_cued_radar_emits_only_while_cued() -> None:
    st = _state(emission="cued")
    assert st.step(0.0, 1.0, np.full(2, np.inf)).tolist() == [True, False]
    assert st.step(1.0, 2.0, np.full(2, np.inf), np.array([False, True])).tolist() == [True, True]
    assert st.step(2.0, 3.0, np.full(2, np.inf), np.array([False, False]))[1] == np.False_
    np.testing.assert_allclose(st.emit_time_s, [3.0, 1.0])


def test_a_cued_multifunction_radar_waits_for_the_surveillance_picture() -> None:
    d = _arm_scenario("always")
    d["ew"] = {"radars": [{"name": "multifunction-radar", "emission": "cued",
                           "cue_range_m": 150_000}]}
    d["simulation"]["duration_s"] = 200
    res = run(scenario_from_dict(d), seed=4, keep_trajectories=False)
    ew = res.summary["ew"]["radars"]
    ev = res.events
    mfr = ev[(ev["kind"] == "scan") & (ev["sensor"] == "multifunction-radar")]
    conf = ev[ev["kind"] == "track_confirmed"]
    assert ew["surveillance-radar"]["emit_time_s"] == 200.0
    assert 0.0 < ew["multifunction-radar"]["emit_time_s"] < 200.0
    assert len(conf) and (mfr.empty or mfr["time_s"].min() > conf["time_s"].min())


def test_an_arm_over_a_defended_asset_is_no_impact_on_it() -> None:
    # every asset's radius covers the whole ARM flight: an ARM is aimed at its radar, so
    # passing over an asset neither ends it there nor counts as a leaker on that asset
    d = _arm_scenario("always")
    for asset in d["defended_assets"]:
        asset["radius_m"] = 500_000.0
    result = run(scenario_from_dict(d), keep_trajectories=False)
    arms = result.threats[result.threats["group"].str.startswith("arm:")]
    assert len(arms) == 1 and (arms["fate"] != "leaked").all()
    [arm] = result.summary["ew"]["arms"]["outcomes"]
    assert arm["hit"]  # it flew on to its radar and hit it
