"""``track_detections`` is hard to misuse: units and conventions explicit, bad input rejected."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_standalone import RAD, _frame

from iadsim.errors import InputDataError
from iadsim.scenario.tracking_spec import TrackingSpec
from iadsim.tracking import track_detections
from iadsim.tracking.detection_table import ImplausibleInputWarning
from iadsim.tracking.management import initiate

POS = ["east_m", "north_m", "up_m"]


def _same_tracks(a: pd.DataFrame, b: pd.DataFrame, atol: float = 1e-6) -> None:
    assert len(a) == len(b) and len(a) > 0
    assert a["track_id"].tolist() == b["track_id"].tolist()
    np.testing.assert_allclose(a[POS].to_numpy(), b[POS].to_numpy(), atol=atol)


def test_units_and_conventions_are_required_arguments(rng):
    frame, _ = _frame(rng)
    with pytest.raises(TypeError, match="angle_unit"):
        track_detections(frame, azimuth_from="north_clockwise")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="azimuth_from"):
        track_detections(frame, angle_unit="rad")  # type: ignore[call-arg]
    with pytest.raises(InputDataError, match="angle_unit must be 'rad' or 'deg'"):
        track_detections(frame, angle_unit="radians", azimuth_from="north_clockwise")


def test_degrees_and_mathematical_azimuth_give_the_same_tracks(rng):
    frame, _ = _frame(rng)
    ref = track_detections(frame, **RAD)
    deg = frame.rename(columns={"azimuth_rad": "azimuth_deg", "elevation_rad": "elevation_deg",
                                "azimuth_sigma_rad": "azimuth_sigma_deg",
                                "elevation_sigma_rad": "elevation_sigma_deg"})
    # mathematical angle: from east towards north = 90 deg - compass bearing, wrapped to +-180
    deg["azimuth_deg"] = (90.0 - np.degrees(frame["azimuth_rad"]) + 180.0) % 360.0 - 180.0
    for c in ("elevation", "azimuth_sigma", "elevation_sigma"):
        deg[f"{c}_deg"] = np.degrees(frame[f"{c}_rad"])
    out = track_detections(deg, angle_unit="deg", azimuth_from="east_counterclockwise")
    _same_tracks(ref, out, atol=1e-3)
    with pytest.raises(InputDataError, match=r"azimuth_deg.*do not match angle_unit='rad'"):
        track_detections(deg, **RAD)


def test_degrees_given_as_radians_are_rejected(rng):
    frame, _ = _frame(rng)
    frame["azimuth_rad"] = np.degrees(frame["azimuth_rad"])
    frame["elevation_rad"] = np.degrees(frame["elevation_rad"])
    outside = np.flatnonzero((frame["azimuth_rad"].abs() > 2 * np.pi)
                             | (frame["elevation_rad"].abs() > np.pi / 2))
    assert len(outside) > len(frame) // 2  # the test's premise: most rows are out of range
    with pytest.raises(InputDataError, match=r"azimuth_rad must be within \+-6.28319 rad "
                                             r"\(degrees\?") as err:
        track_detections(frame, **RAD)
    assert set(outside) <= set(err.value.rows)


def test_angle_sigmas_in_degrees_are_rejected(rng):
    frame, _ = _frame(rng)
    frame.loc[4, "elevation_sigma_rad"] = 0.2  # 11.5 degrees: a sigma in degrees
    with pytest.raises(InputDataError, match=r"row 4 .*elevation_sigma_rad must be <= 0.08727"):
        track_detections(frame, **RAD)
    frame = frame.drop(columns=["azimuth_sigma_rad", "elevation_sigma_rad"])
    with pytest.raises(InputDataError, match=r"sigmas must be .*<= 0.08727 rad"):
        track_detections(frame, sigmas=(25.0, 0.1, 0.1), **RAD)


def test_sigmas_are_required_when_columns_are_missing(rng):
    frame, _ = _frame(rng)
    frame = frame.drop(columns=["range_sigma_m"])
    with pytest.raises(InputDataError, match=r"no column\(s\) range_sigma_m and no sigmas"):
        track_detections(frame, **RAD)
    with_default = track_detections(frame, sigmas=(25.0, 1e-3, 1e-3), **RAD)
    assert with_default["confirmed"].all()


def test_datetime_times_are_read_as_seconds(rng, tmp_path):
    frame, _ = _frame(rng)
    ref = track_detections(frame, **RAD)
    t0 = pd.Timestamp("2026-03-01 12:00:00")
    for unit in ("ns", "us", "ms"):
        dt = frame.assign(time_s=(t0 + pd.to_timedelta(frame["time_s"], unit="s"))
                          .astype(f"datetime64[{unit}]"))
        out = track_detections(dt, **RAD)
        first = frame["time_s"].min()  # datetimes count from the earliest one
        np.testing.assert_allclose(out["time_s"], ref["time_s"] - first)
        _same_tracks(ref, out)
        assert out["time"].iloc[-1] == t0 + pd.Timedelta(seconds=float(ref["time_s"].iloc[-1]))
        assert out.attrs["time_origin"] == (t0 + pd.Timedelta(seconds=first)).isoformat()
    aware = frame.drop(columns="time_s").assign(
        time=(t0 + pd.to_timedelta(frame["time_s"], unit="s")).dt.tz_localize("Europe/Paris"))
    out = track_detections(aware, **RAD)
    _same_tracks(ref, out)
    out.to_parquet(tmp_path / "tracks.parquet")  # attrs stay JSON: the frame writes
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "tracks.parquet"), out)


def test_times_in_milliseconds(rng):
    frame, _ = _frame(rng)
    ref = track_detections(frame, **RAD)
    ms = frame.assign(time_s=frame["time_s"] * 1e3)
    with pytest.raises(InputDataError, match=r"scans every 1000 s .*longer than "
                                             r"tracking.max_coast_s = 30 s.*time_ms"):
        track_detections(ms, **RAD)
    out = track_detections(ms.rename(columns={"time_s": "time_ms"}), **RAD)
    np.testing.assert_allclose(out["time_s"], ref["time_s"])
    _same_tracks(ref, out)


def test_scans_a_million_seconds_apart_are_rejected(rng):
    frame, _ = _frame(rng)
    frame.loc[frame.index >= 30, "time_s"] += 1e6  # a datetime read as microseconds
    with pytest.raises(InputDataError, match=r"row 30 .*time_s is more than 86400 s after") \
            as err:
        track_detections(frame, **RAD)
    assert err.value.rows == [30]


def test_not_numbers_raise_input_errors_naming_rows(rng):
    frame, _ = _frame(rng)
    frame = frame.astype({"range_m": object, "truth_id": float})
    frame.loc[2, "range_m"] = "12 km"
    frame.loc[5, "truth_id"] = 1.5
    frame["radar"] = (frame["radar_east_m"] > 0).astype(float)
    frame.loc[7, "radar"] = np.nan
    frame.loc[8, "truth_id"] = np.nan  # unknown: allowed (a false alarm or not known)
    frame.loc[9, "time_s"] = np.nan
    with pytest.raises(InputDataError) as err:
        track_detections(frame, **RAD)
    text = str(err.value)
    assert "row 2 (index 2): range_m must be a number (got '12 km')" in text
    assert "row 5 (index 5): truth_id must be an integer (got 1.5)" in text
    assert "row 7 (index 7): radar must be an integer" in text
    assert "row 9 (index 9): time_s must be finite" in text
    assert err.value.rows == [2, 5, 7, 9]
    dropped = track_detections(frame, on_bad_rows="drop", **RAD)
    assert dropped.attrs["rejected_rows"] == [2, 5, 7, 9]
    with pytest.raises(InputDataError, match="must be a pandas DataFrame"):
        track_detections(frame.to_dict(), **RAD)  # type: ignore[arg-type]


def test_one_position_per_radar_id(rng):
    frame, _ = _frame(rng)
    frame["radar"] = 0  # both radars under one id
    with pytest.raises(InputDataError, match=r"row 2 .*radar has another position"):
        track_detections(frame, **RAD)


def test_confirmed_only_is_the_default(rng):
    frame, _ = _frame(rng)
    every = track_detections(frame, confirmed_only=False, **RAD)
    assert not every["confirmed"].all()  # tentative tracks exist early on
    default = track_detections(frame, **RAD)
    assert default["confirmed"].all()
    pd.testing.assert_frame_equal(default, every[every["confirmed"]].reset_index(drop=True))


def test_scans_without_detections_still_report_tracks(rng):
    frame, truth = _frame(rng)
    quiet = [8.0, 8.3]  # both radars' scans at k = 8 detected nothing
    gap = frame[~frame["time_s"].isin(quiet)]
    out = track_detections(gap, report_times_s=quiet, **RAD)
    for t in quiet:
        held = out[out["time_s"] == t]
        assert sorted(held["truth_id"]) == [0, 1]  # both tracks held and predicted
        want = truth[np.isclose(truth["time_s"], t)].sort_values("threat_id")
        got = held.sort_values("truth_id")
        err = np.linalg.norm(got[POS].to_numpy() - want[POS].to_numpy(), axis=1)
        assert np.all(err < 5 * got["position_sigma_m"].to_numpy())
    # a scan whose every row is bad and dropped reports too
    bad = frame.copy()
    bad.loc[bad["time_s"] == 8.0, "range_m"] = np.nan
    dropped = track_detections(bad, on_bad_rows="drop", **RAD)
    assert (dropped["time_s"] == 8.0).sum() == 2


def test_initiation_velocity_prior_per_axis(rng):
    spec = TrackingSpec(initiation_velocity_sigma_horizontal_mps=300.0,
                        initiation_velocity_sigma_vertical_mps=20.0)
    born = initiate(np.zeros((2, 3)), np.broadcast_to(np.eye(3), (2, 3, 3)),
                    np.array([0, 1]), sensor_id=0, n_sensors=1, time_s=0.0, first_id=0,
                    n_models=1, spec=spec)
    np.testing.assert_allclose(np.diagonal(born.p[0, 0])[3:], [300.0**2, 300.0**2, 20.0**2])
    default = initiate(np.zeros((1, 3)), np.eye(3)[None], np.array([0]), sensor_id=0,
                       n_sensors=1, time_s=0.0, first_id=0, n_models=1, spec=TrackingSpec())
    np.testing.assert_allclose(np.diagonal(default.p[0, 0])[3:], (3_500.0 / 2) ** 2)
    # level targets: a tight vertical prior keeps young tracks' climb rates near the truth (0)
    frame, _ = _frame(rng)
    loose = track_detections(frame, TrackingSpec(motion_model="ncv"), **RAD)
    tight = track_detections(frame, TrackingSpec(motion_model="ncv"),
                             initiation_velocity_sigma_mps=(300.0, 10.0), **RAD)
    young = [f[f["time_s"] <= f["time_s"].min() + 3] for f in (loose, tight)]
    assert young[1]["vel_up_mps"].abs().mean() < 0.5 * young[0]["vel_up_mps"].abs().mean()


def test_process_noise_named_as_a_spectral_density(rng):
    frame, _ = _frame(rng)
    q = 16.0  # m^2/s^3: an RMS velocity change of 4 m/s over one second
    by_psd = track_detections(frame, TrackingSpec(motion_model="ncv"),
                              process_noise_psd_m2ps3=q, **RAD)
    by_spec = track_detections(frame, TrackingSpec(motion_model="ncv",
                                                   process_noise_accel_mps2=4.0), **RAD)
    pd.testing.assert_frame_equal(by_psd, by_spec)
    with pytest.raises(InputDataError, match="process_noise_psd_m2ps3 must be > 0"):
        track_detections(frame, process_noise_psd_m2ps3=-1.0, **RAD)


_CELLS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64), st.integers(-10**6, 10**6),
    st.none(), st.booleans(), st.text(max_size=4), st.just(pd.Timestamp("2026-01-01")))


@settings(max_examples=20)
@given(st.data())
def test_any_garbage_gives_tracks_or_an_input_error(data):
    """Whatever the cells hold, the caller gets tracks or ``InputDataError``, nothing else."""
    n = data.draw(st.integers(0, 6))
    columns = ["time_s", "radar_east_m", "radar_north_m", "radar_up_m", "range_m",
               "azimuth_rad", "elevation_rad", "range_sigma_m", "azimuth_sigma_rad",
               "elevation_sigma_rad", "radar", "truth_id"]
    keep = data.draw(st.lists(st.sampled_from(columns), min_size=1, unique=True))
    frame = pd.DataFrame({c: data.draw(st.lists(_CELLS, min_size=n, max_size=n)) for c in keep})
    drop = data.draw(st.sampled_from(["raise", "drop"]))
    try:
        out = track_detections(frame, on_bad_rows=drop, sigmas=(30.0, 1e-3, 1e-3), **RAD)
    except InputDataError:
        return
    assert list(out.columns[:12]) == ["time_s", "track_id", "confirmed", "east_m", "north_m",
                                      "up_m", "vel_east_mps", "vel_north_mps", "vel_up_mps",
                                      "position_sigma_m", "quality", "truth_id"]


def test_radians_in_degree_columns_warn(rng):
    frame, _ = _frame(rng)
    deg = frame.rename(columns={"azimuth_rad": "azimuth_deg", "elevation_rad": "elevation_deg",
                                "azimuth_sigma_rad": "azimuth_sigma_deg",
                                "elevation_sigma_rad": "elevation_sigma_deg"})
    with pytest.warns(ImplausibleInputWarning, match="radians given as degrees"):
        track_detections(deg, angle_unit="deg", azimuth_from="north_clockwise")
