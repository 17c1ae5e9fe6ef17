"""ARMs as a threat type: the classifier calls a fast track diving on a defence radar an ARM
(and nothing else), the picture's ARM tracks warn their radar, point defence engages them."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
import yaml

from iadsim.command.threat_evaluation import (classify_kinematics, evaluate_threats,
                                              value_arms_by_radar)
from iadsim.engagement.launchers import envelope_table
from iadsim.ew.contested import arm_track_distances_m
from iadsim.scenario.command_spec import ClassificationSpec
from iadsim.scenario.load import EXAMPLES_DIR, scenario_from_dict
from iadsim.scenario.model import THREAT_TYPES
from iadsim.simulation import run
from iadsim.tracking.batch import TrackBatch
from iadsim.world.frames import Origin

SEAD = yaml.safe_load((EXAMPLES_DIR / "sead.yaml").read_text(encoding="utf-8"))
ORIGIN = Origin(44.0, 9.0, 0.0)
RADARS = np.array([[0.0, 0.0, 20.0], [60_000.0, 0.0, 20.0]])


def _tracks(position: list[list[float]], velocity: list[list[float]],
            confirmed: bool = True) -> TrackBatch:
    n = len(position)
    return TrackBatch(
        time_s=np.zeros(n), track_id=np.arange(n, dtype=np.int64),
        position_enu_m=np.array(position, float), velocity_enu_mps=np.array(velocity, float),
        covariance=np.zeros((n, 6, 6)), confirmed=np.full(n, confirmed),
        quality=np.ones(n), truth_id=np.arange(n, dtype=np.int64))


def _diving(alt_m: float, dive_deg: float, speed_mps: float, aim_east_m: float) -> tuple[
        list[float], list[float]]:
    """A track south of ``aim_east_m`` whose straight dive ends exactly there (tangent plane
    near the origin: ENU up is the height to within metres)."""
    ground = alt_m / np.tan(np.radians(dive_deg))
    v = speed_mps * np.array([0.0, np.cos(np.radians(dive_deg)), -np.sin(np.radians(dive_deg))])
    return [aim_east_m, -ground, alt_m], v.tolist()


def test_a_fast_track_diving_on_a_radar_is_classed_arm_and_nothing_else_is() -> None:
    # the dive rule alone (the cruise rule, below, calls the last two ARMs in their cruise)
    spec = ClassificationSpec()  # default: no cruise rule
    rows = [_diving(8_000.0, 35.0, 750.0, 0.0),        # on radar 0: ARM
            _diving(8_000.0, 35.0, 750.0, 60_000.0),   # on radar 1: ARM
            _diving(8_000.0, 35.0, 750.0, 30_000.0),   # 30 km from both: not
            _diving(8_000.0, 5.0, 750.0, 0.0),         # too shallow a dive
            _diving(8_000.0, 35.0, 300.0, 0.0),        # too slow
            ([0.0, -20_000.0, 8_000.0], [0.0, 750.0, 0.0])]  # fast and level over the radar
    tracks = _tracks([r[0] for r in rows], [r[1] for r in rows])
    got = [THREAT_TYPES[k] for k in classify_kinematics(tracks, spec, ORIGIN, radar_enu_m=RADARS)]
    assert got[:2] == ["anti_radiation_missile"] * 2
    assert "anti_radiation_missile" not in got[2:]
    # without the radars' positions the classifier is what it was (no ARM rule)
    assert "anti_radiation_missile" not in [
        THREAT_TYPES[k] for k in classify_kinematics(tracks, spec, ORIGIN)]


def test_arm_tracks_warn_the_radar_they_dive_on_at_their_distance() -> None:
    (p0, v0), (p1, v1) = _diving(8_000.0, 35.0, 750.0, 0.0), _diving(6_000.0, 40.0, 750.0, 0.0)
    far = _diving(8_000.0, 35.0, 750.0, 30_000.0)
    d = arm_track_distances_m(_tracks([p0, p1, far[0]], [v0, v1, far[1]]),
                              ClassificationSpec(), ORIGIN, RADARS)
    nearest = min(np.linalg.norm(np.subtract(p, RADARS[0])) for p in (p0, p1))
    assert d[0] == pytest.approx(nearest) and d[1] == np.inf
    unconfirmed = _tracks([p0], [v0], confirmed=False)
    assert np.all(arm_track_distances_m(unconfirmed, ClassificationSpec(), ORIGIN, RADARS)
                  == np.inf)


def _strike(warning: str) -> dict[str, Any]:
    d = copy.deepcopy(SEAD)
    d["simulation"]["duration_s"] = 130
    d["threats"] = [g for g in d["threats"] if g["name"] == "fighters"]
    d["threats"][0]["launch_time_s"] = 2000  # no fighters in the air: only the ARM
    d["launchers"] = [{"name": "pd", "interceptor": "short", "ready_rounds": 8,
                       "position": {"lat_deg": 44.50, "lon_deg": 8.76}}]
    d["interceptors"] = {"short": d["interceptors"]["short"]}  # point defence only
    d["command"].update(ballistic_reserve={}, salvo={})
    d["command"]["fire_control"]["max_track_sigma_m"] = {"short": 300}
    d["interceptors"]["short"]["max_altitude_m"] = 5_000  # below the cruise: only the dive
    d["command"]["reaction_time_s"] = 2
    d["ew"] = {
        "radars": [{"name": "surveillance-radar", "emission": "shutdown_on_arm",
                    "arm_warning": warning, "arm_warning_range_m": 30_000, "shutdown_s": 3_000}],
        "arm_strikes": [{"name": "a", "target_radar": "surveillance-radar", "count": 1,
                         "launch": {"lat_deg": 44.0, "lon_deg": 8.7, "alt_m": 6000},
                         "launch_time_s": 5, "speed_mps": 500, "cruise_altitude_m": 6000,
                         "dive_angle_deg": 15}],
    }
    return d


@pytest.fixture(scope="module")
def strikes() -> dict[str, Any]:
    scenarios = {w: scenario_from_dict(_strike(w)) for w in ("picture", "ideal")}
    table = envelope_table(scenarios["picture"])  # the same classes in both
    return {w: run(s, seed=2, keep_trajectories=False, envelopes=table)
            for w, s in scenarios.items()}


def test_point_defence_engages_the_arm_track_as_an_arm(strikes: dict[str, Any]) -> None:
    ev = strikes["picture"].events
    shots = ev[ev["kind"] == "assignment"]
    threats = strikes["picture"].threats
    arm = threats[threats["group"] == "arm:a"]
    assert (arm["type"] == "anti_radiation_missile").all() and len(arm) == 1
    assert len(shots) >= 1 and (shots["threat_id"] == arm["threat_id"].iloc[0]).all()
    assert (shots["interceptor_class"] == "short").all()
    # classed ARM on the dive (a coasting duplicate of the cruise may still read aircraft)
    assert shots["detail"].str.contains("reported anti_radiation_missile").sum() >= 1


def test_the_picture_warns_later_than_an_ideal_receiver_but_before_impact(
        strikes: dict[str, Any]) -> None:
    emit = {w: r.summary["ew"]["radars"]["surveillance-radar"]["emit_time_s"]
            for w, r in strikes.items()}
    gone = {w: r.summary["ew"]["arms"]["outcomes"][0]["time_s"] for w, r in strikes.items()}
    # cruise 6000 m, radar antenna about 170 m up: the ideal receiver warns 30 km out (3D),
    # i.e. sqrt(30000^2 - 5830^2) = 29.43 km on the ground; the dive at 15 degrees starts
    # 5830 / tan(15) = 21.76 km out, and the picture cannot call an ARM before it: at 500 m/s
    # ground speed that is 15.3 s later (less a step of slack each side)
    ideal_ground = np.sqrt(30_000.0**2 - 5_830.0**2)
    dive_ground = 5_830.0 / np.tan(np.radians(15.0))
    assert emit["picture"] - emit["ideal"] >= (ideal_ground - dive_ground) / 500.0 - 2.0
    assert emit["picture"] <= gone["picture"] - 2.0  # warned (and silent) before the impact
    for w in strikes:  # both warned: silent when the ARM arrived, if it was not shot down
        outcome = strikes[w].summary["ew"]["arms"]["outcomes"][0]
        if "silence_s" in outcome:
            assert outcome["silence_s"] >= 2.0


def test_a_networked_command_classes_the_arm_track_as_an_arm() -> None:
    """The networked defence's unit commands get every radar's position, so their classifier
    has the ARM rule too (before: no radar positions, the dive read as a ballistic missile or
    an aircraft and point defence held fire)."""
    d = _strike("ideal")
    d["network"] = {
        "units": [{"name": "a", "sensors": [s["name"] for s in d["sensors"]],
                   "launchers": ["pd"], "superior": "hq"}],
        "commands": [{"name": "hq"}],
        "links": [{"source": "a", "destination": "hq", "update_period_s": 1,
                   "latency_s": 0.2}]}
    res = run(scenario_from_dict(d), seed=2, keep_trajectories=False)
    assert "network" in res.summary  # the networked defence fought, not the battalion
    ev = res.events
    shots = ev[ev["kind"] == "assignment"]
    arm = res.threats[res.threats["group"] == "arm:a"]
    assert len(shots) >= 1 and (shots["threat_id"] == arm["threat_id"].iloc[0]).all()
    assert shots["detail"].str.contains("reported anti_radiation_missile").sum() >= 1


def test_a_fast_level_track_flying_at_a_radar_is_an_arm_in_its_cruise() -> None:
    """The cruise rule: level, >= 600 m/s, its ground track through a radar ahead (CPA within
    3 km); a slower jet on the same line, a fast one passing 5 km abeam, one flying away from
    the radar, and a climbing one are not."""
    spec = ClassificationSpec(arm_cruise_min_speed_mps=600.0)  # as the sead example
    rows = [([1_000.0, -40_000.0, 12_000.0], [0.0, 700.0, 0.0]),    # at radar 0 (1 km CPA)
            ([60_000.0, -30_000.0, 12_000.0], [-40.0, 700.0, 10.0]),  # at radar 1 (CPA 1.7 km)
            ([1_000.0, -40_000.0, 8_000.0], [0.0, 400.0, 0.0]),     # too slow
            ([5_000.0, -40_000.0, 12_000.0], [0.0, 700.0, 0.0]),    # 5 km abeam
            ([1_000.0, 40_000.0, 12_000.0], [0.0, 700.0, 0.0]),     # radar behind it
            ([1_000.0, -40_000.0, 6_000.0], [0.0, 650.0, 240.0])]   # climbing at 20 degrees
    tracks = _tracks([r[0] for r in rows], [r[1] for r in rows])
    got = [THREAT_TYPES[k] for k in classify_kinematics(tracks, spec, ORIGIN, radar_enu_m=RADARS)]
    assert got[:2] == ["anti_radiation_missile"] * 2
    assert "anti_radiation_missile" not in got[2:]
    off = ClassificationSpec()  # the default: the dive rule only
    assert "anti_radiation_missile" not in [
        THREAT_TYPES[k] for k in classify_kinematics(tracks, off, ORIGIN, radar_enu_m=RADARS)]


def test_an_arm_is_valued_by_the_radar_it_flies_at() -> None:
    """value = radar value / (ground distance to its radar / ground speed), heading, and that
    time as the deadline; a track of another type keeps its asset score."""
    arm_p, arm_v = [0.0, -42_000.0, 12_000.0], [0.0, 700.0, 0.0]
    dive_p, dive_v = _diving(8_000.0, 35.0, 800.0, 60_000.0)
    jet_p, jet_v = [30_000.0, -42_000.0, 8_000.0], [0.0, 250.0, 0.0]
    tracks = _tracks([arm_p, dive_p, jet_p], [arm_v, dive_v, jet_v])
    spec = ClassificationSpec(arm_cruise_min_speed_mps=600.0)
    kind = classify_kinematics(tracks, spec, ORIGIN, radar_enu_m=RADARS)
    assets = np.array([[30_000.0, 0.0, 0.0]])
    before = evaluate_threats(tracks, assets, np.array([100.0]), np.array([5_000.0]))
    after = value_arms_by_radar(before, tracks, kind, spec, ORIGIN, RADARS, 80.0)
    t_arm = 42_000.0 / 700.0
    t_dive = (8_000.0 / np.tan(np.radians(35.0))) / (800.0 * np.cos(np.radians(35.0)))
    assert after.time_to_asset_s[:2] == pytest.approx([t_arm, t_dive], rel=1e-9)
    assert after.score[:2] == pytest.approx([80.0 / t_arm, 80.0 / t_dive], rel=1e-9)
    assert after.heading_for_asset[:2].all()
    assert after.score[2] == before.score[2] and kind[2] != THREAT_TYPES.index(
        "anti_radiation_missile")
    assert list(after.rank[:2]) == [1, 0]  # the nearer dive first
