"""Shared fixtures: the bundled scenario as data, and one default run shared by many tests."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
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


def _run_with_live_listener(scenario: Scenario, seed: int | None = None,
                            **dis: Any) -> tuple[Result, list[bytes]]:
    """Run ``scenario`` sending its DIS PDUs live (unpaced) to a loopback listener; the result
    and every datagram received (a bounded 5 s wait for as many as the run says it sent)."""
    from iadsim.interop.dis.session import DisOptions
    from iadsim.interop.dis.stream import UdpAddress, UdpPduReceiver

    with UdpPduReceiver(UdpAddress("127.0.0.1", 0)) as rx:
        options = DisOptions(udp_out=f"127.0.0.1:{rx.address.port}", speed=float("inf"), **dis)
        result = run(scenario, dis=options) if seed is None else run(scenario, seed=seed,
                                                                     dis=options)
        n = result.summary["dis"]["udp_out"]["pdus_sent"]
        got: list[bytes] = []
        deadline = time.monotonic() + 5.0
        while len(got) < n and time.monotonic() < deadline:  # bounded wait
            got += [b for _, b in rx.drain()]
            time.sleep(0.01)
    return result, got


@pytest.fixture(scope="session")
def live_dis_run() -> Callable[..., tuple[Result, list[bytes]]]:
    """``live_dis_run(scenario, seed=None, **dis_options) -> (result, datagrams)``."""
    return _run_with_live_listener


@pytest.fixture(scope="session")
def default_result(default_scenario: Scenario) -> Result:
    """One full run of the default scenario with its own seed (computed once per session)."""
    return run(default_scenario)


class _NonFiniteJson(ValueError):
    """A JSON file holds NaN, Infinity or -Infinity."""


def _refuse_constant(constant: str) -> float:
    raise _NonFiniteJson(constant)


@pytest.fixture(autouse=True)
def _written_json_is_strict(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test, every ``*.json`` under its ``tmp_path`` parses as strict JSON.

    ``summary.json``, ``scenario.json``, manifests and coverage JSON must never hold ``NaN`` or
    ``Infinity`` (strict parsers reject them). Files a test damaged on purpose (not JSON at all)
    are left to that test.
    """
    tmp: Path | None = (request.getfixturevalue("tmp_path")
                        if "tmp_path" in request.fixturenames else None)
    yield
    if tmp is not None:
        _check_json_files(tmp)


@pytest.fixture(scope="session", autouse=True)
def _session_json_is_strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """At the end of the session, the same check over every temporary folder (shared ones too)."""
    yield
    _check_json_files(tmp_path_factory.getbasetemp())


def _check_json_files(folder: Path) -> None:
    for path in sorted(folder.rglob("*.json")):
        try:
            json.loads(path.read_bytes(), parse_constant=_refuse_constant)
        except _NonFiniteJson as exc:
            pytest.fail(f"{path} is not strict JSON: it holds {exc}", pytrace=False)
        except (OSError, ValueError):  # damaged on purpose by the test (truncated, not JSON)
            continue
