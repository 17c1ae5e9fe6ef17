"""A relocating unit's radar and launcher in the sites table, the DIS output and the replay
(issue 17: moving sites in the truth tables, the replay and Entity State)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pymap3d
import pytest

from iadsim.interop.dis.export import LAUNCHER_ENTITY_BASE, run_pdus_from_result
from iadsim.interop.dis.pdu import DR_FPW, EntityStatePdu, decode_pdu
from iadsim.reports.load import read_run
from iadsim.reports.replay import build_replay
from iadsim.scenario.load import scenario_from_dict
from iadsim.simulation import run
from iadsim.world.frames import EARTH_RADIUS_M, great_circle_distance_m
from network_fakes import two_unit_data

SPEED, TEAR, SETUP, T0 = 10.0, 30.0, 20.0, 20.0
FROM, TO = (44.47, 8.80), (44.475, 8.80)  # 0.005 deg due north


@pytest.fixture(scope="module")
def moved(default_data: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    d = two_unit_data(default_data, duration_s=140.0)
    d["network"]["units"][0].update(teardown_s=TEAR, setup_s=SETUP, road_speed_mps=SPEED,
                                    relocations=[{"time_s": T0, "destination": {
                                        "lat_deg": TO[0], "lon_deg": TO[1]}}])
    res = run(scenario_from_dict(d), seed=2)
    out = tmp_path_factory.mktemp("moved")
    res.save(out)
    return res, out


def test_site_rows_follow_the_leg_at_road_speed(moved: Any) -> None:
    res, _ = moved
    leg_s = EARTH_RADIUS_M * np.radians(TO[0] - FROM[0]) / SPEED  # meridian arc / speed
    arrive = T0 + TEAR + leg_s
    sites = res.sites
    for name in ("mfr-a", "long-a"):
        s = sites[sites["site"] == name].sort_values("time_s")
        t = s["time_s"].to_numpy()
        status = s["status"].astype(str).to_numpy()
        want = np.where(t < T0, "operational", np.where(t < T0 + TEAR, "teardown", np.where(
            t < arrive, "moving", np.where(t < arrive + SETUP, "setup", "operational"))))
        assert (status == want).all()
        lat0 = float(s["lat_deg"].iloc[0])
        lat, lon = s["lat_deg"].to_numpy(), s["lon_deg"].to_numpy()
        assert np.allclose(lon, lon[0], atol=1e-12)  # due north: the longitude stays
        # on the leg: the fraction of the arc the time says (the meridian: latitude linear)
        frac = np.clip((t - T0 - TEAR) / leg_s, 0.0, 1.0)
        assert np.allclose(lat, lat0 + frac * (TO[0] - FROM[0]), atol=1e-9)
        moving = status == "moving"
        assert moving.sum() >= 40
        step = great_circle_distance_m(lat[:-1], lon[:-1], lat[1:], lon[1:]) / np.diff(t)
        inside = moving[:-1] & moving[1:]
        assert np.allclose(step[inside], SPEED, rtol=1e-6)
        vel = s[["vel_east_mps", "vel_north_mps", "vel_up_mps"]].to_numpy()
        assert np.allclose(np.linalg.norm(vel[moving], axis=1), SPEED, rtol=1e-9)
        assert (vel[moving, 1] > 0.999 * SPEED).all()
        assert not vel[~moving].any()
    b = sites[sites["site"].isin(["mfr-b", "long-b"])]
    assert (b["status"] == "operational").all() and not b[["vel_east_mps", "vel_north_mps",
                                                           "vel_up_mps"]].to_numpy().any()


def test_dis_entity_states_of_the_moving_launcher_carry_the_leg_velocity(moved: Any) -> None:
    res, _ = moved
    pdus = [(t, decode_pdu(b)) for t, b in run_pdus_from_result(res)]
    mine = [(t, p) for t, p in pdus if isinstance(p, EntityStatePdu)
            and p.entity_id.entity == LAUNCHER_ENTITY_BASE]  # long-a: first by name
    assert mine
    leg_s = EARTH_RADIUS_M * np.radians(TO[0] - FROM[0]) / SPEED
    on_leg = [(t, p) for t, p in mine if T0 + TEAR < t < T0 + TEAR + leg_s]
    assert on_leg and all(p.dead_reckoning_algorithm == DR_FPW for _, p in mine)
    sites = res.sites[res.sites["site"] == "long-a"].set_index("time_s")
    origin = res.scenario["origin"]
    for t, p in on_leg:
        v = np.array(p.velocity_ecef_mps)
        assert abs(np.linalg.norm(v) - SPEED) < 1e-3
        # the table's ENU velocity (scenario origin) rotated to ECEF by pymap3d
        row = sites.loc[t]
        want = pymap3d.enu2uvw(row.vel_east_mps, row.vel_north_mps, row.vel_up_mps,
                               origin["lat_deg"], origin["lon_deg"])
        assert np.allclose(v, want, atol=1e-3)
        lat, lon, _ = pymap3d.ecef2geodetic(*p.location_ecef_m)
        assert abs(lat - row.lat_deg) < 1e-7 and abs(lon - row.lon_deg) < 1e-7
    # after the set-up the launcher is at rest at its new place
    last = mine[-1][1]
    assert np.linalg.norm(last.velocity_ecef_mps) < 1e-9
    lat, _, _ = pymap3d.ecef2geodetic(*last.location_ecef_m)
    assert abs(lat - sites["lat_deg"].iloc[-1]) < 1e-7
    try:
        from opendis.PduFactory import createPdu
    except ImportError:
        return
    raw = [b for t, b in run_pdus_from_result(res) if b[2] == 1]  # Entity State PDUs
    seen = [createPdu(b) for b in raw]
    moving = [x for x in seen if x.entityID.entityID == LAUNCHER_ENTITY_BASE
              and np.hypot(x.entityLinearVelocity.x, x.entityLinearVelocity.y) > 1.0]
    assert moving and all(abs(np.linalg.norm([x.entityLinearVelocity.x,
                                               x.entityLinearVelocity.y,
                                               x.entityLinearVelocity.z]) - SPEED) < 1e-3
                          for x in moving)


def test_replay_moves_the_relocating_sites(moved: Any) -> None:
    _, out = moved
    anim = build_replay(read_run(Path(out)))
    idx = [i for i, tr in enumerate(anim.figure.data) if tr.name == "relocating site"][-1]
    lats = []
    for f in anim.frames:
        data = dict(zip(f["traces"], f["data"], strict=True))[idx]
        lats.append(np.asarray(data["y"], float))
    assert all(x.size == 2 for x in lats)  # mfr-a and long-a in every frame
    span = max(x.max() for x in lats) - min(x.min() for x in lats)
    assert span > 0.004  # they go the 0.005 degrees north
