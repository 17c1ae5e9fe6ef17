"""Build ``basemap_50m.npz`` from world-atlas's ``countries-50m.json`` (run once, offline).

Usage::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python make_basemap.py package/countries-50m.json basemap_50m.npz

Each TopoJSON arc used by exactly one country ring is a *coastline*; an arc shared by two
country rings is a *border* (the same rule as topojson-client's ``mesh`` filters ``a === b``
and ``a !== b``). The arcs are kept in TopoJSON's quantized integer grid, delta-encoded as
int32 (each arc's first point absolute, the rest steps), and stored with ``numpy.savez_compressed``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np


def _ring_arcs(geometry: dict) -> list[int]:
    """Every arc index used by a Polygon/MultiPolygon geometry (sign folded)."""
    arcs = geometry.get("arcs", [])
    if geometry["type"] == "Polygon":
        rings = arcs
    elif geometry["type"] == "MultiPolygon":
        rings = [ring for poly in arcs for ring in poly]
    else:
        return []
    return [a if a >= 0 else ~a for ring in rings for a in ring]


def build(topojson_path: Path, out_path: Path) -> None:
    """Classify and store the arcs of a world-atlas countries file."""
    topo = json.loads(topojson_path.read_text())
    uses: Counter[int] = Counter()
    for geometry in topo["objects"]["countries"]["geometries"]:
        uses.update(_ring_arcs(geometry))
    out: dict[str, np.ndarray] = {
        "scale": np.asarray(topo["transform"]["scale"], dtype=np.float64),
        "translate": np.asarray(topo["transform"]["translate"], dtype=np.float64),
    }
    for kind, keep in (("coastline", lambda n: n == 1), ("border", lambda n: n >= 2)):
        deltas, lengths = [], []
        for index, arc in enumerate(topo["arcs"]):
            if keep(uses.get(index, 0)) and len(arc) >= 2:
                deltas.append(np.asarray(arc, dtype=np.int32))
                lengths.append(len(arc))
        d = np.concatenate(deltas)
        out[f"{kind}_steps"] = d.astype(np.int32)
        out[f"{kind}_lengths"] = np.asarray(lengths, dtype=np.int32)
    np.savez_compressed(out_path, **out)  # type: ignore[arg-type]  # numpy stub


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(sys.argv[2]))
