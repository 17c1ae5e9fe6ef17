"""Tests of iadsim.montecarlo.store: chunk plans, atomic chunk files, manifest and resume."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from iadsim.errors import ScenarioError
from iadsim.montecarlo import store
from iadsim.montecarlo.store import Chunk


def _rows(chunk: Chunk) -> pd.DataFrame:
    reps = list(range(chunk.start, chunk.stop))
    return pd.DataFrame({"point": [chunk.point] * chunk.size, "replication": reps,
                         "leakers": [r % 3 for r in reps]})


def test_plan_chunks_contiguous_round_robin() -> None:
    chunks = store.plan_chunks({0: range(10), 1: [0, 1, 2, 5, 6, 9]}, 4)
    assert chunks == [Chunk(0, 0, 4), Chunk(1, 0, 3), Chunk(0, 4, 8), Chunk(1, 5, 7),
                      Chunk(0, 8, 10), Chunk(1, 9, 10)]
    assert store.plan_chunks({0: []}, 5) == []
    with pytest.raises(ValueError, match="chunk_size"):
        store.plan_chunks({0: [1]}, 0)


def test_write_read_and_missing(tmp_path: Path) -> None:
    for chunk in (Chunk(1, 0, 3), Chunk(0, 3, 5), Chunk(0, 0, 3)):
        store.write_chunk(tmp_path, chunk, _rows(chunk))
    assert not list((tmp_path / "replications").glob(".*"))
    assert store.finished_chunks(tmp_path) == [Chunk(0, 0, 3), Chunk(0, 3, 5), Chunk(1, 0, 3)]
    table = store.read_replications(tmp_path)
    assert list(zip(table["point"], table["replication"], strict=True)) == (
        [(0, k) for k in range(5)] + [(1, k) for k in range(3)])
    assert store.read_replications(tmp_path, runs=2)["replication"].tolist() == [0, 1, 0, 1]
    assert store.missing_replications(tmp_path, 3, 6) == {0: [5], 1: [3, 4, 5],
                                                          2: list(range(6))}
    # the same folder read by pandas directly
    assert len(pd.read_parquet(tmp_path / "replications")) == 8


def test_write_chunk_checks_row_count(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="expected 4"):
        store.write_chunk(tmp_path, Chunk(0, 0, 4), _rows(Chunk(0, 0, 3)))


def test_counts_missing_in_some_chunks_are_zero(tmp_path: Path) -> None:
    store.write_chunk(tmp_path, Chunk(0, 0, 1), pd.DataFrame(
        {"point": [0], "replication": [0], "rounds_x": [2]}))
    store.write_chunk(tmp_path, Chunk(0, 1, 2), pd.DataFrame(
        {"point": [0], "replication": [1], "rounds_y": [3]}))
    table = store.read_replications(tmp_path)
    assert table["rounds_x"].tolist() == [2, 0]
    assert table["rounds_y"].tolist() == [0, 3]
    assert table["rounds_y"].dtype == "int64"


def test_prepare_folder_refuses_reuse_and_mismatch(tmp_path: Path) -> None:
    manifest = {"format": store.FORMAT, "points": [{"point": 0, "seed": 1}], "runs": 4}
    store.prepare_folder(tmp_path, manifest, resume=False, overwrite=False)
    assert json.loads((tmp_path / "manifest.json").read_text())["runs"] == 4
    with pytest.raises(ScenarioError, match="--resume"):
        store.prepare_folder(tmp_path, manifest, resume=False, overwrite=False)
    other = {**manifest, "points": [{"point": 0, "seed": 2}]}
    with pytest.raises(ScenarioError, match="point 0: seed differ"):
        store.prepare_folder(tmp_path, other, resume=True, overwrite=False)
    store.write_chunk(tmp_path, Chunk(0, 0, 3), _rows(Chunk(0, 0, 3)))
    (tmp_path / "replications" / ".chunk-p00000-r0000003-0000004.parquet.99.tmp").write_text("x")
    (tmp_path / "notes.txt").write_text("mine")
    store.prepare_folder(tmp_path, {**manifest, "runs": 8}, resume=True, overwrite=False)
    assert store.finished_chunks(tmp_path) == [Chunk(0, 0, 3)]
    assert not list((tmp_path / "replications").glob(".*.tmp"))
    store.prepare_folder(tmp_path, other, resume=False, overwrite=True)
    assert store.finished_chunks(tmp_path) == []
    assert (tmp_path / "notes.txt").read_text() == "mine"
