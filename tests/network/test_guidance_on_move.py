"""Rounds in flight when their unit tears down: guidance lost, or taken over by another unit's
track with engage-on-remote (issue 17)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from dataclasses import replace

from iadsim.engagement.interceptors import InterceptorFlights
from iadsim.engagement.launchers import InterceptorClasses, Launchers
from iadsim.network.datalink import Reports
from iadsim.network.defence import NetworkedDefence
from iadsim.network.fusion import FusedPicture
from iadsim.scenario.common import GeoPosition
from iadsim.scenario.network_spec import RelocationSpec
from iadsim.sensors.radar import build_radars
from iadsim.world.cache import scenario_threats
from iadsim.world.frames import scenario_origin
from iadsim.world.state import WorldState
from iadsim.scenario.load import scenario_from_dict
from iadsim.simulation import run
from iadsim.tracking.batch import TrackBatch
from network_fakes import two_unit_data


def _guided(monkeypatch: pytest.MonkeyPatch, data: dict[str, Any]) -> tuple[Any, list]:
    """Run ``data``; every call of the flights' guidance: (time, {track id: position})."""
    calls: list[tuple[float, dict[int, np.ndarray]]] = []
    real = InterceptorFlights.guide

    def spy(self: InterceptorFlights, tracks: TrackBatch, origin: Any = None) -> None:
        if len(tracks):
            calls.append((float(tracks.time_s.max()), dict(zip(
                tracks.track_id.tolist(), tracks.position_enu_m.copy(), strict=True))))
        real(self, tracks, origin)

    monkeypatch.setattr(InterceptorFlights, "guide", spy)
    return run(scenario_from_dict(data), seed=1, keep_trajectories=False), calls


def test_rounds_lose_guidance_when_their_unit_tears_down(
        monkeypatch: pytest.MonkeyPatch, default_data: dict[str, Any]) -> None:
    remote = False
    d = two_unit_data(default_data, duration_s=130.0)
    d["network"]["engage_on_remote"] = remote
    for u in d["network"]["units"]:  # the first unit to fire scoots at once
        u.update(teardown_s=60, setup_s=60, shoot_and_scoot={
            "after_launches": 1, "hides": [{"lat_deg": 44.50, "lon_deg": 8.93}]})
    res, calls = _guided(monkeypatch, d)
    first = res.engagements.sort_values("launch_time_s").iloc[0]
    unit = str(first["launcher"])[-1]
    move = res.summary["network"]["units"][unit]["moves"][0]
    assert move["cause"] == "shoot_and_scoot" and move["start_s"] >= first["launch_time_s"]
    tid, t_fly = int(first["track_id"]), float(first["intercept_time_s"])
    assert move["start_s"] + 2.0 < t_fly  # the unit stops while its round flies
    down = [c for t, c in calls if move["start_s"] + 1e-6 < t < t_fly - 1.0]
    before = [c for t, c in calls if first["launch_time_s"] < t < move["start_s"] - 1e-6]
    assert down
    assert all(tid in c for c in before) or not before  # guided from its own track till then
    mine = (int(unit == "b") + 1) * 10_000_000  # the unit's track ids: (unit + 1) * 10^7 + k
    for c in down:  # the torn-down unit's tracks guide nothing
        assert not any(k // 10_000_000 == mine // 10_000_000 and k != tid for k in c)
    assert all(tid not in c for c in down)  # guidance lost: the aim point stays put


_BUILT: dict[str, InterceptorClasses] = {}


def _defence(default_data: dict[str, Any], remote: bool) -> NetworkedDefence:
    d = two_unit_data(default_data)
    d["network"]["engage_on_remote"] = remote
    sc = scenario_from_dict(d)
    origin = scenario_origin(sc)
    radars = build_radars(list(sc.sensors), origin)
    if "classes" not in _BUILT:  # the fly-out table once for the module
        _BUILT["classes"] = InterceptorClasses.from_scenario(sc)
    classes = _BUILT["classes"]
    launchers = Launchers(sc, origin)
    threats = scenario_threats(sc, origin)
    assets = (np.zeros((1, 3)), np.ones(1), np.full(1, 1000.0))
    world = WorldState(threats, assets=assets)
    return NetworkedDefence(sc, radars, classes, origin, assets, launchers, threats, world,
                            seed=1)


def _tracks(ids: list[int], east_m: list[float], sigma_m: list[float]) -> TrackBatch:
    n = len(ids)
    cov = np.stack([np.diag([s**2] * 3 + [25.0] * 3) for s in sigma_m])
    return TrackBatch(time_s=np.full(n, 100.0), track_id=np.array(ids, np.int64),
                      position_enu_m=np.stack([[e, 0.0, 5000.0] for e in east_m]),
                      velocity_enu_mps=np.zeros((n, 3)), covariance=cov,
                      confirmed=np.ones(n, bool), quality=np.ones(n),
                      truth_id=np.zeros(n, np.int64))


@pytest.mark.parametrize("remote", [False, True])
def test_a_remote_track_of_the_same_system_track_takes_guidance_over(
        default_data: dict[str, Any], remote: bool) -> None:
    net = _defence(default_data, remote)
    a1, b1, b2, b3 = 10_000_001, 20_000_005, 20_000_006, 20_000_007
    # unit a's track a1 and unit b's b1, b2 are one system track; b3 another target
    live = _tracks([a1, b1, b2, b3], [0.0, 10.0, 20.0, 9000.0], [30.0, 80.0, 50.0, 40.0])
    net.store = Reports.of(live, 0, np.zeros(4), 100.0)
    net.store = replace(net.store, source=np.array([0, 1, 1, 1]))
    net.fused = FusedPicture(TrackBatch.empty(), np.array([900_000_000] * 3 + [900_000_001]))
    assert net.guidance(live, 100.0) is live  # every unit operational: nothing changes
    net.mobility[0]._orders = [RelocationSpec(
        time_s=90.0, destination=GeoPosition(lat_deg=44.5, lon_deg=8.9))]
    net.mobility[0].advance(95.0)  # unit a starts tearing down at 95 s
    assert not net.unit_operational(100.0)[0]
    out = net.guidance(live, 100.0)
    got = dict(zip(out.track_id.tolist(), out.position_enu_m[:, 0].tolist(), strict=True))
    if not remote:  # a1 guides nothing; b's tracks as they were
        assert got == {b1: 10.0, b2: 20.0, b3: 9000.0}
        return
    # b's tighter track of the same system track (b2, 50 m) guides a1's rounds
    assert got == {b1: 10.0, b2: 20.0, b3: 9000.0, a1: 20.0}
    # ... but not once b's link has failed (b is no longer under the top command)
    net.links[1].fail_time_s = 99.0
    out = net.guidance(live, 100.0)
    assert a1 not in out.track_id.tolist()
