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
    with pytest.raises(InputDataError, match=r"trajectory file is a directory"):
        read_trajectory_file(tmp_path)
    with pytest.raises(InputDataError, match=r"/dev/zero: trajectory file is not a regular file"):
        read_trajectory_file(Path("/dev/zero"))
    with pytest.raises(InputDataError, match=r"track\.txt: trajectory file must end in \.csv"):
        read_trajectory_file(_csv(tmp_path, "x", "track.txt"))
    with pytest.raises(InputDataError, match=r"broken\.parquet: cannot be read as parquet"):
        read_trajectory_file(_csv(tmp_path, "not parquet", "broken.parquet"))


# --- as a threat group of a scenario -------------------------------------------------------


def _scenario_yaml(tmp_path: Path, group: str) -> Path:
    import yaml

    from iadsim.scenario.load import DEFAULT_SCENARIO

    data = yaml.safe_load(DEFAULT_SCENARIO.read_text())
    data["threats"] = [yaml.safe_load(group)]
    path = tmp_path / "raid.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_a_recorded_threat_follows_its_file_within_interpolation_error(tmp_path: Path) -> None:
    from iadsim.scenario.load import load_scenario
    from iadsim.world.frames import enu_to_geodetic, scenario_origin
    from iadsim.world.threats import build_threats

    h = 4.0
    rows = []
    for k, name in enumerate(["r1", "r2", "r3"]):
        t = np.arange(100.0 + 20 * k, 400.0, h)
        lat, lon, alt = _curvy(t, k)
        rows.append(pd.DataFrame({"id": name, "time": t, "lat": lat, "lon": lon, "alt": alt}))
    (tmp_path / "tracks").mkdir()
    _write(tmp_path / "tracks" / "raid.parquet", pd.concat(rows))
    path = _scenario_yaml(tmp_path, """
        {name: rec, type: aircraft, trajectory_file: tracks/raid.parquet, rcs_m2: 2.0,
         launch_time_s: 30, count: 2}""")
    sc = load_scenario(path)
    assert sc.threats[0].trajectory_file == str((tmp_path / "tracks" / "raid.parquet").resolve())
    origin = scenario_origin(sc)
    threats = build_threats(sc, origin)
    assert threats.name == ("rec-r1", "rec-r2")  # count 2: the first two ids
    # file time 100 flies at run time 30; r2 starts 20 s later
    np.testing.assert_allclose(threats.launch_time_s, [30.0, 50.0])
    np.testing.assert_allclose(threats.end_time_s, [30.0 + 296.0, 50.0 + 276.0])
    assert threats.in_air(40.0).tolist() == [True, False]
    for run_t in (31.0, 77.7, 200.2, 325.0):
        lat, lon, alt = enu_to_geodetic(threats.positions(run_t), origin)
        file_t = run_t + 70.0
        for k in (0, 1):
            if not threats.launch_time_s[k] <= run_t <= threats.end_time_s[k]:
                continue
            true = _curvy(np.array([file_t]), k)
            assert abs(lat[k] - true[0][0]) * M_PER_DEG_LAT <= h**2 / 8 * 0.01 * 0.05**2 * 111e3
            assert abs(lon[k] - true[1][0]) * M_PER_DEG_LAT <= h**2 / 8 * 0.01 * 0.04**2 * 111e3
            assert abs(alt[k] - true[2][0]) <= h**2 / 8 * 200.0 * 0.1**2 + 1e-6
    pos, vel = threats.state(200.0)
    assert pos.shape == vel.shape == (2, 3) and np.isfinite(vel).all()


def test_scenario_errors_name_the_group_file_row_and_column(tmp_path: Path) -> None:
    from iadsim.errors import ScenarioError
    from iadsim.scenario.load import load_scenario

    _csv(tmp_path, "id,time_s,lat_deg,lon_deg,alt_m\na,0,44.0,8.0,100\na,5,44.1,nan,100\n",
         "t.csv")
    path = _scenario_yaml(tmp_path, "{type: uav, trajectory_file: t.csv, rcs_m2: 0.5}")
    with pytest.raises(ScenarioError, match=r"raid\.yaml: threats\[0\]\.trajectory_file: .*t\.csv: "
                       r"row 2, column 'lon_deg': must be a number"):
        load_scenario(path)
    _csv(tmp_path, "id,time_s,lat_deg,lon_deg,alt_m\na,0,44.0,8.0,100\na,5,44.1,8.1,100\n",
         "t.csv")
    sc = load_scenario(path)
    assert sc.threats[0].count == 1
    bad_count = _scenario_yaml(tmp_path, "{type: uav, trajectory_file: t.csv, rcs_m2: 1, count: 3}")
    with pytest.raises(ScenarioError, match=r"threats\[0\]\.count must be <= the 1 ids of t\.csv"):
        load_scenario(bad_count)
    missing = _scenario_yaml(tmp_path, "{type: uav, trajectory_file: nope.csv, rcs_m2: 1}")
    with pytest.raises(ScenarioError, match=r"threats\[0\]\.trajectory_file not found \(got "
                       r"'nope\.csv', resolved to '.*nope\.csv'\)"):
        load_scenario(missing)
    no_start = _scenario_yaml(tmp_path, "{type: uav, count: 1, rcs_m2: 1, speed_mps: 50, "
                                        "altitude_m: 100, aim: city}")
    with pytest.raises(ScenarioError, match=r"threats\[0\].*needs start"):
        load_scenario(no_start)
