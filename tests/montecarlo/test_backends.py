"""Tests of iadsim.montecarlo.backends: every backend gives the same rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from mc_fakes import dying_replicate, fake_replicate

from iadsim.montecarlo.backends import Work, execute, run_chunk
from iadsim.montecarlo.grid import build_grid, parse_overrides
from iadsim.montecarlo.store import Chunk, plan_chunks


@pytest.fixture()
def work(scenario_data: dict) -> Work:
    points = build_grid(scenario_data, parse_overrides(["threats[0].count=5,40"]))
    return Work(points=tuple(points), replicate=fake_replicate)


def _collect(work: Work, chunks: list[Chunk], **kwargs: object) -> pd.DataFrame:
    got: dict[Chunk, pd.DataFrame] = {}

    def on_done(chunk: Chunk, rows: pd.DataFrame) -> None:
        assert chunk not in got
        got[chunk] = rows

    execute(work, chunks, on_done, **kwargs)  # type: ignore[arg-type]
    assert set(got) == set(chunks)
    table = pd.concat([got[c] for c in sorted(got)], ignore_index=True)
    return table.drop(columns="wall_time_s")


def test_run_chunk_rows(work: Work) -> None:
    rows = run_chunk(work, Chunk(1, 3, 6))
    assert rows["point"].tolist() == [1, 1, 1]
    assert rows["replication"].tolist() == [3, 4, 5]
    assert rows["threats[0].count"].tolist() == [40, 40, 40]
    assert rows["seed"].tolist() == [20261127] * 3
    assert list(rows.columns[:5]) == ["point", "replication", "seed", "seed_fingerprint",
                                      "threats[0].count"]
    assert (rows["wall_time_s"] >= 0).all()


def test_rows_do_not_depend_on_chunking(work: Work) -> None:
    # serial vs local processes vs Dask on the real simulation: test_replication.py
    serial = _collect(work, plan_chunks({0: range(12), 1: range(12)}, 5), backend="serial")
    assert len(serial) == 24
    other = _collect(work, plan_chunks({0: range(12), 1: range(12)}, 7), backend="serial")
    pd.testing.assert_frame_equal(serial, other)


@pytest.mark.parametrize("backend", ["processes", "dask"])
def test_chunks_of_a_lost_worker_are_retried(work: Work, backend: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "died"
    monkeypatch.setenv("IADSIM_FAKE_DIE_ONCE", str(marker))
    chunks = plan_chunks({0: range(8), 1: range(8)}, 2)
    expected = _collect(work, chunks, backend="serial")
    dying = Work(points=work.points, replicate=dying_replicate)
    got = _collect(dying, chunks, backend=backend, workers=2)
    assert marker.exists()  # a worker process died part way
    pd.testing.assert_frame_equal(expected, got)


def test_bad_backend(work: Work) -> None:
    with pytest.raises(ValueError, match="backend"):
        execute(work, [Chunk(0, 0, 1)], lambda c, r: None, backend="mpi")
    with pytest.raises(ValueError, match="workers"):
        execute(work, [Chunk(0, 0, 1)], lambda c, r: None, workers=0)
