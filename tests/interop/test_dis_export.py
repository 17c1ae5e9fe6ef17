"""DIS out from a run's tables: every PDU parses with opendis to the fields of the results."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pymap3d
import pytest
from dis_checks import geodetic_error_m
from opendis.PduFactory import createPdu

from iadsim.interop.dis.enums import threat_entity_type
from iadsim.interop.dis.export import run_pdus, run_pdus_from_folder
from iadsim.interop.dis.geometry import enu_vectors_to_ecef, matrix_from_euler
from iadsim.interop.dis.pdu import seconds_from_timestamp
from iadsim.scenario.dis_spec import DisSpec
from iadsim.world.frames import Origin, enu_to_geodetic

ORIGIN = Origin(52.0, 5.0, 0.0)
STATE_COLUMNS = ["east_m", "north_m", "up_m", "lat_deg", "lon_deg", "alt_m", "vel_east_mps",
                 "vel_north_mps", "vel_up_mps"]


def _samples(id_name: str, ident: int, t: np.ndarray, p0, v) -> pd.DataFrame:
    pos = np.asarray(p0, float) + t[:, None] * np.asarray(v, float)
    lat, lon, alt = enu_to_geodetic(pos, ORIGIN)
    vel = np.broadcast_to(np.asarray(v, float), pos.shape)
    return pd.DataFrame({"time_s": t, id_name: np.full(t.size, ident, np.int64),
                         "east_m": pos[:, 0], "north_m": pos[:, 1], "up_m": pos[:, 2],
                         "lat_deg": lat, "lon_deg": lon, "alt_m": alt, "vel_east_mps": vel[:, 0],
                         "vel_north_mps": vel[:, 1], "vel_up_mps": vel[:, 2]})


def _event(time_s, kind, threat_id=-1, interceptor_id=-1, launcher="", icls="") -> dict:
    return {"time_s": time_s, "kind": kind, "threat_id": threat_id, "track_id": -1,
            "interceptor_id": interceptor_id, "launcher": launcher, "interceptor_class": icls,
            "sensor": "", "asset": "", "count": 0, "detail": ""}


@pytest.fixture
def run_tables() -> dict[str, pd.DataFrame]:
    t = np.arange(0.0, 31.0)
    truth = pd.concat([
        _samples("threat_id", 0, t, [60_000.0, 5_000.0, 30.0], [-250.0, 0.0, 0.0]),
        _samples("threat_id", 1, t[5:], [40_000.0, -20_000.0, 8_000.0], [-150.0, 120.0, -20.0]),
    ], ignore_index=True).sort_values(["time_s", "threat_id"], ignore_index=True)
    # as a run records them: in flight at the end of each step up to the one of its end game
    # (resolved in the step of 20 s, an interceptor has no state at 20 s)
    icpt = pd.concat([
        _samples("interceptor_id", 0, t[10:20], [0.0, 0.0, 10.0], [900.0, 80.0, 40.0]),
        _samples("interceptor_id", 1, t[12:24], [1_000.0, 0.0, 10.0], [700.0, -300.0, 300.0]),
    ], ignore_index=True)
    icpt["launcher"] = np.where(icpt["interceptor_id"] == 0, "SAM-north", "SAM-south")
    icpt["interceptor_class"] = np.where(icpt["interceptor_id"] == 0, "long", "short")
    icpt["target_threat_id"] = icpt["interceptor_id"]
    events = pd.DataFrame([
        _event(10.0, "launch", 0, 0, "SAM-north", "long"),
        _event(12.0, "launch", 1, 1, "SAM-south", "short"),
        _event(20.0, "intercept", 0, 0, "SAM-north", "long"),
        _event(20.0, "kill", 0, 0, "SAM-north", "long"),
        _event(24.0, "intercept", 1, 1, "SAM-south", "short"),
        _event(24.0, "miss", 1, 1, "SAM-south", "short"),
        _event(30.0, "leak", 1),
    ])
    threats = pd.DataFrame({"threat_id": [0, 1], "name": ["cm-raid-west-1", "strike-1"],
                            "group": ["cm", "strike"], "type": ["cruise_missile", "aircraft"]})
    sites = []
    for name, enu in (("SAM-north", [0.0, 0.0, 10.0]), ("SAM-south", [1_000.0, 0.0, 10.0])):
        lat, lon, alt = enu_to_geodetic(np.array(enu), ORIGIN)
        sites.append({"name": name, "position": {"lat_deg": float(lat), "lon_deg": float(lon),
                                                 "alt_m": float(alt)}})
    scenario = {"name": "t", "origin": {"lat_deg": 52.0, "lon_deg": 5.0, "alt_m": 0.0},
                "launchers": sites, "interceptors": {"long": {}, "short": {}, "spare": {}}}
    return {"truth": truth, "interceptors": icpt, "events": events, "threats": threats,
            "scenario": scenario}


def _parse_all(pdus):
    return [(t, createPdu(d), d) for t, d in pdus]


def test_every_entity_state_round_trips_to_the_millimetre(run_tables) -> None:
    spec = DisSpec(send_mode="rate", rate_hz=1.0, exercise_id=5, site_id=12, application_id=34)
    pdus = run_pdus(**run_tables, spec=spec)
    parsed = _parse_all(pdus)
    times = [t for t, _, _ in parsed]
    assert times == sorted(times)
    states = [(t, o) for t, o, _ in parsed if o.pduType == 1]
    movers = [(t, o) for t, o in states if not 30_000 <= o.entityID.entityID < 31_000]
    truth, icpt = run_tables["truth"], run_tables["interceptors"]
    samples = pd.concat([truth.assign(entity=truth["threat_id"] + 1, force=2),
                         icpt.assign(entity=icpt["interceptor_id"] + 31_000, force=1)])
    by_key = {(float(r.time_s), int(r.entity)): r for r in samples.itertuples(index=False)}
    # the end of each: threat 1 killed at 20 s, interceptors detonating at 20 and 24 s, threat 2
    # still flying when the run ends at 30 s; nothing is sent after an entity's end
    end_of = {1: 20.0, 2: 30.0, 31_000: 20.0, 31_001: 24.0}
    finals = [(t, o) for t, o in movers if o.entityAppearance & (1 << 23)]
    assert sorted((o.entityID.entityID, t) for t, o in finals) == sorted(end_of.items())
    assert all(t <= end_of[o.entityID.entityID] for t, o in movers)
    # 1 Hz samples at 1 Hz: every sample before the entity's end, plus the final one
    expected = sum(1 for (t, e) in by_key if t < end_of[e] or (e == 2 and t == 30.0))
    assert len(movers) == expected + len(end_of)
    worst_m = 0.0
    for t, o in movers:
        assert (o.exerciseID, o.entityID.siteID, o.entityID.applicationID) == (5, 12, 34)
        if o.entityAppearance & (1 << 23):
            continue
        r = by_key[(t, o.entityID.entityID)]
        assert o.forceId == r.force
        worst_m = max(worst_m, geodetic_error_m(o.entityLocation.x, o.entityLocation.y,
                                                o.entityLocation.z, r.lat_deg, r.lon_deg,
                                                r.alt_m))
        v_ecef = enu_vectors_to_ecef(np.array([[r.vel_east_mps, r.vel_north_mps,
                                                r.vel_up_mps]]), ORIGIN)[0]
        got_v = np.array([o.entityLinearVelocity.x, o.entityLinearVelocity.y,
                          o.entityLinearVelocity.z])
        np.testing.assert_allclose(got_v, v_ecef, rtol=1e-6, atol=1e-4)
        body_x = matrix_from_euler(np.array([[o.entityOrientation.psi, o.entityOrientation.theta,
                                              o.entityOrientation.phi]]))[0][:, 0]
        np.testing.assert_allclose(body_x, v_ecef / np.linalg.norm(v_ecef), atol=1e-6)
        assert seconds_from_timestamp(o.timestamp) == pytest.approx(t, abs=2e-6)
        assert o.deadReckoningParameters.deadReckoningAlgorithm == 2
    assert worst_m < 1e-3
    marks = {o.entityID.entityID: o.marking.charactersString() for _, o in states}
    types = {o.entityID.entityID: (o.entityType.entityKind, o.entityType.domain,
                                   o.entityType.country, o.entityType.category,
                                   o.entityType.subcategory, o.entityType.specific,
                                   o.entityType.extra) for _, o in states}
    assert marks[1] == "cm-raid-w-1" and marks[2] == "strike-1-2"
    assert types[1] == threat_entity_type("cruise_missile") == (2, 11, 0, 1, 1, 0, 0)
    assert types[2] == threat_entity_type("aircraft")
    # classes sorted long, short, spare -> subcategories 1, 2, 3
    assert types[31_000] == (2, 1, 0, 1, 1, 0, 0) and types[31_001] == (2, 1, 0, 1, 2, 0, 0)
    assert marks[31_000] == "long-31000" and marks[31_001] == "short-31001"
    # the launchers (sorted by name) are land platforms, there from the start to the end
    assert marks[30_000] == "SAM-n-30000" and marks[30_001] == "SAM-s-30001"
    assert types[30_000] == types[30_001] == (1, 1, 0, 28, 0, 0, 0)
    site_times = [t for t, o in states if o.entityID.entityID == 30_000]
    assert site_times == [float(k) for k in range(31)] + [30.0]  # rate mode: every second


def test_fire_and_detonation_share_event_ids_and_say_hit_or_miss(run_tables) -> None:
    pdus = run_pdus(**run_tables, spec=DisSpec())
    parsed = _parse_all(pdus)
    fires = [(t, o) for t, o, _ in parsed if o.pduType == 2]
    dets = [(t, o) for t, o, _ in parsed if o.pduType == 3]
    assert [t for t, _ in fires] == [10.0, 12.0] and [t for t, _ in dets] == [20.0, 24.0]
    for (_, f), (_, d), launcher, target, munition, result in zip(
            fires, dets, (30_000, 30_001), (1, 2), (31_000, 31_001), (2, 5), strict=True):
        assert f.firingEntityID.entityID == d.firingEntityID.entityID == launcher
        assert f.targetEntityID.entityID == d.targetEntityID.entityID == target
        assert f.munitionExpendableID.entityID == d.explodingEntityID.entityID == munition
        assert f.eventID.eventNumber == d.eventID.eventNumber == munition - 30_999
        assert d.detonationResult == result
        assert f.descriptor.quantity == 1
    # the Fire location is the launcher's; the range is to the target at launch
    site = run_tables["scenario"]["launchers"][0]["position"]
    loc = fires[0][1].location
    assert geodetic_error_m(loc.x, loc.y, loc.z, site["lat_deg"], site["lon_deg"],
                            site["alt_m"]) < 1e-3
    truth = run_tables["truth"]
    tgt = truth[(truth["threat_id"] == 0) & (truth["time_s"] == 10.0)].iloc[0]
    expected = np.linalg.norm(pymap3d.geodetic2enu(tgt.lat_deg, tgt.lon_deg, tgt.alt_m,
                                                   site["lat_deg"], site["lon_deg"],
                                                   site["alt_m"]))
    assert fires[0][1].range == pytest.approx(expected, rel=1e-6)
    # without engagements (no miss distance) the Detonation is where the interceptor was
    # heading: its last sample before 20 s (at 19 s) dead-reckoned one second on
    last = run_tables["interceptors"].query("interceptor_id == 0 and time_s == 19.0").iloc[0]
    ahead = np.array([last.east_m, last.north_m, last.up_m]) + np.array(
        [last.vel_east_mps, last.vel_north_mps, last.vel_up_mps])
    lat, lon, alt = enu_to_geodetic(ahead, ORIGIN)
    loc = dets[0][1].location
    assert geodetic_error_m(loc.x, loc.y, loc.z, float(lat), float(lon), float(alt)) < 1e-3


def test_detonation_is_at_the_miss_distance_from_the_target(run_tables) -> None:
    engagements = pd.DataFrame({"interceptor_id": [0, 1], "miss_distance_m": [12.5, 400.0]})
    parsed = _parse_all(run_pdus(**run_tables, spec=DisSpec(), engagements=engagements))
    dets = {o.explodingEntityID.entityID: (t, o) for t, o, _ in parsed if o.pduType == 3}
    truth = run_tables["truth"]
    for munition, threat, miss_m in ((31_000, 0, 12.5), (31_001, 1, 400.0)):
        t, det = dets[munition]
        row = truth[(truth["threat_id"] == threat) & (truth["time_s"] == t)].iloc[0]
        target = pymap3d.geodetic2ecef(row.lat_deg, row.lon_deg, row.alt_m)
        loc = np.array([det.location.x, det.location.y, det.location.z])
        assert np.linalg.norm(loc - np.array(target)) == pytest.approx(miss_m, abs=0.01)
        # the munition's last Entity State is the Detonation's place and time
        final = [o for s, o, _ in parsed if o.pduType == 1 and o.entityID.entityID == munition][-1]
        assert final.entityAppearance == 1 << 23 and seconds_from_timestamp(
            final.timestamp) == pytest.approx(t, abs=2e-6)
        assert np.allclose([final.entityLocation.x, final.entityLocation.y,
                            final.entityLocation.z], loc, atol=1e-3)
    # the killed threat's last state: destroyed, deactivated, where it was at the kill
    last = [o for _, o, _ in parsed if o.pduType == 1 and o.entityID.entityID == 1][-1]
    assert last.entityAppearance == (1 << 23) | (3 << 3)
    row = truth[(truth["threat_id"] == 0) & (truth["time_s"] == 20.0)].iloc[0]
    assert geodetic_error_m(last.entityLocation.x, last.entityLocation.y, last.entityLocation.z,
                            row.lat_deg, row.lon_deg, row.alt_m) < 1e-3


def test_dead_reckoning_mode_sends_fewer_and_keeps_first_and_last(run_tables) -> None:
    rate = run_pdus(**run_tables, spec=DisSpec(send_mode="rate"))
    dr = run_pdus(**run_tables, spec=DisSpec(heartbeat_s=5.0))
    es_dr = [createPdu(d) for _, d in dr if d[2] == 1]
    assert len(es_dr) < len([1 for _, d in rate if d[2] == 1])
    # straight lines: first, every 5 s, last
    t_threat1 = [seconds_from_timestamp(o.timestamp) for o in es_dr if o.entityID.entityID == 2]
    assert t_threat1 == pytest.approx([5, 10, 15, 20, 25, 30, 30], abs=1e-5)  # + the last
    t_site = [seconds_from_timestamp(o.timestamp) for o in es_dr if o.entityID.entityID == 30_000]
    assert t_site == pytest.approx([0, 5, 10, 15, 20, 25, 30, 30], abs=1e-5)  # heartbeats


def test_empty_run_gives_no_pdus(run_tables) -> None:
    empty = {k: (v.iloc[0:0] if k != "scenario" else v) for k, v in run_tables.items()}
    assert run_pdus(**empty, spec=DisSpec()) == []


def test_from_output_folder_is_the_same(run_tables, tmp_path: Path) -> None:
    tables = dict(run_tables)
    scenario = {**tables.pop("scenario"), "dis": {"exercise_id": 9}}
    for name, frame in tables.items():
        frame.to_parquet(tmp_path / f"{name}.parquet")
    (tmp_path / "scenario.json").write_text(json.dumps(scenario))
    from_folder = run_pdus_from_folder(tmp_path)
    assert len(from_folder) > 0
    assert from_folder == run_pdus(**tables, scenario=scenario)
    assert all(d[1] == 9 for _, d in from_folder)


def test_more_launchers_than_dis_numbers_is_a_dis_error(run_tables) -> None:
    from iadsim.errors import DisError

    site = run_tables["scenario"]["launchers"][0]
    scenario = {**run_tables["scenario"],
                "launchers": [{**site, "name": f"L{k}"} for k in range(501)]}
    with pytest.raises(DisError, match=r"DIS out numbers launchers 30000-30499; 501 launchers "
                                       r"do not fit"):
        run_pdus(**{**run_tables, "scenario": scenario}, spec=DisSpec())


def test_a_threat_id_past_the_dis_numbers_is_a_dis_error(run_tables) -> None:
    from iadsim.errors import DisError

    renumber = {1: 29_999}
    tables = {k: v.replace({"threat_id": renumber}) if isinstance(v, pd.DataFrame)
              and "threat_id" in v else v for k, v in run_tables.items()}
    tables["interceptors"] = tables["interceptors"].replace({"target_threat_id": renumber})
    with pytest.raises(DisError, match=r"DIS out numbers threats 1-29999; threat id 29999"):
        run_pdus(**tables, spec=DisSpec())


def test_a_detonation_at_the_start_of_its_step_follows_the_state_sent_then(run_tables) -> None:
    """An end game already opening on its target when its step begins (a target that broke
    away) detonates at that step's start, t_k, but is logged in the step after t_k, where the
    run recorded the interceptor still in flight at t_k: the live session sent that state, then
    the Detonation; the replay of the tables must too (#19: one PDU fewer before)."""
    tables = dict(run_tables)
    icpt = tables["interceptors"]
    extra = icpt[(icpt["interceptor_id"] == 1) & (icpt["time_s"] == 23.0)].copy()
    extra["time_s"] = 24.0  # in flight at the end of the 24 s step, then the miss at 24 s
    extra[["east_m", "north_m", "up_m"]] += extra[["vel_east_mps", "vel_north_mps",
                                                   "vel_up_mps"]].to_numpy()
    tables["interceptors"] = pd.concat([icpt, extra], ignore_index=True)
    parsed = _parse_all(run_pdus(**tables, spec=DisSpec(send_mode="rate", rate_hz=1.0)))
    mine = [(t, o) for t, o, _ in parsed
            if (o.pduType == 1 and o.entityID.entityID == 31_001)
            or (o.pduType == 3 and o.explodingEntityID.entityID == 31_001)]
    at_24 = [(o.pduType, bool(o.entityAppearance & (1 << 23)) if o.pduType == 1 else None)
             for t, o in mine if t == 24.0]
    # the state in flight at 24 s, then the Detonation, then the last (Deactivated) state
    assert at_24 == [(1, False), (3, None), (1, True)]
    before = run_pdus(**run_tables, spec=DisSpec(send_mode="rate", rate_hz=1.0))
    assert len(parsed) == len(before) + 1  # the one Entity State the live run sent
