"""Shared fixtures: the bundled scenario as data, and one default run shared by many tests."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings

from iadsim.outcomes.result import Result
from iadsim.scenario.load import DEFAULT_SCENARIO, scenario_from_dict
from iadsim.scenario.model import Scenario
from iadsim.simulation import run

# Property tests are deterministic (derandomized) and never timed: a slow CI core must not fail.
settings.register_profile(
    "iadsim", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("iadsim")


@pytest.fixture(scope="session")
def default_data() -> dict[str, Any]:
    """The bundled default scenario as plain data (deep-copy before changing it)."""
    return yaml.safe_load(DEFAULT_SCENARIO.read_text())


@pytest.fixture
def scenario_data(default_data: dict[str, Any]) -> dict[str, Any]:
    """A fresh, mutable copy of the default scenario data."""
    return copy.deepcopy(default_data)


@pytest.fixture(scope="session")
def default_scenario(default_data: dict[str, Any]) -> Scenario:
    """The validated default scenario."""
    return scenario_from_dict(copy.deepcopy(default_data), "default.yaml")


@pytest.fixture(scope="session")
def default_result(default_scenario: Scenario) -> Result:
    """One full run of the default scenario with its own seed (computed once per session)."""
    return run(default_scenario)
