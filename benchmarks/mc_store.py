"""Cost of the verified Monte Carlo results store against plain Parquet files.

Figures, for ``--chunks`` chunks of ``--rows`` replication rows with the columns of a real
default-scenario row (~40 columns):

1. writing: ``ResultsStore.add`` (ledger entry in ``manifest.json`` first, then the chunk file,
   both synced and renamed) against ``pyarrow.parquet.write_table`` to a file (what the store
   did before it kept a ledger), in ms per chunk;
2. reading: ``store.load_verified`` (sha256, Parquet, schema, rows and range of every chunk,
   summary checksums) against ``pandas.read_parquet`` of the folder, in ms per chunk.

A chunk holds up to 25 replications of ~0.4 s (shortened) to ~5 s (default scenario) each, so a
few ms per chunk is well under 1% of a sweep. Figures depend on the disk and on what else the
machine runs; the load average is printed.

Run: ``python benchmarks/mc_store.py [--chunks 200] [--rows 25]``. Prints the figures, then one
JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from iadsim.montecarlo import store
from iadsim.montecarlo.store import Chunk


def rows(chunk: Chunk, rng: np.random.Generator) -> pd.DataFrame:
    """Replication rows shaped like the default scenario's (counts, flags, metrics)."""
    n = chunk.size
    data: dict[str, object] = {
        "point": np.full(n, chunk.point, dtype=np.int64),
        "replication": np.arange(chunk.start, chunk.stop, dtype=np.int64),
        "seed": np.full(n, 20261127, dtype=np.int64),
        "seed_fingerprint": rng.integers(0, 2**62, n),
        "any_leaker": rng.random(n) < 0.3,
        "raid_annihilated": rng.random(n) < 0.5,
    }
    for i in range(20):
        data[f"count_{i}"] = rng.integers(0, 60, n)
    for i in range(14):
        data[f"metric_{i}"] = rng.normal(100.0, 10.0, n)
    data["wall_time_s"] = rng.random(n)
    return pd.DataFrame(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=200)
    parser.add_argument("--rows", type=int, default=25)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    chunks = [Chunk(0, k * args.rows, (k + 1) * args.rows) for k in range(args.chunks)]
    frames = [rows(c, rng) for c in chunks]
    manifest = {"format": store.FORMAT, "points": [{"point": 0, "seed": 20261127}],
                "runs": args.chunks * args.rows}
    with tempfile.TemporaryDirectory() as tmp:
        plain, ledger = Path(tmp) / "plain", Path(tmp) / "ledger"
        plain.mkdir()
        t0 = time.perf_counter()
        for c, f in zip(chunks, frames, strict=True):
            pq.write_table(pa.Table.from_pandas(f, preserve_index=False), plain / c.file_name)
        plain_write_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        results = store.open_store(ledger, manifest, resume=False, overwrite=False)
        for c, f in zip(chunks, frames, strict=True):
            results.add(c, f)
        results.finish({"complete": True})
        ledger_write_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        pd.read_parquet(plain)
        plain_read_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        store.load_verified(ledger)
        verified_read_s = time.perf_counter() - t0
        manifest_kb = (ledger / store.MANIFEST).stat().st_size / 1e3
    per = 1e3 / args.chunks
    figures = {
        "chunks": args.chunks, "rows_per_chunk": args.rows,
        "plain_write_ms_per_chunk": round(plain_write_s * per, 2),
        "ledger_write_ms_per_chunk": round(ledger_write_s * per, 2),
        "plain_read_ms_per_chunk": round(plain_read_s * per, 2),
        "verified_read_ms_per_chunk": round(verified_read_s * per, 2),
        "manifest_kb": round(manifest_kb, 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    print(f"write: {figures['ledger_write_ms_per_chunk']} ms/chunk with the ledger, "
          f"{figures['plain_write_ms_per_chunk']} ms/chunk plain Parquet")
    print(f"read:  {figures['verified_read_ms_per_chunk']} ms/chunk verified, "
          f"{figures['plain_read_ms_per_chunk']} ms/chunk pandas.read_parquet(folder)")
    print(f"manifest.json: {figures['manifest_kb']} kB for {args.chunks} chunks; "
          f"load average {figures['load_average_1min']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
