"""DIS out entity layer: markings, constant-acceleration dead reckoning, last states."""

from __future__ import annotations

import numpy as np
import pytest
from opendis.PduFactory import createPdu

from iadsim.interop.dis.entities import (
    APPEARANCE_DEACTIVATED,
    APPEARANCE_DESTROYED,
    Publisher,
    Snapshot,
    UpdateScheduler,
    entity_marking,
)
from iadsim.interop.dis.pdu import DR_FVW, EntityId, EntityType
from iadsim.scenario.dis_spec import DisSpec


@pytest.mark.parametrize(("name", "number", "marking"), [
    ("cruise-wave-city", 12, "cruise-w-12"),
    ("cruise-wave-city-3", 41, "cruise-w-41"),
    ("long", 31_005, "long-31005"),
    ("very_long", 31_000, "very-31000"),  # the cut's trailing '_' goes
    ("long-1", 30_002, "long-30002"),
    ("f", 1, "f-1"),
    ("", 7, "e-7"),
    ("Überflug Süd", 3, "?berflug-3"),
    ("a b", 65_534, "a_b-65534"),
])
def test_marking_is_a_name_prefix_and_the_whole_entity_number(name: str, number: int,
                                                              marking: str) -> None:
    assert entity_marking(name, number) == marking


def test_markings_are_unique_for_names_sharing_any_prefix() -> None:
    names = ["cruise-wave-city"] * 30 + ["cruise-wave-city-x"] * 30 + ["surveillance-radar"] * 3
    numbers = [*range(1, 61), 30_500, 30_501, 30_502]
    marks = [entity_marking(n, k) for n, k in zip(names, numbers, strict=True)]
    assert len(set(marks)) == len(marks)
    assert all(len(m) <= 11 and m.isascii() for m in marks)
    assert [int(m.rsplit("-", 1)[1]) for m in marks] == numbers


def _snap(key: int, p: np.ndarray, v: np.ndarray) -> Snapshot:
    return Snapshot(np.array([key]), p[None], v[None], np.zeros((1, 3)))


def test_constant_acceleration_dead_reckoning_sends_only_heartbeats() -> None:
    a = np.array([0.0, 0.0, -9.8])
    p0, v0 = np.array([4.0e6, 1.0e6, 4.8e6]), np.array([300.0, -200.0, 1200.0])
    t = np.arange(0.0, 21.0)
    spec = DisSpec(heartbeat_s=5.0)
    with_a, without = UpdateScheduler(spec), UpdateScheduler(spec)
    sent_a, sent_v = [], []
    for tk in t:
        p, v = p0 + v0 * tk + 0.5 * a * tk**2, v0 + a * tk
        if with_a.due(float(tk), _snap(0, p, v), a[None])[0]:
            sent_a.append(tk)
        if without.due(float(tk), _snap(0, p, v))[0]:
            sent_v.append(tk)
    assert sent_a == [0.0, 5.0, 10.0, 15.0, 20.0]
    assert sent_v == list(t)  # 0.5 g t^2 = 4.9 m > 1 m after every second


def test_fvw_entities_send_their_measured_acceleration_and_a_last_state() -> None:
    """A ballistic key (F-V-W) falling under gravity: the acceleration sent is the one measured
    from consecutive samples (gravity on the first); ``retire`` sends a destroyed last state
    dead-reckoned to its time, then nothing more."""
    spec = DisSpec()
    pub = Publisher(spec, 2, lambda k: EntityId(1, 1, 1 + k), lambda k: EntityType(2, 11, 0, 2, 1),
                    lambda k: "bm", lambda k: DR_FVW)
    p0 = np.array([4.5e6, 7.0e5, 4.5e6])
    up = p0 / np.linalg.norm(p0)
    v0 = 1000.0 * up
    g = -9.80665 * up
    out: list = []
    for tk in (0.0, 1.0, 2.0):
        pub.step(tk, _snap(0, p0 + v0 * tk + 0.5 * g * tk**2, v0 + g * tk), out)
    first = createPdu(out[0][3])
    sent = np.array([first.deadReckoningParameters.entityLinearAcceleration.x,
                     first.deadReckoningParameters.entityLinearAcceleration.y,
                     first.deadReckoningParameters.entityLinearAcceleration.z])
    assert first.deadReckoningParameters.deadReckoningAlgorithm == DR_FVW
    assert np.linalg.norm(sent) == pytest.approx(9.80665, rel=1e-6)  # gravity, geodetic down
    assert np.degrees(np.arccos(-sent @ up / np.linalg.norm(sent))) < 0.2  # vs geocentric
    assert len(out) == 1  # the later samples follow the prediction
    np.testing.assert_allclose(pub.last_state[0, 3], g, atol=1e-6)  # measured
    pub.retire(2.5, 0, destroyed=True, out=out)
    last = createPdu(out[-1][3])
    assert last.entityAppearance == APPEARANCE_DEACTIVATED | APPEARANCE_DESTROYED
    expected = p0 + v0 * 2.5 + 0.5 * g * 2.5**2
    got = np.array([last.entityLocation.x, last.entityLocation.y, last.entityLocation.z])
    np.testing.assert_allclose(got, expected, atol=1e-6)
    n = len(out)
    pub.step(3.0, _snap(0, expected, v0), out)
    pub.finish(3.0, out)
    assert len(out) == n  # retired: never sent again


@pytest.mark.parametrize("n", [0, 1, 50])
def test_publisher_at_any_size_and_finish_deactivates_all(n: int) -> None:
    pub = Publisher(DisSpec(), 1, lambda k: EntityId(1, 1, 100 + k),
                    lambda k: EntityType(1, 1, 0, 28, 0), lambda k: f"site{k}")
    rng = np.random.default_rng(1)
    p = rng.normal(size=(n, 3)) * 1e3 + np.array([4.5e6, 7.0e5, 4.5e6])
    snap = Snapshot(np.arange(n, dtype=np.int64), p, np.zeros((n, 3)), np.zeros((n, 3)))
    out: list = []
    pub.step(0.0, snap, out)
    pub.step(1.0, snap, out)
    assert len(out) == n  # static: the first state only
    pub.finish(1.0, out)
    assert len(out) == 2 * n
    assert all(createPdu(d).entityAppearance == APPEARANCE_DEACTIVATED for *_, d in out[n:])
