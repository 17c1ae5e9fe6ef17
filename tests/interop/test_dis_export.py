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
    icpt = pd.concat([
        _samples("interceptor_id", 0, t[10:21], [0.0, 0.0, 10.0], [900.0, 80.0, 40.0]),
        _samples("interceptor_id", 1, t[12:25], [1_000.0, 0.0, 10.0], [700.0, -300.0, 300.0]),
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
    truth, icpt = run_tables["truth"], run_tables["interceptors"]
    # 1 Hz samples at 1 Hz: every sample, plus one deactivation per interceptor that left
    assert len(states) == len(truth) + len(icpt) + 2
    samples = pd.concat([truth.assign(entity=truth["threat_id"] + 1, force=2),
                         icpt.assign(entity=icpt["interceptor_id"] + 31_000, force=1)])
    by_key = {(float(r.time_s), int(r.entity)): r for r in samples.itertuples(index=False)}
    last_of = {int(e): g.iloc[-1] for e, g in samples.groupby("entity")}
    worst_m = 0.0
    for t, o in states:
        assert (o.exerciseID, o.entityID.siteID, o.entityID.applicationID) == (5, 12, 34)
        gone = o.entityAppearance == 1 << 23
        r = last_of[o.entityID.entityID] if gone else by_key[(t, o.entityID.entityID)]
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
        assert gone == (o.entityID.entityID >= 31_000 and t == r.time_s + 1.0)
        assert o.deadReckoningParameters.deadReckoningAlgorithm == 2
    assert worst_m < 1e-3
    marks = {o.entityID.entityID: o.marking.charactersString() for _, o in states}
    types = {o.entityID.entityID: (o.entityType.entityKind, o.entityType.domain,
                                   o.entityType.country, o.entityType.category,
                                   o.entityType.subcategory, o.entityType.specific,
                                   o.entityType.extra) for _, o in states}
    assert marks[1] == "cm-raid-wes" and marks[2] == "strike-1"
    assert types[1] == threat_entity_type("cruise_missile") == (2, 11, 0, 1, 1, 0, 0)
    assert types[2] == threat_entity_type("aircraft")
    # classes sorted long, short, spare -> subcategories 1, 2, 3
    assert types[31_000] == (2, 1, 0, 1, 1, 0, 0) and types[31_001] == (2, 1, 0, 1, 2, 0, 0)
    assert marks[31_000] == "long-0" and marks[31_001] == "short-1"


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
    # the Detonation is where the interceptor was last seen
    last = run_tables["interceptors"].query("interceptor_id == 0").iloc[-1]
    loc = dets[0][1].location
    assert geodetic_error_m(loc.x, loc.y, loc.z, last.lat_deg, last.lon_deg, last.alt_m) < 1e-3


def test_dead_reckoning_mode_sends_fewer_and_keeps_first_and_last(run_tables) -> None:
    rate = run_pdus(**run_tables, spec=DisSpec(send_mode="rate"))
    dr = run_pdus(**run_tables, spec=DisSpec(heartbeat_s=5.0))
    es_dr = [createPdu(d) for _, d in dr if d[2] == 1]
    assert len(es_dr) < len([1 for _, d in rate if d[2] == 1])
    # straight lines: first, every 5 s, last
    t_threat0 = [seconds_from_timestamp(o.timestamp) for o in es_dr if o.entityID.entityID == 1]
    assert t_threat0 == pytest.approx([0, 5, 10, 15, 20, 25, 30], abs=1e-5)


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
