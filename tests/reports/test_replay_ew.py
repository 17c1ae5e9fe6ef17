"""The replay's EW layers (reports.replay_ew): strobe lines, jammers, jammer tracks with their
circles, radar states; none without an ``ew`` table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from report_fakes import write_run_folder

from iadsim.ew.record import ew_table
from iadsim.reports.load import read_run
from iadsim.reports.replay import build_replay

RADAR = "radar-<b>1</b>"  # the fake folder's one radar, at 44.55 N 8.70 E


def _haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = np.radians(lat1), np.radians(lat2), np.radians(lon2 - lon1)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return float(2 * 6_371_000.0 * np.arcsin(np.sqrt(a)))


def _with_ew(run_dir: Path) -> Path:
    rows = [{"time_s": 20.0, "kind": "strobe", "sensor": RADAR, "jammer": "soj",
             "azimuth_rad": np.pi / 2, "elevation_rad": 0.01, "sigma_rad": 0.003},
            {"time_s": 20.0, "kind": "jammer", "id": 0, "jammer": "soj", "state": "on",
             "east_m": 0.0, "north_m": 0.0, "height_m": 9000.0, "lat_deg": 44.6, "lon_deg": 9.9},
            {"time_s": 20.0, "kind": "jammer_track", "id": 3, "jammer": "soj", "state": "fixed",
             "sensor": "2 radars", "lat_deg": 44.61, "lon_deg": 9.88, "sigma_m": 5000.0,
             "error_m": 1500.0},
            {"time_s": 20.0, "kind": "radar", "sensor": RADAR, "id": 0, "state": "emitting"},
            {"time_s": 60.0, "kind": "radar", "sensor": RADAR, "id": 0, "state": "destroyed"}]
    ew_table(rows).to_parquet(run_dir / "ew.parquet", index=False)
    return run_dir


def _data(anim, t: float, name: str) -> dict:
    frame = next(f for f in anim.frames if f["name"] == f"{t:g}")
    for idx, data in zip(frame["traces"], frame["data"], strict=True):
        if anim.figure.data[idx].name == name:
            return data
    raise KeyError(name)


def test_ew_layers_show_strobes_jammers_tracks_and_radar_states(tmp_path: Path) -> None:
    anim = build_replay(read_run(_with_ew(write_run_folder(tmp_path / "run"))))
    strobe = _data(anim, 20.0, "strobe")
    x, y = np.asarray(strobe["x"], float), np.asarray(strobe["y"], float)
    assert (x[0], y[0]) == pytest.approx((8.70, 44.55), abs=1e-4)  # from the radar ...
    assert _haversine_m(y[0], x[0], y[1], x[1]) == pytest.approx(250_000.0, rel=1e-3)
    assert y[1] < y[0] and x[1] > x[0] + 2.5  # ... due east (a great circle bends south)
    jam = _data(anim, 20.0, "jammer (truth)")
    assert np.asarray(jam["x"], float) == pytest.approx([9.9], abs=1e-4)
    ring = _data(anim, 20.0, "jammer track (2σ)")
    rx, ry = np.asarray(ring["x"], float), np.asarray(ring["y"], float)
    ok = np.isfinite(rx)
    radii = [_haversine_m(44.61, 9.88, b, a) for a, b in zip(rx[ok], ry[ok], strict=True)]
    assert radii == pytest.approx([10_000.0] * len(radii), rel=1e-3)
    assert len(_data(anim, 20.0, "radar emitting")["x"]) == 1
    assert len(_data(anim, 20.0, "radar destroyed")["x"]) == 0
    assert len(_data(anim, 60.0, "radar destroyed")["x"]) == 1
    assert len(_data(anim, 60.0, "strobe")["x"]) == 0  # the strobe is gone


def test_no_ew_table_no_ew_layer(tmp_path: Path) -> None:
    anim = build_replay(read_run(write_run_folder(tmp_path / "run")))
    names = {t.name for t in anim.figure.data}
    assert not names & {"strobe", "jammer (truth)", "radar emitting"}
    assert read_run(tmp_path / "run").ew is None
    assert isinstance(ew_table([]), pd.DataFrame) and ew_table([]).empty
