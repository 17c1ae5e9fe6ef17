"""Decoy and debris discrimination over track time (``command.discrimination``).

The expected probabilities are computed here from the model's definition with the USSA76
density of the standard's own table (1.8410e-2 kg/m3 at 30 km geometric, NOAA-S/T 76-1562
table I), not from the module: ``P = 1 - exp(-rate x da / g0 x T)``,
``da = rho v^2 / 2 (1/beta - 1/beta_ref)``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from iadsim.command.discrimination import Discrimination
from iadsim.outcomes.result import _rounds_by_role
from iadsim.scenario.threat_spec import DiscriminationSpec
from iadsim.tracking.batch import TrackBatch
from iadsim.world.frames import Origin

ORIGIN = Origin(44.5, 8.8, 0.0)
RHO_30KM = 1.8410e-2
N = 4_000


def _tracks(height_m: float, speed_mps: float, time_s: float, beta: float = np.nan,
            kappa_sigma: float = 0.0) -> TrackBatch:
    """N tracks whose drag filter estimates ``beta`` with a kappa sigma ``kappa_sigma``."""
    pos = np.tile([0.0, 0.0, height_m], (N, 1))  # over the origin: height = up
    vel = np.tile([speed_mps, 0.0, 0.0], (N, 1))
    return TrackBatch(np.full(N, time_s), np.arange(N), pos, vel, np.zeros((N, 6, 6)),
                      np.ones(N, bool), np.ones(N), np.arange(N, dtype=np.int64),
                      kappa_m2_per_t=np.full(N, 1_000.0 / beta),
                      kappa_sigma_m2_per_t=np.full(N, kappa_sigma))


def _recognised_after(beta: float, seconds: list[float], *, height_m: float = 30_000.0,
                      seed: int = 7, kappa_sigma: float = 0.0) -> list[float]:
    spec = DiscriminationSpec(rate_per_g_s=0.01, reference_ballistic_coefficient_kg_m2=3_000.0)
    d = Discrimination(spec, ORIGIN, rng=np.random.default_rng(seed))
    key = np.arange(N, dtype=np.int64)
    out, t = [], 0.0
    d.step(_tracks(height_m, 2_000.0, 0.0, beta, kappa_sigma), key, 0.0)  # thresholds drawn
    for end in seconds:
        while t < end - 1e-9:
            t += 1.0
            mask = d.step(_tracks(height_m, 2_000.0, t, beta, kappa_sigma), key, t)
        out.append(float(mask.mean()))
    return out


def _expected(beta: float, seconds: float) -> float:
    da = 0.5 * RHO_30KM * 2_000.0**2 * (1.0 / beta - 1.0 / 3_000.0)
    return 1.0 - math.exp(-0.01 * da / 9.80665 * seconds)


@pytest.mark.parametrize("beta", [300.0, 1_000.0])
def test_discrimination_rate_grows_with_track_time_and_deceleration(beta: float) -> None:
    got = _recognised_after(beta, [2.0, 5.0, 10.0])
    for frac, secs in zip(got, [2.0, 5.0, 10.0], strict=True):
        p = _expected(beta, secs)
        assert frac == pytest.approx(p, abs=4.0 * math.sqrt(p * (1 - p) / N) + 1e-3)
    assert got[0] < got[1] < got[2]  # grows with track time


def test_lighter_objects_are_told_apart_sooner_and_a_warhead_never() -> None:
    light, heavy = _recognised_after(300.0, [5.0])[0], _recognised_after(1_000.0, [5.0])[0]
    assert light > 2.0 * heavy > 0.0
    assert _recognised_after(5_000.0, [10.0])[0] == 0.0  # heavier than the reference
    assert _recognised_after(300.0, [10.0], height_m=120_000.0)[0] == 0.0  # no air, no clue


def test_off_by_default_draws_nothing() -> None:
    rng = np.random.default_rng(3)
    d = Discrimination(DiscriminationSpec(), ORIGIN, rng=rng)
    assert not d.step(_tracks(30_000.0, 2_000.0, 1.0, 300.0), np.arange(N), 1.0).any()
    assert rng.random() == np.random.default_rng(3).random()  # the stream untouched


def test_only_the_drag_the_filter_has_measured_counts() -> None:
    # estimate kappa = 1000/300 = 3.33 m2/t with sigma 1: two sigmas off leave kappa 1.33,
    # i.e. beta 750 for the hazard; sigma 2 leaves nothing (no drag shown yet)
    got = _recognised_after(300.0, [5.0], kappa_sigma=1.0)[0]
    p = _expected(1_000.0 / (1_000.0 / 300.0 - 2.0), 5.0)
    assert got == pytest.approx(p, abs=4.0 * math.sqrt(p * (1 - p) / N) + 1e-3)
    assert _recognised_after(300.0, [10.0], kappa_sigma=2.0)[0] == 0.0
    no_estimate = _tracks(30_000.0, 2_000.0, 1.0)  # a track the drag filter does not run
    d = Discrimination(DiscriminationSpec(rate_per_g_s=10.0), ORIGIN,
                       rng=np.random.default_rng(1))
    d.step(no_estimate, np.arange(N), 0.0)
    assert not d.step(no_estimate, np.arange(N), 100.0).any()


def test_rounds_are_counted_by_what_they_were_fired_at() -> None:
    threats = pd.DataFrame({"threat_id": [0, 1, 2, 3], "role": ["threat", "booster", "decoy",
                                                                "decoy"]})
    launches = pd.DataFrame({"threat_id": [0, 0, 2, 3, 3, 1]})
    assert _rounds_by_role(threats, launches) == {"threat": 2, "booster": 1, "debris": 0,
                                                  "decoy": 3}
