"""Terrain: the two-ray multipath model over the sea -> pattern propagation factor ``F``.

In: radar antenna height, target height (above the sphere), ground range, radar wavelength,
polarisation and sea state. Out: ``F`` (one-way field ratio to free space), so the received
power is the free-space power times ``F^4``.

The model (Blake, *Radar Range-Performance Analysis*, ch. 6; Skolnik, *Radar Handbook*, 3rd
ed., ch. 26; Barton, *Radar Equations for Modern Radar*, ch. 8):

* the specular point over a smooth earth of radius ``k a`` (4/3 earth) from Kerr's cubic:
  ``d1 = d/2 + p cos((Phi + pi)/3)``, ``p = 2/sqrt(3) sqrt(k a (h1 + h2) + (d/2)^2)``,
  ``Phi = acos(2 k a (h1 - h2) d / p^3)``; heights above the tangent plane there
  ``h1' = h1 - d1^2 / 2ka``, ``h2' = h2 - d2^2 / 2ka``; grazing angle
  ``psi = atan(h1' / d1)``; path difference ``delta = 2 h1' h2' / d``;
* divergence factor ``D = (1 + 2 d1 d2 / (k a d sin psi))^-1/2``;
* Fresnel reflection of sea water (complex permittivity ``eps = eps_r - j 60 lambda sigma``)
  for horizontal or vertical polarisation;
* sea-surface roughness: rms height ``sigma_h`` from the sea state (Douglas scale, ``H1/3 / 4``),
  Rayleigh parameter ``g = 2 pi sigma_h sin psi / lambda`` and the specular factor of Ament
  ``exp(-2 g^2)`` or Miller-Brown ``exp(-2 g^2) I0(2 g^2)``;

``F = |1 + Gamma D rho exp(-j 2 pi delta / lambda)|``. Below the specular geometry (no
reflection point, beyond the smooth horizon) ``F`` is left at 1: masking and the horizon cut
those targets off first. Diffraction below the first lobe is not modelled.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from iadsim.terrain.masking import EFFECTIVE_RADIUS_M

SEA_RELATIVE_PERMITTIVITY = 81.0
"""Relative permittivity of sea water (low microwave frequencies, textbook value)."""
SEA_CONDUCTIVITY_S_PER_M = 4.0
"""Conductivity of sea water, S/m (textbook value)."""
SEA_STATE_WAVE_HEIGHT_M = (0.0, 0.1, 0.5, 1.25, 2.5, 4.0, 6.0, 9.0)
"""Significant wave height H1/3 per Douglas sea state 0-7 (upper values of each class)."""

Polarisation = Literal["horizontal", "vertical"]
Roughness = Literal["ament", "miller_brown"]


def sea_rms_height_m(sea_state: int) -> float:
    """RMS sea-surface height ``H1/3 / 4`` of a Douglas sea state (0-7)."""
    return SEA_STATE_WAVE_HEIGHT_M[int(sea_state)] / 4.0


def sea_reflection_coefficient(
    grazing_rad: ArrayLike, wavelength_m: float, polarisation: Polarisation
) -> NDArray[np.complex128]:
    """Fresnel reflection coefficient of a smooth sea at grazing angles, complex (n,)."""
    psi = np.asarray(grazing_rad, float)
    eps = SEA_RELATIVE_PERMITTIVITY - 1j * 60.0 * wavelength_m * SEA_CONDUCTIVITY_S_PER_M
    s = np.sin(psi)
    root = np.sqrt(eps - np.cos(psi) ** 2)
    if polarisation == "horizontal":
        return np.asarray((s - root) / (s + root))
    return np.asarray((eps * s - root) / (eps * s + root))


def roughness_factor(grazing_rad: ArrayLike, wavelength_m: float, rms_height_m: float,
                     model: Roughness = "miller_brown") -> NDArray[np.float64]:
    """Specular scattering factor of a rough surface (Ament or Miller-Brown), in (0, 1]."""
    g = 2.0 * np.pi * rms_height_m * np.sin(np.asarray(grazing_rad, float)) / wavelength_m
    x = 2.0 * g * g
    if model == "ament":
        return np.asarray(np.exp(-x))
    return np.asarray(special.i0e(x))  # exp(-x) I0(x), scaled: no overflow


def specular_geometry(
    antenna_alt_m: ArrayLike, target_alt_m: ArrayLike, ground_m: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Kerr's specular point: ``(d1_m, grazing_rad, path_difference_m, valid)``, each (n,)."""
    h1 = np.maximum(np.asarray(antenna_alt_m, float), 0.0)
    h2 = np.maximum(np.asarray(target_alt_m, float), 0.0)
    d = np.maximum(np.asarray(ground_m, float), 1e-3)
    h1, h2, d = np.broadcast_arrays(h1, h2, d)
    ka = EFFECTIVE_RADIUS_M
    # Kerr's cubic is written for h1 >= h2; swap the ends otherwise.
    swap = h1 < h2
    lo, hi = np.where(swap, h1, h2), np.where(swap, h2, h1)
    p = 2.0 / np.sqrt(3.0) * np.sqrt(ka * (hi + lo) + (d / 2.0) ** 2)
    cos_phi = np.clip(2.0 * ka * (hi - lo) * d / p**3, -1.0, 1.0)
    d_hi = d / 2.0 + p * np.cos((np.arccos(cos_phi) + np.pi) / 3.0)
    d1 = np.where(swap, d - d_hi, d_hi)
    d2 = d - d1
    h1p = h1 - d1**2 / (2.0 * ka)
    h2p = h2 - d2**2 / (2.0 * ka)
    valid = (h1p > 0.0) & (h2p > 0.0) & (d1 > 0.0) & (d2 > 0.0)
    grazing = np.arctan2(np.maximum(h1p, 0.0), np.maximum(d1, 1e-3))
    delta = 2.0 * np.maximum(h1p, 0.0) * np.maximum(h2p, 0.0) / d
    return d1, grazing, delta, valid


def divergence_factor(d1_m: ArrayLike, ground_m: ArrayLike,
                      grazing_rad: ArrayLike) -> NDArray[np.float64]:
    """Smooth-earth divergence factor ``D`` (Kerr), in (0, 1]."""
    d1 = np.asarray(d1_m, float)
    d = np.maximum(np.asarray(ground_m, float), 1e-3)
    s = np.maximum(np.sin(np.asarray(grazing_rad, float)), 1e-12)
    return np.asarray(1.0 / np.sqrt(1.0 + 2.0 * d1 * (d - d1) / (EFFECTIVE_RADIUS_M * d * s)))


def propagation_factor(
    antenna_alt_m: ArrayLike,
    target_alt_m: ArrayLike,
    ground_m: ArrayLike,
    *,
    wavelength_m: float,
    polarisation: Polarisation = "horizontal",
    sea_state: int = 3,
    roughness: Roughness = "miller_brown",
) -> NDArray[np.float64]:
    """Two-ray pattern propagation factor ``F`` (one way) over the sea, (n,)."""
    d1, psi, delta, valid = specular_geometry(antenna_alt_m, target_alt_m, ground_m)
    gamma = sea_reflection_coefficient(psi, wavelength_m, polarisation)
    rho = roughness_factor(psi, wavelength_m, sea_rms_height_m(sea_state), roughness)
    reflected = gamma * divergence_factor(d1, ground_m, psi) * rho
    f = np.abs(1.0 + reflected * np.exp(-2j * np.pi * delta / wavelength_m))
    return np.where(valid, f, 1.0)
