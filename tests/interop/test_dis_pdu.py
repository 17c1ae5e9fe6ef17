"""DIS 7 codec: every field we write is read back the same by opendis's own parser."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest
from opendis.PduFactory import createPdu

from iadsim.interop.dis.pdu import (
    DETONATION_LENGTH,
    ENTITY_STATE_LENGTH,
    FIRE_LENGTH,
    DetonationPdu,
    EntityId,
    EntityStatePdu,
    EntityType,
    EventId,
    FirePdu,
    PduDecodeError,
    decode_marking,
    decode_pdu,
    encode_marking,
    encode_pdu,
    seconds_from_timestamp,
    split_datagram,
    timestamp_from_seconds,
)


def f32(x: float) -> float:
    return struct.unpack(">f", struct.pack(">f", x))[0]


def _id(o) -> tuple[int, int, int]:  # opendis EntityID
    return (o.siteID, o.applicationID, o.entityID)


def _type(o) -> tuple[int, ...]:
    return (o.entityKind, o.domain, o.country, o.category, o.subcategory, o.specific, o.extra)


def _v3(o) -> tuple[float, float, float]:
    return (o.x, o.y, o.z)


ES = EntityStatePdu(
    exercise_id=7, timestamp=timestamp_from_seconds(123.456), entity_id=EntityId(11, 22, 333),
    force_id=2, entity_type=EntityType(2, 11, 0, 1, 1, 0, 0),
    location_ecef_m=(4_027_894.123456, 307_045.654321, 4_919_474.000789),
    velocity_ecef_mps=(-120.25, 33.5, 7.125), orientation_rad=(1.25, -0.125, 0.0625),
    marking="CM-raid-1", appearance=1 << 23, capabilities=5,
    linear_acceleration_mps2=(0.5, -0.25, 9.75), angular_velocity_radps=(0.0, 0.1, -0.2),
)


def test_entity_state_fields_match_opendis() -> None:
    data = encode_pdu(ES)
    assert len(data) == ENTITY_STATE_LENGTH == 144
    o = createPdu(data)
    assert type(o).__name__ == "EntityStatePdu"
    assert (o.protocolVersion, o.exerciseID, o.pduType, o.protocolFamily) == (7, 7, 1, 1)
    assert o.length == len(data)
    assert o.timestamp == ES.timestamp and o.pduStatus == 0
    assert _id(o.entityID) == ES.entity_id
    assert o.forceId == 2
    assert _type(o.entityType) == ES.entity_type == _type(o.alternativeEntityType)
    assert _v3(o.entityLocation) == ES.location_ecef_m  # float64 on the wire: exact
    assert _v3(o.entityLinearVelocity) == tuple(f32(x) for x in ES.velocity_ecef_mps)
    ori = o.entityOrientation
    assert (ori.psi, ori.theta, ori.phi) == tuple(f32(x) for x in ES.orientation_rad)
    assert o.entityAppearance == 1 << 23
    dr = o.deadReckoningParameters
    assert dr.deadReckoningAlgorithm == 2 and dr.parameters == [0] * 15
    assert _v3(dr.entityLinearAcceleration) == ES.linear_acceleration_mps2
    assert _v3(dr.entityAngularVelocity) == tuple(f32(x) for x in ES.angular_velocity_radps)
    assert o.marking.characterSet == 1
    assert o.marking.charactersString() == "CM-raid-1"
    assert o.capabilities == 5 and o.variableParameters == []


def test_fire_fields_match_opendis() -> None:
    pdu = FirePdu(
        exercise_id=3, timestamp=timestamp_from_seconds(61.0), firing_entity_id=EntityId(1, 2, 3),
        target_entity_id=EntityId(1, 2, 4), munition_entity_id=EntityId(1, 2, 500),
        event_id=EventId(1, 2, 501), location_ecef_m=(1.0e6, -2.5e6, 5.75e6),
        munition_type=EntityType(2, 1, 0, 1, 3), velocity_ecef_mps=(10.5, -20.25, 300.0),
        range_m=45_000.5, fire_mission_index=9, warhead=1000, fuse=1100, quantity=1, rate=0,
    )
    data = encode_pdu(pdu)
    assert len(data) == FIRE_LENGTH == 96
    o = createPdu(data)
    assert type(o).__name__ == "FirePdu"
    assert (o.exerciseID, o.pduType, o.protocolFamily, o.length) == (3, 2, 2, 96)
    assert o.timestamp == pdu.timestamp
    assert _id(o.firingEntityID) == (1, 2, 3) and _id(o.targetEntityID) == (1, 2, 4)
    assert _id(o.munitionExpendableID) == (1, 2, 500)
    ev = o.eventID
    assert (ev.simulationAddress.site, ev.simulationAddress.application, ev.eventNumber) == (
        1, 2, 501)
    assert o.fireMissionIndex == 9
    assert _v3(o.location) == pdu.location_ecef_m
    d = o.descriptor
    assert _type(d.munitionType) == pdu.munition_type
    assert (d.warhead, d.fuse, d.quantity, d.rate) == (1000, 1100, 1, 0)
    assert _v3(o.velocity) == pdu.velocity_ecef_mps
    assert o.range == f32(45_000.5)
    assert decode_pdu(data) == pdu


def test_detonation_fields_match_opendis() -> None:
    pdu = DetonationPdu(
        exercise_id=1, timestamp=timestamp_from_seconds(99.5), firing_entity_id=EntityId(1, 1, 40),
        target_entity_id=EntityId(1, 1, 2), exploding_entity_id=EntityId(1, 1, 77),
        event_id=EventId(1, 1, 38), location_ecef_m=(4.0e6, 3.0e5, 4.9e6),
        velocity_ecef_mps=(-500.0, 250.0, -12.5), munition_type=EntityType(2, 1, 0, 1, 2),
        detonation_result=5, location_in_entity_m=(1.5, -2.0, 0.25),
    )
    data = encode_pdu(pdu)
    assert len(data) == DETONATION_LENGTH == 104
    o = createPdu(data)
    assert type(o).__name__ == "DetonationPdu"
    assert (o.exerciseID, o.pduType, o.protocolFamily, o.length) == (1, 3, 2, 104)
    assert _id(o.firingEntityID) == (1, 1, 40) and _id(o.targetEntityID) == (1, 1, 2)
    assert _id(o.explodingEntityID) == (1, 1, 77)
    assert o.eventID.eventNumber == 38
    assert _v3(o.velocity) == pdu.velocity_ecef_mps
    assert _v3(o.location) == pdu.location_ecef_m
    assert _type(o.descriptor.munitionType) == pdu.munition_type
    assert o.descriptor.quantity == 1
    assert _v3(o.locationInEntityCoordinates) == pdu.location_in_entity_m
    assert o.detonationResult == 5 and o.variableParameters == []
    assert decode_pdu(data) == pdu


def test_our_decoder_reads_what_opendis_writes() -> None:
    """The other direction: an Entity State serialised by opendis (header fields set by hand,
    its defaults are wrong in 1.0) decodes to the same values."""
    from io import BytesIO

    from opendis.DataOutputStream import DataOutputStream
    from opendis.dis7 import EntityStatePdu as OEs

    o = OEs()
    o.pduType, o.protocolFamily, o.exerciseID, o.pduStatus = 1, 1, 4, 0
    o.length = 144
    o.entityAppearance, o.capabilities = 0, 0
    o.entityID.siteID, o.entityID.applicationID, o.entityID.entityID = 9, 8, 7
    o.forceId = 2
    o.entityType.entityKind, o.entityType.domain, o.entityType.category = 1, 2, 2
    o.entityLocation.x, o.entityLocation.y, o.entityLocation.z = 4.1e6, 3.0e5, 4.8e6
    o.entityLinearVelocity.x = 200.0
    o.deadReckoningParameters.deadReckoningAlgorithm = 2
    o.marking.characterSet = 1
    o.marking.setString("BANDIT")
    buf = BytesIO()
    o.serialize(DataOutputStream(buf))
    ours = decode_pdu(buf.getvalue())
    assert isinstance(ours, EntityStatePdu)
    assert ours.entity_id == (9, 8, 7) and ours.force_id == 2 and ours.exercise_id == 4
    assert ours.entity_type == (1, 2, 0, 2, 0, 0, 0)
    assert ours.location_ecef_m == (4.1e6, 3.0e5, 4.8e6)
    assert ours.velocity_ecef_mps == (200.0, 0.0, 0.0)
    assert ours.marking == "BANDIT"


@pytest.mark.parametrize("time_s", [0.0, 1.0, 59.999, 1234.5678, 3599.9])
def test_timestamp_round_trip_within_one_unit(time_s: float) -> None:
    ts = timestamp_from_seconds(time_s)
    assert ts & 1 == 0  # relative
    assert seconds_from_timestamp(ts) == pytest.approx(time_s, abs=3600.0 / 2**31)
    assert timestamp_from_seconds(time_s, absolute=True) == ts | 1
    assert seconds_from_timestamp(timestamp_from_seconds(3600.0 + time_s)) == pytest.approx(
        time_s, abs=3600.0 / 2**31)


def test_marking_truncates_pads_and_replaces_non_ascii() -> None:
    assert encode_marking("ab") == b"ab" + b"\x00" * 9
    assert encode_marking("cruise_missile-12") == b"cruise_miss"
    assert encode_marking("Zürich") == b"Z?rich\x00\x00\x00\x00\x00"
    assert decode_marking(encode_marking("SAM-7")) == "SAM-7"


def test_decoder_rejects_with_reasons() -> None:
    good = encode_pdu(ES)
    cases = {
        "truncated": good[:5],
        "length_mismatch": good[:-4],
        "bad_version": bytes([4]) + good[1:],
        "unknown_type": good[:2] + bytes([26]) + good[3:],
    }
    for reason, data in cases.items():
        with pytest.raises(PduDecodeError) as info:
            decode_pdu(data)
        assert info.value.reason == reason
    nan_location = bytearray(good)
    struct.pack_into(">d", nan_location, 12 + 6 + 2 + 16 + 12, math.nan)
    with pytest.raises(PduDecodeError, match="entity location"):
        decode_pdu(bytes(nan_location))


def test_split_datagram_bundles() -> None:
    a = encode_pdu(ES)
    b = encode_pdu(EntityStatePdu(**{**{f: getattr(ES, f) for f in ES.__slots__},
                                     "entity_id": EntityId(1, 1, 1)}))
    assert split_datagram(a + b) == [a, b]
    with pytest.raises(PduDecodeError):
        split_datagram(a + b[:20])


def test_decode_is_the_inverse_of_encode_at_float32_precision() -> None:
    rng = np.random.default_rng(5)
    for _ in range(50):
        loc = tuple(float(x) for x in rng.normal(0, 4e6, 3))
        vel = tuple(float(x) for x in rng.normal(0, 300, 3))
        pdu = EntityStatePdu(
            exercise_id=int(rng.integers(1, 256)), timestamp=int(rng.integers(0, 2**32)),
            entity_id=EntityId(*(int(x) for x in rng.integers(0, 65536, 3))),
            force_id=int(rng.integers(0, 4)), entity_type=EntityType(1, 2, 0, 2, 0),
            location_ecef_m=loc, velocity_ecef_mps=tuple(f32(x) for x in vel),
            orientation_rad=(f32(0.5), f32(-0.25), 0.0), marking="x",
        )
        back = decode_pdu(encode_pdu(pdu))
        assert back == EntityStatePdu(**{**{f: getattr(pdu, f) for f in pdu.__slots__},
                                         "alternative_entity_type": pdu.entity_type})
