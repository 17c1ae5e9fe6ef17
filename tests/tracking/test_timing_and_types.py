"""One definition of track timing, and the tracking metrics per threat type (hand-built)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iadsim.tracking.metrics import PER_TYPE_COLUMNS, tracking_metrics
from iadsim.tracking.timing import timing_summary, with_track_timing

C = 100.0  # GOSPA cutoff (m), p = 2


def _case() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Two cruise missiles (1, 2) and an aircraft (3), times 0-3, far apart.

    Missile 1 is tracked 30 m off from t = 1, missile 2 never; the aircraft is tracked 40 m off
    throughout, by track 11 then (from t = 2) track 12: one swap. A false track at t = 2."""
    truth = pd.DataFrame(
        [(t, 1, 0.0, 0.0, 0.0) for t in range(4)] + [(t, 2, 10_000.0, 0.0, 0.0) for t in range(4)]
        + [(t, 3, 0.0, 20_000.0, 5_000.0) for t in range(4)],
        columns=["time_s", "threat_id", "east_m", "north_m", "up_m"])
    tracks = pd.DataFrame(
        [(t, 10, True, 30.0, 0.0, 0.0) for t in range(1, 4)]
        + [(t, 11 if t < 2 else 12, True, 0.0, 20_000.0, 5_040.0) for t in range(4)]
        + [(2, 13, True, 50_000.0, 0.0, 0.0)],
        columns=["time_s", "track_id", "confirmed", "east_m", "north_m", "up_m"])
    threats = pd.DataFrame({
        "threat_id": [1, 2, 3], "type": ["cruise_missile", "cruise_missile", "aircraft"],
        "launch_time_s": [-10.0, -10.0, -5.0],
        "first_detection_s": [0.5, 0.2, 3.0],  # the aircraft's booked detection came late
        "first_track_s": [1.0, np.nan, 0.0],
    })
    return truth, tracks, threats


def test_timing_has_one_definition_and_is_never_negative():
    _, _, threats = _case()
    timed = with_track_timing(threats)
    # tracked before its booked detection: first detected at its first track, delay 0
    np.testing.assert_allclose(timed["first_detection_s"], [0.5, 0.2, 0.0])
    np.testing.assert_allclose(timed["track_delay_s"], [0.5, np.nan, 0.0])
    np.testing.assert_allclose(timed["time_to_track_s"], [11.0, np.nan, 5.0])
    # the columns obey their own definition on every row
    want = timed["first_track_s"] - timed["first_detection_s"]
    pd.testing.assert_series_equal(timed["track_delay_s"], want, check_names=False)
    assert (timed["track_delay_s"].dropna() >= 0).all()
    s = timing_summary(timed)
    assert s["threats_detected"] == 3 and s["threats_tracked"] == 2
    assert s["track_delay_s_mean"] == pytest.approx(0.25)
    assert s["track_delay_s_max"] == pytest.approx(0.5)
    assert s["time_to_track_s_mean"] == pytest.approx(8.0)


def test_metrics_per_threat_type_by_hand():
    truth, tracks, threats = _case()
    out = tracking_metrics(truth, tracks, cutoff_m=C, p=2, threats=threats)
    per = out.per_type.set_index("type")
    assert list(out.per_type.columns) == list(PER_TYPE_COLUMNS)
    assert list(per.index) == ["aircraft", "cruise_missile"]
    miss = C**2 / 2  # GOSPA's p-th power per missed threat
    cm = per.loc["cruise_missile"]
    # t = 0: both missiles missed; t = 1-3: missile 1 at 30 m, missile 2 missed
    assert cm["gospa_m"] == pytest.approx((np.sqrt(2 * miss) + 3 * np.sqrt(900 + miss)) / 4)
    assert cm["localisation_m"] == pytest.approx(3 * 30.0 / 4)
    assert cm["missed_m"] == pytest.approx((np.sqrt(2 * miss) + 3 * np.sqrt(miss)) / 4)
    assert cm["rms_error_m"] == pytest.approx(30.0)
    assert cm["missed_fraction"] == pytest.approx(5 / 8)
    assert cm["missed_fraction_after_first_track"] == pytest.approx(0.0)
    assert cm["threats"] == 2 and cm["threats_tracked"] == 1 and cm["swaps"] == 0
    assert cm["track_delay_s_mean"] == pytest.approx(0.5)
    ac = per.loc["aircraft"]
    assert ac["gospa_m"] == pytest.approx(40.0) and ac["localisation_m"] == pytest.approx(40.0)
    assert ac["missed_m"] == 0.0 and ac["missed_fraction"] == 0.0
    assert ac["swaps"] == 1 and ac["track_breaks"] == 0
    assert ac["track_delay_s_mean"] == 0.0 and ac["time_to_track_s_mean"] == pytest.approx(5.0)
    # the types' parts and the false part add up (as squares) to the whole GOSPA at t = 2
    whole = out.per_step.set_index("time_s").loc[2.0]
    assert whole["gospa_m"] ** 2 == pytest.approx(900 + miss + 1600 + miss)  # + a false track
    # the summary's timing is the per-threat table's own
    assert out.summary["track_delay_s_mean"] == pytest.approx(
        out.per_threat["track_delay_s"].mean())


def test_per_type_is_empty_without_types():
    truth, tracks, threats = _case()
    assert tracking_metrics(truth, tracks, cutoff_m=C).per_type.empty
    out = tracking_metrics(truth, tracks, cutoff_m=C, threats=threats.drop(columns="type"))
    assert out.per_type.empty and "track_delay_s" in out.per_threat.columns
