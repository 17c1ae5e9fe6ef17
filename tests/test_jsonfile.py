"""Tests of iadsim.jsonfile: strict JSON out (non-finite -> null), strict JSON in."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from iadsim.jsonfile import dumps, finite, loads, write_json


def test_non_finite_numbers_become_null_everywhere() -> None:
    value = {"a": math.nan, "b": [1.0, math.inf, -math.inf], "c": {"d": (np.float64("nan"),)},
             3: np.array([1.5, np.inf]), "e": np.int64(7), "f": np.bool_(True), "g": None}
    assert finite(value) == {"a": None, "b": [1.0, None, None], "c": {"d": [None]},
                             "3": [1.5, None], "e": 7, "f": True, "g": None}
    text = dumps(value)
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == finite(value)
    assert type(finite(np.int64(7))) is int and type(finite(np.float32(0.5))) is float
    plain = {"a": np.int64(7), "b": np.float32(0.5), "c": np.array([1, 2]), 4: np.bool_(False)}
    assert loads(dumps(plain)) == {"a": 7, "b": 0.5, "c": [1, 2], "4": False}  # fast path


def test_finite_values_round_trip_exactly() -> None:
    value = {"x": 0.1 + 0.2, "big": 1e308, "tiny": 5e-324, "neg": -0.0, "n": 2**62, "s": "é<"}
    assert loads(dumps(value)) == value
    assert loads(dumps(value, indent=None)) == value


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_loads_refuses_non_finite_literals(literal: str) -> None:
    with pytest.raises(ValueError, match=f"{literal} is not a JSON number"):
        loads(f'{{"x": [1, {literal}]}}')


def test_write_json_plain_and_atomic(tmp_path: Path) -> None:
    for atomic in (False, True):
        path = write_json(tmp_path / f"out-{atomic}.json", {"v": math.nan}, atomic=atomic)
        assert loads(path.read_text(encoding="utf-8")) == {"v": None}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out-False.json", "out-True.json"]
