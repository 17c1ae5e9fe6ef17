"""Sensors stage kernel: a multifunction radar's track dwells, pointed at predictions.

In: the radar (``LookSite``, with the track dwell's pulses), the dwells (time and pointing
position in radar-local ENU, from the radar's own track file), the true targets. Out: the
dwells' detections and which dwell each came from.

Per dwell, in order:

1. Each target moved to the dwell time; it is *illuminated* if it is inside the coverage,
   within one beamwidth of the pointing direction in azimuth (scaled by the cosine of the
   elevation) and elevation, and within ``RANGE_WINDOW_M`` of the predicted range.
2. Its SNR is the range equation's times the two-way Gaussian beam loss
   ``exp(-8 ln 2 ((d_az / bw_az)^2 + (d_el / bw_el)^2))`` (-6 dB at half a beamwidth off),
   times the Swerling draw: a bad prediction points the beam off the target and misses.
3. Targets of one dwell closer than the range resolution *and* within one beamwidth of each
   other in both angles (pairwise from the strongest, not on a fixed grid) are one echo at
   their power-weighted centroid, labelled with the strongest's truth id (as in search,
   ``iadsim.sensors.resolution``); a dwell resolves two targets only if they are separated
   by more than its resolution in range or angle.
4. Detection against the dwell's threshold and SNR-dependent measurement noise, as in
   ``iadsim.sensors.look``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iadsim.sensors.batch import DetectionBatch
from iadsim.sensors.detection import draw_detections, draw_rcs_factor, threshold_from_pfa
from iadsim.sensors.look import (
    LookSite,
    _local_geometry,
    _local_offsets_m,
    measured_range_m,
    measurement_sigmas,
)
from iadsim.sensors.range_equation import snr_per_pulse

_TWO_PI = 2.0 * np.pi
RANGE_WINDOW_M = 3_000.0
"""Half-width of the range window a track dwell processes around its predicted range."""
_EIGHT_LN2 = 8.0 * np.log(2.0)


def pointed_dwells(
    site: LookSite,
    *,
    time_s: NDArray[np.float64],
    pointing_local_m: NDArray[np.float64],
    truth_time_s: float,
    position_enu_m: NDArray[np.float64],
    velocity_enu_mps: NDArray[np.float64],
    rcs_m2: NDArray[np.float64],
    truth_id: NDArray[np.int64],
    rng: np.random.Generator,
) -> tuple[DetectionBatch, NDArray[np.intp]]:
    """Detections of dwells ``time_s`` (k,) pointed at ``pointing_local_m`` (k, 3), and the
    dwell (index into the k) of each detection. See the module doc."""
    t = np.asarray(time_s, float)
    k, n = t.size, int(np.asarray(truth_id).size)
    if k == 0 or n == 0:
        return DetectionBatch.empty(), np.zeros(0, np.intp)
    local = _local_offsets_m(site, position_enu_m)
    vel = np.asarray(velocity_enu_mps, float).reshape(-1, 3) @ site.rotation_to_local.T
    moved = local[None, :, :] + vel[None, :, :] * (t - truth_time_s)[:, None, None]  # (k, n, 3)
    r, az, el, inside = _local_geometry(site, moved.reshape(-1, 3))
    pr, paz, pel, _ = _local_geometry(site, np.asarray(pointing_local_m, float).reshape(-1, 3))
    d_az = (np.mod(az.reshape(k, n) - paz[:, None] + np.pi, _TWO_PI) - np.pi) * np.cos(
        pel)[:, None]
    d_el = el.reshape(k, n) - pel[:, None]
    bw_az, bw_el = site.azimuth_beamwidth_rad, site.elevation_beamwidth_rad
    off2 = (d_az / bw_az) ** 2 + (0.0 if not np.isfinite(bw_el) else (d_el / bw_el) ** 2)
    lit = (inside.reshape(k, n) & (np.abs(d_az) <= bw_az) & (np.abs(r.reshape(k, n)
           - pr[:, None]) <= RANGE_WINDOW_M))
    if np.isfinite(bw_el):
        lit &= np.abs(d_el) <= bw_el
    terrain = getattr(site, "terrain", None)  # iadsim.terrain hook (None: smooth earth)
    if terrain is not None:
        lit &= terrain.visible(moved.reshape(-1, 3)).reshape(k, n)  # masking-table lookup
    dwell_of, target = np.nonzero(lit)
    flat = dwell_of * n + target
    rr, aa, ee = r[flat], az[flat], el[flat]
    snr = snr_per_pulse(rr, np.asarray(rcs_m2, float)[target], site.snr_1m2_1m)
    if terrain is not None:  # SNR -> SCNR: multipath F^4, surface clutter and MTI
        snr = terrain.scale_snr(snr, moved.reshape(-1, 3)[flat], vel[target])
    snr = snr * np.exp(-_EIGHT_LN2 * off2.reshape(-1)[flat])
    snr = snr * draw_rcs_factor(flat.size, site.swerling, site.n_pulses, rng=rng)
    rep, power, mr, ma, me = _merge_in_dwells(site, dwell_of, rr, aa, ee, snr)
    threshold = threshold_from_pfa(site.pfa, site.n_pulses)
    hit = draw_detections(power, threshold, site.n_pulses, rng=rng)
    rep, power, mr, ma, me = rep[hit], power[hit], mr[hit], ma[hit], me[hit]
    m = rep.size
    s_r, s_a, s_e = measurement_sigmas(site, power)
    batch = DetectionBatch(
        time_s=t[dwell_of[rep]],
        sensor_id=np.full(m, site.sensor_id, np.int32),
        range_m=measured_range_m(mr, s_r, site.min_range_m, rng=rng),
        azimuth_rad=np.mod(ma + s_a * rng.standard_normal(m), _TWO_PI),
        elevation_rad=me + s_e * rng.standard_normal(m),
        range_sigma_m=s_r,
        azimuth_sigma_rad=s_a,
        elevation_sigma_rad=s_e,
        snr_db=10.0 * np.log10(np.maximum(power, 1e-300)),
        truth_id=np.asarray(truth_id, np.int64)[target[rep]],
    )
    return batch, dwell_of[rep].astype(np.intp)


def _merge_in_dwells(
    site: LookSite, dwell_of: NDArray[np.int64], r: NDArray[np.float64],
    az: NDArray[np.float64], el: NDArray[np.float64], power: NDArray[np.float64],
) -> tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64],
           NDArray[np.float64]]:
    """Echoes of one dwell within the resolution of its strongest unmerged echo merge into it
    (power sum, power-weighted centroid); rows of the strongest members and the merged echoes.
    Dwells lighting one target (nearly all) skip the loop."""
    rep = np.arange(r.size, dtype=np.intp)
    out_p, out_r, out_a, out_e = power.copy(), r.copy(), az.copy(), el.copy()
    counts = np.bincount(dwell_of, minlength=1) if dwell_of.size else np.zeros(0, np.int64)
    keep = np.ones(r.size, bool)
    bw_el = site.elevation_beamwidth_rad
    for d in np.flatnonzero(counts > 1):  # loop over the rare dwells lighting several targets
        rows = np.flatnonzero(dwell_of == d)
        rows = rows[np.argsort(-power[rows], kind="stable")]
        free = np.ones(rows.size, bool)
        for i in range(rows.size):
            if not free[i]:
                continue
            a = rows[i]
            close = free & (np.abs(r[rows] - r[a]) < site.range_resolution_m) & (
                np.abs(np.mod(az[rows] - az[a] + np.pi, _TWO_PI) - np.pi) * np.cos(el[a])
                < site.azimuth_beamwidth_rad)
            if np.isfinite(bw_el):
                close &= np.abs(el[rows] - el[a]) < bw_el
            members = rows[close]
            w = power[members]
            out_p[a] = w_sum = w.sum()
            if w_sum == 0.0:  # as np.average says it
                raise ZeroDivisionError("Weights sum to zero, can't be normalized")
            out_r[a] = np.multiply(r[members], w).sum() / w_sum  # np.average's own steps
            # angles averaged as offsets from the strongest (no wrap through north)
            out_a[a] = np.mod(az[a] + np.multiply(
                np.mod(az[members] - az[a] + np.pi, _TWO_PI) - np.pi, w).sum() / w_sum, _TWO_PI)
            out_e[a] = np.multiply(el[members], w).sum() / w_sum
            keep[members] = False
            keep[a] = True
            free &= ~close
    return rep[keep], out_p[keep], out_r[keep], out_a[keep], out_e[keep]


def nearest_per_dwell(dwell_of: NDArray[np.intp], distance_m: NDArray[np.float64]
                      ) -> NDArray[np.bool_]:
    """Mask (n,) of the detection nearest its dwell's pointing position, one per dwell."""
    own = np.zeros(dwell_of.size, bool)
    if dwell_of.size:
        order = np.lexsort((distance_m, dwell_of))
        _, first = np.unique(dwell_of[order], return_index=True)
        own[order[first]] = True
    return own
