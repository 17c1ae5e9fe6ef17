"""US Standard Atmosphere 1976 against the standard's own table (NOAA-S/T 76-1562, table I)."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.engagement.atmosphere import atmosphere, density_kg_m3, speed_of_sound_mps

# geometric height (m), temperature (K), density (kg/m3), speed of sound (m/s): USSA76 table I
USSA76 = [
    (0.0, 288.150, 1.2250, 340.29),
    (1_000.0, 281.651, 1.1117, 336.43),
    (5_000.0, 255.676, 7.3643e-1, 320.55),
    (10_000.0, 223.252, 4.1351e-1, 299.53),
    (11_000.0, 216.774, 3.6480e-1, 295.15),
    (20_000.0, 216.650, 8.8910e-2, 295.07),
    (30_000.0, 226.509, 1.8410e-2, 301.71),
    (40_000.0, 250.350, 3.9957e-3, 317.19),
    (50_000.0, 270.650, 1.0269e-3, 329.80),
    (60_000.0, 247.021, 3.0968e-4, 315.07),
    (70_000.0, 219.585, 8.2829e-5, 297.06),
    (80_000.0, 198.639, 1.8458e-5, 282.54),
    (86_000.0, 186.946, 6.958e-6, 274.10),
]


@pytest.mark.parametrize(("z", "t_k", "rho", "a"), USSA76)
def test_matches_the_standard_table(z: float, t_k: float, rho: float, a: float) -> None:
    temperature, _, density, sound = atmosphere(z)
    assert temperature == pytest.approx(t_k, abs=2e-3)
    assert density == pytest.approx(rho, rel=2e-4)
    assert sound == pytest.approx(a, abs=0.01)


def test_vectorised_at_any_shape() -> None:
    z = np.array([[0.0, 10_000.0], [30_000.0, 80_000.0]])
    rho = density_kg_m3(z)
    assert rho.shape == (2, 2)
    assert rho[1, 1] == pytest.approx(1.8458e-5, rel=2e-4)
    assert density_kg_m3(np.empty(0)).shape == (0,)
    assert speed_of_sound_mps(np.array([0.0])).shape == (1,)
    assert np.all(np.diff(density_kg_m3(np.linspace(0, 86_000, 500))) < 0)  # monotone
