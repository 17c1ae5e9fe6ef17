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

``F = |1 + Gamma D rho exp(-j 2 pi delta / lambda)|`` in the interference region, where the
path difference is at least ``lambda / 6`` (:data:`INTERFERENCE_LIMIT_WAVELENGTHS`).

Near and beyond the horizon the two-ray sum fails (``D -> 0`` takes ``F`` back to 1 at the
horizon), so, after Blake ch. 6 and Barton ch. 8:

* diffraction region, at and beyond the smooth-earth horizon ``d_h = sqrt(2 ka h1) +
  sqrt(2 ka h2)``: the first term of Fock's residue series (Vogler; the smooth-earth method
  of ITU-R P.526), for a surface of high impedance contrast (sea at microwave frequencies, both
  polarisations: ``K -> 0``, so ``w1(t_1) = 0``, ``t_1 = tau_1 exp(j pi / 3)``, ``Ai(-tau_1)
  = 0``): with ``k0 = 2 pi / lambda``, ``x = d (k0 / 2 ka^2)^(1/3)``, ``y_i = h_i (2 k0^2 /
  ka)^(1/3)``,
  ``F = 2 sqrt(pi x) exp(-x tau_1 sqrt(3) / 2) |w1(t_1 - y1)| |w1(t_1 - y2)| / |w1'(t_1)|^2``,
  ``w1(z) = sqrt(pi) (Bi(z) + j Ai(z)) = 2 exp(j pi / 6) Ai(z exp(j 2 pi / 3))`` (evaluated
  exponentially scaled, so high antennas do not overflow);
* intermediate region, between the range ``d_a`` where the path difference falls to
  ``lambda / 6`` and ``d_h``: ``F`` in dB interpolated linearly in range between the two-ray
  value at ``d_a`` and the diffraction value at ``d_h``.

So ``F`` is continuous and falls monotonically through the horizon. Whether a target beyond
the horizon is seen at all is still the masking's and the look's horizon test.
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

INTERFERENCE_LIMIT_WAVELENGTHS = 1.0 / 6.0
"""Two-ray region: path difference at least this many wavelengths (Blake's limit)."""
F_FLOOR = 1e-8
"""Smallest ``F`` returned (-160 dB): a target on the surface beyond the horizon."""
_BISECTIONS = 40
_TAU1 = float(-special.ai_zeros(1)[0][0])  # first zero of Ai(-tau): 2.33811
_AIRY_PRIME_AT_ZERO = float(abs(special.ai_zeros(1)[3][0]))  # |Ai'(-tau_1)| = 0.70121

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


def _two_ray(h1: NDArray[np.float64], h2: NDArray[np.float64], d: NDArray[np.float64],
             wavelength_m: float, polarisation: Polarisation, sea_state: int,
             roughness: Roughness
             ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Two-ray ``F``, path difference and specular validity, each (n,)."""
    d1, psi, delta, valid = specular_geometry(h1, h2, d)
    gamma = sea_reflection_coefficient(psi, wavelength_m, polarisation)
    rho = roughness_factor(psi, wavelength_m, sea_rms_height_m(sea_state), roughness)
    reflected = gamma * divergence_factor(d1, d, psi) * rho
    f = np.abs(1.0 + reflected * np.exp(-2j * np.pi * delta / wavelength_m))
    return np.asarray(f), delta, valid


def _log_w1(z: NDArray[np.complex128]) -> NDArray[np.float64]:
    """``ln |w1(z)|`` of Fock's Airy function, exponentially scaled (no overflow)."""
    zeta = z * np.exp(2j * np.pi / 3.0)
    eai = special.airye(zeta)[0]  # Ai(zeta) exp(2/3 zeta^(3/2))
    with np.errstate(divide="ignore"):
        return np.asarray(np.log(2.0) + np.log(np.abs(eai))
                          - np.real(2.0 / 3.0 * zeta * np.sqrt(zeta)))


def diffraction_factor(antenna_alt_m: ArrayLike, target_alt_m: ArrayLike, ground_m: ArrayLike,
                       *, wavelength_m: float) -> NDArray[np.float64]:
    """Smooth-earth diffraction ``F`` (one way), first residue term (module docstring), (n,)."""
    k0 = 2.0 * np.pi / wavelength_m
    ka = EFFECTIVE_RADIUS_M
    d = np.maximum(np.asarray(ground_m, float), 1e-3)
    x = d * (k0 / (2.0 * ka * ka)) ** (1.0 / 3.0)
    unit_y = (2.0 * k0 * k0 / ka) ** (1.0 / 3.0)
    t1 = _TAU1 * np.exp(1j * np.pi / 3.0)
    log_dw = np.log(2.0 * _AIRY_PRIME_AT_ZERO)  # |w1'(t_1)| = 2 |Ai'(-tau_1)|
    gains = [_log_w1(t1 - np.maximum(np.asarray(h, float), 0.0) * unit_y) - log_dw
             for h in (antenna_alt_m, target_alt_m)]
    log_f = np.log(2.0 * np.sqrt(np.pi * x)) - x * _TAU1 * np.sqrt(3.0) / 2.0 + gains[0] + gains[1]
    return np.asarray(np.exp(np.maximum(log_f, np.log(F_FLOOR))))


def smooth_horizon_m(antenna_alt_m: ArrayLike, target_alt_m: ArrayLike) -> NDArray[np.float64]:
    """Smooth 4/3-earth horizon range ``sqrt(2 ka h1) + sqrt(2 ka h2)`` (m), (n,)."""
    ka = EFFECTIVE_RADIUS_M
    return np.asarray(np.sqrt(2.0 * ka * np.maximum(np.asarray(antenna_alt_m, float), 0.0))
                      + np.sqrt(2.0 * ka * np.maximum(np.asarray(target_alt_m, float), 0.0)))


def interference_limit_m(antenna_alt_m: ArrayLike, target_alt_m: ArrayLike,
                         *, wavelength_m: float) -> NDArray[np.float64]:
    """Range ``d_a`` where the path difference falls to ``lambda / 6`` (bisection), (n,)."""
    h1, h2 = np.broadcast_arrays(np.asarray(antenna_alt_m, float),
                                 np.asarray(target_alt_m, float))
    lo = np.zeros(h1.shape)
    hi = smooth_horizon_m(h1, h2)
    limit = INTERFERENCE_LIMIT_WAVELENGTHS * wavelength_m
    for _ in range(_BISECTIONS):  # the path difference falls with range up to the horizon
        mid = 0.5 * (lo + hi)
        _, _, delta, valid = specular_geometry(h1, h2, mid)
        above = valid & (delta >= limit)
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    return np.asarray(lo)


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
    """Pattern propagation factor ``F`` (one way) over the sea, (n,): two-ray, intermediate
    or diffraction region by range (module docstring)."""
    h1, h2, d = (np.ravel(a) for a in np.broadcast_arrays(
        np.maximum(np.asarray(antenna_alt_m, float), 0.0),
        np.maximum(np.asarray(target_alt_m, float), 0.0),
        np.maximum(np.asarray(ground_m, float), 1e-3)))
    shape = np.broadcast_shapes(np.shape(antenna_alt_m), np.shape(target_alt_m),
                                np.shape(ground_m))
    f, delta, valid = _two_ray(h1, h2, d, wavelength_m, polarisation, sea_state, roughness)
    out = f.copy()
    near = ~(valid & (delta >= INTERFERENCE_LIMIT_WAVELENGTHS * wavelength_m))
    if near.any():  # the few targets near or beyond the horizon
        a, b, r = h1[near], h2[near], d[near]
        d_h = smooth_horizon_m(a, b)
        beyond = r >= d_h
        f_near = diffraction_factor(a, b, np.maximum(r, d_h), wavelength_m=wavelength_m)
        d_a = interference_limit_m(a, b, wavelength_m=wavelength_m)
        f_a = _two_ray(a, b, np.maximum(d_a, 1e-3), wavelength_m, polarisation, sea_state,
                       roughness)[0]
        w = np.clip((r - d_a) / np.maximum(d_h - d_a, 1e-9), 0.0, 1.0)
        db = (1.0 - w) * np.log(np.maximum(f_a, F_FLOOR)) + w * np.log(f_near)
        out[near] = np.where(beyond, f_near, np.exp(db))
    return out.reshape(shape)
