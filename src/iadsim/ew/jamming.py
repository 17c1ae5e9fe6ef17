"""EW: noise jamming. Jammers and radars -> jamming-to-noise per radar look, burn-through ranges.

In: jammer transmitters (effective radiated power, noise bandwidth, where they are) and each
radar's receive side (main-lobe gain, sidelobe level, wavelength, bandwidth, noise figure, ECCM
processing gain). Out: for every target a radar looks at, the jamming-to-noise ratio ``J/N`` that
enters the same look through the antenna pattern, so the detection runs on signal-to-(noise +
jamming) ``S / (N + J) = (S / N) / (1 + J / N)``; and the closed-form burn-through range.

The jamming equation (one-way, noise jammer; Skolnik, *Introduction to Radar Systems*, 3rd ed.,
sec. 10.8; Adamy, *EW 101*, ch. 9)::

    J = ERP * G_r(theta) * lambda^2 / ((4 pi)^2 R_j^2 L_j) * min(1, B_r / B_j)
    N = k T0 F B_r            J/N = J / N / PG

with ``G_r(theta)`` the main-lobe gain when the jammer is inside the beam pointed at the
target (half a beamwidth in azimuth, and in elevation unless a fan beam) and the main-lobe gain
times the sidelobe level otherwise. Noise jamming is integrated like receiver noise, so the
pulse integration and compression gains of the signal act on ``S / (N + J)`` unchanged; ``PG``
is the radar's extra ECCM gain against noise. With ``S/N = C sigma / R^4`` (the radar's SNR
constant), a self-screening jammer (``R_j = R``, main lobe) is burnt through where
``C sigma / R^4 = D (1 + K / R^2)`` (``K``: J/N at 1 m, ``D``: required SNR), a quadratic in R^2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from iadsim.sensors.range_equation import (
    BOLTZMANN_J_PER_K,
    STANDARD_TEMPERATURE_K,
    SPEED_OF_LIGHT_MPS,
    db_to_linear,
)

_TWO_PI = 2.0 * np.pi
DEFAULT_FREQUENCY_HZ = 3e9
"""Radar frequency assumed when neither the sensor nor its ``ew.radars`` entry gives one."""
BEAM_GAIN_CONSTANT_DEG2 = 26_000.0
"""Main-lobe gain of a pencil beam ~ 26000 / (az_bw x el_bw), beamwidths in degrees (Skolnik)."""


@dataclass(frozen=True, slots=True)
class RadarReceiver:
    """One radar's receive side as jamming sees it (SI, linear)."""

    main_lobe_gain: float  # linear
    sidelobe_level: float  # linear, <= 1
    wavelength_m: float
    bandwidth_hz: float
    noise_w: float  # k T0 F B_r
    processing_gain: float  # linear, >= 1
    azimuth_beamwidth_rad: float
    elevation_beamwidth_rad: float  # inf: fan beam


@dataclass(frozen=True, slots=True)
class Jammers:
    """Noise jammer transmitters, one row per jammer (positions are given per time)."""

    name: tuple[str, ...]
    erp_w: NDArray[np.float64]  # (j,) power x antenna gain / losses
    bandwidth_hz: NDArray[np.float64]  # (j,)

    def __len__(self) -> int:
        return len(self.name)


def receiver(*, gain_db: float, sidelobe_level_db: float, frequency_hz: float,
             bandwidth_hz: float, noise_figure_db: float, processing_gain_db: float,
             azimuth_beamwidth_rad: float, elevation_beamwidth_rad: float) -> RadarReceiver:
    """A ``RadarReceiver`` from decibels and Hz."""
    return RadarReceiver(
        main_lobe_gain=float(db_to_linear(gain_db)),
        sidelobe_level=float(db_to_linear(sidelobe_level_db)),
        wavelength_m=SPEED_OF_LIGHT_MPS / frequency_hz,
        bandwidth_hz=float(bandwidth_hz),
        noise_w=float(BOLTZMANN_J_PER_K * STANDARD_TEMPERATURE_K * db_to_linear(noise_figure_db)
                      * bandwidth_hz),
        processing_gain=float(db_to_linear(processing_gain_db)),
        azimuth_beamwidth_rad=float(azimuth_beamwidth_rad),
        elevation_beamwidth_rad=float(elevation_beamwidth_rad),
    )


def beam_gain_db(azimuth_beamwidth_rad: float, elevation_beamwidth_rad: float) -> float:
    """Textbook main-lobe gain of a beam, ``26000 / (az_deg x el_deg)`` in dBi."""
    el = elevation_beamwidth_rad if np.isfinite(elevation_beamwidth_rad) else np.radians(40.0)
    return float(10.0 * np.log10(BEAM_GAIN_CONSTANT_DEG2
                                 / (np.degrees(azimuth_beamwidth_rad) * np.degrees(el))))


def jnr_at_1m(rx: RadarReceiver, jammers: Jammers) -> NDArray[np.float64]:
    """Main-lobe J/N (linear) of each jammer at 1 m from the radar, ``(j,)``: J/N = this / R^2."""
    share = np.minimum(1.0, rx.bandwidth_hz / jammers.bandwidth_hz)
    j_w = jammers.erp_w * rx.main_lobe_gain * rx.wavelength_m**2 / (4.0 * np.pi) ** 2 * share
    out: NDArray[np.float64] = j_w / rx.noise_w / rx.processing_gain
    return out


def pattern_gain(rx: RadarReceiver, beam_az_rad: NDArray[np.float64],
                 beam_el_rad: NDArray[np.float64], jammer_az_rad: NDArray[np.float64],
                 jammer_el_rad: NDArray[np.float64]) -> NDArray[np.float64]:
    """Receive gain relative to the main lobe toward each jammer, beams (n,) x jammers (j,).

    1 inside the main lobe (within half a beamwidth of the beam axis in azimuth, and in
    elevation for a pencil beam), the sidelobe level elsewhere: shape ``(n, j)``.
    """
    d_az = np.abs(np.mod(beam_az_rad[:, None] - jammer_az_rad[None, :] + np.pi, _TWO_PI) - np.pi)
    inside = d_az <= 0.5 * rx.azimuth_beamwidth_rad
    if np.isfinite(rx.elevation_beamwidth_rad):
        inside &= np.abs(beam_el_rad[:, None] - jammer_el_rad[None, :]) <= (
            0.5 * rx.elevation_beamwidth_rad)
    return np.where(inside, 1.0, rx.sidelobe_level)


def jnr_per_beam(rx: RadarReceiver, jnr_1m: NDArray[np.float64],
                 jammer_range_m: NDArray[np.float64], jammer_az_rad: NDArray[np.float64],
                 jammer_el_rad: NDArray[np.float64],
                 beam_az_rad: NDArray[np.float64], beam_el_rad: NDArray[np.float64]
                 ) -> NDArray[np.float64]:
    """Total J/N (linear) in each beam (n,), summed over the jammers (j,) the radar hears."""
    if jnr_1m.size == 0 or beam_az_rad.size == 0:
        return np.zeros(beam_az_rad.shape)
    gain = pattern_gain(rx, beam_az_rad, beam_el_rad, jammer_az_rad, jammer_el_rad)
    per_jammer = jnr_1m[None, :] / np.maximum(jammer_range_m, 1.0)[None, :] ** 2
    out: NDArray[np.float64] = (gain * per_jammer).sum(axis=1)
    return out


def burn_through_range_m(snr_1m2_1m: float, rcs_m2: float, required_snr: float,
                         jnr_1m: float) -> float:
    """Range at which a self-screening jammer's carrier is detected at ``required_snr``.

    Solves ``C sigma / R^4 = D (1 + K / R^2)`` for R (closed form; ``K = 0``: the clean
    detection range). Stable form of the positive root ``x = R^2`` of
    ``D x^2 + D K x - C sigma = 0``.
    """
    c_sigma, d, k = snr_1m2_1m * rcs_m2, required_snr, jnr_1m
    x = 2.0 * c_sigma / (d * k + np.sqrt((d * k) ** 2 + 4.0 * d * c_sigma))
    return float(np.sqrt(x))


def detection_range_with_standoff_m(snr_1m2_1m: float, rcs_m2: float, required_snr: float,
                                    jnr: float) -> float:
    """Detection range of a target when a stand-off jammer adds a fixed J/N ``jnr``."""
    return float((snr_1m2_1m * rcs_m2 / (required_snr * (1.0 + jnr))) ** 0.25)
