"""Command stage: telling a ballistic raid's decoys, debris and boosters from its warheads.

In: the tracks of one command cycle with their engagement keys, each track's drag-filter
estimate of ``kappa = 1000 / beta`` and its sigma (``TrackBatch.kappa_m2_per_t``, from
``tracking.ballistic_filter``; NaN or absent: not a re-entering track) and the
``classification.discrimination`` settings. Out: a mask of tracks the defence has recognised as
no warhead, which draw no round.

The model (notional, a feature model on the tracker's estimate): an object braked harder than
the lightest re-entry vehicle the defence expects (``reference_ballistic_coefficient_kg_m2``,
``beta_ref``) shows it. Its excess deceleration at the track's height and speed,

    da = rho(h) v^2 / 2 x max(0, kappa_low / 1000 - 1 / beta_ref),
    kappa_low = max(0, kappa_hat - SIGMA_MARGIN x sigma_kappa),

(USSA76 density, ``world.atmosphere``) drives a hazard ``lambda = rate_per_g_s x da / g0`` of
being recognised, accumulated over the time the object is held in track:
``P(recognised by T) = 1 - exp(-integral of lambda dt)``. Only drag the filter has measured
counts (``kappa_low``, the estimate less two sigmas): above the atmosphere the estimate stays
at its wide prior and ``da`` is nil, so decoys are told apart only on re-entry (atmospheric
filtering), and the sooner the lighter they are. Each engagement key draws one threshold
``E ~ Exp(1)`` when first seen (in key order, from its own generator); it is recognised once
the accumulated hazard passes it, and stays so. The object's true ballistic coefficient is never
used: a track the drag filter does not run (or a picture without its estimates, e.g. a
network's fused picture) accrues no hazard.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iadsim.scenario.threat_spec import DiscriminationSpec
from iadsim.tracking.batch import TrackBatch
from iadsim.world.atmosphere import density_kg_m3
from iadsim.world.frames import Origin, approx_altitude_m

G0_MPS2 = 9.80665
SIGMA_MARGIN = 2.0  # sigmas of the kappa estimate taken off before it counts as drag seen


def excess_deceleration_mps2(height_m: NDArray[np.float64], speed_mps: NDArray[np.float64],
                             beta_kg_m2: NDArray[np.float64], reference_kg_m2: float
                             ) -> NDArray[np.float64]:
    """Drag deceleration beyond that of a ``reference_kg_m2`` body at the same height and
    speed, (n,); 0 for NaN ``beta`` (not a ballistic object) and for heavier bodies."""
    beta = np.asarray(beta_kg_m2, float)
    inv = np.where(np.isfinite(beta) & (beta > 0.0), 1.0 / np.where(beta > 0.0, beta, 1.0),
                   0.0)
    excess = np.maximum(inv - 1.0 / reference_kg_m2, 0.0)
    rho = density_kg_m3(np.clip(np.asarray(height_m, float), 0.0, 86_000.0))
    rho = np.where(np.asarray(height_m) > 86_000.0, 0.0, rho)
    return 0.5 * rho * np.asarray(speed_mps, float) ** 2 * excess


class Discrimination:
    """Accumulated hazard and threshold per engagement key (module doc); mutable state."""

    def __init__(self, spec: DiscriminationSpec, origin: Origin, *,
                 rng: np.random.Generator) -> None:
        self.spec, self.origin, self.rng = spec, origin, rng
        self._hazard: dict[int, float] = {}
        self._threshold: dict[int, float] = {}
        self._last_s: dict[int, float] = {}
        self.recognised: set[int] = set()

    @property
    def enabled(self) -> bool:
        return self.spec.rate_per_g_s > 0.0

    @staticmethod
    def measured_beta_kg_m2(tracks: TrackBatch) -> NDArray[np.float64]:
        """The ballistic coefficient (n,) each track's drag filter has shown at least, from
        ``kappa_low`` (module doc): inf while the drag seen is nil, NaN without an estimate."""
        if tracks.kappa_m2_per_t is None or tracks.kappa_sigma_m2_per_t is None:
            return np.full(len(tracks), np.nan)
        low = tracks.kappa_m2_per_t - SIGMA_MARGIN * tracks.kappa_sigma_m2_per_t
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(np.isfinite(low), 1_000.0 / np.maximum(low, 0.0), np.nan)

    def step(self, tracks: TrackBatch, key: NDArray[np.int64], time_s: float
             ) -> NDArray[np.bool_]:
        """Advance the hazard of the confirmed tracks to ``time_s``; the mask (n,) of tracks
        recognised as no warhead (always all False when the model is off)."""
        out = np.zeros(len(tracks), bool)
        if not self.enabled or len(tracks) == 0:
            return out
        height = approx_altitude_m(tracks.position_enu_m, self.origin).reshape(-1)
        speed = np.linalg.norm(tracks.velocity_enu_mps, axis=1)
        rate = self.spec.rate_per_g_s / G0_MPS2 * excess_deceleration_mps2(
            height, speed, self.measured_beta_kg_m2(tracks),
            self.spec.reference_ballistic_coefficient_kg_m2)
        for k in np.unique(key[tracks.confirmed]).tolist():  # new keys draw in key order
            if k not in self._threshold:
                self._threshold[k] = float(self.rng.exponential())
                self._hazard[k], self._last_s[k] = 0.0, time_s
        for row in np.flatnonzero(tracks.confirmed).tolist():
            k = int(key[row])
            dt = time_s - self._last_s[k]
            if dt > 0.0:
                self._hazard[k] += float(rate[row]) * dt
                self._last_s[k] = time_s
            if self._hazard[k] >= self._threshold[k]:
                self.recognised.add(k)
        out[:] = [int(k) in self.recognised for k in key.tolist()]
        return out
