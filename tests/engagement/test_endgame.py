"""PN end game against fakes of the world stage, checked by an independent scipy integration."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import solve_ivp

from iadsim.engagement.endgame import advance_flights
from iadsim.engagement.intercept import intercept_time_s
from iadsim.engagement.interceptors import EngagementOrder, InterceptorFlights
from iadsim.engagement.launchers import InterceptorClasses
from iadsim.outcomes.result import Result
from iadsim.scenario.model import Scenario
from iadsim.world.frames import Origin

G = 9.80665
UP = np.array([0.0, 0.0, 1.0])
ORIGIN = Origin(44.45, 8.85, 0.0)
T0 = 100.0  # handover time of every test engagement


@dataclasses.dataclass
class FakeThreats:
    """Threats with a constant velocity and a constant acceleration from ``t_manoeuvre_s``."""

    p0: np.ndarray  # (n, 3) at T0
    v0: np.ndarray
    accel: np.ndarray
    t_manoeuvre_s: float = T0

    @property
    def threat_type(self) -> np.ndarray:
        return np.full(len(self.p0), 1, np.int8)  # aircraft-like row of the pk table

    def state(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        dt, dm = t - T0, max(t - self.t_manoeuvre_s, 0.0)
        return self.p0 + self.v0 * dt + 0.5 * self.accel * dm**2, self.v0 + self.accel * dm

    def positions(self, t: float) -> np.ndarray:
        return self.state(t)[0]

    def in_air(self, t: float) -> np.ndarray:
        return np.ones(len(self.p0), bool)


@pytest.fixture(scope="module")
def classes(default_scenario: Scenario) -> InterceptorClasses:
    """The default classes with a constant lateral limit of 30 g (no drag: the reference's
    limit is then the same constant) and an ideal seeker (the noise has its own tests,
    ``test_seeker_noise.py``)."""
    c = InterceptorClasses.from_scenario(default_scenario)
    assert c.flyout is not None
    flyout = dataclasses.replace(c.flyout, beta_kg_m2=np.full(3, np.inf),
                                 max_accel_mps2=np.full(3, 30 * G))
    return dataclasses.replace(c, flyout=flyout, seeker_noise_rad=np.zeros(3),
                               seeker_glint_m=np.zeros(3))


def tuned(classes: InterceptorClasses, n: float = 4.0, lag_s: float = 0.2,
          a_max: float = 30 * G) -> InterceptorClasses:
    assert classes.flyout is not None
    flyout = dataclasses.replace(classes.flyout, max_accel_mps2=np.full(3, a_max))
    return dataclasses.replace(classes, navigation_constant=np.full(3, n),
                               guidance_time_constant_s=np.full(3, lag_s), flyout=flyout)


def engage(classes: InterceptorClasses, threats: FakeThreats, target: int, p_m: np.ndarray,
           v_m: np.ndarray, tgo_s: float, *, seed: int = 0, alive: np.ndarray | None = None):
    """One long-class round handed over at T0 in state (p_m, v_m); stepped at 1 s to the end
    (``alive``: the world's threat mask, default all alive)."""
    alive = np.ones(len(threats.p0), bool) if alive is None else alive
    flights = InterceptorFlights()
    order = EngagementOrder(0, 7, T0 + tgo_s, p_m + v_m * tgo_s)
    flights.launch([order], p_m[None, :] - 1.0, np.array([1]), T0 - 30.0,
                   target_threat_id=np.array([target]))
    flights.position_m[0], flights.velocity_mps[0] = p_m, v_m
    flights.state_time_s[0], flights.handover_s[0], flights.acquired[0] = T0, T0, target >= 0
    rng = np.random.default_rng(seed)
    for k in range(1, 40):
        res = advance_flights(flights, threats, alive, classes, ORIGIN, T0 + k, rng=rng)
        if res.interceptor_id.size:
            return res, flights
    raise AssertionError("the end game never ended")


def crossing(heading_error_deg: float = 0.0, accel_mps2: float = 0.0, tgo_s: float = 5.0):
    """A crossing target at 5 km altitude and a round at 1200 m/s on its collision course
    (turned by ``heading_error_deg``); the target pulls ``accel_mps2`` sideways from T0."""
    p_t, v_t = np.array([7_000.0, 3_000.0, 5_000.0]), np.array([-50.0, -250.0, 0.0])
    speed = 1_200.0
    p_m = p_t + v_t * tgo_s - speed * tgo_s * np.array([1.0, 0.0, 0.0])  # meet at T0 + tgo
    p_m[2] = 5_000.0
    t = intercept_time_s(p_t[None], v_t[None], p_m[None], speed)[0]
    d = p_t + v_t * t - p_m
    d /= np.linalg.norm(d)
    a = np.radians(heading_error_deg)
    rot = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
    threats = FakeThreats(p_t[None], v_t[None], np.array([[0.0, accel_mps2, 0.0]]))
    return threats, p_m, speed * (rot @ d), t


def reference_miss(threats: FakeThreats, p_m, v_m, n: float, lag_s: float, a_max: float) -> float:
    """The same PN law (true PN, lift normal to the velocity, limit, first-order lag) integrated
    by scipy's adaptive DOP853 to the zero of the range rate."""

    def rhs(t: float, y: np.ndarray) -> np.ndarray:
        pm, vm, am = y[:3], y[3:6], y[6:]
        pt, vt = threats.state(T0 + t)
        r, vr = pt[0] - pm, vt[0] - vm
        u = r / np.linalg.norm(r)
        ac = n * (-vr @ u) * (vr - (vr @ u) * u) / np.linalg.norm(r) + G * UP
        vh = vm / np.linalg.norm(vm)
        ac = ac - (ac @ vh) * vh
        ac *= min(1.0, a_max / max(np.linalg.norm(ac), 1e-12))
        return np.concatenate([vm, am - G * UP, (ac - am) / lag_s])

    def opening(t: float, y: np.ndarray) -> float:
        pt, vt = threats.state(T0 + t)
        return float((pt[0] - y[:3]) @ (vt[0] - y[3:6]))

    opening.terminal, opening.direction = True, 1  # type: ignore[attr-defined]
    sol = solve_ivp(rhs, (0.0, 30.0), np.concatenate([p_m, v_m, np.zeros(3)]), method="DOP853",
                    rtol=1e-10, atol=1e-9, events=opening)
    y = sol.y_events[0][0]
    return float(np.linalg.norm(threats.state(T0 + sol.t_events[0][0])[0][0] - y[:3]))


def test_pn_against_a_non_manoeuvring_target_misses_by_almost_nothing(classes) -> None:
    threats, p_m, v_m, _ = crossing(heading_error_deg=4.0)
    res, flights = engage(tuned(classes), threats, 0, p_m, v_m, 5.0)
    assert res.miss_distance_m[0] < 0.5
    assert res.threat_id[0] == 0 and flights.resolved[0]
    assert res.closing_speed_mps[0] == pytest.approx(np.linalg.norm(v_m - threats.v0[0]), rel=0.1)


@pytest.mark.parametrize(("heading_deg", "accel", "tgo", "lag"), [
    (4.0, 0.0, 5.0, 0.2), (0.0, 60.0, 5.0, 0.3), (10.0, 30.0, 2.0, 0.4), (2.0, 80.0, 3.0, 0.5),
])
def test_miss_matches_an_independent_fine_integration(classes, heading_deg, accel, tgo,
                                                      lag) -> None:
    threats, p_m, v_m, _ = crossing(heading_deg, accel, tgo)
    res, _ = engage(tuned(classes, 4.0, lag), threats, 0, p_m, v_m, tgo)
    want = reference_miss(threats, p_m, v_m, 4.0, lag, 30 * G)
    assert res.miss_distance_m[0] == pytest.approx(want, rel=0.03, abs=0.05)


def test_miss_grows_with_target_acceleration(classes) -> None:
    """A target pulling harder at handover: the lagged, 10 g-limited round misses by more (and
    the independent integration agrees where the limit binds)."""
    misses = []
    for accel in (0.0, 20.0, 40.0, 60.0, 80.0):
        threats, p_m, v_m, _ = crossing(0.0, accel, 2.0)
        misses.append(engage(tuned(classes, 4.0, 0.4, 10 * G), threats, 0, p_m, v_m, 2.0)[0]
                      .miss_distance_m[0])
    assert misses[0] < 0.05
    assert np.all(np.diff(misses) > 0), misses
    assert misses[-1] > 5.0
    want = reference_miss(threats, p_m, v_m, 4.0, 0.4, 10 * G)
    assert misses[-1] == pytest.approx(want, rel=0.03, abs=0.05)


def test_miss_grows_with_a_late_handover(classes) -> None:
    misses = []
    for tgo in (6.0, 3.0, 1.5, 0.8):
        threats, p_m, v_m, _ = crossing(5.0, 0.0, tgo)
        misses.append(engage(tuned(classes, 4.0, 0.3), threats, 0, p_m, v_m, tgo)[0]
                      .miss_distance_m[0])
    assert np.all(np.diff(misses) > 0), misses
    assert misses[-1] > 10.0


def test_kill_is_booked_against_the_engaged_threat_not_the_nearest(classes) -> None:
    """Threat 1 is engaged; threat 0 flies through the planned point. The result names 1."""
    threats, p_m, v_m, t = crossing()
    decoy_p = threats.p0[0].copy()
    other = threats.p0[0] + np.array([0.0, 1_500.0, 300.0])
    both = FakeThreats(np.stack([decoy_p, other]), np.repeat(threats.v0, 2, 0),
                       np.zeros((2, 3)))
    res, _ = engage(tuned(classes), both, 1, p_m, v_m, t)
    assert res.threat_id.tolist() == [1]
    assert res.miss_distance_m[0] < 5.0  # PN flew to threat 1 (1.5 km from the aim point)


def test_ghost_track_has_no_miss_distance(classes) -> None:
    threats, p_m, v_m, t = crossing()
    res, flights = engage(tuned(classes), threats, -1, p_m, v_m, t)
    assert np.isnan(res.miss_distance_m[0]) and not res.killed[0] and res.pk[0] == 0.0
    assert np.isnan(flights.miss_distance_m[0])


def test_round_against_a_destroyed_threat_books_no_miss_and_no_kill(classes) -> None:
    """The world says the engaged threat is gone (killed before): the true trajectory still
    passes the round within centimetres, yet the end game books NaN miss, Pk 0, no kill."""
    threats, p_m, v_m, t = crossing()
    live, _ = engage(tuned(classes), threats, 0, p_m, v_m, t)
    assert live.miss_distance_m[0] < 0.5 and live.pk[0] > 0.5  # the same flight, alive
    res, flights = engage(tuned(classes), threats, 0, p_m, v_m, t, alive=np.zeros(1, bool))
    assert np.isnan(res.miss_distance_m[0]) and res.pk[0] == 0.0 and not res.killed[0]
    assert flights.resolved[0] and np.isnan(flights.miss_distance_m[0]) and flights.pk[0] == 0.0


def test_second_round_after_a_kill_in_the_same_step_books_nothing(classes) -> None:
    """Two rounds on one threat end inside the same step; the first kills (Pk 1): the later
    one has NaN miss, Pk 0 and no kill, whichever row comes first."""
    sure = dataclasses.replace(tuned(classes), pk=np.full_like(classes.pk, 10.0))
    threats, _, _, _ = crossing()
    flights = InterceptorFlights()
    tgos = (2.6, 2.2)  # row 1 arrives first
    states = [crossing(tgo_s=tg)[1:3] for tg in tgos]
    orders = [EngagementOrder(0, k, T0 + tg, threats.p0[0]) for k, tg in enumerate(tgos)]
    flights.launch(orders, np.zeros((1, 3)), np.array([1]), T0 - 30.0,
                   target_threat_id=np.zeros(2, np.int64))
    for k, (pm, vm) in enumerate(states):
        flights.position_m[k], flights.velocity_mps[k] = pm, vm
    flights.state_time_s[:], flights.handover_s[:], flights.acquired[:] = T0, T0, True
    for step in (1, 2):
        res = advance_flights(flights, threats, np.ones(1, bool), sure, ORIGIN, T0 + step,
                              rng=np.random.default_rng(0))
        assert res.interceptor_id.size == 0
    res = advance_flights(flights, threats, np.ones(1, bool), sure, ORIGIN, T0 + 3,
                          rng=np.random.default_rng(0))
    assert res.interceptor_id.tolist() == [0, 1]
    assert res.time_s[1] < res.time_s[0]
    assert res.killed.tolist() == [False, True] and res.pk[1] == pytest.approx(1.0, abs=1e-3)
    assert np.isnan(res.miss_distance_m[0]) and res.pk[0] == 0.0


def test_n0_and_many_rounds_at_once(classes) -> None:
    flights = InterceptorFlights()
    threats, p_m, _, t = crossing()
    empty = advance_flights(flights, threats, np.ones(1, bool), classes, ORIGIN, 1.0,
                            rng=np.random.default_rng(0))
    assert empty.interceptor_id.size == 0
    rounds, seen = 12, []
    for k in range(rounds):  # twelve rounds with growing heading errors, resolved together
        th, pm, vm, tt = crossing(heading_error_deg=0.5 * k)
        seen.append(engage(tuned(classes), th, 0, pm, vm, tt)[0].miss_distance_m[0])
    many = InterceptorFlights()
    orders = [EngagementOrder(0, k, T0 + t, p_m) for k in range(rounds)]
    many.launch(orders, p_m[None, :] - 1.0, np.array([1]), T0 - 30.0,
                target_threat_id=np.arange(rounds, dtype=np.int64))  # one copy each
    threats = FakeThreats(np.repeat(threats.p0, rounds, 0), np.repeat(threats.v0, rounds, 0),
                          np.zeros((rounds, 3)))
    for k in range(rounds):
        _, pm, vm, _ = crossing(heading_error_deg=0.5 * k)
        many.position_m[k], many.velocity_mps[k] = pm, vm
    many.state_time_s[:], many.handover_s[:], many.acquired[:] = T0, T0, True
    got = np.full(rounds, np.nan)
    for step in range(1, 30):
        res = advance_flights(many, threats, np.ones(rounds, bool), tuned(classes), ORIGIN,
                              T0 + step,
                              rng=np.random.default_rng(0))
        got[res.interceptor_id] = res.miss_distance_m
        if many.resolved.all():
            break
    np.testing.assert_allclose(got, seen, rtol=0.05, atol=0.05)


def test_default_run_trajectories_are_continuous_and_above_the_ground(
    default_result: Result,
) -> None:
    """interceptors.parquet: no sample below the ellipsoid, no step longer than the speed
    allows; engagements.miss_distance_m is finite or missing, never infinite."""
    df = default_result.interceptors.sort_values(["interceptor_id", "time_s"])
    assert len(df) > 100
    assert df["alt_m"].min() > -1.0
    g = df.groupby("interceptor_id")
    step = np.linalg.norm(g[["east_m", "north_m", "up_m"]].diff().to_numpy(), axis=1)
    dt = g["time_s"].diff().to_numpy()
    speed = np.linalg.norm(df[["vel_east_mps", "vel_north_mps", "vel_up_mps"]].to_numpy(), axis=1)
    fastest = np.maximum(speed, pd.Series(speed).groupby(df["interceptor_id"].to_numpy())
                         .shift(1).to_numpy())
    ok = np.isfinite(step)
    assert np.all(step[ok] <= 1.05 * fastest[ok] * dt[ok] + 1.0)
    miss = default_result.engagements["miss_distance_m"].to_numpy(dtype=float)
    assert not np.isinf(miss).any()
    kills = default_result.engagements["outcome"] == "kill"
    assert (miss[kills.to_numpy()] < 200.0).all()


def test_round_at_a_false_track_flies_to_its_aim_point_not_at_threat_0(classes) -> None:
    """A round booked at no threat (-1) flies on to its aim point and self-destructs there,
    at the planned time. Threat 0 waits 12 km beyond the aim point on the round's line: the
    old end game (threat 0's truth for id -1) flew on until its closest approach to threat 0,
    about 10 s and 12 km later."""
    _, p_m, v_m, t = crossing()
    aim = p_m + v_m * t
    ahead = aim + 12_000.0 * v_m / np.linalg.norm(v_m)
    far = FakeThreats(ahead[None], np.zeros((1, 3)), np.zeros((1, 3)))
    res, flights = engage(tuned(classes), far, -1, p_m, v_m, t)
    assert res.threat_id.tolist() == [-1] and not res.killed[0] and res.pk[0] == 0.0
    assert np.isnan(res.miss_distance_m[0]) and not flights.acquired[0]
    assert np.linalg.norm(flights.detonation_m[0] - aim) < 20.0
    assert res.time_s[0] == pytest.approx(T0 + t, abs=0.05)


def test_round_at_a_false_track_never_kills_threat_0_on_its_aim_point(classes) -> None:
    """Threat 0 flies exactly through the false track's aim point at the planned time (the
    round would hit it): the round at no threat books no kill, Pk 0; at threat 0 it kills."""
    sure = dataclasses.replace(tuned(classes), pk=np.full_like(classes.pk, 1.0))
    threats, p_m, v_m, t = crossing()
    hit, _ = engage(sure, threats, 0, p_m, v_m, t)
    assert hit.killed[0] and hit.miss_distance_m[0] < 0.5
    for seed in range(5):
        res, _ = engage(sure, threats, -1, p_m, v_m, t, seed=seed)
        assert not res.killed[0] and res.pk[0] == 0.0 and res.threat_id[0] == -1


def test_rounds_at_false_tracks_with_no_threats_in_the_world(classes) -> None:
    """n = 0 threats: a round at a false track still flies to its aim point and ends there."""
    _, p_m, v_m, t = crossing()
    none = FakeThreats(np.zeros((0, 3)), np.zeros((0, 3)), np.zeros((0, 3)))
    res, flights = engage(tuned(classes), none, -1, p_m, v_m, t, alive=np.zeros(0, bool))
    assert res.threat_id.tolist() == [-1] and not res.killed[0]
    assert np.linalg.norm(flights.detonation_m[0] - (p_m + v_m * t)) < 20.0
