"""DIS in a run: loopback out, scripted aircraft in (live and from a file), every PDU parsed."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pymap3d
import pytest
import yaml
from dis_checks import decode_dis7, geodetic_error_m
from opendis.PduFactory import createPdu

from iadsim.interop.dis.entities import entity_marking
from iadsim.interop.dis.enums import threat_entity_type
from iadsim.interop.dis.export import run_pdus_from_result
from iadsim.interop.dis.geometry import enu_vectors_to_ecef, geodetic_to_ecef
from iadsim.interop.dis.pdu import (
    EntityId,
    EntityStatePdu,
    decode_pdu,
    encode_pdu,
    seconds_from_timestamp,
)
from iadsim.interop.dis.session import DisOptions
from iadsim.interop.dis.stream import (
    UdpAddress,
    UdpPduReceiver,
    iter_pdu_file,
    write_pdu_file,
)
from iadsim.scenario.load import DEFAULT_SCENARIO, scenario_from_dict
from iadsim.scenario.model import Scenario
from iadsim.simulation import run
from iadsim.world.frames import enu_to_geodetic, geodetic_to_enu, scenario_origin
from iadsim.world.threats import build_threats

BANDIT = EntityId(7, 3, 42)


def _scenario(duration_s: float, *, quiet_raid: bool, **dis: object) -> Scenario:
    data = yaml.safe_load(DEFAULT_SCENARIO.read_text())
    data["simulation"]["duration_s"] = duration_s
    # (#19) the raid with its tactics: stand-off weapons, evasion, a time-on-target wave, the
    # rotating-earth ballistic missiles with their separated boosters
    if quiet_raid:  # one scenario threat that launches after the end: only DIS-in threats fly
        data["threats"] = data["threats"][:1]
        data["threats"][0].update(count=1, launch_time_s=10_000.0)
        data["threats"][0].pop("standoff", None)  # (and no stand-off weapons of it)
    else:
        for g in data["threats"]:
            if "time_on_target_s" not in g:  # (the wave's launch times follow its arrival)
                g["launch_time_s"] = min(g.get("launch_time_s", 0.0), 20.0)
    data["dis"] = dis
    return scenario_from_dict(data)


def _height_m(location_ecef_m) -> float:
    return float(pymap3d.ecef2geodetic(*np.asarray(location_ecef_m, float))[2])


def _bandit_pdu(sc: Scenario, time_s: float, *, appearance: int = 0) -> bytes:
    """A hostile aircraft 90 km south of the city at 6 km, flying north at 300 m/s."""
    origin = scenario_origin(sc)
    city = next(a for a in sc.defended_assets if a.name == "city").position
    start = geodetic_to_enu(city.lat_deg, city.lon_deg, 0.0, origin) + np.array(
        [0.0, -90_000.0, 6_000.0])
    v = np.array([0.0, 300.0, 0.0])
    lat, lon, alt = enu_to_geodetic(start + v * time_s, origin)
    return encode_pdu(EntityStatePdu(
        exercise_id=sc.dis.exercise_id, timestamp=0, entity_id=BANDIT, force_id=2,
        entity_type=threat_entity_type("aircraft"),
        location_ecef_m=tuple(geodetic_to_ecef(lat, lon, alt).reshape(3)),
        velocity_ecef_mps=tuple(enu_vectors_to_ecef(v[None], origin)[0]),
        orientation_rad=(0.0, 0.0, 0.0), marking="BANDIT-1", appearance=appearance))


def _assert_engaged(result, name: str = "BANDIT-1") -> None:
    th = result.threats.set_index("name")
    row = th.loc[name]
    assert row["group"] == "dis-in 7:3:42" and row["type"] == "aircraft"
    assert np.isfinite(row["first_detection_s"]) and np.isfinite(row["first_track_s"])
    assert row["interceptors_fired"] >= 1
    launches = result.events.query("kind == 'launch'")
    assert (launches["threat_id"] == row["threat_id"]).any()


def test_dis_in_from_a_file_is_detected_tracked_engaged_and_times_out(tmp_path: Path) -> None:
    sc = _scenario(240.0, quiet_raid=True, entity_timeout_s=6.0)
    path = tmp_path / "bandit.pdu"
    # updates every 2 s until 150 s, then silence: the entity times out 6 s later
    write_pdu_file(path, [(float(t), _bandit_pdu(sc, t)) for t in np.arange(0.0, 150.0, 2.0)]
                   + [(150.0, b"\x07\x01garbage"), (151.0, bytes(200))])
    result = run(sc, dis=DisOptions(dis_in=str(path)))
    _assert_engaged(result)
    assert len(result.threats) == 2  # the quiet scenario threat + the bandit; unheard slots gone
    row = result.threats.set_index("name").loc["BANDIT-1"]
    if row["fate"] != "killed":
        assert row["fate"] == "ended" and row["fate_time_s"] == pytest.approx(148.0 + 6.0)
    dis = result.summary["dis"]["dis_in"]
    assert dis["entity_states_used"] == 75 and dis["malformed_total"] == 2
    assert dis["entities"][0]["entity"] == [7, 3, 42]
    # truth follows the scripted straight line (dead-reckoned between the 2 s updates)
    truth = result.truth[result.truth["threat_id"] == row["threat_id"]]
    origin = scenario_origin(sc)
    city = next(a for a in sc.defended_assets if a.name == "city").position
    start = geodetic_to_enu(city.lat_deg, city.lon_deg, 0.0, origin) + np.array(
        [0.0, -90_000.0, 6_000.0])
    expect = start + np.outer(truth["time_s"].to_numpy(), [0.0, 300.0, 0.0])
    got = truth[["east_m", "north_m", "up_m"]].to_numpy()
    assert np.abs(got - expect).max() < 1.0  # flat-ENU line vs ECEF line: sub-metre
    # DIS out of this run: the bandit is not re-published, our shots name its own id
    pdus = [decode_pdu(d) for _, d in run_pdus_from_result(result)]
    states = [p for p in pdus if isinstance(p, EntityStatePdu)]
    assert all(p.entity_id.site == sc.dis.site_id for p in states)
    fires = [p for p in pdus if type(p).__name__ == "FirePdu"]
    assert fires and all(p.target_entity_id == BANDIT for p in fires)
    flying = set(truth["time_s"].round(3).tolist())  # the range to it at launch (0: gone)
    ranges = [p.range_m for p in fires if round(seconds_from_timestamp(p.timestamp), 3) in flying]
    assert ranges and all(r > 1_000.0 for r in ranges)


@pytest.fixture(scope="module")
def raid_live(live_dis_run) -> tuple[Scenario, object, list[bytes]]:
    """A 360 s raid run sending its PDUs live (unpaced) to a loopback listener (long enough
    for kills: the multifunction radar searches on its time budget, and with the tactics the
    jets break and turn away, so the first kill, a drone, falls at 334 s)."""
    sc = _scenario(360.0, quiet_raid=False)
    result, got = live_dis_run(sc)
    return sc, result, got


def test_every_pdu_of_a_run_parses_with_opendis_to_the_truth(raid_live) -> None:
    sc, result, _ = raid_live
    pdus = run_pdus_from_result(result)
    assert len(pdus) > 100
    truth = result.truth.set_index(["time_s", "threat_id"])
    kinds = {1: 0, 2: 0, 3: 0}
    worst_m = 0.0
    for t, data in pdus:
        o = createPdu(data)
        assert o is not None and o.length == len(data) and o.exerciseID == sc.dis.exercise_id
        kinds[o.pduType] += 1
        if o.pduType == 1 and o.entityID.entityID < 30_000 and o.entityAppearance == 0:
            r = truth.loc[(t, o.entityID.entityID - 1)]
            worst_m = max(worst_m, geodetic_error_m(o.entityLocation.x, o.entityLocation.y,
                                                    o.entityLocation.z, r.lat_deg, r.lon_deg,
                                                    r.alt_m))
            name = result.threats.loc[o.entityID.entityID - 1, "name"]
            assert o.marking.charactersString() == entity_marking(name, o.entityID.entityID)
            assert o.forceId == 2
    assert worst_m < 1e-3
    # each threat that left the run said so: deactivated, and destroyed if killed
    last = {}
    for _, data in pdus:
        p = decode_pdu(data)
        if isinstance(p, EntityStatePdu) and p.entity_id.entity < 30_000:
            last[p.entity_id.entity - 1] = p.appearance
    gone = result.threats[result.threats["fate_time_s"] < sc.simulation.duration_s - 1.0]
    assert len(gone) > 0 and (gone["fate"] == "killed").any()
    for r in gone.itertuples():
        if r.threat_id in last:
            want = (1 << 23) | ((3 << 3) if r.fate == "killed" else 0)
            assert last[r.threat_id] == want, (r.name, r.fate)
    launches = result.events.query("kind == 'launch'")
    assert kinds[2] == len(launches) > 0
    assert kinds[3] == len(result.events.query("kind in ['kill', 'miss']"))


def test_live_dis_out_reaches_a_loopback_listener_with_every_entity(raid_live) -> None:
    _sc, result, got = raid_live
    expected = run_pdus_from_result(result)
    assert result.summary["dis"]["udp_out"]["pdus_sent"] == len(expected)
    assert got == [d for _, d in expected]  # the same PDUs as the file export, in order
    entities = {decode_pdu(d).entity_id.entity for d in got if d[2] == 1}
    flown = set((result.truth["threat_id"] + 1).tolist())
    fired = set((result.interceptors["interceptor_id"] + 31_000).tolist())
    sites = {30_000 + k for k in range(len(_sc.launchers))} | {
        30_500 + r for r in range(len(_sc.sensors))}
    assert entities == flown | fired | sites and fired


def test_pdu_file_written_by_the_cli_path(raid_live, tmp_path: Path) -> None:
    from iadsim.interop.dis.export import write_run_pdus

    n = write_run_pdus(raid_live[1], tmp_path / "run.pdu")
    assert n == len(list(iter_pdu_file(tmp_path / "run.pdu"))) > 0


def test_live_dis_in_from_another_process_over_loopback_is_engaged(tmp_path: Path) -> None:
    """A separate process (``iadsim dis replay``) flies a scripted aircraft at the run over
    127.0.0.1; the run, paced to the wall clock, detects, tracks and engages it."""
    speed = 30.0  # run seconds per wall second, for the run and the replay alike
    sc = _scenario(150.0, quiet_raid=True)
    script = tmp_path / "bandit.pdu"
    write_pdu_file(script, [(float(t), _bandit_pdu(sc, t)) for t in np.arange(0.0, 160.0, 1.0)])
    cmd = [sys.executable, "-m", "iadsim.cli", "dis", "replay", str(script), "--to", "",
           "--speed", str(speed)]
    with UdpPduReceiver(UdpAddress("127.0.0.1", 0)) as probe:
        port = probe.address.port
        cmd[cmd.index("")] = f"udp://127.0.0.1:{port}"
        sender = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30.0
        while not probe.drain() and time.monotonic() < deadline:  # bounded: sender started
            time.sleep(0.005)
    try:  # the run binds the port the probe just released; the sender's clock is ~ours
        result = run(sc, dis=DisOptions(dis_in=f"udp://127.0.0.1:{port}", speed=speed))
        _, err = sender.communicate(timeout=30.0)  # bounded: 160 s of script at x30 is 5.3 s
    finally:
        if sender.poll() is None:
            sender.kill()
            sender.communicate()
    assert sender.returncode == 0, err
    _assert_engaged(result)
    dis_in = result.summary["dis"]["dis_in"]
    assert dis_in["entity_states_used"] > 100
    assert dis_in["entities"][0]["first_seen_s"] < 10.0




def test_a_receiving_tool_can_act_on_the_stream(raid_live) -> None:
    """The run's PDUs read by a second, independent DIS 7 decoder (``dis_checks.decode_dis7``,
    written from the standard's byte offsets) against the world model's own truth."""
    sc, result, _ = raid_live
    recs = [decode_dis7(d) for _, d in run_pdus_from_result(result)]
    origin = scenario_origin(sc)
    world = build_threats(sc, origin)
    site = (sc.dis.site_id, sc.dis.application_id)
    first_s: dict[tuple[int, int, int], float] = {}
    gone_s: dict[tuple[int, int, int], float] = {}
    markings: dict[tuple[int, int, int], set[str]] = {}
    fires: dict[tuple[int, int, int], dict] = {}
    detonations = []
    for r in recs:
        if r["type"] == 1:
            e = r["entity"]
            assert e not in gone_s, f"{e} sent after its Deactivated state"
            first_s.setdefault(e, r["time_s"])
            markings.setdefault(e, set()).add(r["marking"])
            if r["appearance"] & (1 << 23):
                gone_s[e] = r["time_s"]
        elif r["type"] == 2:
            # every firing entity is announced, and not yet gone, before it fires
            assert r["firing"] in first_s and r["firing"] not in gone_s, r["firing"]
            assert first_s[r["firing"]] <= r["time_s"]
            fires[r["event"]] = r
        elif r["type"] == 3:
            detonations.append(r)
    # launchers and radars: land platforms of category 28, friendly, from 0 s to the end
    n_l, n_r = len(sc.launchers), len(sc.sensors)
    statics = [(*site, 30_000 + k) for k in range(n_l)] + [(*site, 30_500 + k) for k in range(n_r)]
    for e in statics:
        assert first_s[e] == 0.0 and gone_s[e] == pytest.approx(sc.simulation.duration_s)
    # markings: one per entity, unique, the entity number after the last '-'
    assert all(len(m) == 1 for m in markings.values())
    flat = [next(iter(m)) for m in markings.values()]
    assert len(set(flat)) == len(flat) == len(markings)
    assert all(int(next(iter(m)).rsplit("-", 1)[1]) == e[2] for e, m in markings.items())
    th = result.threats  # the cruise-missile groups (stand-off weapons are named for their jet)
    cruise = th.loc[(th["type"] == "cruise_missile")
                    & th["name"].str.startswith("cruise"), "threat_id"]
    assert len({m for m in flat if m.startswith("cruise")}) == result.truth.loc[
        result.truth["threat_id"].isin(cruise), "threat_id"].nunique() > 11
    # Fire and Detonation of one interceptor: same event id, same munition, same target
    assert len(detonations) == len(result.events.query("kind in ['kill', 'miss']")) > 0
    eng = result.engagements.set_index("interceptor_id")
    kills = 0
    for d in detonations:
        f = fires[d["event"]]
        assert (f["munition"], f["target"], f["firing"]) == (d["munition"], d["target"],
                                                            d["firing"])
        if d["result"] != 2:
            continue
        kills += 1
        # a kill detonates within the miss distance of the target's true position then
        tid = d["target"][2] - 1
        lat, lon, alt = enu_to_geodetic(world.positions(d["time_s"])[tid], origin)
        target = geodetic_to_ecef(lat, lon, alt).reshape(3)
        miss_m = float(eng.loc[d["munition"][2] - 31_000, "miss_distance_m"])
        assert np.linalg.norm(d["location"] - target) <= miss_m + 5.0
    assert kills > 0
    # ballistic missiles: constant-acceleration dead reckoning, ~gravity, not sent every second
    bm = [r for r in recs if r["type"] == 1 and r["entity_type"][:4] == (2, 11, 0, 2)]
    assert bm and all(r["dr_algorithm"] == 5 for r in bm)
    live = [r for r in bm if not r["appearance"]]
    # in free flight (above 60 km: drag under 1 m/s2 even on the booster) the acceleration
    # sent is gravity; lower down the rotating-earth truth boosts and brakes
    high = [r for r in live if _height_m(r["location"]) > 60_000.0]
    g = np.array([np.linalg.norm(r["acceleration"]) for r in high])
    assert len(high) > 5 and np.all(np.abs(g - 9.80665) < 1.0)
    flown_s = result.truth[result.truth["threat_id"].isin(
        result.threats.query("type == 'ballistic_missile'")["threat_id"])].shape[0]
    # not sent every second: on the vacuum parabola one PDU per two samples sufficed; boost,
    # re-entry drag and the separated boosters' braking need more (622 of 1110 measured)
    assert len(live) < 0.75 * flown_s


def test_dis_in_records_with_non_finite_times_are_malformed_and_the_summary_is_strict_json(
        tmp_path: Path) -> None:
    import json
    import struct

    from iadsim.interop.dis.session import DisSession
    from iadsim.world.threats import build_threats

    sc = _scenario(60.0, quiet_raid=True)
    path = tmp_path / "bad-times.pdu"
    write_pdu_file(path, [(float(t), _bandit_pdu(sc, t)) for t in (0.0, 2.0)])
    with open(path, "ab") as f:
        for t in (float("nan"), float("-inf"), float("inf")):
            data = _bandit_pdu(sc, 4.0)
            f.write(struct.pack(">dI", t, len(data)) + data)
    session = DisSession(sc, scenario_origin(sc), DisOptions(dis_in=str(path)))
    session.attach(build_threats(sc, scenario_origin(sc)))
    for t in (1.0, 2.0, 3.0, 4.0, 5.0):
        session.before_step(t)
    session.close()
    report = session.report()["dis_in"]
    assert report["malformed"] == {"bad_time": 3} and report["malformed_total"] == 3
    assert report["entity_states_used"] == 2
    assert report["entities"][0]["first_seen_s"] == 0.0

    def refuse(name: str) -> float:
        raise ValueError(f"non-finite number {name} in the DIS summary")

    json.loads(json.dumps(report), parse_constant=refuse)  # strict JSON
