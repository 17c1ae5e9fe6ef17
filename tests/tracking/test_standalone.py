"""The tracker on its own: a DataFrame of detections in, a DataFrame of tracks out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iadsim.errors import InputDataError
from iadsim.scenario.tracking_spec import TrackingSpec
from iadsim.tracking import track_detections, tracking_metrics
from iadsim.world.frames import enu_to_aer

RAD = {"angle_unit": "rad", "azimuth_from": "north_clockwise"}


def _frame(rng, n_scans=15, radars=((0.0, 0.0, 10.0), (40_000.0, 10_000.0, 30.0))):
    """Two targets seen by two radars, one row per detection, sigmas given per row."""
    pos0 = np.array([[20_000.0, 30_000.0, 5_000.0], [-10_000.0, 25_000.0, 8_000.0]])
    vel = np.array([[100.0, -150.0, 0.0], [200.0, 0.0, 0.0]])
    rows = []
    for k in range(1, n_scans + 1):
        for s, radar in enumerate(radars):
            t = k + 0.3 * s
            r, a, e = enu_to_aer(pos0 + vel * t - np.array(radar))
            for i in range(2):
                rows.append({
                    "time_s": t, "radar_east_m": radar[0], "radar_north_m": radar[1],
                    "radar_up_m": radar[2], "range_m": r[i] + rng.normal(0, 25.0),
                    "azimuth_rad": a[i] + rng.normal(0, 1.5e-3),
                    "elevation_rad": e[i] + rng.normal(0, 1.5e-3),
                    "range_sigma_m": 25.0, "azimuth_sigma_rad": 1.5e-3,
                    "elevation_sigma_rad": 1.5e-3, "truth_id": i,
                })
    truth = pd.DataFrame([
        {"time_s": k + 0.3 * s, "threat_id": i, "east_m": p[0], "north_m": p[1], "up_m": p[2]}
        for k in range(1, n_scans + 1) for s in range(len(radars))
        for i, p in enumerate(pos0 + vel * (k + 0.3 * s))
    ])
    return pd.DataFrame(rows), truth


def test_track_detections_returns_tracks_frame(rng):
    frame, truth = _frame(rng)
    tracks = track_detections(frame, confirmed_only=False, **RAD)
    assert list(tracks.columns[:4]) == ["time_s", "track_id", "confirmed", "east_m"]
    last = tracks[tracks["time_s"] == tracks["time_s"].max()]
    assert len(last) == 2 and last["confirmed"].all()
    assert sorted(last["truth_id"]) == [0, 1]
    m = tracking_metrics(truth, tracks, cutoff_m=500.0)
    assert m.summary["swaps"] == 0 and m.summary["track_breaks"] == 0
    assert m.per_step["localisation_m"].iloc[-1] < 100.0
    assert tracks.attrs["rejected_rows"] == []


def test_default_sigmas_and_radar_ids(rng):
    frame, _ = _frame(rng)
    frame = frame.drop(columns=["range_sigma_m", "azimuth_sigma_rad", "elevation_sigma_rad"])
    frame["radar"] = (frame["radar_east_m"] > 0).astype(int) + 7
    tracks = track_detections(frame, TrackingSpec(motion_model="ncv"),
                              sigmas=(25.0, 1.5e-3, 1.5e-3), **RAD)
    assert tracks["confirmed"].all()
    assert set(tracks["track_id"]) == {0, 1}


def test_empty_frame_gives_empty_tracks():
    frame = pd.DataFrame({c: pd.Series(dtype=float) for c in (
        "time_s", "radar_east_m", "radar_north_m", "radar_up_m", "range_m", "azimuth_rad",
        "elevation_rad")})
    tracks = track_detections(frame, sigmas=(30.0, 2e-3, 2e-3), **RAD)
    assert len(tracks) == 0 and "track_id" in tracks.columns


def test_bad_rows_are_named_or_dropped(rng):
    frame, _ = _frame(rng)
    frame.loc[3, "range_m"] = np.nan
    frame.loc[10, "azimuth_rad"] = np.inf
    frame.loc[20, "time_s"] = 0.5  # earlier than the rows before it
    with pytest.raises(InputDataError, match=r"row 3 .*range_m must be finite") as err:
        track_detections(frame, **RAD)
    assert err.value.rows == [3, 10, 20]
    assert "row 20" in str(err.value) and "goes backwards" in str(err.value)
    tracks = track_detections(frame, on_bad_rows="drop", **RAD)
    assert tracks.attrs["rejected_rows"] == [3, 10, 20]
    last = tracks[tracks["time_s"] == tracks["time_s"].max()]
    assert last["confirmed"].sum() == 2


def test_missing_column_is_named():
    with pytest.raises(InputDataError, match=r"missing column.*range_m"):
        track_detections(pd.DataFrame({"time_s": [1.0]}), **RAD)


def test_readme_example_runs():
    """The example in README.md's tracking section, verbatim in spirit."""
    rng = np.random.default_rng(0)
    times = np.arange(1.0, 21.0)
    truth = np.array([30_000.0, 10_000.0, 6_000.0]) + np.outer(times, [-200.0, 0.0, 0.0])
    r, a, e = enu_to_aer(truth)
    detections = pd.DataFrame({
        "time_s": times, "radar_east_m": 0.0, "radar_north_m": 0.0, "radar_up_m": 0.0,
        "range_m": r + rng.normal(0, 30, len(times)),
        "azimuth_rad": a + rng.normal(0, 2e-3, len(times)),
        "elevation_rad": e + rng.normal(0, 2e-3, len(times)),
    })
    tracks = track_detections(detections, TrackingSpec(association="gnn"),
                              sigmas=(30.0, 2e-3, 2e-3), **RAD)
    confirmed = tracks[tracks["confirmed"]]
    assert confirmed["track_id"].unique().tolist() == [0]
    assert confirmed["time_s"].min() == 3.0
