"""Merging of unresolved targets, checked against a brute-force grouping."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from iadsim.sensors.resolution import merge_unresolved, resolution_cells

RES = dict(
    range_resolution_m=150.0,
    azimuth_resolution_rad=np.radians(1.0),
    elevation_resolution_rad=np.radians(2.0),
)


def test_two_targets_in_one_cell_give_one_detection() -> None:
    r = np.array([10_060.0, 10_100.0, 20_000.0])
    az = np.radians([30.1, 30.6, 30.1])
    el = np.radians([1.1, 1.5, 1.1])
    power = np.array([1.0, 3.0, 2.0])
    merged = merge_unresolved(r, az, el, power, **RES)
    assert len(merged) == 2
    np.testing.assert_array_equal(merged.cell_of_row, [0, 0, 1])
    np.testing.assert_array_equal(merged.representative_row, [1, 2])  # strongest member
    np.testing.assert_array_equal(merged.member_count, [2, 1])
    np.testing.assert_allclose(merged.power, [4.0, 2.0])
    np.testing.assert_allclose(merged.range_m, [(10_060.0 + 3 * 10_100.0) / 4, 20_000.0])
    np.testing.assert_allclose(merged.azimuth_rad[0], np.radians((30.1 + 3 * 30.6) / 4))
    np.testing.assert_allclose(merged.elevation_rad[0], np.radians((1.1 + 3 * 1.5) / 4))


def test_resolved_targets_keep_their_order() -> None:
    r = np.array([30_000.0, 10_000.0, 20_000.0])
    merged = merge_unresolved(r, np.zeros(3), np.zeros(3), np.array([1.0, 2.0, 3.0]), **RES)
    np.testing.assert_array_equal(merged.representative_row, [0, 1, 2])
    np.testing.assert_allclose(merged.range_m, r)


def test_close_formation_looks_like_fewer_targets() -> None:
    # Eight aircraft 40 m apart in trail: 280 m of formation spans two or three 150 m gates.
    r = 50_000.0 + 40.0 * np.arange(8)
    merged = merge_unresolved(r, np.full(8, 1.0), np.full(8, 0.05), np.ones(8), **RES)
    gates = np.unique(np.floor(r / 150.0))
    assert len(merged) == len(gates) < 8
    assert merged.member_count.sum() == 8


def test_groups_do_not_merge() -> None:
    merged = merge_unresolved(
        np.full(2, 1e4), np.zeros(2), np.zeros(2), np.ones(2), group=np.array([0, 1]), **RES
    )
    assert len(merged) == 2


def test_fan_beam_merges_all_elevations() -> None:
    merged = merge_unresolved(
        np.full(2, 1e4),
        np.zeros(2),
        np.radians([1.0, 30.0]),
        np.ones(2),
        range_resolution_m=150.0,
        azimuth_resolution_rad=0.02,
    )
    assert len(merged) == 1


def test_azimuth_centroid_near_north_does_not_wrap() -> None:
    az = np.array([2 * np.pi - 0.001, 2 * np.pi - 0.003])
    merged = merge_unresolved(
        np.full(2, 1e4),
        az,
        np.zeros(2),
        np.ones(2),
        range_resolution_m=150.0,
        azimuth_resolution_rad=0.01,
    )
    assert merged.azimuth_rad[0] == pytest.approx(2 * np.pi - 0.002)


def _check_against_brute_force(r, az, el, power, group, res: dict[str, float]) -> None:
    """Merging equals grouping the rows by (group, gate, beam, level) in a Python dict."""
    merged = merge_unresolved(r, az, el, power, group=group, **res)
    cells = resolution_cells(r, az, el, **res)
    buckets: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for i in range(len(r)):
        buckets[(int(group[i]), *map(int, cells[i]))].append(i)
    assert len(merged) == len(buckets)
    expected_rep = sorted(max(rows, key=lambda i: power[i]) for rows in buckets.values())
    np.testing.assert_array_equal(merged.representative_row, expected_rep)
    for rows in buckets.values():
        k = merged.cell_of_row[rows[0]]
        assert np.all(merged.cell_of_row[rows] == k)
        assert merged.power[k] == pytest.approx(power[rows].sum())
        assert merged.range_m[k] == pytest.approx(np.average(r[rows], weights=power[rows]))


def test_against_brute_force_grouping() -> None:
    rng = np.random.default_rng(11)
    n = 3000
    r = rng.uniform(1e3, 3e4, n)
    az = rng.uniform(0, 0.3, n)
    el = rng.uniform(0, 0.2, n)
    power = rng.exponential(1.0, n) + 1e-3
    _check_against_brute_force(r, az, el, power, rng.integers(0, 3, n), RES)


@pytest.mark.parametrize(
    ("range_res_m", "az_res_rad", "el_res_rad"),
    [(1e-6, 1e-11, 1e-11), (1e-9, 2 * np.pi, np.inf), (150.0, 1e-12, 1e-12)],
)
def test_cells_too_fine_to_pack_in_int64_still_merge_exactly(
    range_res_m: float, az_res_rad: float, el_res_rad: float
) -> None:
    # Regression: the packed cell key overflowed int64 (or refused) for very fine cells.
    rng = np.random.default_rng(5)
    n = 400
    r = rng.uniform(1e3, 4e5, n)
    az = rng.uniform(0, 2 * np.pi, n)
    el = rng.uniform(-0.05, 0.7, n)
    r[200:260], az[200:260], el[200:260] = r[:60], az[:60], el[:60]  # exact duplicates merge
    power = rng.exponential(1.0, n) + 1e-3
    res = {"range_resolution_m": range_res_m, "azimuth_resolution_rad": az_res_rad,
           "elevation_resolution_rad": el_res_rad}
    _check_against_brute_force(r, az, el, power, rng.integers(0, 4, n), res)


@pytest.mark.parametrize("n", [0, 1, 64])
def test_shapes(n: int) -> None:
    rng = np.random.default_rng(n)
    merged = merge_unresolved(
        rng.uniform(1e3, 1e5, n), rng.uniform(0, 6, n), rng.uniform(0, 1, n), np.ones(n), **RES
    )
    assert merged.cell_of_row.shape == (n,)
    assert len(merged) <= n
    assert merged.range_m.shape == merged.power.shape == (len(merged),)


def test_empty_with_groups() -> None:
    merged = merge_unresolved(
        np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0), group=np.zeros(0, np.int64), **RES
    )
    assert len(merged) == 0
