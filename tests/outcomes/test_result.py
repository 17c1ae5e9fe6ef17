"""Tests of iadsim.outcomes.result: saving and loading a run's folder, strict JSON."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from iadsim.jsonfile import finite, loads
from iadsim.outcomes.result import Result


def test_save_writes_strict_json_and_loads_back(tmp_path: Path) -> None:
    # the non-finite values a run could produce: an infinite cost, an undefined ratio, a DIS
    # record time of NaN, numpy scalars from the tables
    summary = {"interceptor_cost": math.inf, "cost_exchange_ratio": math.nan,
               "rounds_spent": {"long": np.int64(3)}, "dis": {"first_time_s": -math.inf},
               "tracking": {"ospa_m": np.float64(12.5), "gospa_m": np.float64("nan")},
               "leakers": 2, "interrupted": np.bool_(False)}
    threats = pd.DataFrame({"threat_id": np.arange(2, dtype=np.int64), "fate": ["killed"] * 2})
    events = pd.DataFrame({"time_s": [1.0], "kind": ["launch"]})
    result = Result(summary=summary, scenario={"name": "x", "origin": {"lat_deg": 44.0}},
                    threats=threats, events=events)
    out = result.save(tmp_path / "run")
    text = (out / "summary.json").read_text(encoding="utf-8")
    assert "NaN" not in text and "Infinity" not in text
    assert loads(text) == {"interceptor_cost": None, "cost_exchange_ratio": None,
                           "rounds_spent": {"long": 3}, "dis": {"first_time_s": None},
                           "tracking": {"ospa_m": 12.5, "gospa_m": None}, "leakers": 2,
                           "interrupted": False}
    back = Result.load(out)
    assert back.summary == loads(text)
    assert back.scenario == {"name": "x", "origin": {"lat_deg": 44.0}}
    pd.testing.assert_frame_equal(back.threats, threats)
    pd.testing.assert_frame_equal(back.events, events)


def test_default_run_summary_is_strict_json(default_result: Result, tmp_path: Path) -> None:
    out = default_result.save(tmp_path / "default")
    for name in ("summary.json", "scenario.json"):
        data = loads((out / name).read_text(encoding="utf-8"))
        assert isinstance(data, dict) and data
    assert loads((out / "summary.json").read_text()) == finite(default_result.summary)
