"""US Standard Atmosphere 1976: temperature, pressure, density and speed of sound, 0-86 km.

World-stage physics shared by later stages (ballistic re-entry here; the engagement fly-out
and turn limit read it through ``iadsim.engagement.atmosphere``, which re-exports it).
In: geometric heights above sea level (m), any shape. Out: arrays of the same shape. The seven layers below 86 km are the
standard's: linear temperature in *geopotential* height, hydrostatic pressure
(NOAA/NASA/USAF, U.S. Standard Atmosphere 1976, NOAA-S/T 76-1562, tables 4 and I). Heights below
0 m use the first layer's profile (to -5 km) and above 86 km the last layer's
(a deliberate extrapolation, so that fly-out rows climbing a little high stay finite).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

EARTH_RADIUS_GEOPOTENTIAL_M = 6_356_766.0
G0_MPS2 = 9.80665
AIR_MOLAR_MASS_KG_MOL = 0.0289644
GAS_CONSTANT_J_MOL_K = 8.31432
AIR_GAS_CONSTANT_J_KG_K = GAS_CONSTANT_J_MOL_K / AIR_MOLAR_MASS_KG_MOL
GAMMA_AIR = 1.4

_BASE_H_M = np.array([0.0, 11_000.0, 20_000.0, 32_000.0, 47_000.0, 51_000.0, 71_000.0])
_LAPSE_K_M = np.array([-6.5e-3, 0.0, 1.0e-3, 2.8e-3, 0.0, -2.8e-3, -2.0e-3])
_BASE_T_K = np.array([288.15, 216.65, 216.65, 228.65, 270.65, 270.65, 214.65])
_HYDRO = G0_MPS2 * AIR_MOLAR_MASS_KG_MOL / GAS_CONSTANT_J_MOL_K  # K/m


def _base_pressures() -> NDArray[np.float64]:
    """Base pressure of each layer, integrated up from 101 325 Pa (the standard's Pb)."""
    p = [101_325.0]
    for k in range(len(_BASE_H_M) - 1):
        dh = _BASE_H_M[k + 1] - _BASE_H_M[k]
        p.append(p[-1] * _layer_ratio(_BASE_T_K[k], _LAPSE_K_M[k], dh))
    return np.array(p)


def _layer_ratio(t_base: ArrayLike, lapse: ArrayLike, dh: ArrayLike) -> NDArray[np.float64]:
    """P / P_base a geopotential height ``dh`` above the base of a layer."""
    t_base, lapse, dh = (np.asarray(x, dtype=float) for x in (t_base, lapse, dh))
    iso = lapse == 0.0
    safe = np.where(iso, 1.0, lapse)
    grad = (t_base / (t_base + safe * dh)) ** (_HYDRO / safe)
    return np.where(iso, np.exp(-_HYDRO * dh / t_base), grad)


_BASE_P_PA = _base_pressures()


def geopotential_height_m(height_m: ArrayLike) -> NDArray[np.float64]:
    """Geopotential height H = r0 z / (r0 + z) of geometric heights z."""
    z = np.asarray(height_m, dtype=float)
    return EARTH_RADIUS_GEOPOTENTIAL_M * z / (EARTH_RADIUS_GEOPOTENTIAL_M + z)


def atmosphere(height_m: ArrayLike) -> tuple[NDArray[np.float64], ...]:
    """Temperature (K), pressure (Pa), density (kg/m3) and speed of sound (m/s) at ``height_m``.

    ``height_m`` is geometric height above sea level, any shape (clipped to [-5, 86] km).
    """
    h = geopotential_height_m(np.clip(np.asarray(height_m, dtype=float), -5_000.0, 86_000.0))
    k = np.clip(np.searchsorted(_BASE_H_M, h, side="right") - 1, 0, len(_BASE_H_M) - 1)
    dh = h - _BASE_H_M[k]
    temperature_k = _BASE_T_K[k] + _LAPSE_K_M[k] * dh
    pressure_pa = _BASE_P_PA[k] * _layer_ratio(_BASE_T_K[k], _LAPSE_K_M[k], dh)
    density = pressure_pa / (AIR_GAS_CONSTANT_J_KG_K * temperature_k)
    sound_mps = np.sqrt(GAMMA_AIR * AIR_GAS_CONSTANT_J_KG_K * temperature_k)
    return temperature_k, pressure_pa, density, sound_mps


def density_kg_m3(height_m: ArrayLike) -> NDArray[np.float64]:
    """USSA76 air density at geometric height ``height_m`` (m), same shape."""
    return atmosphere(height_m)[2]


def speed_of_sound_mps(height_m: ArrayLike) -> NDArray[np.float64]:
    """USSA76 speed of sound at geometric height ``height_m`` (m), same shape."""
    return atmosphere(height_m)[3]
