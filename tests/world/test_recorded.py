"""Recorded trajectories: CSV/Parquet -> per-id tracks interpolated in time; errors that point."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iadsim.errors import InputDataError
from iadsim.world.frames import Origin, geodetic_to_enu
from iadsim.world.recorded import read_trajectory_file

M_PER_DEG_LAT = 111_000.0  # generous: the bound below only needs an upper estimate


def _curvy(t: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A weaving, climbing path (closed form) for track k."""
    lat = 52.0 + 0.002 * t + 0.01 * np.sin(0.05 * t + k)
    lon = 5.0 + 0.003 * t + 0.01 * np.cos(0.04 * t + k)
    alt = 1000.0 + 5.0 * t + 200.0 * np.sin(0.1 * t)
    return lat, lon, alt


def _write(path: Path, frame: pd.DataFrame) -> Path:
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_threat_follows_its_file_within_the_interpolation_error(tmp_path: Path,
                                                                suffix: str) -> None:
    h = 2.0  # sample spacing
    rows = []
    for k, name in enumerate(["alpha", "bravo"]):
        t = np.arange(10.0 * k, 200.0, h)
        lat, lon, alt = _curvy(t, k)
        rows.append(pd.DataFrame({"id": name, "time_s": t, "lat_deg": lat, "lon_deg": lon,
                                  "alt_m": alt}))
    frame = pd.concat(rows).sort_values("time_s", kind="stable")  # ids interleaved
    tracks = read_trajectory_file(_write(tmp_path / f"raid{suffix}", frame))
    assert tracks.track_id == ("alpha", "bravo")
    np.testing.assert_allclose(tracks.start_time_s, [0.0, 10.0])
    rng = np.random.default_rng(7)
    track = rng.integers(0, 2, 500)
    t = rng.uniform(np.array([0.0, 10.0])[track], 198.0)
    lat, lon, alt = tracks.geodetic_at(track, t)
    # linear interpolation error <= h^2/8 max|f''| per coordinate (closed-form second derivatives)
    bound_lat = h**2 / 8 * 0.01 * 0.05**2 * M_PER_DEG_LAT
    bound_lon = h**2 / 8 * 0.01 * 0.04**2 * M_PER_DEG_LAT
    bound_alt = h**2 / 8 * 200.0 * 0.1**2
    true = [np.empty_like(t) for _ in range(3)]
    for k in (0, 1):
        m = track == k
        for out, val in zip(true, _curvy(t[m], k), strict=True):
            out[m] = val
    assert np.max(np.abs(lat - true[0])) * M_PER_DEG_LAT <= bound_lat
    assert np.max(np.abs(lon - true[1])) * M_PER_DEG_LAT <= bound_lon
    assert np.max(np.abs(alt - true[2])) <= bound_alt
    # at the samples themselves, exact
    at_samples = tracks.geodetic_at(np.zeros(3, np.intp), np.array([0.0, 2.0, 4.0]))
    for got, want in zip(at_samples, _curvy(np.array([0.0, 2.0, 4.0]), 0), strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
    # ENU positions agree with frames.geodetic_to_enu of the interpolated geodetic point
    origin = Origin(52.0, 5.0, 0.0)
    enu = tracks.positions_enu(track[:5], t[:5], origin)
    np.testing.assert_allclose(enu, geodetic_to_enu(lat[:5], lon[:5], alt[:5], origin))


@pytest.mark.parametrize("n", [0, 1, 50])
def test_queries_at_n_and_clipping(tmp_path: Path, n: int) -> None:
    path = _write(tmp_path / "a.csv", pd.DataFrame({
        "track_id": [7, 7, 7], "time": [0.0, 10.0, 20.0], "lat": [1.0, 2.0, 4.0],
        "lon": [0.0, 0.0, 0.0], "alt": [100.0, 200.0, 400.0]}))
    tracks = read_trajectory_file(path)
    assert tracks.track_id == ("7",)
    t = np.linspace(-5.0, 25.0, n)
    lat, _lon, alt = tracks.geodetic_at(np.zeros(n, np.intp), t)
    assert lat.shape == (n,)
    np.testing.assert_allclose(lat, np.interp(t, [0.0, 10.0, 20.0], [1.0, 2.0, 4.0]))
    np.testing.assert_allclose(alt, np.interp(t, [0.0, 10.0, 20.0], [100.0, 200.0, 400.0]))


def test_antimeridian_crossing_interpolates_the_short_way(tmp_path: Path) -> None:
    path = _write(tmp_path / "dateline.csv", pd.DataFrame({
        "id": ["x", "x"], "time_s": [0.0, 10.0], "lat_deg": [0.0, 0.0],
        "lon_deg": [179.9, -179.9], "alt_m": [0.0, 0.0]}))
    _lat, lon, _alt = read_trajectory_file(path).geodetic_at(np.array([0, 0]),
                                                              np.array([2.5, 7.5]))
    np.testing.assert_allclose(lon, [179.95, -179.95], atol=1e-9)


def _csv(tmp_path: Path, text: str, name: str = "bad.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(("text", "match"), [
    ("id,time_s,lat_deg,lon_deg\na,0,1,2\n", r"bad\.csv: column 'alt_m' missing"),
    ("id,time_s,lat_deg,lon_deg,alt_m\na,0,1,2,3\na,1,abc,2,3\n",
     r"bad\.csv: row 2, column 'lat_deg': must be a number in \[-90, 90\] \(got 'abc'\)"),
    ("id,time_s,lat_deg,lon_deg,alt_m\na,0,1,2,3\na,1,95,2,3\n",
     r"row 2, column 'lat_deg'.*\(got '95'\)"),
    ("id,time,lat,lon,alt\na,0,1,2,3\na,,1,2,3\n", r"row 2, column 'time': must be a finite"),
    ("id,time_s,lat_deg,lon_deg,alt_m\na,0,1,2,3\nb,0,1,2,3\na,0,1,2,3\nb,1,1,2,3\n",
     r"row 3, column 'time_s': times of id 'a' must increase \(got 0\.0 after 0\.0\)"),
    ("id,time_s,lat_deg,lon_deg,alt_m\na,0,1,2,3\na,1,1,2,3\nb,5,1,2,3\n",
     r"row 3, column 'id': id 'b' has only 1 sample"),
    ("id,time_s,lat_deg,lon_deg,alt_m\na,0,1,2,3\n,1,1,2,3\n", r"row 2, column 'id': must not"),
    ("id,time_s,lat_deg,lon_deg,alt_m\n", r"bad\.csv: trajectory file has no rows"),
])
def test_bad_files_name_file_row_and_column(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(InputDataError, match=match):
        read_trajectory_file(_csv(tmp_path, text))


def test_bad_rows_are_listed(tmp_path: Path) -> None:
    path = _csv(tmp_path, "id,time_s,lat_deg,lon_deg,alt_m\na,0,1,2,3\na,1,1,x,3\na,2,1,y,3\n")
    with pytest.raises(InputDataError, match="1 more bad rows") as info:
        read_trajectory_file(path)
    assert info.value.rows == [1, 2]


def test_missing_and_unsupported_files(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match=r"nope\.csv: trajectory file not found"):
        read_trajectory_file(tmp_path / "nope.csv")
    with pytest.raises(InputDataError, match=r"track\.txt: trajectory file must end in \.csv"):
        read_trajectory_file(_csv(tmp_path, "x", "track.txt"))
    with pytest.raises(InputDataError, match=r"broken\.parquet: cannot be read as parquet"):
        read_trajectory_file(_csv(tmp_path, "not parquet", "broken.parquet"))
