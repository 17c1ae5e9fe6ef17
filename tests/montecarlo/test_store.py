"""Tests of iadsim.montecarlo.store: chunk plans, the ledger, verification and repair on resume.

The corruption tests damage a folder written by the real sweep machinery (with the fast
stand-in replication), check that reading it names the bad file, then that ``--resume`` repairs
it to exactly the tables of an uninterrupted sweep.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from mc_fakes import fake_replicate

from iadsim.errors import InputDataError, ScenarioError
from iadsim.montecarlo import store
from iadsim.montecarlo.store import Chunk, StoreError
from iadsim.montecarlo.sweep import run_sweep

SETS = ["threats[0].count=10,30"]
RUNS = 12


def _rows(chunk: Chunk) -> pd.DataFrame:
    reps = list(range(chunk.start, chunk.stop))
    return pd.DataFrame({"point": [chunk.point] * chunk.size, "replication": reps,
                         "leakers": [r % 3 for r in reps]})


def _manifest(n_points: int = 2, runs: int = 4) -> dict:
    return {"format": store.FORMAT, "points": [{"point": p, "seed": 1} for p in range(n_points)],
            "runs": runs}


def test_plan_chunks_contiguous_round_robin() -> None:
    chunks = store.plan_chunks({0: range(10), 1: [0, 1, 2, 5, 6, 9]}, 4)
    assert chunks == [Chunk(0, 0, 4), Chunk(1, 0, 3), Chunk(0, 4, 8), Chunk(1, 5, 7),
                      Chunk(0, 8, 10), Chunk(1, 9, 10)]
    assert store.plan_chunks({0: []}, 5) == []
    with pytest.raises(ValueError, match="chunk_size"):
        store.plan_chunks({0: [1]}, 0)


def test_add_records_each_chunk_in_the_ledger(tmp_path: Path) -> None:
    results = store.open_store(tmp_path, _manifest(3, 6), resume=False, overwrite=False)
    for chunk in (Chunk(1, 0, 3), Chunk(0, 3, 5), Chunk(0, 0, 3)):
        results.add(chunk, _rows(chunk))
    assert not list((tmp_path / "replications").glob(".*"))
    assert store.finished_chunks(tmp_path) == [Chunk(0, 0, 3), Chunk(0, 3, 5), Chunk(1, 0, 3)]
    ledger = json.loads((tmp_path / "manifest.json").read_text())["chunks"]
    assert [(e["point"], e["start"], e["stop"], e["rows"]) for e in ledger] == [
        (0, 0, 3, 3), (0, 3, 5, 2), (1, 0, 3, 3)]
    for entry in ledger:  # the checksum is that of the file's bytes (sha256sum agrees)
        data = (tmp_path / "replications" / entry["file"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert store.recorded_replications(tmp_path) == 8
    table = results.replications()
    assert list(zip(table["point"], table["replication"], strict=True)) == (
        [(0, k) for k in range(5)] + [(1, k) for k in range(3)])
    assert results.replications(runs=2)["replication"].tolist() == [0, 1, 0, 1]
    assert results.missing(3, 6) == {0: [5], 1: [3, 4, 5], 2: list(range(6))}
    assert store.missing_replications(tmp_path, 3, 6) == results.missing(3, 6)
    # the same folder read by pandas directly
    assert len(pd.read_parquet(tmp_path / "replications")) == 8
    # a chunk with other column types gets its own schema entry, referenced by index
    results.add(Chunk(0, 5, 6), _rows(Chunk(0, 5, 6)).astype({"leakers": "float64"}))
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["schemas"] == [[["point", "int64"], ["replication", "int64"],
                                    ["leakers", "int64"]],
                                   [["point", "int64"], ["replication", "int64"],
                                    ["leakers", "double"]]]
    assert [e["schema"] for e in manifest["chunks"]] == [0, 0, 1, 0]


def test_encode_chunk_checks_row_count() -> None:
    with pytest.raises(ValueError, match="expected 4"):
        store.encode_chunk(Chunk(0, 0, 4), _rows(Chunk(0, 0, 3)))


def test_counts_missing_in_some_chunks_are_zero() -> None:
    table = store.combine([pd.DataFrame({"point": [0], "replication": [0], "rounds_x": [2]}),
                           pd.DataFrame({"point": [1], "replication": [0], "rounds_y": [3]})])
    assert table["rounds_x"].tolist() == [2, 0]
    assert table["rounds_y"].tolist() == [0, 3]
    assert table["rounds_y"].dtype == "int64"


def test_open_store_refuses_reuse_and_mismatch(tmp_path: Path) -> None:
    manifest = _manifest(1, 4)
    store.open_store(tmp_path, manifest, resume=False, overwrite=False)
    assert json.loads((tmp_path / "manifest.json").read_text())["runs"] == 4
    with pytest.raises(ScenarioError, match="--resume"):
        store.open_store(tmp_path, manifest, resume=False, overwrite=False)
    other = {**manifest, "points": [{"point": 0, "seed": 2}]}
    with pytest.raises(ScenarioError, match="point 0: seed differ"):
        store.open_store(tmp_path, other, resume=True, overwrite=False)
    results = store.open_store(tmp_path, manifest, resume=True, overwrite=False)
    results.add(Chunk(0, 0, 3), _rows(Chunk(0, 0, 3)))
    (tmp_path / "replications" / ".chunk-p00000-r0000003-0000004.parquet.99.tmp").write_text("x")
    (tmp_path / "notes.txt").write_text("mine")
    again = store.open_store(tmp_path, {**manifest, "runs": 8}, resume=True, overwrite=False)
    assert sorted(again.records) == [Chunk(0, 0, 3)]
    assert not list((tmp_path / "replications").glob(".*.tmp"))
    (tmp_path / "quarantine").mkdir()
    (tmp_path / "quarantine" / "chunk-p00000-r0000000-0000003.parquet").write_text("old")
    store.open_store(tmp_path, other, resume=False, overwrite=True)
    assert store.finished_chunks(tmp_path) == []
    assert not (tmp_path / "quarantine").exists()
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_store_error_exits_both_ways() -> None:
    err = StoreError(["a: bad", "b: bad"])
    assert isinstance(err, ScenarioError) and isinstance(err, InputDataError)
    assert err.problems == ["a: bad", "b: bad"] and str(err) == "a: bad\nb: bad"


# --- corruption, detection and repair ----------------------------------------------------------


def _sweep(scenario_file: Path, out: Path, *, resume: bool = False,
           notes: list[str] | None = None) -> pd.DataFrame:
    res = run_sweep(scenario_file, runs=RUNS, out_dir=out, sets=SETS, backend="serial",
                    chunk_size=4, resume=resume, replicate=fake_replicate,
                    notify=None if notes is None else notes.append)
    return res.replications


def _tables(out: Path) -> tuple[pd.DataFrame, str, str]:
    _, reps = store.load_verified(out)
    return (reps.drop(columns="wall_time_s"), (out / "summary.csv").read_text(),
            (out / "saturation.csv").read_text() if (out / "saturation.csv").exists() else "")


def _chunk(out: Path, point: int, start: int) -> Path:
    return out / "replications" / Chunk(point, start, start + 4).file_name


def _rewrite(path: Path, change: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    frame = pq.read_table(path).to_pandas()
    pq.write_table(pa.Table.from_pandas(change(frame), preserve_index=False), path)


def _replaced(out: Path) -> Path:
    shutil.copyfile(_chunk(out, 0, 0), _chunk(out, 0, 4))  # another chunk's file in its place
    return _chunk(out, 0, 4)


def _edited(out: Path) -> Path:
    _rewrite(_chunk(out, 1, 4), lambda f: f.assign(leakers=f["leakers"] + 7))
    return _chunk(out, 1, 4)


def _strings(out: Path) -> Path:
    _rewrite(_chunk(out, 1, 8), lambda f: f.assign(leakers=f["leakers"].astype(str)))
    return _chunk(out, 1, 8)


def _truncated(out: Path) -> Path:
    path = _chunk(out, 0, 8)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


def _deleted(out: Path) -> Path:
    _chunk(out, 1, 0).unlink()
    return _chunk(out, 1, 0)


def _stray(out: Path) -> Path:
    # two rows of point 0 with other values, under a name no chunk of the sweep has
    stray = out / "replications" / Chunk(0, 0, 2).file_name
    frame = pq.read_table(_chunk(out, 0, 0)).to_pandas().iloc[:2]
    pq.write_table(pa.Table.from_pandas(frame.assign(leakers=99), preserve_index=False), stray)
    return stray


CHUNK_DAMAGE = {
    "replaced": (_replaced, "differs from the sha256 recorded"),
    "edited": (_edited, "differs from the sha256 recorded"),
    "strings": (_strings, "differs from the sha256 recorded"),
    "truncated": (_truncated, "differs from the sha256 recorded"),
    "deleted": (_deleted, "listed in manifest.json but missing"),
    "stray": (_stray, "not in manifest.json"),
}


@pytest.fixture
def straight(scenario_file: Path, tmp_path: Path) -> tuple[pd.DataFrame, str, str]:
    """The tables of an uninterrupted sweep."""
    _sweep(scenario_file, tmp_path / "straight")
    return _tables(tmp_path / "straight")


@pytest.mark.parametrize("damage", sorted(CHUNK_DAMAGE))
def test_damaged_chunk_is_named_then_recomputed_by_resume(
        damage: str, scenario_file: Path, tmp_path: Path,
        straight: tuple[pd.DataFrame, str, str]) -> None:
    out = tmp_path / "out"
    _sweep(scenario_file, out)
    change, why = CHUNK_DAMAGE[damage]
    bad = change(out)
    with pytest.raises(StoreError) as caught:
        store.load_verified(out)
    assert len(caught.value.problems) == 1
    line = caught.value.problems[0]
    assert line.startswith(f"{bad}: ") and why in line and "--resume" in line
    notes: list[str] = []
    _sweep(scenario_file, out, resume=True, notes=notes)
    assert len(notes) == 1 and notes[0].startswith(f"{bad}: ")
    if damage != "deleted":
        assert (out / "quarantine" / bad.name).is_file()  # kept aside for inspection
    got = _tables(out)
    pd.testing.assert_frame_equal(got[0], straight[0])
    assert got[1:] == straight[1:]
    _sweep(scenario_file, out, resume=True, notes=(quiet := []))  # nothing left to repair
    assert quiet == []


def test_edited_summary_is_named_and_rewritten_by_resume(
        scenario_file: Path, tmp_path: Path, straight: tuple[pd.DataFrame, str, str]) -> None:
    out = tmp_path / "out"
    _sweep(scenario_file, out)
    summary = out / "summary.csv"
    summary.write_text(summary.read_text().replace(",12,", ",2,", 1))
    with pytest.raises(StoreError, match=r"summary\.csv: differs from the checksum recorded"):
        store.load_verified(out)
    _sweep(scenario_file, out, resume=True)
    assert _tables(out)[1:] == straight[1:]


def test_missing_replications_of_a_finished_sweep_are_named(scenario_file: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "out"
    _sweep(scenario_file, out)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["chunks"] = [c for c in manifest["chunks"] if (c["point"], c["start"]) != (0, 4)]
    (out / "manifest.json").write_text(json.dumps(manifest))
    _chunk(out, 0, 4).unlink()
    with pytest.raises(StoreError, match=r"point 0 lacks 4 of its 12 replications \(4-7\)"):
        store.load_verified(out)
    manifest["complete"] = False  # stopped before its summaries were all written
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StoreError, match="the sweep has not finished"):
        store.load_verified(out)


@pytest.mark.parametrize("damage", ["truncated", "not json", "not an object", "bad ledger",
                                    "old format", "deleted"])
def test_damaged_manifest_is_named_then_rebuilt_by_resume(
        damage: str, scenario_file: Path, tmp_path: Path,
        straight: tuple[pd.DataFrame, str, str]) -> None:
    out = tmp_path / "out"
    _sweep(scenario_file, out)
    path = out / "manifest.json"
    text = path.read_text()
    manifest = json.loads(text)
    old_format = {k: v for k, v in manifest.items() if k not in ("chunks", "schemas")}
    old_format["format"] = "iadsim-montecarlo/1"  # written by iadsim before the ledger
    manifest["chunks"][2]["sha256"] = "not a checksum"
    path.write_text({"truncated": text[: len(text) // 2], "not json": "\x00\xff garbage",
                     "not an object": "[1, 2]", "bad ledger": json.dumps(manifest),
                     "old format": json.dumps(old_format), "deleted": ""}[damage])
    if damage == "deleted":
        path.unlink()
    else:
        with pytest.raises(StoreError, match=r"manifest\.json: .*--resume") as caught:
            store.load_verified(out)
        assert len(caught.value.problems) == 1
    notes: list[str] = []
    _sweep(scenario_file, out, resume=True, notes=notes)
    assert len(notes) == 1 and notes[0].startswith(f"warning: {path} ")
    assert "rebuilding it from the chunk files" in notes[0]
    got = _tables(out)
    pd.testing.assert_frame_equal(got[0], straight[0])
    assert got[1:] == straight[1:]


def test_rebuild_adopts_only_chunks_whose_content_checks_out(
        scenario_file: Path, tmp_path: Path, straight: tuple[pd.DataFrame, str, str]) -> None:
    out = tmp_path / "out"
    _sweep(scenario_file, out)
    other, other_file = tmp_path / "other-seed", tmp_path / "other-seed.yaml"
    text = scenario_file.read_text(encoding="utf-8")
    other_file.write_text(text.replace("seed: 20261127", "seed: 5", 1), encoding="utf-8")
    _sweep(other_file, other)  # the same sweep with another seed: same names and columns
    (out / "manifest.json").write_text("{")
    bad = {_replaced(out): "rows are not replications 4-7 of point 0",
           _strings(out): "column 'leakers' is large_string, expected a number",
           _truncated(out): "not a readable Parquet file"}
    shutil.copyfile(_chunk(other, 1, 4), _chunk(out, 1, 4))
    bad[_chunk(out, 1, 4)] = "seed column is not this point's seed"
    notes: list[str] = []
    _sweep(scenario_file, out, resume=True, notes=notes)
    assert notes[0].startswith("warning: ")
    assert len(notes) == 1 + len(bad)
    for path, why in bad.items():
        line = next(n for n in notes if n.startswith(f"{path}: "))
        assert why in line and "recomputing" in line
    got = _tables(out)
    pd.testing.assert_frame_equal(got[0], straight[0])
    assert got[1:] == straight[1:]
