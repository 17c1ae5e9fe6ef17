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
