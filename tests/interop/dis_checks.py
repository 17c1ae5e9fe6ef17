"""Independent checks shared by the DIS tests."""

from __future__ import annotations

import struct

import numpy as np
import pymap3d


def geodetic_error_m(x: float, y: float, z: float, lat_deg: float, lon_deg: float,
                     alt_m: float) -> float:
    """Distance (m) between a geocentric point taken back to geodetic (pymap3d's iterative
    ecef2geodetic) and the geodetic truth, on the local tangent plane."""
    lat2, lon2, alt2 = pymap3d.ecef2geodetic(x, y, z)
    north = np.radians(lat2 - lat_deg) * 6_378_137.0
    east = np.radians((lon2 - lon_deg + 180.0) % 360.0 - 180.0) * 6_378_137.0 * np.cos(
        np.radians(lat_deg))
    return float(np.linalg.norm([north, east, alt2 - alt_m]))


# --- a second DIS 7 decoder, written from the IEEE 1278.1-2012 layouts (not iadsim's pdu.py) ---


def _entity_id(data: bytes, offset: int) -> tuple[int, int, int]:
    return struct.unpack_from(">HHH", data, offset)


def _entity_type(data: bytes, offset: int) -> tuple[int, ...]:
    return struct.unpack_from(">BBHBBBB", data, offset)


def decode_dis7(data: bytes) -> dict[str, object]:
    """The fields the semantic tests read, at their byte offsets in IEEE 1278.1-2012 7.2.2
    (Entity State, 144 bytes without variable parameters), 7.3.2 (Fire, 96) and 7.3.3
    (Detonation, 104); header 5.3.1: version, exercise, type, family, timestamp, length,
    status, padding."""
    version, exercise, pdu_type, family, timestamp, length = struct.unpack_from(">BBBBIH", data)
    assert version == 7 and length == len(data)
    out: dict[str, object] = {"type": pdu_type, "exercise": exercise, "family": family,
                              "time_s": (timestamp >> 1) * 3600.0 / 2**31}
    if pdu_type == 1:
        assert family == 1 and length == 144 + 16 * data[19]
        out.update(
            entity=_entity_id(data, 12), force=data[18], entity_type=_entity_type(data, 20),
            velocity=np.array(struct.unpack_from(">fff", data, 36)),
            location=np.array(struct.unpack_from(">ddd", data, 48)),
            appearance=struct.unpack_from(">I", data, 84)[0], dr_algorithm=data[88],
            acceleration=np.array(struct.unpack_from(">fff", data, 104)),
            marking=data[129:140].split(b"\x00", 1)[0].decode("ascii"), charset=data[128])
    elif pdu_type == 2:
        assert family == 2 and length == 96
        out.update(firing=_entity_id(data, 12), target=_entity_id(data, 18),
                   munition=_entity_id(data, 24), event=_entity_id(data, 30),
                   location=np.array(struct.unpack_from(">ddd", data, 40)),
                   munition_type=_entity_type(data, 64),
                   quantity=struct.unpack_from(">H", data, 76)[0])
    elif pdu_type == 3:
        assert family == 2 and length == 104 + 16 * data[101]
        out.update(firing=_entity_id(data, 12), target=_entity_id(data, 18),
                   munition=_entity_id(data, 24), event=_entity_id(data, 30),
                   velocity=np.array(struct.unpack_from(">fff", data, 36)),
                   location=np.array(struct.unpack_from(">ddd", data, 48)),
                   munition_type=_entity_type(data, 72), result=data[100])
    return out
