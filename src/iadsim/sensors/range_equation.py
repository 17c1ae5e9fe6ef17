"""Sensors stage: the radar range equation, from physical parameters or a reference point.

In: a radar's physical parameters (peak power, antenna gain or effective aperture, frequency,
pulse width or bandwidth, noise figure, losses) or one reference point (SNR at a range on an
RCS). Out: the *SNR constant* ``snr_1m2_1m`` (linear SNR per pulse of a 1 m^2 target at 1 m),
from which the SNR per target per look is ``snr_1m2_1m * rcs_m2 / range_m**4``, and the
conversions a radar engineer checks by hand (wavelength, gain, resolution, pulses on target).

The physical form is the energy (matched-filter) form of the single-pulse equation::

    snr = Pt * tau * Gt * Gr * lambda^2 * sigma / ((4 pi)^3 * R^4 * k * T0 * F * L)

which equals the bandwidth form ``... / (k T0 F B L)`` with ``B = 1 / tau`` for an uncompressed
pulse, and includes the compression gain ``tau * B`` of a coded one (Skolnik, *Introduction to
Radar Systems*, ch. 2; Richards, *Fundamentals of Radar Signal Processing*, ch. 2).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

BOLTZMANN_J_PER_K = 1.380649e-23
STANDARD_TEMPERATURE_K = 290.0
SPEED_OF_LIGHT_MPS = 299_792_458.0
MAX_SNR = 1e30
"""Largest SNR per pulse a look computes (300 dB); larger values are clipped to it."""
MAX_SNR_CONSTANT = 1e200
"""Largest SNR constant (SNR of 1 m^2 at 1 m): times any RCS over any range^4 stays finite."""


def db_to_linear(value_db: ArrayLike) -> NDArray[np.float64]:
    """Power ratio from decibels."""
    return np.power(10.0, np.asarray(value_db, dtype=float) / 10.0)


def linear_to_db(value: ArrayLike) -> NDArray[np.float64]:
    """Decibels from a power ratio (``-inf`` for zero)."""
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(np.asarray(value, dtype=float))


def wavelength_m(frequency_hz: ArrayLike) -> NDArray[np.float64]:
    """Free-space wavelength, metres."""
    return SPEED_OF_LIGHT_MPS / np.asarray(frequency_hz, dtype=float)


def gain_from_aperture_db(
    effective_aperture_m2: ArrayLike, frequency_hz: ArrayLike
) -> NDArray[np.float64]:
    """Antenna gain (dBi) of an effective aperture: ``G = 4 pi Ae / lambda^2``."""
    lam = wavelength_m(frequency_hz)
    return linear_to_db(4.0 * np.pi * np.asarray(effective_aperture_m2, dtype=float) / lam**2)


def range_resolution_m(bandwidth_hz: ArrayLike) -> NDArray[np.float64]:
    """Range resolution ``c / (2 B)`` of a waveform of bandwidth ``B``, metres."""
    return SPEED_OF_LIGHT_MPS / (2.0 * np.asarray(bandwidth_hz, dtype=float))


def noise_power_w(
    bandwidth_hz: ArrayLike,
    noise_figure_db: ArrayLike,
    temperature_k: float = STANDARD_TEMPERATURE_K,
) -> NDArray[np.float64]:
    """Receiver noise power ``k T0 F B``, watts."""
    return (
        BOLTZMANN_J_PER_K
        * temperature_k
        * db_to_linear(noise_figure_db)
        * np.asarray(bandwidth_hz, dtype=float)
    )


def time_on_target_s(azimuth_beamwidth_rad: float, scan_period_s: float) -> float:
    """Time a rotating beam dwells on a point target: ``beamwidth / (2 pi) * period``."""
    return azimuth_beamwidth_rad / (2.0 * np.pi) * scan_period_s


def pulses_integrated(prf_hz: float, dwell_s: float) -> int:
    """Whole pulses that fit in a dwell at a PRF (at least one)."""
    return max(1, int(np.floor(prf_hz * dwell_s + 1e-9)))


def snr_1m2_1m_physical(
    *,
    peak_power_w: float,
    frequency_hz: float,
    gain_tx_db: float,
    gain_rx_db: float | None = None,
    pulse_width_s: float | None = None,
    bandwidth_hz: float | None = None,
    noise_figure_db: float = 0.0,
    system_losses_db: float = 0.0,
    temperature_k: float = STANDARD_TEMPERATURE_K,
) -> float:
    """SNR constant (linear SNR per pulse of a 1 m^2 target at 1 m) from physical parameters.

    Parameters
    ----------
    peak_power_w : float
        Transmitted peak power, W.
    frequency_hz : float
        Carrier frequency, Hz.
    gain_tx_db, gain_rx_db : float
        Transmit and receive antenna gains, dBi (receive defaults to transmit).
    pulse_width_s, bandwidth_hz : float
        Pulse width sets the pulse energy; without it, ``1 / bandwidth_hz`` (uncompressed
        pulse). At least one is required.
    noise_figure_db, system_losses_db : float
        Receiver noise figure and all system losses, dB (>= 0).
    temperature_k : float
        Reference noise temperature, K (290 K standard).
    """
    if pulse_width_s is None:
        if bandwidth_hz is None:
            raise ValueError("give pulse_width_s or bandwidth_hz (got neither)")
        pulse_width_s = 1.0 / bandwidth_hz
    g_rx_db = gain_tx_db if gain_rx_db is None else gain_rx_db
    lam = float(wavelength_m(frequency_hz))
    numerator = peak_power_w * pulse_width_s * db_to_linear(gain_tx_db + g_rx_db) * lam**2
    denominator = (
        (4.0 * np.pi) ** 3
        * BOLTZMANN_J_PER_K
        * temperature_k
        * db_to_linear(noise_figure_db + system_losses_db)
    )
    return float(numerator / denominator)


def snr_1m2_1m_reference(
    *, reference_snr_db: float, reference_range_m: float, reference_rcs_m2: float = 1.0
) -> float:
    """SNR constant from one reference point: SNR ``reference_snr_db`` per pulse at
    ``reference_range_m`` on ``reference_rcs_m2``.

    Computed in decibels and capped at ``MAX_SNR_CONSTANT``, so any finite reference point
    gives a finite constant (a reference range of 1e80 m would overflow ``R**4``).
    """
    log10 = (
        reference_snr_db / 10.0
        + 4.0 * np.log10(float(reference_range_m))
        - np.log10(float(reference_rcs_m2))
    )
    return float(10.0 ** min(log10, np.log10(MAX_SNR_CONSTANT)))


def snr_per_pulse(
    range_m: ArrayLike, rcs_m2: ArrayLike, snr_1m2_1m: float | ArrayLike
) -> NDArray[np.float64]:
    """Linear SNR per pulse, ``snr_1m2_1m * rcs_m2 / range_m**4``, shape of the broadcast.

    Capped at ``MAX_SNR`` (300 dB: every detector saturates long before), so a target at a
    vanishing range or an extreme radar gives a finite SNR, never ``inf``.
    """
    r = np.asarray(range_m, dtype=float)
    with np.errstate(over="ignore", divide="ignore"):
        snr = np.asarray(snr_1m2_1m, dtype=float) * np.asarray(rcs_m2, dtype=float) / (r * r) ** 2
    out: NDArray[np.float64] = np.minimum(snr, MAX_SNR)
    return out


def range_for_snr_m(
    snr: ArrayLike, rcs_m2: ArrayLike, snr_1m2_1m: float | ArrayLike
) -> NDArray[np.float64]:
    """Range (m) at which a target of ``rcs_m2`` gives linear SNR ``snr`` per pulse."""
    return (
        np.asarray(snr_1m2_1m, dtype=float)
        * np.asarray(rcs_m2, dtype=float)
        / np.asarray(snr, dtype=float)
    ) ** 0.25
