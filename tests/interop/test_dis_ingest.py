"""DIS in: hostile Entity States become dead-reckoned threats; bad input is counted, never fatal."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iadsim.interop.dis.enums import threat_entity_type
from iadsim.interop.dis.geometry import enu_vectors_to_ecef, geodetic_to_ecef
from iadsim.interop.dis.ingest import ExternalEntities, PduFileSource
from iadsim.interop.dis.pdu import (
    EntityId,
    EntityStatePdu,
    EntityType,
    EventId,
    FirePdu,
    encode_pdu,
)
from iadsim.interop.dis.stream import write_pdu_file
from iadsim.scenario.dis_spec import DisSpec
from iadsim.world.frames import Origin, geodetic_to_enu

ORIGIN = Origin(52.0, 5.0, 0.0)
TYPES = ("aircraft", "recon_aircraft", "cruise_missile", "uav", "ballistic_missile")


def _es(entity: int, position_enu_m, velocity_enu_mps, *, force: int = 2, exercise: int = 1,
        site: int = 9, kind: str = "cruise_missile", appearance: int = 0,
        algorithm: int = 2, name: str = "bandit") -> bytes:
    from iadsim.world.frames import enu_to_geodetic

    lat, lon, alt = enu_to_geodetic(np.asarray(position_enu_m, float), ORIGIN)
    p = geodetic_to_ecef(lat, lon, alt).reshape(3)
    v = enu_vectors_to_ecef(np.asarray(velocity_enu_mps, float), ORIGIN).reshape(3)
    return encode_pdu(EntityStatePdu(
        exercise_id=exercise, timestamp=0, entity_id=EntityId(site, 1, entity), force_id=force,
        entity_type=threat_entity_type(kind), location_ecef_m=tuple(p), velocity_ecef_mps=tuple(v),
        orientation_rad=(0.0, 0.0, 0.0), marking=name, appearance=appearance,
        dead_reckoning_algorithm=algorithm,
    ))


def _entities(**spec) -> ExternalEntities:
    return ExternalEntities(DisSpec(**spec), ORIGIN, TYPES, first_threat_id=100)


def test_dead_reckoning_between_updates_follows_a_straight_line() -> None:
    ext = _entities()
    p0, v = np.array([30_000.0, 10_000.0, 500.0]), np.array([-250.0, -50.0, 0.0])
    for t in (0.0, 5.0):
        ext.ingest(t, _es(1, p0 + v * t, v))
    state = ext.state_at(8.0)
    assert state.threat_id.tolist() == [100]
    assert state.threat_type == ("cruise_missile",)
    # The ENU tangent plane is flat, ECEF dead reckoning too: the straight line is exact
    np.testing.assert_allclose(state.position_enu_m[0], p0 + v * 8.0, atol=1e-3)
    np.testing.assert_allclose(state.velocity_enu_mps[0], v, atol=1e-4)
    assert ext.name == ["bandit"] and ext.counts.entity_states_used == 2


def test_timeout_deactivation_and_removal() -> None:
    ext = _entities(entity_timeout_s=3.0)
    v = np.array([100.0, 0.0, 0.0])
    ext.ingest(0.0, _es(1, [0.0, 0.0, 1000.0], v))
    ext.ingest(0.0, _es(2, [0.0, 5000.0, 1000.0], v, kind="uav"))
    ext.ingest(0.0, _es(3, [0.0, 9000.0, 1000.0], v, kind="aircraft"))
    ext.ingest(2.0, _es(2, [200.0, 5000.0, 1000.0], v, kind="uav"))
    ext.ingest(2.0, _es(3, [200.0, 9000.0, 1000.0], v, appearance=1 << 23))
    assert ext.state_at(2.5).threat_id.tolist() == [100, 101]
    assert ext.state_at(4.0).threat_id.tolist() == [101]  # entity 1 silent for 4 s > 3 s
    assert ext.counts.timed_out == 1 and ext.counts.deactivated == 1
    ext.remove(np.array([101]), 4.2)
    assert ext.gone_s.tolist() == [3.0, 4.2, 2.0]  # timeout, removal, deactivation
    assert len(ext.state_at(4.5)) == 0
    ext.ingest(5.0, _es(1, [500.0, 0.0, 1000.0], v))  # a timed-out entity does not return
    assert len(ext.state_at(5.0)) == 0


def test_filters_exercise_own_site_force_and_type() -> None:
    ext = _entities(site_id=9, application_id=1)
    p, v = [0.0, 0.0, 1000.0], [100.0, 0.0, 0.0]
    ext.ingest(0.0, _es(1, p, v, exercise=2))
    ext.ingest(0.0, _es(2, p, v, site=9))  # our own DIS out coming back
    ext.ingest(0.0, _es(3, p, v, site=4, force=1))
    ext.ingest(0.0, _es(4, p, v, site=4, kind="aircraft"))
    c = ext.counts
    assert (c.other_exercise, c.own_entities, c.non_hostile, c.entity_states_used) == (1, 1, 1, 1)
    strict = _entities(default_threat_type=None)
    for k, et in enumerate([EntityType(1, 1, 0, 1, 1), EntityType(1, 2, 0, 1, 0),
                            EntityType(2, 9, 0, 2, 2)]):  # tank; fighter; rocket
        data = bytearray(_es(5 + k, p, v))
        struct.pack_into(">BBHBBBB", data, 20, *et)
        strict.ingest(0.0, bytes(data))
    assert strict.counts.unmapped_type == 1  # the tank
    assert strict.threat_type == ["aircraft", "ballistic_missile"]
    lenient = _entities()  # default_threat_type aircraft: never for a land platform
    lenient.ingest(0.0, bytes(data[:20]) + struct.pack(">BBHBBBB", 1, 1, 0, 1, 1, 0, 0)
                   + bytes(data[28:]))
    assert lenient.counts.unmapped_type == 1


def test_static_and_acceleration_dead_reckoning() -> None:
    ext = _entities()
    ext.ingest(0.0, _es(1, [0.0, 0.0, 1000.0], [100.0, 0.0, 0.0], algorithm=1))
    np.testing.assert_allclose(ext.state_at(3.0).position_enu_m[0], [0.0, 0.0, 1000.0],
                               atol=1e-3)


def test_bad_input_is_counted_and_skipped() -> None:
    ext = _entities()
    good = _es(1, [0.0, 0.0, 1000.0], [100.0, 0.0, 0.0])
    wrong_length = bytearray(good)
    struct.pack_into(">H", wrong_length, 8, 140)
    unknown = good[:2] + bytes([20]) + good[3:]
    fire = encode_pdu(FirePdu(
        exercise_id=1, timestamp=0, firing_entity_id=EntityId(9, 1, 1),
        target_entity_id=EntityId(1, 1, 1), munition_entity_id=EntityId(9, 1, 2),
        event_id=EventId(9, 1, 1), location_ecef_m=(4e6, 3e5, 4.9e6),
        munition_type=EntityType(2, 1, 0, 1, 1), velocity_ecef_mps=(0.0, 0.0, 0.0)))
    far_away = bytearray(good)
    struct.pack_into(">ddd", far_away, 48, 1.0, 2.0, 3.0)  # the centre of the earth
    too_fast = bytearray(good)
    struct.pack_into(">fff", too_fast, 36, 1e6, 0.0, 0.0)  # 1000 km/s
    for data in (good[:7], good[:100], bytes(wrong_length), unknown, b"", fire, bytes(far_away),
                 bytes(too_fast), good):
        ext.ingest(1.0, data)
    c = ext.counts
    assert c.datagrams == 9
    assert dict(c.malformed) == {"truncated": 2, "length_mismatch": 2, "unknown_type": 1,
                                 "bad_value": 2}
    assert c.not_entity_state == 1 and c.entity_states_used == 1
    assert ext.state_at(1.0).threat_id.tolist() == [100]
    assert c.as_dict()["malformed_total"] == 7


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data: bytes) -> None:
    ext = _entities()
    ext.ingest(0.0, data)
    c = ext.counts
    assert c.datagrams == 1
    accounted = (sum(c.malformed.values()) + c.not_entity_state + c.entity_states_used
                 + c.other_exercise + c.own_entities + c.non_hostile + c.unmapped_type)
    assert accounted >= 1
    ext.state_at(1.0)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.integers(0, 143), st.integers(0, 255))
def test_mutated_entity_states_never_raise(index: int, value: int) -> None:
    ext = _entities()
    data = bytearray(_es(1, [0.0, 0.0, 1000.0], [100.0, 0.0, 0.0]))
    data[index] = value
    ext.ingest(0.0, bytes(data))
    assert len(ext.state_at(0.0)) in (0, 1)


def test_pdu_file_source_releases_records_by_run_time(tmp_path) -> None:
    path = tmp_path / "in.pdu"
    recs = [(float(t), _es(1, [100.0 * t, 0.0, 1000.0], [100.0, 0.0, 0.0])) for t in range(6)]
    write_pdu_file(path, recs)
    src = PduFileSource(path)
    assert [t for t, _ in src.poll(2.0)] == [0.0, 1.0, 2.0]
    assert src.poll(2.5) == []
    assert [t for t, _ in src.poll(10.0)] == [3.0, 4.0, 5.0]
    assert src.poll(11.0) == [] and src.report.records == 6


def test_matches_geodetic_truth_to_the_millimetre() -> None:
    ext = _entities()
    p = geodetic_to_enu(52.3, 5.4, 3000.0, ORIGIN)
    ext.ingest(0.0, _es(1, p, [0.0, 0.0, 0.0]))
    np.testing.assert_allclose(ext.state_at(0.0).position_enu_m[0], p, atol=1e-3)


@pytest.mark.parametrize("n", [0, 1, 30])
def test_state_at_many_entities(n: int) -> None:
    ext = _entities()
    for k in range(n):
        ext.ingest(0.0, _es(k + 1, [1000.0 * k, 0.0, 1000.0], [0.0, 100.0, 0.0], site=3))
    s = ext.state_at(2.0)
    assert len(s) == n and s.position_enu_m.shape == (n, 3)
    if n:
        np.testing.assert_allclose(s.position_enu_m[:, 1], 200.0, atol=1e-3)


def test_every_byte_of_an_entity_state_set_to_extremes_never_raises() -> None:
    """Exhaustive: each of the 144 bytes set to 0x00, 0x7f, 0x80 and 0xff in turn."""
    good = _es(1, [0.0, 0.0, 1000.0], [100.0, 0.0, 0.0])
    ext = _entities()
    for index in range(len(good)):
        for value in (0x00, 0x7F, 0x80, 0xFF):
            data = bytearray(good)
            data[index] = value
            ext.ingest(float(index), bytes(data))
            ext.state_at(float(index))
            ext.positions_enu(np.full(4, float(index)))
    assert ext.counts.datagrams == 4 * len(good)
