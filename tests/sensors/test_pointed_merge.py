"""Echo merging within one dwell (``sensors.pointed._merge_in_dwells``): the vectorised path
for dwells whose echoes are all apart gives the greedy loop's result to the bit."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from iadsim.sensors.pointed import _merge_in_dwells

_TWO_PI = 2.0 * np.pi


def _reference(site, dwell_of, r, az, el, power):  # type: ignore[no-untyped-def]
    """The greedy merge, dwell by dwell, strongest first, with ``np.average`` (the model as
    first written, before the vectorised path)."""
    rep = np.arange(r.size)
    out = [power.copy(), r.copy(), az.copy(), el.copy()]
    keep = np.ones(r.size, bool)
    for d in np.unique(dwell_of):
        rows = np.flatnonzero(dwell_of == d)
        if rows.size < 2:
            continue
        rows = rows[np.argsort(-power[rows], kind="stable")]
        free = np.ones(rows.size, bool)
        for i in range(rows.size):
            if not free[i]:
                continue
            a = rows[i]
            close = free & (np.abs(r[rows] - r[a]) < site.range_resolution_m) & (
                np.abs(np.mod(az[rows] - az[a] + np.pi, _TWO_PI) - np.pi) * np.cos(el[a])
                < site.azimuth_beamwidth_rad)
            if np.isfinite(site.elevation_beamwidth_rad):
                close &= np.abs(el[rows] - el[a]) < site.elevation_beamwidth_rad
            m = rows[close]
            w = power[m]
            out[0][a] = w.sum()
            out[1][a] = np.average(r[m], weights=w)
            out[2][a] = np.mod(az[a] + np.average(
                np.mod(az[m] - az[a] + np.pi, _TWO_PI) - np.pi, weights=w), _TWO_PI)
            out[3][a] = np.average(el[m], weights=w)
            keep[m] = False
            keep[a] = True
            free &= ~close
    return (rep[keep], *(o[keep] for o in out))


def test_merge_matches_the_greedy_loop_bit_for_bit() -> None:
    rng = np.random.default_rng(5)
    for trial in range(40):
        n = int(rng.integers(1, 60))
        site = SimpleNamespace(range_resolution_m=150.0, azimuth_beamwidth_rad=0.02,
                               elevation_beamwidth_rad=0.03 if trial % 2 else np.inf)
        dwell_of = np.sort(rng.integers(0, max(1, n // 3), n))
        spread = 300.0 if trial % 3 else 5_000.0  # crowded cells, or mostly apart
        r = 40_000.0 + rng.uniform(0.0, spread, n)
        az = np.mod(rng.uniform(-0.03, 0.03, n) + (6.27 if trial % 4 == 0 else 1.0), _TWO_PI)
        el = rng.uniform(0.0, 0.05, n)
        power = rng.exponential(1.0, n)
        got = _merge_in_dwells(site, dwell_of, r, az, el, power)  # type: ignore[arg-type]
        want = _reference(site, dwell_of, r, az, el, power)
        for g, w in zip(got, want, strict=True):
            assert np.array_equal(g, w), trial
