"""Mobility: tear-down, road move and set-up times; shoot-and-scoot triggers."""

from __future__ import annotations

import numpy as np

from iadsim.network.mobility import MOVING, OPERATIONAL, SETUP, TEARDOWN, UnitMobility
from iadsim.scenario.network_spec import FireUnitSpec
from iadsim.world.frames import EARTH_RADIUS_M


def _unit(**kw: object) -> FireUnitSpec:
    return FireUnitSpec.model_validate({"name": "u", "teardown_s": 60.0, "setup_s": 90.0,
                                        "road_speed_mps": 10.0, **kw})


def test_relocation_phases_follow_the_closed_form() -> None:
    # one hundredth of a degree north along a meridian: R * pi / 18000 metres
    spec = _unit(relocations=[{"time_s": 100.0, "destination": {"lat_deg": 44.01,
                                                                "lon_deg": 9.0}}])
    mob = UnitMobility(spec, (44.0, 9.0), emits=True)
    drive_s = EARTH_RADIUS_M * np.pi / 18_000 / 10.0
    for t in np.arange(1.0, 800.0):
        mob.advance(float(t))
    m = mob.moves[0]
    assert m.start_s == 100.0 and m.teardown_end_s == 160.0
    assert np.isclose(m.arrive_s, 160.0 + drive_s, atol=1e-6)
    assert np.isclose(m.operational_s, 160.0 + drive_s + 90.0, atol=1e-6)
    assert [m.phase(t) for t in (99.0, 100.0, 159.0, 161.0, m.arrive_s + 1, m.operational_s)] \
        == [OPERATIONAL, TEARDOWN, TEARDOWN, MOVING, SETUP, OPERATIONAL]
    assert mob.ref_deg == (44.01, 9.0)
    assert mob.down_s == np.floor(m.operational_s) - 100.0  # whole steps of 1 s


def test_shoot_and_scoot_after_launches_and_after_emission() -> None:
    spec = _unit(shoot_and_scoot={"after_launches": 3, "hides": [{"lat_deg": 44.0,
                                                                   "lon_deg": 9.01}]})
    mob = UnitMobility(spec, (44.0, 9.0), emits=True)
    mob.advance(1.0)
    mob.note_launches(2)
    mob.advance(2.0)
    assert mob.operational(2.0)
    mob.note_launches(1)
    mob.advance(3.0)
    assert not mob.operational(3.0) and mob.moves[0].cause == "shoot_and_scoot"
    spec = _unit(shoot_and_scoot={"after_emission_s": 50.0, "hides": [{"lat_deg": 44.0,
                                                                        "lon_deg": 9.01}]})
    mob = UnitMobility(spec, (44.0, 9.0), emits=True)
    for t in range(1, 60):
        mob.advance(float(t))
    assert mob.moves[0].start_s == 50.0


def test_no_orders_never_moves() -> None:
    mob = UnitMobility(_unit(), (44.0, 9.0), emits=True)
    for t in range(1, 100):
        assert mob.advance(float(t)) is None
    assert mob.operational(99.0) and mob.down_s == 0.0
