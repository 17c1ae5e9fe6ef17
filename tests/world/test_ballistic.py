"""Ballistic flight on a rotating earth against independent references.

Kepler's equation for free flight (no drag, no J2, no spin); the Allen-Eggers closed form for a
vertical re-entry in an exponential atmosphere; an independent integration in the rotating ECEF
frame (Coriolis and centrifugal terms) for the earth-rotation effect; pymap3d for the impact on
the aim point.
"""

from __future__ import annotations

import math

import numpy as np
import pymap3d
import pytest
from scipy.integrate import solve_ivp

from iadsim.world.ballistic import (
    GM_M3_S2,
    OMEGA_EARTH_RAD_S,
    WGS84_A_M,
    Motor,
    Physics,
    Shot,
    coast,
    eci_to_ecef,
    gravity_mps2,
    height_m,
    solve_shot,
)
from iadsim.world.ballistic_tables import flight_rows, tables
from iadsim.world.frames import Origin

VACUUM_INERTIAL = Physics(j2=False, omega_rad_s=0.0, density=None)
DEFAULT_MOTOR = Motor(60.0, 2.5, 3.0)


def kepler_position(r0: np.ndarray, v0: np.ndarray, t: float) -> np.ndarray:
    """Two-body position after ``t`` from the orbital elements (elliptic orbit), textbook form."""
    r, v = np.linalg.norm(r0), np.linalg.norm(v0)
    a = 1.0 / (2.0 / r - v * v / GM_M3_S2)
    h = np.cross(r0, v0)
    e_vec = np.cross(v0, h) / GM_M3_S2 - r0 / r
    e = np.linalg.norm(e_vec)
    p_hat = e_vec / e
    q_hat = np.cross(h / np.linalg.norm(h), p_hat)
    nu0 = math.atan2(r0 @ q_hat, r0 @ p_hat)
    ecc0 = 2.0 * math.atan(math.sqrt((1 - e) / (1 + e)) * math.tan(nu0 / 2))
    m = ecc0 - e * math.sin(ecc0) + math.sqrt(GM_M3_S2 / a**3) * t
    ecc = m
    for _ in range(50):  # Newton on Kepler's equation E - e sin E = M
        ecc -= (ecc - e * math.sin(ecc) - m) / (1 - e * math.cos(ecc))
    return a * (math.cos(ecc) - e) * p_hat + a * math.sqrt(1 - e * e) * math.sin(ecc) * q_hat


def test_free_flight_matches_keplers_equation() -> None:
    r0 = np.array([WGS84_A_M + 80_000.0, 0.0, 0.0])
    v0 = np.array([2_000.0, 2_500.0, 800.0])  # climbing: a suborbital arc
    fl = coast(np.concatenate([r0, v0]), 0.0, 1.0, VACUUM_INERTIAL)
    times = np.array([50.0, 200.0, 0.8 * fl.impact_s])
    got = fl.state_eci(times)[:, :3]
    want = np.array([kepler_position(r0, v0, t) for t in times])
    np.testing.assert_allclose(got, want, atol=0.05)  # 5 cm over hundreds of km


def test_vertical_reentry_speed_matches_allen_eggers() -> None:
    rho0, scale_m, beta, v_entry = 1.225, 7_200.0, 3_000.0, 6_000.0
    physics = Physics(j2=False, omega_rad_s=0.0, gravity=False,
                      density=lambda h: rho0 * math.exp(-h / scale_m))
    h0 = 120_000.0
    state = np.array([WGS84_A_M + h0, 0.0, 0.0, -v_entry, 0.0, 0.0])  # straight down, equator
    for stop in (30_000.0, 10_000.0, 0.0):
        fl = coast(state, 0.0, beta, physics, stop_height_m=stop)
        v = float(np.linalg.norm(fl.state_eci(np.array([fl.impact_s]))[0, 3:]))
        # Allen-Eggers (gamma = 90 deg, no gravity), from the entry density at h0
        k = rho0 * scale_m / (2.0 * beta)
        want = v_entry * math.exp(-k * (math.exp(-stop / scale_m) - math.exp(-h0 / scale_m)))
        assert v == pytest.approx(want, rel=1e-6)


def _ecef_rhs(beta: float, density: object) -> object:
    w = np.array([0.0, 0.0, OMEGA_EARTH_RAD_S])

    def f(_t: float, y: np.ndarray) -> np.ndarray:
        r, v = y[:3], y[3:]
        a = gravity_mps2(r, True) - 2.0 * np.cross(w, v) - np.cross(w, np.cross(w, r))
        rho = density(height_m(r))  # type: ignore[operator]
        a = a - 0.5 * rho * np.linalg.norm(v) * v / beta
        return np.concatenate([v, a])

    return f


def test_rotating_earth_impact_matches_an_ecef_integration() -> None:
    """The ECI flight seen in ECEF lands where a rotating-frame integration (Coriolis and
    centrifugal terms, drag on the ECEF velocity) of the same start lands."""
    physics = Physics()
    launch = np.array(pymap3d.geodetic2ecef(42.2, 9.3, 50_000.0))
    v_ecef = np.array(pymap3d.enu2uvw(900.0, 1_300.0, 1_000.0, 42.2, 9.3))
    w = OMEGA_EARTH_RAD_S
    v_eci = v_ecef + np.array([-w * launch[1], w * launch[0], 0.0])
    fl = coast(np.concatenate([launch, v_eci]), 0.0, 5_000.0, physics)
    got = eci_to_ecef(np.array([fl.impact_s]), np.hstack([fl.impact_eci_m, np.zeros(3)])[None])
    ground = lambda _t, y: height_m(y[:3])  # noqa: E731
    ground.terminal, ground.direction = True, -1.0  # type: ignore[attr-defined]
    ref = solve_ivp(_ecef_rhs(5_000.0, physics.density), (0.0, 2_000.0),
                    np.concatenate([launch, v_ecef]), method="LSODA", rtol=1e-11, atol=1e-6,
                    events=ground)
    assert fl.impact_s == pytest.approx(float(ref.t_events[0][0]), abs=1e-3)
    np.testing.assert_allclose(got[0, :3], ref.y_events[0][0][:3], atol=0.5)
    # and the rotation matters: the same start on a non-turning earth lands kilometres away
    still = coast(np.concatenate([launch, v_ecef]), 0.0, 5_000.0,
                  Physics(omega_rad_s=0.0))
    assert np.linalg.norm(still.impact_eci_m - got[0, :3]) > 1_000.0


@pytest.mark.parametrize(("apogee_m", "flight_time_s"), [(70_000.0, None), (None, 300.0)])
def test_solved_shot_lands_on_its_aim_with_its_shape(apogee_m: float | None,
                                                     flight_time_s: float | None) -> None:
    shot = Shot(42.20, 9.30, 0.0, 44.60, 8.55, apogee_m, flight_time_s)
    fl, controls = solve_shot(shot, DEFAULT_MOTOR, 5_000.0)
    ecef = eci_to_ecef(np.array([fl.impact_s]), np.hstack([fl.impact_eci_m, np.zeros(3)])[None])
    lat, lon, alt = pymap3d.ecef2geodetic(*ecef[0, :3])
    _az, _el, miss = pymap3d.geodetic2aer(lat, lon, 0.0, 44.60, 8.55, 0.0)
    assert miss < 2.0 and abs(alt) < 1.0
    if apogee_m is not None:
        assert fl.apogee_m == pytest.approx(apogee_m, abs=1.0)
    else:
        assert fl.impact_s == pytest.approx(flight_time_s, abs=0.01)
    assert controls[2] <= DEFAULT_MOTOR.burn_time_s  # cut-off within the burn
    # re-entry drag: the impact is far slower than the burnout speed (vacuum: equal)
    ends = np.array([controls[2], fl.impact_s])
    v = eci_to_ecef(ends, fl.state_eci(ends))[:, 3:]  # earth-relative speeds
    assert np.linalg.norm(v[1]) < 0.6 * np.linalg.norm(v[0])


def test_tables_interpolate_the_flight_at_n_0_1_and_many() -> None:
    fl = coast(np.array([WGS84_A_M + 80_000.0, 0.0, 0.0, 0.0, 1_500.0, 900.0]), 0.0, 5_000.0,
               Physics())
    origin = Origin(0.5, 0.5, 0.0)
    tab = tables(flight_rows([(fl, 0.0)] * 3, origin, OMEGA_EARTH_RAD_S))
    assert tables([]).positions_enu(np.empty(0)).shape == (0, 3)
    t = np.array([0.0, 123.37, fl.impact_s * 0.999])
    got = tab.positions_enu(t)
    ecef = eci_to_ecef(t, fl.state_eci(t))
    want = np.stack(pymap3d.ecef2enu(ecef[:, 0], ecef[:, 1], ecef[:, 2], 0.5, 0.5, 0.0), axis=1)
    np.testing.assert_allclose(got, want, atol=0.05)
    one = tables(flight_rows([(fl, 0.0)], origin, OMEGA_EARTH_RAD_S))
    np.testing.assert_allclose(one.positions_enu(t[1:2]), want[1:2], atol=0.05)


def test_a_weaving_reentry_vehicle_still_lands_on_its_aim_and_leaves_the_arc() -> None:
    from iadsim.world.ballistic import Weave

    shot = Shot(42.20, 9.30, 0.0, 44.60, 8.55, 70_000.0, None)
    weave = Weave(4.0 * 9.80665, 25_000.0, 6.0)
    fl, _ = solve_shot(shot, DEFAULT_MOTOR, 5_000.0, weave=weave)
    plain, _ = solve_shot(shot, DEFAULT_MOTOR, 5_000.0)
    ecef = eci_to_ecef(np.array([fl.impact_s]), np.hstack([fl.impact_eci_m, np.zeros(3)])[None])
    lat, lon, _alt = pymap3d.ecef2geodetic(*ecef[0, :3])
    assert pymap3d.geodetic2aer(lat, lon, 0.0, 44.60, 8.55, 0.0)[2] < 2.0
    # the weave: cross-track acceleration of the set size below 25 km, none above
    t = np.linspace(fl.bounds_s[-2] + 0.1, fl.impact_s - 0.1, 400)
    st = fl.state_eci(t)
    up = st[:, :3] / np.linalg.norm(st[:, :3], axis=1)[:, None]
    w = OMEGA_EARTH_RAD_S
    air = st[:, 3:] - w * np.stack([-st[:, 1], st[:, 0], np.zeros(len(t))], axis=1)
    side = np.cross(up, air)  # across the air velocity, horizontal
    side /= np.linalg.norm(side, axis=1)[:, None]
    acc = np.gradient(st[:, 3:], t, axis=0)
    lateral = np.abs(np.einsum("ij,ij->i", acc, side))
    assert lateral.max() == pytest.approx(4.0 * 9.80665, rel=0.05)
    high = plain.state_eci(np.array([100.0]))[0]
    np.testing.assert_allclose(fl.state_eci(np.array([100.0]))[0, :3], high[:3], atol=5_000.0)


def test_tabulated_density_follows_ussa76_and_decays_above_86_km() -> None:
    from iadsim.world.atmosphere import density_kg_m3
    from iadsim.world.ballistic import air_density

    h = np.linspace(0.0, 85_990.0, 997)
    got = np.array([air_density(x) for x in h])
    np.testing.assert_allclose(got, density_kg_m3(h), rtol=1e-5)
    assert air_density(86_000.0 + 6_000.0) == pytest.approx(
        float(density_kg_m3(86_000.0)) / math.e, rel=1e-12)
