"""EW: jam strobes (bearing, no range) and their triangulation into jammer positions.

In: per step, each radar's strobes on the jammers it hears above the strobe threshold
(azimuth in the radar's local frame, its sigma). Out: ``StrobeBatch``; the least-squares
intersection of two or more bearing lines in the scenario's east-north plane.

A strobe's azimuth sigma follows the monopulse/beam-splitting law of a detection,
``sqrt(floor^2 + (beamwidth / sqrt(2 n J/N))^2)``: a strong jammer gives a sharp bearing.
Triangulation weights each line by ``1 / (sigma_i r_i)^2`` (``r_i``: distance from the radar to
the first, unweighted fix), the linearised maximum-likelihood fix, whose covariance is
``(sum_i u_i u_i^T / (sigma_i r_i)^2)^-1`` with ``u_i`` the unit normal of line ``i``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from iadsim.world.frames import EARTH_RADIUS_M, EFFECTIVE_EARTH_FACTOR

_TWO_PI = 2.0 * np.pi


@dataclass(frozen=True, slots=True)
class StrobeBatch:
    """Strobes, one row per (radar, jammer) bearing report."""

    time_s: NDArray[np.float64]  # (n,)
    sensor_id: NDArray[np.int32]  # (n,)
    jammer_id: NDArray[np.int64]  # (n,) truth: which jammer (for scoring only)
    azimuth_rad: NDArray[np.float64]  # (n,) in the radar's local ENU, clockwise from north
    azimuth_sigma_rad: NDArray[np.float64]  # (n,)
    jnr_db: NDArray[np.float64]  # (n,) main-lobe jamming-to-noise
    elevation_rad: NDArray[np.float64]  # (n,) NaN from a fan beam (no elevation measured)
    elevation_sigma_rad: NDArray[np.float64]  # (n,) inf from a fan beam

    def __len__(self) -> int:
        return int(self.time_s.shape[0])

    @classmethod
    def concatenate(cls, batches: list[StrobeBatch]) -> StrobeBatch:
        """Rows of all batches in order (an empty batch from none)."""
        if not batches:
            return cls(np.empty(0), np.empty(0, np.int32), np.empty(0, np.int64), np.empty(0),
                       np.empty(0), np.empty(0), np.empty(0), np.empty(0))
        return cls(**{f.name: np.concatenate([getattr(b, f.name) for b in batches])
                      for f in fields(cls)})

    def take(self, index: NDArray[np.intp] | NDArray[np.bool_]) -> StrobeBatch:
        """Rows selected by an index or mask."""
        return StrobeBatch(**{f.name: getattr(self, f.name)[index] for f in fields(self)})


def strobe_sigma_rad(beamwidth_rad: float, floor_rad: float, n_pulses: int,
                     jnr: NDArray[np.float64]) -> NDArray[np.float64]:
    """Azimuth sigma of strobes at linear main-lobe J/N ``jnr`` (n,)."""
    return np.hypot(floor_rad, beamwidth_rad / np.sqrt(2.0 * n_pulses * np.maximum(jnr, 1e-12)))


def bearing_directions_en(azimuth_rad: NDArray[np.float64],
                          rotation_to_local: NDArray[np.float64]) -> NDArray[np.float64]:
    """Unit bearing directions (n, 2) in the scenario east-north plane.

    ``rotation_to_local`` (n, 3, 3) turns scenario ENU into each radar's local ENU.
    """
    local = np.stack([np.sin(azimuth_rad), np.cos(azimuth_rad), np.zeros_like(azimuth_rad)], 1)
    enu = np.einsum("nji,nj->ni", rotation_to_local, local)[:, :2]
    out: NDArray[np.float64] = enu / np.linalg.norm(enu, axis=1, keepdims=True)
    return out


def triangulate_en(origin_en_m: NDArray[np.float64], direction_en: NDArray[np.float64],
                   sigma_rad: NDArray[np.float64]) -> tuple[NDArray[np.float64],
                                                            NDArray[np.float64]]:
    """Least-squares intersection of bearing lines; the fix (2,) and its covariance (2, 2).

    Lines start at ``origin_en_m`` (k, 2) along unit ``direction_en`` (k, 2), each with its
    angular sigma (k,). Needs two lines that are not parallel; NaNs otherwise.
    """
    normal = np.stack([-direction_en[:, 1], direction_en[:, 0]], 1)
    weight = np.ones(len(normal))
    fix = np.full(2, np.nan)
    cov = np.full((2, 2), np.nan)
    for _ in range(2):  # unweighted, then weighted by the distance of the first fix
        a = np.einsum("k,ki,kj->ij", weight, normal, normal)
        if len(normal) < 2 or abs(np.linalg.det(a)) < 1e-12 * max(np.trace(a) ** 2, 1e-300):
            return np.full(2, np.nan), np.full((2, 2), np.nan)
        b = np.einsum("k,ki,k->i", weight, normal, np.einsum("ki,ki->k", normal, origin_en_m))
        fix = np.linalg.solve(a, b)
        dist = np.maximum(np.linalg.norm(fix[None, :] - origin_en_m, axis=1), 1.0)
        weight = 1.0 / (sigma_rad * dist) ** 2
        cov = np.linalg.inv(np.einsum("k,ki,kj->ij", weight, normal, normal))
    return fix, cov


HEIGHT_GATE_SIGMAS = 3.0
"""A crossing is a candidate jammer if its two heights agree within this many sigmas."""
ERP_GATE_DB = 6.0
"""Most the ERP densities implied by two radars' strobes of one jammer may differ (the
jammer's antenna toward two radars a few km apart seen from 100 km, calibration, and bands:
notional)."""
ERP_SIGMA_DB = 2.0
"""Scale of an ERP misfit when ranking candidate pairs."""
HEIGHT_SIGMA_FLOOR_M = 200.0
"""Floor of a crossing's height sigma (earth model, refraction)."""
EFFECTIVE_EARTH_RADIUS_M = EFFECTIVE_EARTH_FACTOR * EARTH_RADIUS_M


def associate_pairs(origin_en_m: NDArray[np.float64], direction_en: NDArray[np.float64],
                    elevation_rad: NDArray[np.float64], elevation_sigma_rad: NDArray[np.float64],
                    antenna_alt_m: NDArray[np.float64], from_a: NDArray[np.bool_],
                    erp_db: NDArray[np.float64] | None = None) -> list[tuple[int, int]]:
    """Pairs (row of radar A, row of radar B) of strobes taken to be one jammer each.

    Rows (k,) are the strobes of two radars, ``from_a`` marking radar A's; origins, unit
    directions (k, 2) in the east-north plane, elevations, their sigmas and the antennas'
    heights (k,). A crossing must lie ahead of both radars; its heights
    ``alt + r tan(el) + r^2 / (2 k R)`` from the two must agree within ``HEIGHT_GATE_SIGMAS``
    (no gate from a fan beam). With ``erp_db`` (k,), each strobe's main-lobe J/N less its
    radar's calibration (the main-lobe J/N at 1 m of a 1 W jammer spread over 1 GHz), the
    jammer's ERP density implied at the crossing, ``erp_db + 20 log10(range)``, must agree
    from the two radars within ``ERP_GATE_DB`` (one jammer radiates the same ERP toward two
    radars close together; a ghost pairs a stand-off jammer's line with a self-screener's,
    30 dB apart, or puts a line at the wrong range). Greedy one-to-one by the misfits
    (height in sigmas, ERP in ``ERP_SIGMA_DB``), combined in quadrature.
    """
    a, b = np.flatnonzero(from_a), np.flatnonzero(~from_a)
    if a.size == 0 or b.size == 0:
        return []
    da, db = direction_en[a][:, None, :], direction_en[b][None, :, :]
    gap = origin_en_m[b][None, :, :] - origin_en_m[a][:, None, :]
    cross = da[..., 0] * db[..., 1] - da[..., 1] * db[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (gap[..., 0] * db[..., 1] - gap[..., 1] * db[..., 0]) / cross  # along A's line
        t = (gap[..., 0] * da[..., 1] - gap[..., 1] * da[..., 0]) / cross  # along B's line
        h_a = _height_m(s, elevation_rad[a][:, None], antenna_alt_m[a][:, None])
        h_b = _height_m(t, elevation_rad[b][None, :], antenna_alt_m[b][None, :])
        sigma = np.hypot(np.hypot(s * elevation_sigma_rad[a][:, None],
                                  t * elevation_sigma_rad[b][None, :]), HEIGHT_SIGMA_FLOOR_M)
        misfit = np.abs(h_a - h_b) / sigma
    misfit = np.where(np.isfinite(sigma), np.nan_to_num(misfit, nan=0.0), 0.0)
    ok = (np.abs(cross) > 1e-6) & (s > 0.0) & (t > 0.0) & (misfit <= HEIGHT_GATE_SIGMAS)
    if erp_db is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            gap_db = np.abs(erp_db[a][:, None] + 20.0 * np.log10(s)
                            - erp_db[b][None, :] - 20.0 * np.log10(t))
        gap_db = np.nan_to_num(gap_db, nan=np.inf)
        ok &= gap_db <= ERP_GATE_DB
        misfit = np.hypot(misfit, np.where(ok, gap_db, 0.0) / ERP_SIGMA_DB)
    pairs, used_a, used_b = [], set(), set()
    for flat in np.argsort(np.where(ok, misfit, np.inf), axis=None, kind="stable").tolist():
        i, j = divmod(flat, b.size)
        if not ok[i, j]:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        pairs.append((int(a[i]), int(b[j])))
    return pairs


def _height_m(ground_m: NDArray[np.float64], elevation_rad: NDArray[np.float64],
              antenna_alt_m: NDArray[np.float64]) -> NDArray[np.float64]:
    out: NDArray[np.float64] = (antenna_alt_m + ground_m * np.tan(elevation_rad)
                                + ground_m**2 / (2.0 * EFFECTIVE_EARTH_RADIUS_M))
    return out

