"""GOSPA, OSPA and track continuity against hand-worked examples and Stone Soup."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iadsim.tracking.metrics import gospa, ospa, tracking_metrics


def test_gospa_hand_worked_example():
    truth = np.array([[0.0, 0, 0], [100.0, 0, 0], [5000.0, 0, 0]])
    tracks = np.array([[3.0, 4.0, 0], [100.0, 0, 10.0], [0.0, 9000.0, 0]])
    g = gospa(truth, tracks, cutoff_m=50.0, p=2)
    # pairs at 5 m and 10 m; one missed, one false: 25 + 100 + 2500/2 + 2500/2 = 2625
    assert g.gospa_m == pytest.approx(np.sqrt(2625.0))
    assert g.localisation_m == pytest.approx(np.sqrt(125.0))
    assert g.missed_m == pytest.approx(np.sqrt(1250.0))
    assert g.false_m == pytest.approx(np.sqrt(1250.0))
    assert (g.n_missed, g.n_false) == (1, 1)
    assert sorted(zip(g.truth_index.tolist(), g.track_index.tolist(), strict=True)) == [
        (0, 0), (1, 1)]
    # OSPA: (25 + 100 + 2500) / 3
    assert ospa(truth, tracks, cutoff_m=50.0, p=2) == pytest.approx(np.sqrt(875.0))


@pytest.mark.parametrize("m,n", [(0, 0), (0, 2), (3, 0)])
def test_gospa_and_ospa_with_empty_sets(m, n):
    g = gospa(np.zeros((m, 3)), np.ones((n, 3)), cutoff_m=10.0, p=2)
    assert g.gospa_m == pytest.approx(np.sqrt(50.0 * (m + n)))
    assert (g.n_missed, g.n_false) == (m, n)
    expect = 0.0 if m == n == 0 else 10.0
    assert ospa(np.zeros((m, 3)), np.ones((n, 3)), cutoff_m=10.0) == expect


def test_gospa_matches_stone_soup(rng):
    pytest.importorskip("stonesoup")
    from datetime import datetime

    from stonesoup.measures import Euclidean
    from stonesoup.metricgenerator.ospametric import GOSPAMetric
    from stonesoup.types.state import State

    now = datetime(2026, 1, 1)
    metric = GOSPAMetric(c=300.0, p=2, measure=Euclidean(mapping=(0, 1, 2)))
    for _ in range(10):
        truth = rng.uniform(0, 1000, (int(rng.integers(0, 8)), 3))
        tracks = rng.uniform(0, 1000, (int(rng.integers(0, 8)), 3))
        ours = gospa(truth, tracks, cutoff_m=300.0, p=2)
        ref, _ = metric.compute_gospa_metric(
            [State(t.reshape(3, 1), timestamp=now) for t in tracks],
            [State(t.reshape(3, 1), timestamp=now) for t in truth],
        )
        assert ours.gospa_m == pytest.approx(ref.value["distance"], abs=1e-9)
        assert ours.localisation_m**2 == pytest.approx(ref.value["localisation"], abs=1e-6)
        assert ours.missed_m**2 == pytest.approx(ref.value["missed"], abs=1e-6)
        assert ours.false_m**2 == pytest.approx(ref.value["false"], abs=1e-6)


def _truth(rows):
    return pd.DataFrame(rows, columns=["time_s", "threat_id", "east_m", "north_m", "up_m"])


def _tracks(rows):
    return pd.DataFrame(
        rows, columns=["time_s", "track_id", "confirmed", "east_m", "north_m", "up_m"]
    )


def test_tracking_metrics_breaks_swaps_and_first_assigned():
    # threat 7 at x = 0, threat 9 at x = 10 km, times 0..5.
    truth = _truth([(t, 7, 0.0, 0.0, 0.0) for t in range(6)]
                   + [(t, 9, 10_000.0, 0.0, 0.0) for t in range(6)])
    tracks = _tracks(
        # threat 7: untracked at 0, track 1 at 1-2, gap at 3, track 1 at 4, track 2 at 5
        [(1, 1, True, 5.0, 0, 0), (2, 1, True, 5.0, 0, 0), (4, 1, True, 5.0, 0, 0),
         (5, 2, True, 5.0, 0, 0)]
        # threat 9: tentative track 3 at 0 (ignored), confirmed track 3 from 1 on, no breaks
        + [(0, 3, False, 10_000.0, 0, 0)]
        + [(t, 3, True, 10_000.0, 3.0, 0) for t in range(1, 6)]
        # a false track at time 2
        + [(2, 4, True, 50_000.0, 0, 0)]
    )
    threats = pd.DataFrame({"threat_id": [7, 9], "first_detection_s": [0.0, 0.0],
                            "first_track_s": [1.0, np.nan]})
    out = tracking_metrics(truth, tracks, cutoff_m=100.0, p=2, threats=threats)
    per = out.per_threat.set_index("threat_id")
    assert per.loc[7, "first_assigned_s"] == 1.0 and per.loc[9, "first_assigned_s"] == 1.0
    assert per.loc[7, "track_breaks"] == 1 and per.loc[9, "track_breaks"] == 0
    assert per.loc[7, "swaps"] == 1 and per.loc[9, "swaps"] == 0
    assert per.loc[7, "track_delay_s"] == 1.0 and np.isnan(per.loc[9, "track_delay_s"])
    assert out.summary["threats_tracked"] == 1 and out.summary["threats_assigned"] == 2
    step = out.per_step.set_index("time_s")
    assert list(step["n_truth"]) == [2] * 6
    assert step.loc[0, "n_missed"] == 2 and step.loc[0, "n_tracks"] == 0
    assert step.loc[2, "n_false"] == 1 and step.loc[3, "n_missed"] == 1
    assert step.loc[1, "gospa_m"] == pytest.approx(np.sqrt(25.0 + 9.0))
    assert out.summary["track_breaks"] == 1 and out.summary["swaps"] == 1
    assert out.summary["missed_fraction"] == pytest.approx(3 / 12)


def test_tracking_metrics_with_no_tracks_and_no_truth():
    empty_truth = _truth([])
    empty_tracks = _tracks([])
    out = tracking_metrics(empty_truth, empty_tracks)
    assert len(out.per_step) == 0 and len(out.per_threat) == 0
    out = tracking_metrics(_truth([(0.0, 1, 0, 0, 0)]), empty_tracks, cutoff_m=10.0)
    assert out.per_step["missed_m"].iloc[0] == pytest.approx(np.sqrt(50.0))
    assert np.isnan(out.per_threat["first_assigned_s"].iloc[0])


def test_a_track_that_wanders_to_another_threat_is_let_go():
    truth = _truth([(t, 1, 0.0, 0.0, 0.0) for t in range(4)]
                   + [(t, 2, 1_500.0, 0.0, 0.0) for t in range(4)])
    tracks = _tracks([(0, 5, True, 10.0, 0, 0), (1, 5, True, 10.0, 0, 0),
                      (2, 5, True, 1_300.0, 0, 0), (3, 5, True, 1_300.0, 0, 0)])
    per = tracking_metrics(truth, tracks, cutoff_m=5_000.0).per_threat.set_index("threat_id")
    assert per.loc[2, "first_assigned_s"] == 2.0
    assert per.loc[1, "track_breaks"] == 0 and per.loc[1, "swaps"] == 0
    # within the cutoff and not clearly nearer another threat, the track stays with threat 1
    tracks = _tracks([(0, 5, True, 10.0, 0, 0), (1, 5, True, 10.0, 0, 0),
                      (2, 5, True, 700.0, 0, 0), (3, 5, True, 700.0, 0, 0)])
    per = tracking_metrics(truth, tracks, cutoff_m=5_000.0).per_threat.set_index("threat_id")
    assert np.isnan(per.loc[2, "first_assigned_s"])
