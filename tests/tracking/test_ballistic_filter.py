"""The drag-estimating ballistic filter against a re-entry flown by the world's truth model
(J2 gravity, rotating earth, USSA76 drag, a ballistic coefficient the filter does not know)."""

from __future__ import annotations

import numpy as np
import pymap3d
import pytest

from iadsim.tracking.ballistic_filter import (
    DragFilterParams,
    ballistic_coefficient_kg_m2,
    drag_initiate,
    drag_predict,
    drag_update,
)
from iadsim.world.ballistic import OMEGA_EARTH_RAD_S, Physics, coast
from iadsim.world.ballistic_tables import flight_rows, tables
from iadsim.world.frames import Origin

ORIGIN = Origin(44.6, 8.55, 0.0)
SIGMA_M = 30.0


def _truth(beta: float) -> tuple[np.ndarray, np.ndarray]:
    """Times (s) and ENU positions (m, 3) of a re-entry from 100 km, 3 km/s, 35 deg down."""
    r0 = np.array(pymap3d.geodetic2ecef(43.9, 8.9, 100_000.0))
    v_enu = 3_000.0 * np.array([-0.3 * np.cos(np.radians(35)), np.cos(np.radians(35)),
                                -np.sin(np.radians(35))])
    v0 = np.array(pymap3d.enu2uvw(*v_enu, 43.9, 8.9)) + OMEGA_EARTH_RAD_S * np.array(
        [-r0[1], r0[0], 0.0])
    fl = coast(np.concatenate([r0, v0]), 0.0, beta, Physics())
    tab = tables(flight_rows([(fl, 0.0)], ORIGIN, OMEGA_EARTH_RAD_S))
    t = np.arange(0.0, fl.impact_s - 0.5, 1.0)
    return t, np.array([tab.positions_enu(np.array([ti]))[0] for ti in t])


def _run(t: np.ndarray, truth: np.ndarray, params: DragFilterParams, seed: int
         ) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    z = truth + rng.normal(0.0, SIGMA_M, truth.shape)
    r = np.eye(3)[None] * SIGMA_M**2
    v0 = (z[1] - z[0]) / (t[1] - t[0])
    x, p = drag_initiate(z[1:2], v0[None], r, 2.0 * r / (t[1] - t[0]) ** 2, params)
    err, beta = [], []
    for k in range(2, len(t)):
        x, p = drag_predict(x, p, t[k] - t[k - 1], ORIGIN, params)
        err.append(np.linalg.norm(x[0, :3] - truth[k]))  # prediction error, before the update
        x, p, _ll = drag_update(x, p, z[k:k + 1], r)
        beta.append(ballistic_coefficient_kg_m2(x)[0])
    return np.array(err), np.array(beta)


def test_drag_filter_learns_the_ballistic_coefficient_and_beats_gravity_only() -> None:
    t, truth = _truth(5_000.0)
    drag_err, beta = _run(t, truth, DragFilterParams(), seed=7)
    gravity_only = DragFilterParams(kappa_noise=0.0, prior_beta_kg_m2=1e12, prior_kappa_sigma=0.0)
    grav_err, _ = _run(t, truth, gravity_only, seed=7)
    assert beta[-1] == pytest.approx(5_000.0, rel=0.2)  # prior was 2 000
    last = slice(-25, None)  # the dense air, where drag is many g
    rms_drag = np.sqrt(np.mean(drag_err[last] ** 2))
    rms_grav = np.sqrt(np.mean(grav_err[last] ** 2))
    assert rms_drag < 0.5 * rms_grav
    assert rms_drag < 3.0 * SIGMA_M


def test_drag_filter_at_n_0() -> None:
    x, p = drag_initiate(np.empty((0, 3)), np.empty((0, 3)), np.empty((0, 3, 3)),
                         np.empty((0, 3, 3)))
    x2, p2 = drag_predict(x, p, 1.0, ORIGIN)
    x3, p3, ll = drag_update(x2, p2, np.empty((0, 3)), np.empty((0, 3, 3)))
    assert x3.shape == (0, 7) and p3.shape == (0, 7, 7) and ll.shape == (0,)
