"""The ARM's loft and terminal dive: the world flies the strike's profile, and the dive comes
in at the set angle (measured from the truth in the radar's own local frame)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
import yaml

from iadsim.ew.arms import PITCH_OVER_STEP_S, arm_profile_m, with_arm_strikes
from iadsim.scenario.load import EXAMPLES_DIR, scenario_from_dict
from iadsim.scenario.model import THREAT_TYPES
from iadsim.world.frames import approx_altitude_m, rotation_enu_to_local, scenario_origin
from iadsim.world.threats import build_threats

SEAD = yaml.safe_load((EXAMPLES_DIR / "sead.yaml").read_text(encoding="utf-8"))


def _strike(**kw: Any) -> dict[str, Any]:
    d = copy.deepcopy(SEAD)
    d["ew"] = {"arm_strikes": [{
        "name": "a", "target_radar": "surveillance-radar", "speed_mps": 700, "launch_time_s": 0,
        "launch": {"lat_deg": 43.6, "lon_deg": 8.7, "alt_m": 9000}, **kw}]}
    return d


@pytest.mark.parametrize(("dive_deg", "cruise_m"), [(35.0, 12_000.0), (60.0, 8_000.0)])
def test_the_dive_at_impact_comes_in_at_the_set_angle(dive_deg: float, cruise_m: float) -> None:
    scenario = with_arm_strikes(scenario_from_dict(_strike(dive_angle_deg=dive_deg,
                                                           cruise_altitude_m=cruise_m)))
    origin = scenario_origin(scenario)
    threats = build_threats(scenario, origin)
    row = len(threats) - 1
    assert THREAT_TYPES[int(threats.threat_type[row])] == "anti_radiation_missile"
    radar = scenario.sensors[0].position
    t_end = float(threats.end_time_s[row])
    pos, vel = threats.state(t_end - 2.0)
    local = rotation_enu_to_local(origin, radar.lat_deg, radar.lon_deg) @ vel[row]
    dive = np.degrees(np.arctan2(-local[2], np.hypot(local[0], local[1])))
    assert dive == pytest.approx(dive_deg, abs=0.3)
    # the path ends on the radar, and it lofted to its cruise altitude (not below the launch)
    heights = [float(np.ravel(approx_altitude_m(threats.state(t)[0][row], origin))[0])
               for t in np.linspace(0.0, t_end, 200)]
    assert max(heights) == pytest.approx(max(cruise_m, 9000.0), rel=0.01)
    assert heights[-1] == pytest.approx(max(radar.alt_m, 0.0), abs=30.0)


def test_the_profile_lowers_its_top_when_the_ground_is_short() -> None:
    tc, td = np.tan(np.radians(20.0)), np.tan(np.radians(35.0))
    climb, dive_at, top = arm_profile_m(20_000.0, 1_000.0, 12_000.0, 0.0, 20.0, 35.0)
    assert climb == pytest.approx((top - 1_000.0) / tc)  # climb meets dive at the top
    assert 20_000.0 - dive_at == pytest.approx(top / td)
    assert climb == pytest.approx(dive_at)
    climb, dive_at, top = arm_profile_m(100_000.0, 9_000.0, 12_000.0, 150.0, 20.0, 35.0)
    assert (climb, top) == pytest.approx((3_000.0 / tc, 12_000.0))
    assert 100_000.0 - dive_at == pytest.approx(11_850.0 / td)


def test_the_pitch_over_is_a_pull_at_the_set_vertical_acceleration() -> None:
    """The world's truth through the pull: the vertical speed changes at
    ``pitch_over_accel_mps2`` (sampled from the flown path every 0.5 s),
    from level to the dive's ``-V tan(dive)`` (V the ground speed), never in one corner."""
    accel, speed, dive = 50.0, 700.0, 35.0
    scenario = with_arm_strikes(scenario_from_dict(_strike(pitch_over_accel_mps2=accel)))
    origin = scenario_origin(scenario)
    threats = build_threats(scenario, origin)
    row = len(threats) - 1
    t = np.arange(0.0, float(threats.end_time_s[row]) - 0.5, 0.5)
    vz = np.array([threats.state(s)[1][row, 2] for s in t])
    vz = vz[np.argmax(vz < -1.0) - 2:]  # from the end of the cruise (the climb's corner is out)
    # a pull sampled every PITCH_OVER_STEP_S (1 s): steps of a x 1 s in the vertical speed, not
    # one corner of V tan(dive) = 490 m/s
    assert np.abs(np.diff(vz)).max() <= 1.1 * accel * PITCH_OVER_STEP_S
    vz_dive = -speed * np.tan(np.radians(dive))
    pulling = (vz < -20.0) & (vz > vz_dive + 20.0)
    # the pull lasts V tan(dive) / a (closed form of the parabola), within one sample step
    assert pulling.sum() * 0.5 == pytest.approx(-vz_dive / accel, abs=1.5)
