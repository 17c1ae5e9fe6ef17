"""False alarms: counts consistent with Pfa x cells (seeded tests), positions over the volume."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from iadsim.sensors.clutter import (
    draw_false_alarms,
    in_sectors,
    mean_false_alarms,
    resolution_cell_count,
    sector_widths_rad,
)
from iadsim.sensors.detection import draw_detections, threshold_from_pfa

VOLUME = dict(
    min_range_m=1_000.0, max_range_m=151_000.0, min_elevation_rad=0.0, max_elevation_rad=0.5
)


def test_cell_count() -> None:
    n = resolution_cell_count(
        min_range_m=1_000.0,
        max_range_m=151_000.0,
        range_resolution_m=150.0,
        azimuth_extent_rad=2 * np.pi,
        azimuth_resolution_rad=2 * np.pi / 360,
    )
    assert n == pytest.approx(1000 * 360)
    n3 = resolution_cell_count(
        min_range_m=0.0,
        max_range_m=15_000.0,
        range_resolution_m=150.0,
        azimuth_extent_rad=1.0,
        azimuth_resolution_rad=0.1,
        elevation_extent_rad=0.5,
        elevation_resolution_rad=0.05,
    )
    assert n3 == pytest.approx(100 * 10 * 10)


def test_counts_are_poisson_with_mean_pfa_times_cells() -> None:
    rng = np.random.default_rng(2024)
    pfa, n_cells, looks = 1e-5, 360_000.0, 4000
    lam = mean_false_alarms(pfa, n_cells)
    counts = np.array(
        [len(draw_false_alarms(pfa=pfa, n_cells=n_cells, rng=rng, **VOLUME)) for _ in range(looks)]
    )
    # Mean: total count is Poisson(looks * lam); two-sided exact test.
    total = int(counts.sum())
    p_mean = 2 * min(
        stats.poisson.cdf(total, looks * lam), stats.poisson.sf(total - 1, looks * lam)
    )
    assert p_mean > 1e-3
    # Shape: chi-square goodness of fit of the count histogram to Poisson(lam).
    edges = np.arange(0, 9)
    observed = np.array([np.sum(counts == k) for k in edges[:-1]] + [np.sum(counts >= 8)])
    expected = np.concatenate([stats.poisson.pmf(edges[:-1], lam), [stats.poisson.sf(7, lam)]])
    _, p_shape = stats.chisquare(observed, expected * looks)
    assert p_shape > 1e-3


def test_noise_only_detector_on_every_cell_agrees_with_the_poisson_mean() -> None:
    # Independent route: run the square-law detector on every cell of a small look with no
    # target and count threshold crossings.
    rng = np.random.default_rng(5)
    pfa, n_cells, looks = 1e-3, 20_000, 50
    t = threshold_from_pfa(pfa, 4)
    crossings = np.array(
        [draw_detections(np.zeros(n_cells), t, 4, rng=rng).sum() for _ in range(looks)]
    )
    lam = mean_false_alarms(pfa, n_cells)
    assert abs(crossings.mean() - lam) < 4.0 * np.sqrt(lam / looks)


def test_positions_uniform_over_the_covered_volume() -> None:
    rng = np.random.default_rng(9)
    sectors = np.radians([[350.0, 20.0], [90.0, 120.0]])
    fa = draw_false_alarms(pfa=1e-2, n_cells=1e6, sectors_rad=sectors, rng=rng, **VOLUME)
    assert len(fa) > 9000
    assert np.all((fa.range_m >= 1_000.0) & (fa.range_m <= 151_000.0))
    assert np.all((fa.elevation_rad >= 0.0) & (fa.elevation_rad <= 0.5))
    assert np.all(in_sectors(fa.azimuth_rad, sectors))
    assert stats.kstest(fa.range_m, stats.uniform(1_000.0, 150_000.0).cdf).pvalue > 1e-3
    # Both sectors are 30 degrees wide: half the alarms in each.
    share = np.mean(in_sectors(fa.azimuth_rad, sectors[:1]))
    assert abs(share - 0.5) < 4 * np.sqrt(0.25 / len(fa))


def test_sectors() -> None:
    sectors = np.radians([[350.0, 10.0], [0.0, 360.0]])
    np.testing.assert_allclose(sector_widths_rad(sectors), np.radians([20.0, 360.0]))
    mask = in_sectors(np.radians([355.0, 5.0, 20.0, 349.0]), sectors[:1])
    np.testing.assert_array_equal(mask, [True, True, False, False])
    assert in_sectors(np.radians([123.0]), sectors[1:]).all()
    assert in_sectors(np.zeros(0), sectors).shape == (0,)


def test_zero_pfa_cells_give_no_alarms() -> None:
    fa = draw_false_alarms(pfa=1e-6, n_cells=0.0, rng=np.random.default_rng(0), **VOLUME)
    assert len(fa) == 0
