"""tests/terrain: ``iadsim.terrain.multipath`` against closed forms and Fermat's principle."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from iadsim.terrain.masking import EFFECTIVE_RADIUS_M
from iadsim.terrain.multipath import (
    propagation_factor,
    roughness_factor,
    sea_reflection_coefficient,
    specular_geometry,
)

WAVELENGTH_M = 0.1


def test_lobe_peaks_and_nulls_match_the_flat_earth_closed_form() -> None:
    # Short range, smooth sea: D ~ 1, Gamma ~ -1, so F = 2 |sin(2 pi h1 h2 / (lambda d))|:
    # peaks F = 2 at h2 = (2m + 1) lambda d / (4 h1), nulls F = 0 at h2 = m lambda d / (2 h1).
    # (the 4/3 earth's curvature lowers both heights by d_i^2 / 2ka, shifting the m-th null by
    # a phase ~ 2 pi m (d1^2 / h1 + d2^2 / h2) / 2ka: 0.05 to 0.08 rad here, so F ~ 0.08)
    h1, d = 10.0, 1_500.0
    m = np.arange(1, 4)
    peaks_h = (2 * m + 1) * WAVELENGTH_M * d / (4.0 * h1)
    nulls_h = m * WAVELENGTH_M * d / (2.0 * h1)
    f_peak = propagation_factor(h1, peaks_h, d, wavelength_m=WAVELENGTH_M, sea_state=0)
    f_null = propagation_factor(h1, nulls_h, d, wavelength_m=WAVELENGTH_M, sea_state=0)
    np.testing.assert_allclose(f_peak, 2.0, atol=0.05)
    np.testing.assert_allclose(f_null, 0.0, atol=0.085)
    # F^4 at the peaks: 12 dB over free space.
    assert np.all(10 * np.log10(f_peak**4) > 11.5)


def test_specular_point_satisfies_fermat_on_the_4_3_earth() -> None:
    ka = EFFECTIVE_RADIUS_M
    for h1, h2, d in [(30.0, 10.0, 20_000.0), (500.0, 15.0, 60_000.0), (10.0, 300.0, 40_000.0)]:
        p1 = np.array([0.0, ka + h1])
        p2 = (ka + h2) * np.array([np.sin(d / ka), np.cos(d / ka)])

        def path(s_m: float, p1: np.ndarray = p1, p2: np.ndarray = p2) -> float:
            q = ka * np.array([np.sin(s_m / ka), np.cos(s_m / ka)])
            return float(np.linalg.norm(q - p1) + np.linalg.norm(p2 - q))

        best = minimize_scalar(path, bounds=(0.0, d), method="bounded",
                               options={"xatol": 1e-3})
        d1, _, delta, valid = specular_geometry(h1, h2, d)
        assert bool(valid)
        assert float(d1) == pytest.approx(best.x, rel=2e-3)
        # path difference: reflected minus direct, from the exact geometry
        direct = float(np.linalg.norm(p2 - p1))
        assert float(delta) == pytest.approx(best.fun - direct, rel=2e-2)


def test_fresnel_coefficients_at_grazing_and_normal_incidence() -> None:
    gh = sea_reflection_coefficient(np.array([1e-6, np.pi / 2]), WAVELENGTH_M, "horizontal")
    gv = sea_reflection_coefficient(np.array([1e-6, np.pi / 2]), WAVELENGTH_M, "vertical")
    np.testing.assert_allclose(gh[0], -1.0, atol=1e-4)
    np.testing.assert_allclose(gv[0], -1.0, atol=1e-4)
    eps = 81.0 - 1j * 60.0 * WAVELENGTH_M * 4.0
    normal = (1.0 - np.sqrt(eps)) / (1.0 + np.sqrt(eps))  # textbook normal incidence
    np.testing.assert_allclose(gh[1], normal, rtol=1e-9)
    np.testing.assert_allclose(abs(gv[1]), abs(normal), rtol=1e-9)
    # vertical polarisation has a pseudo-Brewster dip: |Gamma_v| well below |Gamma_h| there
    psi = np.radians(np.linspace(1.0, 20.0, 200))
    dip = np.abs(sea_reflection_coefficient(psi, WAVELENGTH_M, "vertical")).min()
    assert dip < 0.5 * np.abs(sea_reflection_coefficient(psi, WAVELENGTH_M, "horizontal")).min()


def test_roughness_factors() -> None:
    psi = np.radians([0.0, 1.0, 5.0])
    for model in ("ament", "miller_brown"):
        rho = roughness_factor(psi, WAVELENGTH_M, 0.5, model)
        assert rho[0] == pytest.approx(1.0) and np.all(np.diff(rho) < 0)
    g = 2 * np.pi * 0.5 * np.sin(psi) / WAVELENGTH_M
    np.testing.assert_allclose(roughness_factor(psi, WAVELENGTH_M, 0.5, "ament"),
                               np.exp(-2 * g**2))


@pytest.mark.parametrize("n", [0, 1, 50])
def test_vectorised_at_any_size(n: int) -> None:
    f = propagation_factor(100.0, np.linspace(1, 500, n), np.full(n, 20e3),
                           wavelength_m=WAVELENGTH_M)
    assert f.shape == (n,) and np.all((f >= 0.0) & (f <= 2.0))


def test_no_lobing_when_the_specular_point_on_the_sea_is_hidden_by_a_ridge() -> None:
    # Sea (0 m) everywhere but a 250-m ridge 5 km east of a 300-m antenna. A target 30 km out
    # at 500 m clears the ridge; its specular point (~d h0 / (h0 + h) = 11 km) lies on sea the
    # ridge hides (depression 27 mrad below the ridge's 10 mrad): no reflection, F = 1.
    # Due west (no ridge) the same geometry gets the two-ray F^4.
    from iadsim.terrain.dem import ElevationGrid
    from iadsim.terrain.masking import build_masking_table
    from iadsim.terrain.site_view import SiteTerrain
    from iadsim.world.frames import EARTH_RADIUS_M

    lat0, lon0, h0 = 44.0, 9.0, 300.0
    dlat = 60.0 / (EARTH_RADIUS_M * np.pi / 180.0)
    dlon = dlat / np.cos(np.radians(lat0))
    lat = lat0 + np.arange(-100, 101) * dlat
    lon = lon0 + np.arange(-700, 701) * dlon
    x_m = (lon - lon0) * np.radians(1.0) * EARTH_RADIUS_M * np.cos(np.radians(lat0))
    ridge = 250.0 * np.exp(-(((x_m - 5_000.0) / 150.0) ** 2))
    grid = ElevationGrid(lat_deg=lat, lon_deg=lon, source="ridge",
                         height_m=np.broadcast_to(ridge, (lat.size, lon.size)).astype(np.float32))
    table = build_masking_table(grid, lat_deg=lat0, lon_deg=lon0, antenna_alt_m=h0,
                                max_range_m=40_000.0, range_step_m=60.0)
    view = SiteTerrain(
        antenna_alt_m=h0, table=table, masking=True, multipath=True, clutter=False,
        wavelength_m=WAVELENGTH_M, prf_hz=1e3, polarisation="horizontal", sea_state=0,
        roughness="ament", land_gamma=0.03, sea_gamma=1e-4, mti_delays=0,
        mti_improvement_db=0.0, snr_1m2_1m=1e20, range_resolution_m=150.0,
        azimuth_beamwidth_rad=0.03, elevation_beamwidth_rad=float("inf"))
    d, h = 30_000.0, 500.0
    phi = d / EARTH_RADIUS_M
    r = EARTH_RADIUS_M + h
    up = r * np.cos(phi) - EARTH_RADIUS_M - h0
    local = np.array([[r * np.sin(phi), 0.0, up], [-r * np.sin(phi), 0.0, up]])  # east, west
    assert view.visible(local).all()
    _, ground, height = view.geometry(local)
    f = propagation_factor(h0, height, ground, wavelength_m=WAVELENGTH_M, sea_state=0)
    assert abs(f[1] ** 4 - 1.0) > 0.1  # the control sees real lobing
    np.testing.assert_allclose(view.scale_snr(np.ones(2), local, None), [1.0, f[1] ** 4])


# --- near the horizon: ITU-R P.526 smooth-earth diffraction, written out independently ---

C_MPS = 299_792_458.0


def _itu_p526_smooth_earth_db(h1_m: float, h2_m: float, d_m: float, f_hz: float,
                              polarisation: str = "horizontal") -> float:
    """20 log10(E / E0) by ITU-R P.526 (smooth earth, first term, §3.2), sea water.

    Units of the recommendation: f in MHz, ae and d in km, h in m; eps_r 80, sigma 5 S/m.
    """
    f_mhz, ae_km, d_km = f_hz / 1e6, 4.0 / 3.0 * 6_371.0, d_m / 1e3
    eps, sigma = 80.0, 5.0
    loss = 18_000 * sigma / f_mhz
    k_h = 0.36 * (ae_km * f_mhz) ** (-1 / 3) * ((eps - 1) ** 2 + loss**2) ** -0.25
    k = k_h if polarisation == "horizontal" else k_h * (eps**2 + loss**2) ** 0.5
    beta = (1 + 1.6 * k**2 + 0.67 * k**4) / (1 + 4.5 * k**2 + 1.53 * k**4)
    x = 2.188 * beta * f_mhz ** (1 / 3) * ae_km ** (-2 / 3) * d_km
    fx = (11 + 10 * np.log10(x) - 17.6 * x if x >= 1.6
          else -20 * np.log10(x) - 5.6488 * x**1.425)

    def g(h: float) -> float:
        b = beta * 9.575e-3 * f_mhz ** (2 / 3) * ae_km ** (-1 / 3) * h
        if b > 2:
            return float(17.6 * (b - 1.1) ** 0.5 - 5 * np.log10(b - 1.1) - 8)
        if b > 10 * k:
            return float(20 * np.log10(b + 0.1 * b**3))
        if b > k / 10:
            return float(2 + 20 * np.log10(k) + 9 * np.log10(b / k) * (np.log10(b / k) + 1))
        return float(2 + 20 * np.log10(k))

    return float(fx + g(h1_m) + g(h2_m))


@pytest.mark.parametrize("h1, h2, f_hz, beyond_m", [
    (740.0, 5.0, 3e9, 0.0),  # the reviewer's sea-skimmer at the 121.3-km horizon
    (740.0, 5.0, 3e9, 10e3),
    (30.0, 10.0, 10e9, 0.0),
    (30.0, 10.0, 10e9, 8e3),
    (100.0, 50.0, 1e9, 20e3),
])
def test_at_and_beyond_the_horizon_f_is_itu_r_p526_smooth_earth_diffraction(
        h1: float, h2: float, f_hz: float, beyond_m: float) -> None:
    ka = EFFECTIVE_RADIUS_M
    d = np.sqrt(2 * ka * h1) + np.sqrt(2 * ka * h2) + beyond_m
    f = propagation_factor(h1, h2, d, wavelength_m=C_MPS / f_hz, sea_state=0)
    assert 20 * np.log10(float(f)) == pytest.approx(
        _itu_p526_smooth_earth_db(h1, h2, d, f_hz), abs=0.5)


def test_reviewer_case_two_way_loss_at_the_horizon_is_about_32_db() -> None:
    # antenna 740 m, target 5 m, 3 GHz: the two-ray branch alone gave F^4 -1.8..0 dB here
    f = propagation_factor(740.0, 5.0, 121e3, wavelength_m=C_MPS / 3e9, sea_state=0)
    assert 40 * np.log10(float(f)) == pytest.approx(
        2 * _itu_p526_smooth_earth_db(740.0, 5.0, 121e3, 3e9), abs=2.0)
    assert 40 * np.log10(float(f)) < -28.0


@pytest.mark.parametrize("h1, h2, f_hz", [(740.0, 5.0, 3e9), (30.0, 10.0, 10e9),
                                          (20.0, 300.0, 3e9)])
def test_f_is_continuous_and_falls_monotonically_through_the_horizon(
        h1: float, h2: float, f_hz: float) -> None:
    from iadsim.terrain.multipath import interference_limit_m, smooth_horizon_m

    wl = C_MPS / f_hz
    d_a = float(interference_limit_m(h1, h2, wavelength_m=wl))
    d_h = float(smooth_horizon_m(h1, h2))
    assert 0.0 < d_a < d_h
    # the interference limit: path difference lambda / 6 there (independent of the bisection)
    _, _, delta, _ = specular_geometry(h1, h2, d_a)
    assert float(delta) == pytest.approx(wl / 6, rel=1e-3)
    d = np.linspace(d_a, d_h + 30e3, 20_001)
    f_db = 20 * np.log10(propagation_factor(h1, h2, d, wavelength_m=wl, sea_state=0))
    assert np.all(np.diff(f_db) <= 1e-9)  # monotone from the interference limit outward
    step_db = np.abs(np.diff(f_db)).max()
    assert step_db < 0.05  # no jump at d_a or d_h (a 1.6-m range step)
    # and continuous at d_a coming from the two-ray side
    just = propagation_factor(h1, h2, np.array([d_a * (1 - 1e-7), d_a * (1 + 1e-7)]),
                              wavelength_m=wl, sea_state=0)
    assert abs(20 * np.log10(just[0] / just[1])) < 0.01
