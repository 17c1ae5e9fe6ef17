"""DIS geometry: geocentric conversion, Euler angles, dead-reckoning update schedule."""

from __future__ import annotations

import itertools

import numpy as np
import pymap3d
import pytest

from iadsim.interop.dis.enums import (
    THREAT_ENTITY_TYPES,
    canonical_threat_type,
    interceptor_entity_types,
    threat_entity_type,
    threat_type_from_entity_type,
)
from iadsim.interop.dis.export import EntityTable, update_schedule
from iadsim.interop.dis.geometry import (
    dead_reckon_fpw,
    ecef_to_geodetic,
    ecef_vectors_to_enu,
    enu_vectors_to_ecef,
    geodetic_to_ecef,
    matrix_from_euler,
    orientation_from_velocity,
)
from iadsim.scenario.dis_spec import DisSpec
from iadsim.scenario.model import THREAT_TYPES
from iadsim.world.frames import Origin

WGS84_A_M = 6_378_137.0
WGS84_E2 = 6.694_379_990_14e-3


@pytest.mark.parametrize("n", [0, 1, 17])
def test_geodetic_to_ecef_matches_the_closed_form(n: int) -> None:
    rng = np.random.default_rng(n)
    lat, lon, alt = rng.uniform(-89, 89, n), rng.uniform(-180, 180, n), rng.uniform(-100, 3e5, n)
    p = geodetic_to_ecef(lat, lon, alt)
    assert p.shape == (n, 3)
    phi, lam = np.radians(lat), np.radians(lon)
    big_n = WGS84_A_M / np.sqrt(1 - WGS84_E2 * np.sin(phi) ** 2)
    expected = np.stack([(big_n + alt) * np.cos(phi) * np.cos(lam),
                         (big_n + alt) * np.cos(phi) * np.sin(lam),
                         (big_n * (1 - WGS84_E2) + alt) * np.sin(phi)], axis=-1)
    np.testing.assert_allclose(p, expected, atol=1e-6)
    back = ecef_to_geodetic(p)
    np.testing.assert_allclose(back[2], alt, atol=1e-4)


def test_enu_vectors_round_trip_and_rotation() -> None:
    origin = Origin(52.0, 5.0, 0.0)
    v = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [3.0, -4.0, 12.0]])
    ecef = enu_vectors_to_ecef(v, origin)
    np.testing.assert_allclose(np.linalg.norm(ecef, axis=1), np.linalg.norm(v, axis=1))
    # up at the origin is the ellipsoid normal: (cos lat cos lon, cos lat sin lon, sin lat)
    lat, lon = np.radians(52.0), np.radians(5.0)
    np.testing.assert_allclose(ecef[2], [np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon),
                                         np.sin(lat)], atol=1e-15)
    np.testing.assert_allclose(ecef_vectors_to_enu(ecef, origin), v, atol=1e-12)


def test_orientation_known_value_at_lat0_lon0_heading_east() -> None:
    # heading east at (0, 0): body x = ECEF +y, right wing = south = -z, so (pi/2, 0, -pi/2)
    east = np.array([[0.0, 250.0, 0.0]])
    np.testing.assert_allclose(orientation_from_velocity(east, np.array([0.0]), np.array([0.0])),
                               [[np.pi / 2, 0.0, -np.pi / 2]], atol=1e-12)


@pytest.mark.parametrize("n", [1, 40])
def test_orientation_points_the_body_along_the_velocity_wings_level(n: int) -> None:
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(-80, 80, n), rng.uniform(-180, 180, n)
    v = rng.normal(0, 300, (n, 3))
    m = matrix_from_euler(orientation_from_velocity(v, lat, lon))
    np.testing.assert_allclose(m[:, :, 0], v / np.linalg.norm(v, axis=1)[:, None], atol=1e-12)
    up = np.stack(pymap3d.enu2uvw(0.0, 0.0, 1.0, lat, lon), axis=-1)
    np.testing.assert_allclose(np.einsum("ni,ni->n", m[:, :, 1], up), 0.0, atol=1e-12)
    np.testing.assert_allclose(np.einsum("nij,nik->njk", m, m), np.broadcast_to(np.eye(3),
                                                                                (n, 3, 3)),
                               atol=1e-12)


def _table(time_s: np.ndarray, pos: np.ndarray, vel: np.ndarray) -> EntityTable:
    ori = np.zeros_like(pos)
    return EntityTable(time_s, pos, vel, ori)


def test_straight_flight_sends_only_heartbeats_first_and_last() -> None:
    t = np.arange(0.0, 21.0)
    v = np.array([200.0, -50.0, 10.0])
    pos = (np.array([4e6, 3e5, 4.9e6]) + t[:, None] * v)[:, None, :]
    vel = np.broadcast_to(v, pos.shape).copy()
    send = update_schedule(_table(t, pos, vel), DisSpec(heartbeat_s=5.0))
    assert t[send[:, 0]].tolist() == [0.0, 5.0, 10.0, 15.0, 20.0]
    rate = update_schedule(_table(t, pos, vel), DisSpec(send_mode="rate", rate_hz=0.25))
    assert t[rate[:, 0]].tolist() == [0.0, 4.0, 8.0, 12.0, 16.0, 20.0]


def test_dead_reckoning_schedule_bounds_the_error_brute_force() -> None:
    """A turning entity: between updates the F-P-W prediction stays within the threshold at
    every sample, and every non-heartbeat update was forced by a breach."""
    t = np.arange(0.0, 120.0, 0.5)
    r, w = 5_000.0, 0.02  # 100 m/s turn
    centre = np.array([4e6, 3e5, 4.9e6])
    pos = centre + np.stack([r * np.cos(w * t), r * np.sin(w * t), 0 * t], axis=-1)
    vel = np.stack([-r * w * np.sin(w * t), r * w * np.cos(w * t), 0 * t], axis=-1)
    spec = DisSpec(position_threshold_m=10.0, heartbeat_s=30.0, orientation_threshold_deg=180.0)
    send = update_schedule(_table(t, pos[:, None], vel[:, None]), spec)[:, 0]
    sent = np.flatnonzero(send)
    assert 5 < sent.size < t.size / 2
    for a, b in itertools.pairwise(sent):
        between = np.arange(a + 1, b)
        err = np.linalg.norm(pos[between] - dead_reckon_fpw(pos[a], vel[a], t[between] - t[a]),
                             axis=1)
        assert (err <= 10.0).all()
        err_b = np.linalg.norm(pos[b] - dead_reckon_fpw(pos[a], vel[a], t[b] - t[a]))
        assert err_b > 10.0 or t[b] - t[a] >= 30.0 - 1e-9 or b == t.size - 1


def test_schedule_handles_no_entities_and_gaps() -> None:
    empty = update_schedule(_table(np.arange(3.0), np.zeros((3, 0, 3)), np.zeros((3, 0, 3))),
                            DisSpec())
    assert empty.shape == (3, 0)
    pos = np.full((4, 2, 3), np.nan)
    pos[1:3, 0] = [1.0, 2.0, 3.0]
    pos[0, 1] = [4.0, 5.0, 6.0]
    send = update_schedule(_table(np.arange(4.0), pos, np.zeros((4, 2, 3))), DisSpec())
    assert send.tolist() == [[False, True], [True, False], [False, False], [False, False]]


def test_every_scenario_threat_type_has_its_own_entity_type_that_maps_back() -> None:
    types = [threat_entity_type(t) for t in THREAT_TYPES]
    assert len(set(types)) == len(THREAT_TYPES)
    for name, et in zip(THREAT_TYPES, types, strict=True):
        assert threat_type_from_entity_type(et, THREAT_TYPES) == name
    # an unknown air platform falls back on kind/domain; an unknown kind maps to nothing
    assert threat_type_from_entity_type(threat_entity_type("bomber"), THREAT_TYPES) == "aircraft"
    assert threat_type_from_entity_type(THREAT_ENTITY_TYPES["rocket"], ["aircraft"]) is None


def test_keywords_overrides_and_interceptor_classes() -> None:
    assert canonical_threat_type("Cruise-Missile") == "cruise_missile"
    assert canonical_threat_type("srbm") == "ballistic_missile"
    assert canonical_threat_type("shahed drone") == "uav"
    assert canonical_threat_type("glider") == "aircraft"
    assert threat_entity_type("uav", {"uav": [1, 2, 225, 50, 1, 0, 0]}) == (1, 2, 225, 50, 1, 0, 0)
    icpt = interceptor_entity_types(["short", "long", "short", "medium"])
    assert list(icpt) == ["long", "medium", "short"]
    assert [et.subcategory for et in icpt.values()] == [1, 2, 3]
    assert all(et[:2] == (2, 1) for et in icpt.values())
