"""Lethality: kill probability from the end game's miss distance and closing speed.

Engagement stage. In: miss distance (m), closing speed (m/s), class and true threat type per
interceptor. Out: Pk per interceptor. The notional model is a Carleton-type (Gaussian) damage
function times a closing-speed factor:

    Pk(miss, v) = pk0 exp(-miss^2 / (2 sigma^2)) min(1, (v / v_min)^2)

with ``sigma = lethal_sigma_m`` and ``v_min = min_closing_speed_mps`` (fragment energy falls with
the square of the closing speed below it). ``pk0`` is calibrated so that the scenario's ``pk``
is the design-point single-shot Pk, at ``miss = design_miss_m`` and full closing speed:
``pk0 = pk exp(design_miss^2 / (2 sigma^2))``, which must not exceed 1
(:func:`lethality_problems` says so at load). A miss distance that is NaN (no end game:
a ghost track, a target no longer in the air) gives Pk 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    from iadsim.scenario.model import Scenario


def calibrated_pk0(
    pk_design: ArrayLike, design_miss_m: ArrayLike, sigma_m: ArrayLike
) -> NDArray[np.float64]:
    """Pk at zero miss that gives ``pk_design`` at ``design_miss_m`` (may exceed 1: invalid)."""
    d, s = np.asarray(design_miss_m, float), np.asarray(sigma_m, float)
    return np.asarray(pk_design, float) * np.exp(d**2 / (2.0 * s**2))


def kill_probability(
    miss_m: ArrayLike, closing_speed_mps: ArrayLike, pk0: ArrayLike, sigma_m: ArrayLike,
    min_closing_speed_mps: ArrayLike,
) -> NDArray[np.float64]:
    """Pk per row (broadcast shapes); 0 where ``miss_m`` is NaN."""
    miss = np.asarray(miss_m, float)
    v = np.nan_to_num(np.asarray(closing_speed_mps, float))
    v_min = np.asarray(min_closing_speed_mps, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(v_min > 0.0, np.clip(v / np.where(v_min > 0, v_min, 1.0), 0.0, 1.0), 1.0)
    pk = np.minimum(np.asarray(pk0, float), 1.0) * np.exp(
        -np.nan_to_num(miss, nan=np.inf) ** 2 / (2.0 * np.asarray(sigma_m, float) ** 2)
    ) * speed**2
    return np.where(np.isnan(miss), 0.0, pk)


def lethality_problems(s: Scenario) -> Iterable[str]:
    """A design-point Pk the lethality function cannot reach (pk0 > 1) is an error naming the
    field and the largest reachable value."""
    for name, c in s.interceptors.items():
        sigma = c.lethal_sigma_m or c.kill_radius_m / 5.0
        top = float(np.exp(-(c.design_miss_m**2) / (2.0 * sigma**2)))
        for threat, pk in c.pk.items():
            if pk > top + 1e-12:
                yield (
                    f"interceptors.{name}.pk.{threat} cannot be reached by the lethality "
                    f"function: at design_miss_m {c.design_miss_m:g} m with lethal_sigma_m "
                    f"{sigma:g} m the design-point Pk is at most {top:.4g} (got {pk!r}); "
                    "lower design_miss_m or raise lethal_sigma_m"
                )
