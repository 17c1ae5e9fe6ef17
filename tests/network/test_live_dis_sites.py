"""Live DIS out of a networked run: a relocating unit's launcher and radar are sent where they
are at each step, with the leg's velocity (issue 17: the live session kept them static)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pymap3d
from network_fakes import two_unit_data

from iadsim.interop.dis.export import LAUNCHER_ENTITY_BASE, RADAR_ENTITY_BASE, run_pdus_from_result
from iadsim.interop.dis.pdu import DR_FPW, DR_STATIC, EntityStatePdu, decode_pdu
from iadsim.interop.dis.session import mobile_sites
from iadsim.scenario.load import scenario_from_dict
from iadsim.world.frames import EARTH_RADIUS_M

SPEED, TEAR, SETUP, T0 = 10.0, 30.0, 20.0, 20.0
TO = (44.475, 8.80)  # 0.005 deg due north of mfr-a


def test_live_entity_states_of_a_relocating_launcher_follow_its_leg(
        default_data: dict[str, Any], live_dis_run) -> None:
    d = two_unit_data(default_data, duration_s=140.0)
    d["network"]["units"][0].update(teardown_s=TEAR, setup_s=SETUP, road_speed_mps=SPEED,
                                    relocations=[{"time_s": T0, "destination": {
                                        "lat_deg": TO[0], "lon_deg": TO[1]}}])
    sc = scenario_from_dict(d)
    assert mobile_sites(sc) == {("launcher", "long-a"), ("radar", "mfr-a")}
    res, got = live_dis_run(sc, seed=2, announce=lambda _m: None)
    n = res.summary["dis"]["udp_out"]["pdus_sent"]
    assert len(got) == n
    states = [p for p in map(decode_pdu, got) if isinstance(p, EntityStatePdu)]
    launcher = [p for p in states if p.entity_id.entity == LAUNCHER_ENTITY_BASE]  # long-a
    other = [p for p in states if p.entity_id.entity == LAUNCHER_ENTITY_BASE + 1]  # long-b
    assert all(p.dead_reckoning_algorithm == DR_FPW for p in launcher)
    assert other and all(p.dead_reckoning_algorithm == DR_STATIC for p in other)
    # independent expectation: the meridian leg at road speed, north, from the tear-down's end
    leg_s = EARTH_RADIUS_M * np.radians(TO[0] - 44.47) / SPEED
    moving = [p for p in launcher if np.linalg.norm(p.velocity_ecef_mps) > 1.0]
    assert len(moving) >= 3  # sent as the leg starts and at least at each dead-reckoning miss
    origin = res.scenario["origin"]
    for p in moving:
        e, nrt, u = pymap3d.uvw2enu(*p.velocity_ecef_mps, origin["lat_deg"], origin["lon_deg"])
        assert abs(np.linalg.norm([e, nrt, u]) - SPEED) < 1e-3 and nrt > 0.999 * SPEED
    lat_first, _, _ = pymap3d.ecef2geodetic(*launcher[0].location_ecef_m)
    lat_last, _, _ = pymap3d.ecef2geodetic(*launcher[-1].location_ecef_m)
    assert abs((lat_last - lat_first) - (TO[0] - 44.47)) < 1e-7  # it ends 0.005 deg north
    assert np.linalg.norm(launcher[-1].velocity_ecef_mps) < 1e-9  # at rest, set up
    assert T0 + TEAR + leg_s + SETUP < sc.simulation.duration_s
    radar = [p for p in states if p.entity_id.entity == RADAR_ENTITY_BASE]  # mfr-a
    lat_r, _, _ = pymap3d.ecef2geodetic(*radar[-1].location_ecef_m)
    assert abs(lat_r - TO[0]) < 1e-7
    # and live is what the export of the run's tables sends
    assert got == [b for _, b in run_pdus_from_result(res)]
