"""Monte Carlo stage: the results folder of a sweep, written chunk by chunk, verified, resumable.

Layout of ``OUT``::

    OUT/manifest.json                 what was asked (scenario, grid points, seeds, runs) and the
                                      ledger: per chunk file its point, replication range, row
                                      count, sha256 and column schema (an index into the
                                      list of distinct schemas); per summary
                                      file its sha256 once the sweep finished
    OUT/replications/chunk-p00003-r0000100-0000125.parquet
                                      one row per replication of point 3, replications 100..124
    OUT/summary.csv, summary.parquet  one row per sweep point (written at the end)
    OUT/saturation.csv                the raid size where P(any leaker) crosses the level
    OUT/quarantine/                   files ``--resume`` moved aside (damaged, stray, old manifest)

Every file is written to a hidden temporary name, synced, then renamed (``os.replace``). A chunk's
ledger entry is written *before* its file, so a file that is not in the ledger was not written by
this sweep. Reading verifies everything against the ledger: checksum (a chunk replaced, edited or
truncated), Parquet structure, columns and types, row count, and that the rows are exactly the
replications the file claims. ``iadsim report`` refuses a folder that fails, naming each bad
file; ``--resume`` moves bad and stray files to ``quarantine/`` and recomputes their
replications. A damaged manifest is rebuilt by ``--resume`` from the chunk files whose content
checks out (range, seeds, swept values, schema; their checksums cannot be checked, and a
warning says so).
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from iadsim.errors import InputDataError, ScenarioError
from iadsim.jsonfile import atomic_write_bytes, dumps, finite, loads
from iadsim.montecarlo.seeds import seed_fingerprint

MANIFEST = "manifest.json"
REPLICATIONS = "replications"
QUARANTINE = "quarantine"
SUMMARY_FILES = ("summary.csv", "summary.parquet", "saturation.csv")
FORMAT = "iadsim-montecarlo/2"
_CHUNK_RE = re.compile(r"^chunk-p(\d+)-r(\d+)-(\d+)\.parquet$")
_INT_COLUMNS = ("point", "replication", "seed", "seed_fingerprint")
_METRIC_TYPES = ("int64", "double", "bool")
Notify = Callable[[str], None]


class StoreError(ScenarioError, InputDataError):
    """A results folder is damaged or inconsistent: one line per problem in ``problems``.

    Each line names the file, what is wrong and what ``--resume`` will do about it. A
    ``ScenarioError`` for the ``mc``/``sweep`` commands and an ``InputDataError`` for ``report``,
    so both exit with code 2 and no traceback.
    """

    def __init__(self, problems: list[str]) -> None:
        ScenarioError.__init__(self, problems)
        self.rows: list[int] = []


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

    @property
    def label(self) -> str:
        """``replications 100-124 of point 3``."""
        return f"replications {self.start}-{self.stop - 1} of point {self.point}"


@dataclass(frozen=True, slots=True)
class ChunkRecord:
    """The ledger entry of one chunk file: what it holds and the sha256 of its bytes."""

    chunk: Chunk
    rows: int
    sha256: str
    schema: int = 0
    """Index of the chunk's column names and types in the manifest's ``schemas``."""

    def to_json(self) -> dict[str, Any]:
        """Manifest form: ``{"file", "point", "start", "stop", "rows", "schema", "sha256"}``."""
        c = self.chunk
        return {"file": c.file_name, "point": c.point, "start": c.start, "stop": c.stop,
                "rows": self.rows, "schema": self.schema, "sha256": self.sha256}

    @classmethod
    def from_json(cls, entry: Any) -> ChunkRecord:
        """Parse a manifest entry; ``ValueError`` if it is malformed."""
        if not isinstance(entry, Mapping):
            raise ValueError(f"chunk entry is not an object (got {_short(entry)})")
        try:
            point, start, stop, rows, schema = (
                entry[k] for k in ("point", "start", "stop", "rows", "schema"))
            sha, name = entry["sha256"], entry["file"]
        except KeyError as exc:
            raise ValueError(f"chunk entry lacks {exc} ({_short(entry)})") from None
        ints = (point, start, stop, rows, schema)
        sha_ok = isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha) is not None
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in ints) or (
                stop <= start or not sha_ok):
            raise ValueError(f"chunk entry is malformed ({_short(entry)})")
        chunk = Chunk(point, start, stop)
        if name != chunk.file_name:
            raise ValueError(f"chunk entry names {_short(name)}, expected {chunk.file_name}")
        return cls(chunk, rows, sha, schema)


class _Bad(Exception):
    """Why one file fails verification (internal)."""


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
    """The chunks whose files exist, by name alone (unverified), sorted."""
    folder = Path(out_dir) / REPLICATIONS
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        m = _CHUNK_RE.match(path.name)
        if m:
            found.append(Chunk(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    return sorted(found)


def encode_chunk(chunk: Chunk, rows: pd.DataFrame) -> tuple[bytes, ChunkRecord, list[list[str]]]:
    """A chunk's Parquet bytes, its ledger record and its schema (``[[column, type], ...]``)."""
    if len(rows) != chunk.size:
        raise ValueError(f"chunk {chunk} has {len(rows)} rows, expected {chunk.size}")
    table = pa.Table.from_pandas(rows, preserve_index=False)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    data = buffer.getvalue()
    record = ChunkRecord(chunk, len(rows), hashlib.sha256(data).hexdigest())
    return data, record, _schema(table.schema)


def write_chunk(out_dir: str | Path, chunk: Chunk, rows: pd.DataFrame) -> ChunkRecord:
    """Write one chunk's rows atomically (no ledger entry: see ``ResultsStore.add``)."""
    data, record, _ = encode_chunk(chunk, rows)
    folder = Path(out_dir) / REPLICATIONS
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(folder / chunk.file_name, data)
    return record


def read_manifest(out_dir: str | Path) -> dict[str, Any] | None:
    """The manifest of a results folder, None if there is none.

    Raises
    ------
    StoreError
        The manifest is unreadable, not strict JSON or not an iadsim manifest.
    """
    manifest, damage = _load_manifest(Path(out_dir))
    if damage:
        raise StoreError([f"{Path(out_dir) / MANIFEST}: {damage}; run the same `iadsim mc`/"
                          "`sweep` command with --resume to rebuild it from the chunk files"])
    return manifest


def write_manifest(out_dir: str | Path, manifest: Mapping[str, Any]) -> None:
    """Write ``manifest.json`` atomically, as strict JSON."""
    atomic_write_bytes(Path(out_dir) / MANIFEST, dumps(dict(manifest)).encode("utf-8"))


def recorded_replications(out_dir: str | Path) -> int:
    """How many replications the manifest's ledger lists (0 if it cannot be read)."""
    manifest, damage = _load_manifest(Path(out_dir))
    if manifest is None or damage:
        return 0
    try:
        return sum(r.chunk.size for r in _ledger(manifest))
    except ValueError:
        return 0


class ResultsStore:
    """An open results folder: the manifest in memory, the verified chunks and their rows.

    Open one with ``open_store``; ``add`` each finished chunk, read the table with
    ``replications`` and record the summaries with ``finish``.
    """

    def __init__(self, out_dir: Path, manifest: dict[str, Any]) -> None:
        self.out_dir = out_dir
        self.manifest = manifest
        self.records: dict[Chunk, ChunkRecord] = {}
        self.schemas: list[list[list[str]]] = []
        self.frames: dict[Chunk, pd.DataFrame] = {}

    def add(self, chunk: Chunk, rows: pd.DataFrame) -> ChunkRecord:
        """Record ``chunk`` in the ledger (manifest written first), then write its file."""
        data, record, schema = encode_chunk(chunk, rows)
        record = ChunkRecord(chunk, record.rows, record.sha256, self.schema_index(schema))
        self.records[chunk] = record
        self.frames[chunk] = pq.read_table(pa.BufferReader(data)).to_pandas()  # as stored
        self.save_manifest()
        folder = self.out_dir / REPLICATIONS
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(folder / chunk.file_name, data)
        return record

    def missing(self, n_points: int, runs: int) -> dict[int, list[int]]:
        """Replications ``0..runs-1`` of each point that no verified chunk holds."""
        return _missing(self.records, n_points, runs)

    def replications(self, runs: int | None = None) -> pd.DataFrame:
        """All verified rows, sorted by (point, replication); see ``combine``."""
        return combine([self.frames[c] for c in sorted(self.frames)], runs)

    def finish(self, extra: Mapping[str, Any]) -> None:
        """Record the summary files' checksums and ``extra`` (e.g. ``complete``) in the manifest."""
        outputs = {name: _sha256((self.out_dir / name).read_bytes())
                   for name in SUMMARY_FILES if (self.out_dir / name).is_file()}
        self.manifest = {**self.manifest, **extra, "outputs": outputs}
        self.save_manifest()

    def schema_index(self, schema: list[list[str]]) -> int:
        """Index of ``schema`` in the list of distinct schemas (appended if new)."""
        if schema not in self.schemas:
            self.schemas.append(schema)
        return self.schemas.index(schema)

    def save_manifest(self) -> None:
        """Write the manifest with the current ledger (one line per chunk and per schema)."""
        head = {k: v for k, v in self.manifest.items() if k not in ("schemas", "chunks")}
        chunks = [self.records[c].to_json() for c in sorted(self.records)]
        self.manifest.update(schemas=self.schemas, chunks=chunks)
        text = dumps(head).rstrip()[:-1].rstrip()  # the head object, still open
        schema_lines = [f"    {dumps(s, indent=None)}" for s in self.schemas]
        chunk_lines = [f"    {dumps(c, indent=None)}" for c in chunks]
        text += (f',\n  "schemas": {_block(schema_lines, "[", "]")},'
                 f'\n  "chunks": {_block(chunk_lines, "[", "]")}\n}}\n')
        atomic_write_bytes(self.out_dir / MANIFEST, text.encode("utf-8"))


def open_store(out_dir: str | Path, manifest: Mapping[str, Any], *, resume: bool,
               overwrite: bool, notify: Notify | None = None) -> ResultsStore:
    """Create or reopen a results folder for ``manifest``; verify and repair it on ``resume``.

    A fresh folder gets the manifest. An existing sweep is refused unless ``resume`` (the
    points, seeds and scenarios must match; ``runs`` may grow or shrink) or ``overwrite`` (its
    chunk files, manifest, summaries and quarantine are deleted; nothing else is touched).
    On ``resume`` every chunk is verified against the ledger; damaged, missing and stray chunk
    files are reported through ``notify`` (one line each), moved to ``quarantine/`` and left
    to be recomputed. A damaged manifest (or one without a ledger) is moved aside and the
    ledger rebuilt from the chunk files whose content checks out, with a warning.

    Raises
    ------
    StoreError
        If the folder holds a different sweep, or a sweep and neither flag is given.
    """
    say = notify or (lambda line: None)
    out = Path(out_dir)
    fresh = finite(dict(manifest))
    old, damage = _load_manifest(out)
    has_chunks = bool(finished_chunks(out))
    if (old is not None or damage or has_chunks) and not resume and not overwrite:
        raise StoreError([f"{out}: holds the results of a sweep already; "
                          "pass --resume to complete it or --overwrite to start again"])
    if overwrite and not resume:
        _clear(out)
        old, damage, has_chunks = None, None, False
    if old is not None and not damage:
        why = _difference(old, fresh)
        if why:
            raise StoreError([f"{out}: cannot resume, the sweep asked for differs from the "
                              f"one stored: {why}"])
    out.mkdir(parents=True, exist_ok=True)
    folder = out / REPLICATIONS
    for stale in folder.glob(".*.tmp") if folder.is_dir() else ():
        stale.unlink()
    store = ResultsStore(out, fresh)
    if old is not None and not damage:
        try:
            ledger, schemas = _ledger(old), _schemas(old)
        except ValueError as exc:
            damage = str(exc)
        else:
            _reopen(store, ledger, schemas, say)
    if damage or (old is None and has_chunks):
        why = damage or "is missing"
        moved = _quarantine(out, out / MANIFEST) if (out / MANIFEST).exists() else None
        where = f" (moved to {moved})" if moved else ""
        say(f"warning: {out / MANIFEST} {why}{where}; rebuilding it from the chunk files "
            "whose rows, seeds and columns check out (their checksums cannot be checked)")
        _rebuild(store, say)
    store.save_manifest()
    return store


def load_verified(out_dir: str | Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """The manifest and replications table of a finished sweep, every file verified.

    Checks the manifest, every chunk against its ledger entry (checksum, structure, schema,
    rows, range), that no stray chunk file is present, that every point holds replications
    ``0..runs-1``, and the summary files against their recorded checksums.

    Raises
    ------
    StoreError
        One line per problem, naming the file and what ``--resume`` will do.
    """
    out = Path(out_dir)
    manifest = read_manifest(out)
    if manifest is None:
        raise StoreError([f"{out}: no {MANIFEST}; not the results folder of a sweep"])
    try:
        ledger, schemas = _ledger(manifest), _schemas(manifest)
    except ValueError as exc:
        raise StoreError([f"{out / MANIFEST}: {exc}; run the same `iadsim mc`/`sweep` command "
                          "with --resume to check the chunk files and record them"]) from None
    problems: list[str] = []
    frames: list[pd.DataFrame] = []
    for record in ledger:
        path = out / REPLICATIONS / record.chunk.file_name
        try:
            frames.append(_verify(path, record, schemas))
        except _Bad as bad:
            problems.append(f"{path}: {bad}; --resume will move it aside and recompute "
                            f"{record.chunk.label}")
    listed = {r.chunk for r in ledger}
    for chunk in finished_chunks(out):
        if chunk not in listed:
            problems.append(f"{out / REPLICATIONS / chunk.file_name}: not in {MANIFEST} (not "
                            "written by this sweep); ignored; --resume will move it aside")
    runs = manifest.get("runs")
    n_points = len(manifest.get("points", []) or [])
    if manifest.get("complete") is not True:
        problems.append(f"{out / MANIFEST}: the sweep has not finished (stopped while it ran "
                        "or while it wrote its summaries); --resume will finish it")
    elif isinstance(runs, int) and not problems:
        for point, reps in _missing({r.chunk: r for r in ledger}, n_points, runs).items():
            if reps:
                problems.append(f"{out}: point {point} lacks {len(reps)} of its {runs} "
                                f"replications ({_ranges(reps)}); --resume will compute them")
    for name, sha in (manifest.get("outputs", {}) or {}).items():
        path = out / str(name)
        if not path.is_file():
            problems.append(f"{path}: missing; --resume will write it again")
        elif _sha256(path.read_bytes()) != sha:
            problems.append(f"{path}: differs from the checksum recorded when the sweep "
                            "finished (edited or replaced); --resume will write it again")
    if problems:
        raise StoreError(problems)
    return manifest, combine(frames, runs if isinstance(runs, int) else None)


def combine(frames: Sequence[pd.DataFrame], runs: int | None = None) -> pd.DataFrame:
    """Replication rows of several chunks as one table, sorted by (point, replication).

    Rows with ``replication >= runs`` are left out when ``runs`` is given (a sweep resumed with
    fewer runs). Count columns missing from some chunks (another point's columns) are 0.
    """
    if not frames:
        return pd.DataFrame({"point": pd.Series(dtype="int64"),
                             "replication": pd.Series(dtype="int64")})
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


# --- internals -------------------------------------------------------------------------------


def _reopen(store: ResultsStore, ledger: list[ChunkRecord],
            schemas: list[list[list[str]]], say: Notify) -> None:
    """Adopt the ledger's chunks that verify; quarantine the rest and every stray file."""
    out = store.out_dir
    for record in ledger:
        chunk = record.chunk
        path = out / REPLICATIONS / chunk.file_name
        if not path.exists():
            say(f"{path}: listed in {MANIFEST} but missing (lost when the sweep stopped, or "
                f"deleted); recomputing {chunk.label}")
            continue
        try:
            frame = _verify(path, record, schemas)
        except _Bad as bad:
            moved = _quarantine(out, path)
            say(f"{path}: {bad}; moved to {moved}; recomputing {chunk.label}")
            continue
        index = store.schema_index(schemas[record.schema])
        store.records[chunk] = ChunkRecord(chunk, record.rows, record.sha256, index)
        store.frames[chunk] = frame
    for chunk in finished_chunks(out):
        if chunk not in store.records:
            path = out / REPLICATIONS / chunk.file_name
            moved = _quarantine(out, path)
            say(f"{path}: not in {MANIFEST} (not written by this sweep); moved to {moved}")


def _rebuild(store: ResultsStore, say: Notify) -> None:
    """Adopt chunk files whose content matches their name and this sweep; quarantine others."""
    out = store.out_dir
    points = store.manifest.get("points", [])
    covered: dict[int, set[int]] = {}
    for chunk in finished_chunks(out):
        path = out / REPLICATIONS / chunk.file_name
        try:
            if chunk.point >= len(points):
                raise _Bad(f"point {chunk.point} is not in this sweep ({len(points)} points)")
            if covered.setdefault(chunk.point, set()) & set(range(chunk.start, chunk.stop)):
                raise _Bad("overlaps a chunk already adopted")
            data = path.read_bytes()
            table = _parse(data)
            schema = _schema(table.schema)
            _check_types(schema, points[chunk.point])
            frame = _check_rows(table, chunk, schema)
            _check_origin(frame, points[chunk.point])
        except (_Bad, OSError) as bad:
            moved = _quarantine(out, path)
            say(f"{path}: {bad}; moved to {moved}; recomputing {chunk.label}")
            continue
        covered[chunk.point].update(range(chunk.start, chunk.stop))
        store.records[chunk] = ChunkRecord(chunk, chunk.size, _sha256(data),
                                           store.schema_index(schema))
        store.frames[chunk] = frame


def _verify(path: Path, record: ChunkRecord, schemas: list[list[list[str]]]) -> pd.DataFrame:
    """Rows of a ledger chunk after every check; ``_Bad`` says which one failed."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _Bad(f"listed in {MANIFEST} but missing") from None
    except OSError as exc:
        raise _Bad(f"cannot be read ({exc.strerror})") from None
    if _sha256(data) != record.sha256:
        raise _Bad(f"content differs from the sha256 recorded in {MANIFEST} (changed, "
                   "truncated or replaced after it was written)")
    table = _parse(data)
    if record.schema >= len(schemas):
        raise _Bad(f"{MANIFEST} records no column schema {record.schema} for it")
    schema = schemas[record.schema]
    found = _schema(table.schema)
    if found != schema:
        raise _Bad(f"columns {_schema_diff(found, schema)} differ from those recorded")
    if table.num_rows != record.rows:
        raise _Bad(f"holds {table.num_rows} rows, {MANIFEST} records {record.rows}")
    return _check_rows(table, record.chunk, found)


def _parse(data: bytes) -> pa.Table:
    try:
        return pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _Bad(f"not a readable Parquet file ({type(exc).__name__}: "
                   f"{_short(str(exc), 60)})") from None


def _check_rows(table: pa.Table, chunk: Chunk, schema: list[list[str]]) -> pd.DataFrame:
    """Types as expected and rows exactly ``chunk``'s replications, in order."""
    types = dict(map(tuple, schema))
    for name in ("point", "replication"):
        if name not in types:
            raise _Bad(f"has no {name!r} column")
    for name, kind in schema:
        if name in _INT_COLUMNS and kind != "int64":
            raise _Bad(f"column {name!r} is {kind}, expected int64")
        if name == "wall_time_s" and kind != "double":
            raise _Bad(f"column {name!r} is {kind}, expected double")
    if table.num_rows != chunk.size:
        raise _Bad(f"holds {table.num_rows} rows, its name says {chunk.size}")
    frame = table.to_pandas()
    point = frame["point"].to_numpy()
    reps = frame["replication"].to_numpy()
    if np.any(point != chunk.point) or not np.array_equal(reps, np.arange(chunk.start,
                                                                          chunk.stop)):
        raise _Bad(f"rows are not {chunk.label} in order (found points "
                   f"{_short(sorted(set(point.tolist())), 30)}, replications "
                   f"{_ranges(reps.tolist())})")
    return frame


def _check_types(schema: list[list[str]], point: Mapping[str, Any]) -> None:
    """Every column but the swept values is a number (a chunk without a ledger entry)."""
    for name, kind in schema:
        if name not in (point.get("values", {}) or {}) and kind not in _METRIC_TYPES:
            raise _Bad(f"column {name!r} is {kind}, expected a number (int64, double, bool)")


def _check_origin(frame: pd.DataFrame, point: Mapping[str, Any]) -> None:
    """Rows of a chunk without a ledger entry: this sweep's seed, streams and swept values."""
    seed = point.get("seed")
    if "seed" in frame and not (frame["seed"] == seed).all():
        raise _Bad(f"seed column is not this point's seed {seed}")
    if "seed_fingerprint" in frame and isinstance(seed, int):
        want = [seed_fingerprint(seed, int(p), int(k))
                for p, k in zip(frame["point"], frame["replication"], strict=True)]
        if frame["seed_fingerprint"].tolist() != want:
            raise _Bad("seed fingerprints are not those of this sweep's replications")
    for name, value in (point.get("values", {}) or {}).items():
        if name not in frame or frame[name].tolist() != [value] * len(frame):
            raise _Bad(f"column {name!r} does not hold this point's value {value!r}")


def _schema(schema: pa.Schema) -> list[list[str]]:
    return [[f.name, str(f.type)] for f in schema]


def _schema_diff(found: list[list[str]], want: list[list[str]]) -> str:
    a, b = dict(map(tuple, found)), dict(map(tuple, want))
    parts = [f"{n} is {a[n]} (expected {b[n]})" for n in a if n in b and a[n] != b[n]]
    parts += [f"{n} unexpected" for n in a if n not in b]
    parts += [f"{n} missing" for n in b if n not in a]
    return _short(", ".join(parts) or "order", 160)


def _load_manifest(out: Path) -> tuple[dict[str, Any] | None, str | None]:
    """``(manifest, None)``, ``(None, None)`` if absent, or ``(None, why it is damaged)``."""
    path = out / MANIFEST
    if not path.exists():
        return None, None
    try:
        value = loads(path.read_bytes())
    except (OSError, ValueError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return None, f"is damaged ({type(exc).__name__}: {_short(str(exc), 80)})"
    if not isinstance(value, dict) or not isinstance(value.get("points"), list):
        return None, "is not an iadsim Monte Carlo manifest (no list of points)"
    return value, None


def _ledger(manifest: Mapping[str, Any]) -> list[ChunkRecord]:
    """The chunk records; ``ValueError('has ...')`` says what is wrong with the ledger."""
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("chunks"), list):
        raise ValueError(f"has no chunk ledger (format {_short(manifest.get('format'))}; "
                         f"this iadsim writes {FORMAT})")
    try:
        records = sorted((ChunkRecord.from_json(e) for e in manifest["chunks"]),
                         key=lambda r: r.chunk)
    except ValueError as exc:
        raise ValueError(f"has a damaged chunk ledger ({exc})") from None
    for a, b in itertools.pairwise(records):
        if a.chunk.point == b.chunk.point and b.chunk.start < a.chunk.stop:
            raise ValueError(f"has a damaged chunk ledger (chunks {a.chunk.file_name} and "
                             f"{b.chunk.file_name} overlap)")
    return records


def _schemas(manifest: Mapping[str, Any]) -> list[list[list[str]]]:
    raw = manifest.get("schemas", [])
    ok = isinstance(raw, list) and all(
        isinstance(columns, list) and all(
            isinstance(c, list) and len(c) == 2 and all(isinstance(x, str) for x in c)
            for c in columns)
        for columns in raw)
    if not ok:
        raise ValueError(f"has a damaged schema list ({_short(raw)})")
    return [[list(c) for c in columns] for columns in raw]


def _missing(records: Mapping[Chunk, Any], n_points: int, runs: int) -> dict[int, list[int]]:
    done: dict[int, set[int]] = {p: set() for p in range(n_points)}
    for chunk in records:
        if chunk.point in done:
            done[chunk.point].update(range(chunk.start, chunk.stop))
    return {p: [k for k in range(runs) if k not in done[p]] for p in range(n_points)}


def missing_replications(out_dir: str | Path, n_points: int, runs: int) -> dict[int, list[int]]:
    """Replications ``0..runs-1`` of each point that no chunk file holds yet (by file name)."""
    return _missing({c: None for c in finished_chunks(out_dir)}, n_points, runs)


def _difference(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """Why a stored sweep cannot be resumed as ``new`` ('' if it can)."""
    a, b = old.get("points", []), new.get("points", [])
    if len(a) != len(b):
        return f"{len(a)} sweep point(s) stored, {len(b)} asked for (--set options differ)"
    for p_old, p_new in zip(a, b, strict=True):
        if not isinstance(p_old, Mapping):
            return f"point entry {_short(p_old)} is not an object"
        for key, what in (("values", "--set values"), ("seed", "seed"),
                          ("scenario_sha256", "validated scenario (file or iadsim changed)")):
            if p_old.get(key) != p_new.get(key):
                return (f"point {p_old.get('point')}: {what} differ "
                        f"({p_old.get(key)} != {p_new.get(key)})")
    return ""


def _quarantine(out: Path, path: Path) -> Path:
    """Move ``path`` into ``out/quarantine/`` under a name not taken yet; return the new path."""
    folder = out / QUARANTINE
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    n = 1
    while target.exists():
        target = folder / f"{path.name}.{n}"
        n += 1
    path.replace(target)
    return target


def _clear(out: Path) -> None:
    for chunk in finished_chunks(out):
        (out / REPLICATIONS / chunk.file_name).unlink()
    for name in (MANIFEST, *SUMMARY_FILES):
        (out / name).unlink(missing_ok=True)
    folder = out / QUARANTINE
    if folder.is_dir():
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()


def _block(lines: list[str], opening: str, closing: str) -> str:
    return f"{opening}\n" + ",\n".join(lines) + f"\n  {closing}" if lines else opening + closing


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _ranges(values: Iterable[int]) -> str:
    """``[0, 1, 2, 5]`` -> ``'0-2, 5'`` (at most a few ranges)."""
    v = sorted(set(int(x) for x in values))
    parts: list[str] = []
    i = 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and v[j + 1] == v[j] + 1:
            j += 1
        parts.append(f"{v[i]}" if i == j else f"{v[i]}-{v[j]}")
        i = j + 1
    text = ", ".join(parts[:4]) + (", ..." if len(parts) > 4 else "")
    return text or "none"


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 3] + "..."
