"""DIS 7 (IEEE 1278.1-2012) PDU codec: Entity State, Fire and Detonation, written with ``struct``.

Interop stage, lowest layer: PDU records in, network-byte-order ``bytes`` out, and back.
Every field is laid out as in IEEE 1278.1-2012 section 7; the layouts are checked field by field
against opendis's own parser (``opendis.PduFactory.createPdu``) in ``tests/interop``.

Decoding never trusts its input: a datagram that is too short, whose length field disagrees with
its size, whose protocol version or PDU type is not one of ours, or whose numbers are not finite
raises :class:`PduDecodeError` with a ``reason`` a caller can count.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from typing import NamedTuple

from iadsim.errors import InputDataError

PROTOCOL_VERSION = 7
"""DIS protocol version written (7 = IEEE 1278.1-2012)."""

ACCEPTED_VERSIONS = (6, 7)
"""Versions decoded: DIS 6 and 7 share the three layouts (DIS 6 has padding where 7 has status)."""

PDU_TYPE_ENTITY_STATE = 1
PDU_TYPE_FIRE = 2
PDU_TYPE_DETONATION = 3
FAMILY_ENTITY_INFORMATION = 1
FAMILY_WARFARE = 2

DR_STATIC = 1
DR_FPW = 2
"""Dead-reckoning algorithm 2: fixed, position, world coordinates (DRM F-P-W)."""
DR_FVW = 5
"""Dead-reckoning algorithm 5: fixed, velocity, world coordinates (DRM F-V-W): constant linear
acceleration, sent in the Entity State's dead-reckoning parameters."""

CHARSET_ASCII = 1
MARKING_LENGTH = 11

HEADER = struct.Struct(">BBBBIHBB")
_ENTITY_ID = "HHH"
_ENTITY_TYPE = "BBHBBBB"
_VEC3F = "fff"
_VEC3D = "ddd"
ENTITY_STATE_BODY = struct.Struct(
    ">" + _ENTITY_ID + "BB" + _ENTITY_TYPE + _ENTITY_TYPE + _VEC3F + _VEC3D + _VEC3F
    + "I" + "B15s" + _VEC3F + _VEC3F + "B11s" + "I"
)
FIRE_BODY = struct.Struct(
    ">" + _ENTITY_ID * 3 + "HHH" + "I" + _VEC3D + _ENTITY_TYPE + "HHHH" + _VEC3F + "f"
)
DETONATION_BODY = struct.Struct(
    ">" + _ENTITY_ID * 3 + "HHH" + _VEC3F + _VEC3D + _ENTITY_TYPE + "HHHH" + _VEC3F + "BBH"
)
VARIABLE_PARAMETER_LENGTH = 16

ENTITY_STATE_LENGTH = HEADER.size + ENTITY_STATE_BODY.size  # 144
FIRE_LENGTH = HEADER.size + FIRE_BODY.size  # 96
DETONATION_LENGTH = HEADER.size + DETONATION_BODY.size  # 104

_TIMESTAMP_UNITS_PER_HOUR = 2**31

Vec3 = tuple[float, float, float]


class EntityId(NamedTuple):
    """DIS Entity Identifier (site, application, entity), each a uint16."""

    site: int
    application: int
    entity: int


class EventId(NamedTuple):
    """DIS Event Identifier (site, application, event number), each a uint16."""

    site: int
    application: int
    event: int


class EntityType(NamedTuple):
    """DIS Entity Type record (SISO-REF-010 enumerations)."""

    kind: int
    domain: int
    country: int
    category: int
    subcategory: int
    specific: int = 0
    extra: int = 0


NO_ENTITY = EntityId(0, 0, 0)
"""The DIS 'no entity' identifier (used as the target of a Fire PDU with no known target)."""


class PduDecodeError(InputDataError):
    """A datagram is not a PDU iadsim can use; ``reason`` is a short key for counting.

    Reasons: ``truncated``, ``length_mismatch``, ``bad_version``, ``unknown_type``,
    ``bad_value``.
    """

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(f"{reason}: {message}")


@dataclass(frozen=True, slots=True)
class EntityStatePdu:
    """Entity State PDU (IEEE 1278.1-2012 7.2.2); world coordinates are geocentric (ECEF)."""

    exercise_id: int
    timestamp: int
    entity_id: EntityId
    force_id: int
    entity_type: EntityType
    location_ecef_m: Vec3
    velocity_ecef_mps: Vec3
    orientation_rad: Vec3
    """DIS Euler angles (psi, theta, phi) of the body frame relative to ECEF."""
    marking: str
    alternative_entity_type: EntityType | None = None
    """Defaults to ``entity_type`` when written."""
    appearance: int = 0
    dead_reckoning_algorithm: int = DR_FPW
    linear_acceleration_mps2: Vec3 = (0.0, 0.0, 0.0)
    angular_velocity_radps: Vec3 = (0.0, 0.0, 0.0)
    capabilities: int = 0
    pdu_status: int = 0
    variable_parameter_count: int = 0
    """Only set by the decoder (the records themselves are skipped); always 0 when encoding."""


@dataclass(frozen=True, slots=True)
class FirePdu:
    """Fire PDU (IEEE 1278.1-2012 7.3.2)."""

    exercise_id: int
    timestamp: int
    firing_entity_id: EntityId
    target_entity_id: EntityId
    munition_entity_id: EntityId
    event_id: EventId
    location_ecef_m: Vec3
    munition_type: EntityType
    velocity_ecef_mps: Vec3
    range_m: float = 0.0
    fire_mission_index: int = 0
    warhead: int = 0
    fuse: int = 0
    quantity: int = 1
    rate: int = 0
    pdu_status: int = 0


@dataclass(frozen=True, slots=True)
class DetonationPdu:
    """Detonation PDU (IEEE 1278.1-2012 7.3.3)."""

    exercise_id: int
    timestamp: int
    firing_entity_id: EntityId
    target_entity_id: EntityId
    exploding_entity_id: EntityId
    event_id: EventId
    location_ecef_m: Vec3
    velocity_ecef_mps: Vec3
    munition_type: EntityType
    detonation_result: int
    location_in_entity_m: Vec3 = (0.0, 0.0, 0.0)
    warhead: int = 0
    fuse: int = 0
    quantity: int = 1
    rate: int = 0
    pdu_status: int = 0
    variable_parameter_count: int = 0


Pdu = EntityStatePdu | FirePdu | DetonationPdu


# --- timestamps and markings -------------------------------------------------------------


def timestamp_from_seconds(time_s: float, *, absolute: bool = False) -> int:
    """DIS timestamp: time past the hour in units of 3600 s / 2**31, low bit 1 if absolute."""
    units = round((time_s % 3600.0) / 3600.0 * _TIMESTAMP_UNITS_PER_HOUR)
    return ((units % _TIMESTAMP_UNITS_PER_HOUR) << 1) | int(absolute)


def seconds_from_timestamp(timestamp: int) -> float:
    """Seconds past the hour encoded in a DIS timestamp (the absolute bit is ignored)."""
    return (timestamp >> 1) * 3600.0 / _TIMESTAMP_UNITS_PER_HOUR


def encode_marking(name: str) -> bytes:
    """An entity name as the 11 ASCII marking characters (non-ASCII -> '?', NUL-padded)."""
    raw = name.encode("ascii", errors="replace")[:MARKING_LENGTH]
    return raw.ljust(MARKING_LENGTH, b"\x00")


def decode_marking(raw: bytes) -> str:
    """The marking characters up to the first NUL, as text."""
    return raw.split(b"\x00", 1)[0].decode("ascii", errors="replace")


# --- encode ------------------------------------------------------------------------------


def _header(pdu_type: int, family: int, exercise_id: int, timestamp: int, length: int,
            status: int) -> bytes:
    return HEADER.pack(PROTOCOL_VERSION, exercise_id, pdu_type, family, timestamp, length,
                       status, 0)


def encode_pdu(pdu: Pdu) -> bytes:
    """One PDU record to its DIS 7 wire form (big-endian, length field set)."""
    if isinstance(pdu, EntityStatePdu):
        alt = pdu.alternative_entity_type or pdu.entity_type
        body = ENTITY_STATE_BODY.pack(
            *pdu.entity_id, pdu.force_id, 0, *pdu.entity_type, *alt,
            *pdu.velocity_ecef_mps, *pdu.location_ecef_m, *pdu.orientation_rad,
            pdu.appearance, pdu.dead_reckoning_algorithm, bytes(15),
            *pdu.linear_acceleration_mps2, *pdu.angular_velocity_radps,
            CHARSET_ASCII, encode_marking(pdu.marking), pdu.capabilities,
        )
        return _header(PDU_TYPE_ENTITY_STATE, FAMILY_ENTITY_INFORMATION, pdu.exercise_id,
                       pdu.timestamp, ENTITY_STATE_LENGTH, pdu.pdu_status) + body
    if isinstance(pdu, FirePdu):
        body = FIRE_BODY.pack(
            *pdu.firing_entity_id, *pdu.target_entity_id, *pdu.munition_entity_id,
            *pdu.event_id, pdu.fire_mission_index, *pdu.location_ecef_m, *pdu.munition_type,
            pdu.warhead, pdu.fuse, pdu.quantity, pdu.rate, *pdu.velocity_ecef_mps, pdu.range_m,
        )
        return _header(PDU_TYPE_FIRE, FAMILY_WARFARE, pdu.exercise_id, pdu.timestamp,
                       FIRE_LENGTH, pdu.pdu_status) + body
    if isinstance(pdu, DetonationPdu):
        body = DETONATION_BODY.pack(
            *pdu.firing_entity_id, *pdu.target_entity_id, *pdu.exploding_entity_id,
            *pdu.event_id, *pdu.velocity_ecef_mps, *pdu.location_ecef_m, *pdu.munition_type,
            pdu.warhead, pdu.fuse, pdu.quantity, pdu.rate, *pdu.location_in_entity_m,
            pdu.detonation_result, 0, 0,
        )
        return _header(PDU_TYPE_DETONATION, FAMILY_WARFARE, pdu.exercise_id, pdu.timestamp,
                       DETONATION_LENGTH, pdu.pdu_status) + body
    raise TypeError(f"encode_pdu: not a PDU record (got {type(pdu).__name__})")


# --- decode ------------------------------------------------------------------------------


def _finite(values: tuple[float, ...], what: str) -> Vec3:
    if not all(math.isfinite(v) for v in values):
        raise PduDecodeError("bad_value", f"{what} is not finite (got {values})")
    return (values[0], values[1], values[2])


def pdu_type_of(data: bytes) -> int:
    """The PDU type byte of a datagram (raises ``truncated`` if it has no header)."""
    if len(data) < HEADER.size:
        raise PduDecodeError("truncated", f"{len(data)} bytes, a PDU header needs {HEADER.size}")
    return data[2]


def decode_pdu(data: bytes) -> Pdu:
    """Parse one PDU (exactly one: the length field must equal ``len(data)``).

    Raises
    ------
    PduDecodeError
        With ``reason`` one of ``truncated``, ``length_mismatch``, ``bad_version``,
        ``unknown_type``, ``bad_value``.
    """
    data = bytes(data)
    pdu_type_of(data)
    version, exercise, pdu_type, _family, timestamp, length, status, _pad = HEADER.unpack_from(
        data
    )
    if version not in ACCEPTED_VERSIONS:
        raise PduDecodeError("bad_version", f"protocol version {version} not in "
                             f"{ACCEPTED_VERSIONS}")
    if length != len(data):
        raise PduDecodeError("length_mismatch", f"length field {length} != {len(data)} bytes "
                             "received")
    if pdu_type == PDU_TYPE_ENTITY_STATE:
        return _decode_entity_state(data, exercise, timestamp, status)
    if pdu_type == PDU_TYPE_FIRE:
        return _decode_fire(data, exercise, timestamp, status)
    if pdu_type == PDU_TYPE_DETONATION:
        return _decode_detonation(data, exercise, timestamp, status)
    raise PduDecodeError("unknown_type", f"PDU type {pdu_type} is not Entity State, Fire or "
                         "Detonation")


def _need(data: bytes, n: int, what: str) -> None:
    if len(data) < n:
        raise PduDecodeError("truncated", f"{what} needs {n} bytes (got {len(data)})")


def _check_variable_parameters(data: bytes, fixed_length: int, n_vp: int, what: str) -> None:
    """The datagram must be the fixed part plus ``n_vp`` variable parameter records."""
    expected = fixed_length + VARIABLE_PARAMETER_LENGTH * n_vp
    if len(data) != expected:
        raise PduDecodeError("length_mismatch", f"{what} with {n_vp} variable parameters "
                             f"is {expected} bytes (got {len(data)})")


def _decode_entity_state(data: bytes, exercise: int, timestamp: int, status: int) -> Pdu:
    _need(data, ENTITY_STATE_LENGTH, "an Entity State PDU")
    f = ENTITY_STATE_BODY.unpack_from(data, HEADER.size)
    n_vp = f[4]
    _check_variable_parameters(data, ENTITY_STATE_LENGTH, n_vp, "Entity State")
    return EntityStatePdu(
        exercise_id=exercise, timestamp=timestamp, pdu_status=status,
        entity_id=EntityId(*f[0:3]), force_id=f[3], variable_parameter_count=n_vp,
        entity_type=EntityType(*f[5:12]), alternative_entity_type=EntityType(*f[12:19]),
        velocity_ecef_mps=_finite(f[19:22], "entity linear velocity"),
        location_ecef_m=_finite(f[22:25], "entity location"),
        orientation_rad=_finite(f[25:28], "entity orientation"),
        appearance=f[28], dead_reckoning_algorithm=f[29],
        linear_acceleration_mps2=_finite(f[31:34], "dead-reckoning linear acceleration"),
        angular_velocity_radps=_finite(f[34:37], "dead-reckoning angular velocity"),
        marking=decode_marking(f[38]), capabilities=f[39],
    )


def _decode_fire(data: bytes, exercise: int, timestamp: int, status: int) -> Pdu:
    _need(data, FIRE_LENGTH, "a Fire PDU")
    if len(data) != FIRE_LENGTH:
        raise PduDecodeError("length_mismatch", f"a Fire PDU is {FIRE_LENGTH} bytes "
                             f"(got {len(data)})")
    f = FIRE_BODY.unpack_from(data, HEADER.size)
    return FirePdu(
        exercise_id=exercise, timestamp=timestamp, pdu_status=status,
        firing_entity_id=EntityId(*f[0:3]), target_entity_id=EntityId(*f[3:6]),
        munition_entity_id=EntityId(*f[6:9]), event_id=EventId(*f[9:12]),
        fire_mission_index=f[12], location_ecef_m=_finite(f[13:16], "fire location"),
        munition_type=EntityType(*f[16:23]), warhead=f[23], fuse=f[24], quantity=f[25],
        rate=f[26], velocity_ecef_mps=_finite(f[27:30], "munition velocity"), range_m=f[30],
    )


def _decode_detonation(data: bytes, exercise: int, timestamp: int, status: int) -> Pdu:
    _need(data, DETONATION_LENGTH, "a Detonation PDU")
    f = DETONATION_BODY.unpack_from(data, HEADER.size)
    n_vp = f[33]
    _check_variable_parameters(data, DETONATION_LENGTH, n_vp, "Detonation")
    return DetonationPdu(
        exercise_id=exercise, timestamp=timestamp, pdu_status=status,
        firing_entity_id=EntityId(*f[0:3]), target_entity_id=EntityId(*f[3:6]),
        exploding_entity_id=EntityId(*f[6:9]), event_id=EventId(*f[9:12]),
        velocity_ecef_mps=_finite(f[12:15], "munition velocity"),
        location_ecef_m=_finite(f[15:18], "detonation location"),
        munition_type=EntityType(*f[18:25]), warhead=f[25], fuse=f[26], quantity=f[27],
        rate=f[28], location_in_entity_m=_finite(f[29:32], "location in entity coordinates"),
        detonation_result=f[32], variable_parameter_count=n_vp,
    )


def split_datagram(data: bytes) -> list[bytes]:
    """Split a datagram that may bundle several PDUs back to back (IEEE 1278.1 allows it).

    Each PDU's length field says where the next one starts. A length field below the header
    size or past the end raises :class:`PduDecodeError`.
    """
    data = bytes(data)
    if not data:
        raise PduDecodeError("truncated", "empty datagram")
    out: list[bytes] = []
    offset = 0
    while offset < len(data):
        if len(data) - offset < HEADER.size:
            reason = "truncated" if offset == 0 else "length_mismatch"
            raise PduDecodeError(reason, f"{len(data) - offset} trailing bytes at offset "
                                 f"{offset}, a PDU header needs {HEADER.size}")
        length = struct.unpack_from(">H", data, offset + 8)[0]
        if length < HEADER.size or offset + length > len(data):
            raise PduDecodeError("length_mismatch", f"length field {length} at offset {offset} "
                                 f"does not fit the {len(data)}-byte datagram")
        out.append(data[offset:offset + length])
        offset += length
    return out
