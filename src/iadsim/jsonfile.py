"""Strict JSON in and out: every JSON file iadsim writes goes through ``dumps``.

Python's ``json`` writes ``NaN``, ``Infinity`` and ``-Infinity`` by default, which strict parsers
(browsers' ``JSON.parse``, ``jq``, Go, Rust's serde) reject. Here a non-finite float is written
as ``null``, the JSON for "undefined" (a mean over no samples, an interval of one replication),
and the text is produced with ``allow_nan=False`` so nothing else can slip through. numpy
scalars and arrays become plain numbers and lists. ``loads`` is the matching strict reader: it
refuses ``NaN``/``Infinity`` literals with a ``ValueError``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np


def finite(value: Any) -> Any:
    """``value`` as plain JSON data: non-finite floats -> None, numpy -> Python, tuples -> lists.

    Mapping keys become strings; anything else JSON cannot hold is returned unchanged (``dumps``
    then renders it with ``str``).
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): finite(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return finite(value.tolist())
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def dumps(value: Any, *, indent: int | None = 2, sort_keys: bool = False) -> str:
    """Strict JSON text of ``value`` (see ``finite``), ending in a newline when indented."""
    try:  # fast path: already plain data (numpy scalars converted by _plain)
        text = json.dumps(value, indent=indent, sort_keys=sort_keys, allow_nan=False,
                          default=_plain)
    except (ValueError, TypeError):  # a non-finite float, or keys json cannot take as they are
        text = json.dumps(finite(value), indent=indent, sort_keys=sort_keys, allow_nan=False,
                          default=str)
    return text + "\n" if indent is not None else text


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    return str(value)


def _refuse(constant: str) -> Any:
    raise ValueError(f"not strict JSON: {constant} is not a JSON number")


def loads(text: str | bytes) -> Any:
    """Parse strict JSON; ``NaN``, ``Infinity`` and ``-Infinity`` raise ``ValueError``."""
    return json.loads(text, parse_constant=_refuse)


def write_json(path: str | Path, value: Any, *, indent: int | None = 2,
               atomic: bool = False) -> Path:
    """Write ``dumps(value)`` as UTF-8 to ``path``; with ``atomic``, via a synced temp file.

    An atomic write goes to a hidden temporary name next to ``path``, is flushed to disk and
    renamed over ``path`` (``os.replace``), so a reader sees the old file or the new one, never a
    half-written one.
    """
    target = Path(path)
    data = dumps(value, indent=indent).encode("utf-8")
    if not atomic:
        target.write_bytes(data)
        return target
    atomic_write_bytes(target, data)
    return target


def atomic_write_bytes(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a synced hidden temp file and ``os.replace``."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
