"""Tests of iadsim.reports.replay: the traces and frames of the replay map."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pymap3d
import pytest
from report_fakes import write_run_folder

from iadsim.reports.common import horizon_range_m, snap_rows
from iadsim.reports.load import read_run
from iadsim.reports.replay import build_replay, final_state, frame_times


class _Data:
    def __init__(self, d: dict) -> None:
        self.x, self.y = d["x"], d["y"]


def _frame(anim, t: float) -> dict:
    return next(f for f in anim.frames if f["name"] == f"{t:g}")


def _dyn(anim, frame: dict, name: str) -> _Data:
    """The data of the moving trace called ``name`` in ``frame``."""
    for idx, data in zip(frame["traces"], frame["data"], strict=True):
        if anim.figure.data[idx].name == name:
            return _Data(data)
    raise KeyError(name)


@pytest.fixture
def fig(run_dir: Path):
    return build_replay(read_run(run_dir))


def test_static_layers_are_there(fig) -> None:
    names = [t.name for t in fig.figure.data]
    for expected in ("coastline", "border", "radar coverage at 100 m", "short engagement ring",
                     "defended asset", "radar", "launcher", "path: killed", "path: leaked",
                     "path: flying"):
        assert expected in names
    for legend_key in ("aircraft", "cruise missile", "uav", "interceptor", "kill", "miss",
                       "leak", "track (2σ)"):
        assert names.count(legend_key) == 2  # the moving trace and its static legend key


def test_one_frame_per_data_step_and_moving_traces_only(fig) -> None:
    assert [f["name"] for f in fig.frames] == [f"{t:g}" for t in np.arange(0.0, 201.0, 2.0)]
    n = len(fig.figure.data)
    for frame in fig.frames:
        assert len(frame["traces"]) == len(frame["data"]) == 9  # 3 types + 6 others
        assert max(frame["traces"]) == n - 1
    steps = fig.figure.layout.sliders[0].steps
    assert [s.args[0][0] for s in steps] == [f["name"] for f in fig.frames]
    # the page gets the frames as plotly.js typed arrays
    decoded = json.loads(fig.to_json())
    assert decoded["frames"][0]["data"][0]["x"]["dtype"] == "f4"


def test_frames_show_who_is_where_when(fig) -> None:
    f100, f130, f190 = _frame(fig, 100), _frame(fig, 130), _frame(fig, 190)
    # at 100 s all four threats fly: two aircraft, one cruise missile, one uav
    assert len(_dyn(fig, f100, "aircraft").x) == 2
    assert len(_dyn(fig, f100, "cruise missile").x) == 1
    assert len(_dyn(fig, f100, "uav").x) == 1
    # the cruise missile was killed at 120 s; interceptors 1 (100-130) and 2 (120-150) fly
    assert len(_dyn(fig, f130, "cruise missile").x) == 0
    assert len(_dyn(fig, f130, "interceptor").x) == 2
    assert len(_dyn(fig, f130, "kill").x) == 1 and len(_dyn(fig, f130, "miss").x) == 1
    assert len(_dyn(fig, f130, "leak").x) == 0
    # at 190 s: the aircraft leaked at 180 s, one aircraft is still flying
    assert len(_dyn(fig, f190, "leak").x) == 1
    assert len(_dyn(fig, f190, "aircraft").x) == 1
    assert len(_dyn(fig, f190, "kill").x) == 2


def test_track_circles_have_two_sigma_radius(fig, run_dir: Path) -> None:
    frame = _frame(fig, 50)
    tracks = _dyn(fig, frame, "track")
    assert len(tracks.x) == 5  # four tracked threats and the false track (40-60 s)
    rings = _dyn(fig, frame, "track (2σ)")
    x, y = np.asarray(rings.x, float), np.asarray(rings.y, float)
    assert x.size == 5 * 18
    run = read_run(run_dir)
    row = run.tracks[(run.tracks.time_s == 50.0) & (run.tracks.track_id == 200)].iloc[0]
    first = slice(4 * 18, 4 * 18 + 17)  # tracks are in file order; the false track is last
    e, n, _ = pymap3d.geodetic2enu(y[first], x[first], 0.0, row.lat_deg, row.lon_deg, 0.0)
    # rings are drawn on a sphere; WGS-84 radii of curvature differ by < 0.5 %
    np.testing.assert_allclose(np.hypot(e, n), 2.0 * row.position_sigma_m, rtol=5e-3)


def test_radar_coverage_is_range_or_horizon(fig, run_dir: Path) -> None:
    ring = next(t for t in fig.figure.data if t.name == "radar coverage at 100 m")
    x, y = np.asarray(ring.x, float), np.asarray(ring.y, float)
    ok = np.isfinite(x)
    e, n, _ = pymap3d.geodetic2enu(y[ok], x[ok], 0.0, 44.55, 8.7, 0.0)
    # 4/3-earth horizon from 120 m (site 100 m + mast 20 m) to 100 m: about 45 + 41 km
    expected = np.sqrt(2 * 4 / 3 * 6_371_000.0 * 120.0) + np.sqrt(2 * 4 / 3 * 6_371_000.0 * 100.0)
    assert expected == pytest.approx(horizon_range_m(120.0, 100.0))
    np.testing.assert_allclose(np.hypot(e, n), expected, rtol=5e-3)


def test_user_names_are_escaped(tmp_path: Path) -> None:
    run = read_run(write_run_folder(tmp_path / "r", threat_name="<script>alert(1)</script>",
                                    asset_name="<img src=x onerror=alert(2)>"))
    strings = list(_strings(json.loads(build_replay(run).to_json())))
    assert not [s for s in strings if "<script" in s or "<img" in s]
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;-0" in s for s in strings)
    assert any("&lt;img src=x onerror=alert(2)&gt;" in s for s in strings)


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


def test_final_state_is_the_last_frame(fig) -> None:
    still = final_state(fig)
    assert not still.frames and not still.layout.sliders and not still.layout.updatemenus
    last = fig.frames[-1]
    assert still.layout.title.text == "Replay, t = 200 s"
    for idx, data in zip(last["traces"], last["data"], strict=True):
        np.testing.assert_array_equal(np.asarray(still.data[idx].x, float),
                                      np.asarray(data["x"], float))


@pytest.mark.parametrize(("start", "end", "step", "cap"),
                         [(1.0, 900.0, 1.0, 240), (0.0, 200.0, 2.0, 240), (0.0, 10.0, 1.0, 240),
                          (5.0, 5.0, 1.0, 10), (0.5, 3600.0, 0.5, 100)])
def test_frame_times_cover_the_run_within_the_cap(start, end, step, cap) -> None:
    t = frame_times(start, end, step, cap)
    assert t[0] == start and t[-1] == end
    assert len(t) <= cap
    assert np.all(np.diff(t) > 0) and np.all(np.diff(t) >= step - 1e-9)


def test_snap_rows_picks_latest_sample_not_older_than_max_age() -> None:
    times = np.array([0.0, 0.0, 2.0, 4.0, 4.0, 4.0, 10.0])
    rows = snap_rows(times, np.array([-1.0, 0.0, 3.0, 5.0, 7.0, 10.0]), 2.0)
    assert [r.tolist() for r in rows] == [[], [0, 1], [2], [3, 4, 5], [], [6]]
    assert [r.tolist() for r in snap_rows(np.zeros(0), np.array([1.0]), 1.0)] == [[]]


def test_big_raids_get_fewer_frames_within_the_byte_budget() -> None:
    from iadsim.reports.replay import FRAME_BYTES, MIN_FRAMES, _frame_budget

    def table(per_step: int, steps: int = 100):
        return pd.DataFrame({"time_s": np.repeat(np.arange(steps, dtype=float), per_step)})

    assert _frame_budget(240, table(60), table(60), table(5)) == 240  # the default raid
    big = _frame_budget(240, table(500), table(500), table(50))
    assert MIN_FRAMES <= big < 240
    assert big * (500 * 60 + 500 * 230 + 50 * 60) <= FRAME_BYTES
    assert _frame_budget(240, table(100_000), table(0), table(0)) == MIN_FRAMES
    assert _frame_budget(240, table(0), table(0), table(0)) == 240
