"""Monte Carlo stage: the results folder of a sweep, written chunk by chunk, resumable.

Layout of ``OUT``::

    OUT/manifest.json                 what was asked: scenario, grid points, seeds, runs
    OUT/replications/chunk-p00003-r0000100-0000125.parquet
                                      one row per replication of point 3, replications 100..124
    OUT/summary.csv, summary.parquet  one row per sweep point (written at the end)
    OUT/saturation.csv                the raid size where P(any leaker) crosses the level

A chunk file is written to a hidden temporary name, synced, then renamed (``os.replace``), so a
file named ``chunk-*.parquet`` is always complete: an interrupted sweep loses only the chunks in
flight, and the file names alone tell which replications are done.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from iadsim.errors import ScenarioError

MANIFEST = "manifest.json"
REPLICATIONS = "replications"
SUMMARY_FILES = ("summary.csv", "summary.parquet", "saturation.csv")
FORMAT = "iadsim-montecarlo/1"
_CHUNK_RE = re.compile(r"^chunk-p(\d+)-r(\d+)-(\d+)\.parquet$")


@dataclass(frozen=True, slots=True, order=True)
class Chunk:
    """Replications ``start .. stop-1`` of sweep point ``point``: one task, one file."""

    point: int
    start: int
    stop: int

    @property
    def size(self) -> int:
        """Number of replications."""
        return self.stop - self.start

    @property
    def file_name(self) -> str:
        """``chunk-p{point}-r{start}-{stop}.parquet``."""
        return f"chunk-p{self.point:05d}-r{self.start:07d}-{self.stop:07d}.parquet"


def plan_chunks(missing: Mapping[int, Iterable[int]], chunk_size: int) -> list[Chunk]:
    """Cut each point's missing replications into contiguous chunks of at most ``chunk_size``.

    Chunks are ordered round-robin over points (every point gets early results).
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1 (got {chunk_size})")
    per_point: list[list[Chunk]] = []
    for point in sorted(missing):
        reps = sorted(set(missing[point]))
        chunks: list[Chunk] = []
        i = 0
        while i < len(reps):
            j = i
            while j + 1 < len(reps) and reps[j + 1] == reps[j] + 1 and j + 1 - i < chunk_size:
                j += 1
            chunks.append(Chunk(point, reps[i], reps[j] + 1))
            i = j + 1
        per_point.append(chunks)
    out: list[Chunk] = []
    for round_ in range(max((len(c) for c in per_point), default=0)):
        out.extend(c[round_] for c in per_point if round_ < len(c))
    return out


def finished_chunks(out_dir: str | Path) -> list[Chunk]:
    """The chunks whose files exist (complete by construction), sorted."""
    folder = Path(out_dir) / REPLICATIONS
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        m = _CHUNK_RE.match(path.name)
        if m:
            found.append(Chunk(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    return sorted(found)


def missing_replications(out_dir: str | Path, n_points: int, runs: int) -> dict[int, list[int]]:
    """Replications ``0..runs-1`` of each point that no chunk file holds yet."""
    done: dict[int, set[int]] = {p: set() for p in range(n_points)}
    for chunk in finished_chunks(out_dir):
        if chunk.point in done:
            done[chunk.point].update(range(chunk.start, chunk.stop))
    return {p: [k for k in range(runs) if k not in done[p]] for p in range(n_points)}


def write_chunk(out_dir: str | Path, chunk: Chunk, rows: pd.DataFrame) -> Path:
    """Write one chunk's rows atomically; return the final path."""
    if len(rows) != chunk.size:
        raise ValueError(f"chunk {chunk} has {len(rows)} rows, expected {chunk.size}")
    folder = Path(out_dir) / REPLICATIONS
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(rows, preserve_index=False), buffer)
    final = folder / chunk.file_name
    _atomic_write(final, buffer.getvalue())
    return final


def read_replications(out_dir: str | Path, runs: int | None = None) -> pd.DataFrame:
    """All replication rows, sorted by (point, replication), one row per replication.

    Rows with ``replication >= runs`` are left out when ``runs`` is given (a sweep resumed with
    fewer runs). Columns missing from some chunks (a count never seen there) are filled with 0.
    """
    paths = [Path(out_dir) / REPLICATIONS / c.file_name for c in finished_chunks(out_dir)]
    if not paths:
        return pd.DataFrame({"point": pd.Series(dtype="int64"),
                             "replication": pd.Series(dtype="int64")})
    frames = [pq.read_table(p).to_pandas() for p in paths]
    table = pd.concat(frames, ignore_index=True, sort=False)
    for col in table.columns:
        if table[col].isna().any() and all(
            col not in f.columns or pd.api.types.is_integer_dtype(f[col]) for f in frames
        ):
            table[col] = table[col].fillna(0).astype("int64")
    table = table.drop_duplicates(subset=["point", "replication"], keep="first")
    if runs is not None:
        table = table[table["replication"] < runs]
    return table.sort_values(["point", "replication"], kind="stable").reset_index(drop=True)


def write_manifest(out_dir: str | Path, manifest: Mapping[str, Any]) -> None:
    """Write ``manifest.json`` atomically."""
    text = json.dumps(dict(manifest), indent=2, sort_keys=False, default=str) + "\n"
    _atomic_write(Path(out_dir) / MANIFEST, text.encode())


def read_manifest(out_dir: str | Path) -> dict[str, Any] | None:
    """The manifest of a results folder, or None if there is none."""
    path = Path(out_dir) / MANIFEST
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def prepare_folder(out_dir: str | Path, manifest: Mapping[str, Any], *, resume: bool,
                   overwrite: bool) -> None:
    """Create or reopen a results folder for ``manifest``.

    A fresh folder gets the manifest. An existing sweep is refused unless ``resume`` (the
    points, seeds and scenarios must match; ``runs`` may grow or shrink) or ``overwrite`` (its
    chunk files, manifest and summaries are deleted; nothing else is touched).

    Raises
    ------
    ScenarioError
        If the folder holds a different sweep, or a sweep and neither flag is given.
    """
    out = Path(out_dir)
    manifest = json.loads(json.dumps(dict(manifest), default=str))
    old = read_manifest(out)
    has_chunks = bool(finished_chunks(out))
    if (old is not None or has_chunks) and not resume and not overwrite:
        raise ScenarioError([f"{out}: holds the results of a sweep already; "
                             "pass --resume to complete it or --overwrite to start again"])
    if overwrite and not resume:
        _clear(out)
        old = None
    if resume and old is not None:
        why = _difference(old, manifest)
        if why:
            raise ScenarioError([f"{out}: cannot resume, the sweep asked for differs from the "
                                 f"one stored: {why}"])
    if resume and old is None and has_chunks:
        raise ScenarioError([f"{out}: has chunk files but no {MANIFEST}; cannot check them"])
    out.mkdir(parents=True, exist_ok=True)
    for stale in (out / REPLICATIONS).glob(".*.tmp") if (out / REPLICATIONS).is_dir() else ():
        stale.unlink()
    write_manifest(out, manifest)


def _difference(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """Why a stored sweep cannot be resumed as ``new`` ('' if it can)."""
    if old.get("format") != new.get("format"):
        return f"results format {old.get('format')} != {new.get('format')}"
    a, b = old.get("points", []), new.get("points", [])
    if len(a) != len(b):
        return f"{len(a)} sweep point(s) stored, {len(b)} asked for (--set options differ)"
    for p_old, p_new in zip(a, b, strict=True):
        for key, what in (("values", "--set values"), ("seed", "seed"),
                          ("scenario_sha256", "validated scenario (file or iadsim changed)")):
            if p_old.get(key) != p_new.get(key):
                return (f"point {p_old.get('point')}: {what} differ "
                        f"({p_old.get(key)} != {p_new.get(key)})")
    return ""


def _clear(out: Path) -> None:
    for chunk in finished_chunks(out):
        (out / REPLICATIONS / chunk.file_name).unlink()
    for name in (MANIFEST, *SUMMARY_FILES):
        (out / name).unlink(missing_ok=True)


def _atomic_write(final: Path, data: bytes) -> None:
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, final)
