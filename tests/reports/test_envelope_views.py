"""Envelope drawings: one PNG per class and strict JSON read back against the table."""

from __future__ import annotations

import json

import numpy as np

from iadsim.engagement.launchers import InterceptorClasses
from iadsim.reports.envelope_views import write_envelopes
from iadsim.scenario.model import Scenario


def _no_constants(name: str) -> float:
    raise AssertionError(f"non-strict JSON constant {name}")


def test_one_png_per_class_and_strict_json(default_scenario: Scenario, tmp_path) -> None:
    files = write_envelopes(default_scenario, tmp_path)
    names = sorted(p.name for p in files)
    assert names == ["envelope_long.png", "envelope_short.png", "envelope_very_long.png",
                     "envelopes.json"]
    data = json.loads((tmp_path / "envelopes.json").read_text(), parse_constant=_no_constants)
    tab = InterceptorClasses.from_scenario(default_scenario).table
    assert tab is not None
    tof = np.array(data["long"]["time_of_flight_s"], dtype=float)
    np.testing.assert_allclose(tof, tab.tof_s[1], atol=1e-3, equal_nan=True)
    assert np.isnan(tof).any() and np.isfinite(tof).any()
