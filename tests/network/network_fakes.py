"""Small networked scenarios built from the default scenario's data."""

from __future__ import annotations

import copy
from typing import Any


def two_unit_data(default_data: dict[str, Any], duration_s: float = 260.0) -> dict[str, Any]:
    """Two fire units (a multifunction radar and a long-range launcher each) under one
    command, linked, and one aircraft flying at the city between them."""
    d = copy.deepcopy(default_data)
    d["simulation"]["duration_s"] = duration_s
    mfr = next(s for s in d["sensors"] if s["kind"] == "multifunction")
    a, b = copy.deepcopy(mfr), copy.deepcopy(mfr)
    a.update(name="mfr-a", position={"lat_deg": 44.47, "lon_deg": 8.80, "alt_m": 60})
    b.update(name="mfr-b", position={"lat_deg": 44.47, "lon_deg": 9.05, "alt_m": 60})
    d["sensors"] = [a, b]
    long_ = next(x for x in d["launchers"] if x["interceptor"] == "long")
    la, lb = copy.deepcopy(long_), copy.deepcopy(long_)
    la.update(name="long-a", position={"lat_deg": 44.46, "lon_deg": 8.82})
    lb.update(name="long-b", position={"lat_deg": 44.46, "lon_deg": 9.03})
    d["launchers"] = [la, lb]
    d["command"].pop("ballistic_reserve", None)
    d["threats"] = [{"name": "jet", "type": "aircraft", "count": 1,
                     "start": {"lat_deg": 43.55, "lon_deg": 8.93, "alt_m": 8000},
                     "aim": "city", "speed_mps": 260, "altitude_m": 8000, "rcs_m2": 3.0}]
    d["network"] = {
        "units": [{"name": "a", "sensors": ["mfr-a"], "launchers": ["long-a"],
                   "superior": "hq"},
                  {"name": "b", "sensors": ["mfr-b"], "launchers": ["long-b"],
                   "superior": "hq"}],
        "commands": [{"name": "hq"}],
        "links": [{"source": "a", "destination": "hq", "update_period_s": 1, "latency_s": 0.2},
                  {"source": "b", "destination": "hq", "update_period_s": 1, "latency_s": 0.2}],
    }
    return d
