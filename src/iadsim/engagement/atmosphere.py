"""US Standard Atmosphere 1976, re-exported: the model lives in ``iadsim.world.atmosphere``.

It moved to the world stage so that ballistic re-entry (``world.ballistic``) can read it without
the world importing a later stage; this module keeps the engagement stage's old import path.
"""

from iadsim.world.atmosphere import (
    AIR_GAS_CONSTANT_J_KG_K,
    AIR_MOLAR_MASS_KG_MOL,
    EARTH_RADIUS_GEOPOTENTIAL_M,
    G0_MPS2,
    GAMMA_AIR,
    GAS_CONSTANT_J_MOL_K,
    atmosphere,
    density_kg_m3,
    geopotential_height_m,
    speed_of_sound_mps,
)

__all__ = [
    "AIR_GAS_CONSTANT_J_KG_K", "AIR_MOLAR_MASS_KG_MOL", "EARTH_RADIUS_GEOPOTENTIAL_M", "G0_MPS2",
    "GAMMA_AIR", "GAS_CONSTANT_J_MOL_K", "atmosphere", "density_kg_m3", "geopotential_height_m",
    "speed_of_sound_mps",
]
