"""Seeker angle noise and glint in the PN end game, against linear theory.

The reference is the textbook linearised single-lag PN loop (Zarchan, *Tactical and Strategic
Missile Guidance*, ch. 4 and 6: range-independent and range-dependent seeker noise) written out
again here: states y, dy/dt, the lagged acceleration a_M and the lagged noise f, noise nu on
the line-of-sight angle with power spectral density Phi(t):

    d2y/dt2 = -a_M - N Vc (nu - f) / tau
    da_M/dt = (N Vc dlambda/dt - a_M) / tau,  dlambda/dt = (y + dy/dt t_go) / (Vc t_go^2)
    df/dt   = (nu - f) / tau

whose covariance P obeys dP/dt = A P + P A^T + B B^T Phi(t) (the Lyapunov equation,
integrated by ``scipy.integrate.solve_ivp``); the RMS miss per axis is sqrt(P_yy(t_F)). The
engagement model itself is 3-D, nonlinear and stepped by RK4 with white noise held over each
sub-step: 2,000 seeded rounds flown at once must give the same RMS miss per axis.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from iadsim.engagement.endgame import SEEKER_MIN_RANGE_M, advance_flights
from iadsim.engagement.interceptors import EngagementOrder, InterceptorFlights
from iadsim.engagement.launchers import InterceptorClasses
from iadsim.scenario.model import Scenario
from iadsim.world.frames import Origin

ORIGIN = Origin(44.45, 8.85, 0.0)
T0 = 100.0
N_ROUNDS = 2_000


@dataclasses.dataclass
class StraightThreats:
    """Threats on straight lines at constant velocity (positions at T0)."""

    p0: np.ndarray
    v0: np.ndarray

    @property
    def threat_type(self) -> np.ndarray:
        return np.full(len(self.p0), 1, np.int8)

    def state(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        return self.p0 + self.v0 * (t - T0), self.v0.copy()

    def positions(self, t: float) -> np.ndarray:
        return self.state(t)[0]

    def in_air(self, t: float) -> np.ndarray:
        return np.ones(len(self.p0), bool)


def noisy_classes(scenario: Scenario, n: float, lag_s: float, noise_rad: float, glint_m: float,
                  rate_hz: float) -> InterceptorClasses:
    """The default classes with no drag, no turn limit (the linear regime) and the given
    seeker."""
    c = InterceptorClasses.from_scenario(scenario)
    assert c.flyout is not None
    k = len(c.name)
    flyout = dataclasses.replace(c.flyout, beta_kg_m2=np.full(k, np.inf),
                                 max_accel_mps2=np.full(k, 1e9))
    return dataclasses.replace(
        c, flyout=flyout, navigation_constant=np.full(k, n),
        guidance_time_constant_s=np.full(k, lag_s), seeker_noise_rad=np.full(k, noise_rad),
        seeker_glint_m=np.full(k, glint_m), seeker_rate_hz=np.full(k, rate_hz))


def fly(classes: InterceptorClasses, tgo_s: float, closing_mps: float, *, seed: int,
        n_rounds: int = N_ROUNDS) -> np.ndarray:
    """Miss vectors (n, 3) of ``n_rounds`` head-on rounds on a perfect collision course,
    handed over ``tgo_s`` before the intercept, each against its own target 1 km apart."""
    vm = 0.6 * closing_mps
    offset = np.zeros((n_rounds, 3))
    offset[:, 1] = 1_000.0 * np.arange(n_rounds)
    p_m = offset + np.array([0.0, 0.0, 8_000.0])
    p_t = p_m + np.array([closing_mps * tgo_s, 0.0, 0.0])
    threats = StraightThreats(p_t, np.tile([-(closing_mps - vm), 0.0, 0.0], (n_rounds, 1)))
    flights = InterceptorFlights()
    orders = [EngagementOrder(0, i, T0 + tgo_s, p_m[i] + [vm * tgo_s, 0, 0])
              for i in range(n_rounds)]
    flights.launch(orders, p_m[:1] - 1.0, np.array([1]), T0 - 30.0,
                   target_threat_id=np.arange(n_rounds))
    flights.position_m[:] = p_m
    flights.velocity_mps[:] = [vm, 0.0, 0.0]
    flights.state_time_s[:], flights.handover_s[:], flights.acquired[:] = T0, T0, True
    rng = np.random.default_rng(seed)
    alive = np.ones(n_rounds, bool)
    for k in range(1, 40):
        advance_flights(flights, threats, alive, classes, ORIGIN, T0 + k, rng=rng)
        if flights.resolved.all():
            break
    assert flights.resolved.all()
    t_end = flights.detonation_time_s
    return p_t + threats.v0 * (t_end - T0)[:, None] - flights.detonation_m


def linear_rms_miss_m(n: float, lag_s: float, noise_rad: float, glint_m: float, rate_hz: float,
                      tgo_s: float, closing_mps: float, *, sampled_range: bool = True) -> float:
    """RMS miss per axis of the linearised loop: the Lyapunov equation by ``solve_ivp``.

    ``sampled_range``: the glint angle noise glint / R is that of each measurement's range,
    held for the seeker's period, as the model defines it (the measurement at t_k =
    floor(t rate) / rate); else glint / R(t) at the continuous range, which in the last
    periods, where R halves within one, is a different (noisier) seeker."""
    vc = closing_mps

    def a_matrix(t: float) -> np.ndarray:
        tgo = tgo_s - t
        return np.array([
            [0.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, -1.0, n * vc / lag_s],
            [n / (lag_s * tgo**2), n / (lag_s * tgo), -1.0 / lag_s, 0.0],
            [0.0, 0.0, 0.0, -1.0 / lag_s],
        ])

    b = np.array([0.0, -n * vc / lag_s, 0.0, 1.0 / lag_s])

    def rhs(t: float, p_flat: np.ndarray) -> np.ndarray:
        p = p_flat.reshape(4, 4)
        a = a_matrix(t)
        t_meas = np.floor(t * rate_hz + 1e-9) / rate_hz if sampled_range else t
        rng_m = max(vc * (tgo_s - t_meas), SEEKER_MIN_RANGE_M)
        phi = (noise_rad**2 + (glint_m / rng_m) ** 2) / rate_hz
        return (a @ p + p @ a.T + np.outer(b, b) * phi).ravel()

    sol = solve_ivp(rhs, (0.0, tgo_s - 1e-5), np.zeros(16), method="LSODA", rtol=1e-8,
                    atol=1e-14, max_step=0.25 / rate_hz)  # no step over a sample's edge
    return float(np.sqrt(sol.y[0, -1]))


CASES = [  # N, lag, angle noise, glint, rate, time to go, closing speed
    (4.0, 0.2, 0.002, 0.0, 100.0, 4.0, 2_000.0),
    (3.0, 0.15, 0.005, 0.0, 50.0, 3.0, 1_200.0),
    (4.0, 0.25, 0.0, 3.0, 100.0, 5.0, 2_500.0),
    (5.0, 0.2, 0.002, 5.0, 200.0, 4.0, 1_500.0),
]


@pytest.mark.parametrize("case", CASES)
def test_rms_miss_matches_the_linear_covariance_analysis(default_scenario, case) -> None:
    n, lag, noise, glint, rate, tgo, vc = case
    miss = fly(noisy_classes(default_scenario, n, lag, noise, glint, rate), tgo, vc, seed=11)
    lateral = miss[:, 1:]  # the two axes normal to the line of sight
    rms = float(np.sqrt(np.mean(lateral**2)))
    want = linear_rms_miss_m(n, lag, noise, glint, rate, tgo, vc)
    print(f"N {n} tau {lag} noise {noise} glint {glint} rate {rate} tgo {tgo} Vc {vc}: "
          f"RMS miss per axis {rms:.3f} m, linear theory {want:.3f} m")
    # 4,000 axis samples: the RMS has a 1.1 % standard error. Against the reference with glint
    # at each measurement's range (as the model defines it) all four cases read 6-9 % HIGH at
    # the model's own sub-steps (up to min(0.1 s, tau / 2), longer than the seeker's period):
    # one discretisation excess of one sign, which the short-sub-step test shows going away.
    # (Against the continuous-range reference the glint cases read -6 % and +3 %: that
    # excess cancelled by a reference 5-13 % too noisy.)
    assert 1.0 < rms / want < 1.12
    assert abs(float(np.mean(lateral))) < 4 * want / np.sqrt(lateral.size)


@pytest.mark.parametrize(("case", "n_rounds", "rel"), [(0, N_ROUNDS, 0.04), (2, 1_000, 0.05)])
def test_rms_miss_converges_to_linear_theory_at_short_sub_steps(default_scenario, monkeypatch,
                                                                case, n_rounds, rel) -> None:
    """Sub-steps a quarter of the seeker's period: the excess of the default sub-steps goes,
    for angle noise (case 1) and for glint (case 3, against the reference that takes glint at
    each measurement's range as the model does). Tolerance: 3.5 and 3 standard errors of the
    RMS (1.1 %, 1.6 % for 4,000 and 2,000 axis samples)."""
    import iadsim.engagement.endgame as endgame

    n, lag, noise, glint, rate, tgo, vc = CASES[case]
    monkeypatch.setattr(endgame, "MAX_SUBSTEP_S", 0.25 / rate)
    miss = fly(noisy_classes(default_scenario, n, lag, noise, glint, rate), tgo, vc, seed=11,
               n_rounds=n_rounds)
    rms = float(np.sqrt(np.mean(miss[:, 1:] ** 2)))
    want = linear_rms_miss_m(n, lag, noise, glint, rate, tgo, vc)
    print(f"quarter-period sub-steps: RMS miss per axis {rms:.4f} m, linear theory {want:.4f} m")
    assert rms == pytest.approx(want, rel=rel)
    if glint:  # the continuous-range reference is another seeker: 13 % noisier here
        assert linear_rms_miss_m(n, lag, noise, glint, rate, tgo, vc,
                                 sampled_range=False) > want * (1 + 2 * rel)


def test_ideal_seeker_still_hits(default_scenario) -> None:
    miss = fly(noisy_classes(default_scenario, 4.0, 0.2, 0.0, 0.0, 100.0), 4.0, 2_000.0, seed=1,
               n_rounds=3)
    assert np.abs(miss).max() < 0.05


def test_miss_grows_with_noise_and_glint_and_is_seeded(default_scenario) -> None:
    rms = []
    for noise, glint in [(0.001, 0.0), (0.004, 0.0), (0.004, 6.0)]:
        c = noisy_classes(default_scenario, 4.0, 0.2, noise, glint, 100.0)
        rms.append(float(np.sqrt(np.mean(fly(c, 4.0, 2_000.0, seed=3, n_rounds=200) ** 2))))
    assert rms[0] < rms[1] < rms[2]
    c = noisy_classes(default_scenario, 4.0, 0.2, 0.004, 6.0, 100.0)
    a = fly(c, 4.0, 2_000.0, seed=5, n_rounds=20)
    b = fly(c, 4.0, 2_000.0, seed=5, n_rounds=20)
    assert np.array_equal(a, b)
