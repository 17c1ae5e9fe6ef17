"""Fuzzing the scenario loader: any file at all either validates or raises ``ScenarioError``,
and a file that validates runs.

2,400 derandomized cases in-process (mutations of the bundled scenario of every kind in
``iadsim.scenario.mutations``, random bytes, random text), ten through the CLI, and a seeded
sample of the mutants that still validate run for 20 simulated seconds. Each problem line must
name the file and a field path or a line; any other exception (or warning, but a
``RunCostWarning``) fails the test. Times are measured by ``benchmarks/fuzz_scenarios.py``,
never asserted here; subprocesses have a generous timeout only as a guard against a hang.
"""

from __future__ import annotations

import functools
import itertools
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import iadsim
from iadsim.errors import ScenarioError
from iadsim.scenario.load import DEFAULT_SCENARIO, scenario_from_yaml
from iadsim.scenario.model import Scenario
from iadsim.scenario.mutations import (
    KINDS,
    cut_duration,
    mutate,
    problems_without_path,
    valid_mutants,
)
from iadsim.scenario.yaml_reader import read_yaml_bytes
from iadsim.simulation import run

RAW = DEFAULT_SCENARIO.read_bytes()
BASE = read_yaml_bytes(RAW, "default.yaml")


def fuzz(max_examples: int) -> settings:
    """Derandomized, untimed, no example database: the same cases on every machine."""
    return settings(max_examples=max_examples, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


def outcome(content: bytes, source: str = "fuzz.yaml") -> str:
    """``valid`` or ``error``; fails on any other exception or a line naming no path."""
    try:
        scenario_from_yaml(content, source)
    except ScenarioError as exc:
        assert exc.problems, "a ScenarioError without problems"
        assert problems_without_path(exc.problems, source) == []
        return "error"
    return "valid"


@fuzz(1_500)
@given(kind=st.sampled_from(KINDS), seed=st.integers(0, 2**32 - 1))
def test_mutated_scenarios_validate_or_name_a_path(kind: str, seed: int) -> None:
    outcome(mutate(RAW, kind, rng=np.random.default_rng(seed), data=BASE))


@fuzz(700)
@given(content=st.binary(max_size=400))
def test_random_bytes(content: bytes) -> None:
    outcome(content)


@fuzz(200)
@given(head=st.text(max_size=200), cut=st.integers(0, len(RAW)))
def test_random_text_spliced_into_the_scenario(head: str, cut: int) -> None:
    outcome(RAW[:cut] + head.encode("utf-8", errors="surrogatepass") + RAW[cut:])


@pytest.mark.parametrize("kind", KINDS)
def test_every_mutation_kind_changes_the_file_and_breaks_some(kind: str) -> None:
    rng = np.random.default_rng(7)
    mutated = [mutate(RAW, kind, rng=rng, data=BASE) for _ in range(8)]
    assert any(m != RAW for m in mutated)
    assert "error" in {outcome(m) for m in mutated}


def test_mutations_are_reproducible() -> None:
    for kind in KINDS:
        a = mutate(RAW, kind, rng=np.random.default_rng(3), data=BASE)
        assert a == mutate(RAW, kind, rng=np.random.default_rng(3))


N_RUNS = 20
RUN_S = 20.0
CLI_KINDS = ("alias", "type_swap", "delete", "duplicate_key", "encoding", "nesting",
             "huge_number", "trajectory_file", "byte_noise", "repeat_item")


@functools.cache
def runnable_sample() -> tuple[tuple[str, Scenario], ...]:
    """The first ``N_RUNS`` seeded mutants that still validate (found once per session)."""
    return tuple(itertools.islice(valid_mutants(RAW, BASE, rng=np.random.default_rng(2026)),
                                  N_RUNS))


@pytest.mark.filterwarnings("ignore::iadsim.sensors.radar.RunCostWarning")
@pytest.mark.parametrize("index", range(N_RUNS))
def test_mutants_that_validate_also_run(index: int) -> None:
    kind, scenario = runnable_sample()[index]
    result = run(cut_duration(scenario, RUN_S), keep_trajectories=False)
    names = result.threats["name"]
    # every member, plus what a raid adds (#19): stand-off weapons, separated boosters, debris
    assert len(names) == sum(
        g.count * (1 + (g.standoff.count if g.standoff else 0)
                   + ((1 + g.ballistic.debris_count) if g.type == "ballistic_missile"
                      and g.ballistic.separation else 0))
        for g in scenario.threats), kind
    assert names.is_unique, kind


def test_the_run_sample_mixes_kinds_and_is_cut_short() -> None:
    kinds = {kind for kind, _ in runnable_sample()}
    assert len(kinds) >= 4, kinds
    cut = cut_duration(runnable_sample()[0][1], RUN_S).simulation
    assert cut.duration_s == RUN_S and cut.step_s == runnable_sample()[0][1].simulation.step_s


@pytest.mark.parametrize("kind", CLI_KINDS)
def test_cli_validate_on_mutated_files_exits_0_or_2_without_traceback(tmp_path: Path,
                                                                      kind: str) -> None:
    content = mutate(RAW, kind, rng=np.random.default_rng(11), data=BASE)
    expected = {"valid": 0, "error": 2}[outcome(content)]
    path = tmp_path / f"{kind}.yaml"
    path.write_bytes(content)
    env = {**os.environ, "PYTHONPATH": str(Path(iadsim.__file__).parents[1])}
    res = subprocess.run([sys.executable, "-m", "iadsim", "validate", str(path)], env=env,
                         capture_output=True, text=True, timeout=300, check=False)  # hang guard
    assert res.returncode == expected, res.stderr
    assert "Traceback" not in res.stdout + res.stderr
    if expected == 2:
        lines = res.stderr.strip().splitlines()
        assert lines and problems_without_path(lines, str(path)) == []


def test_the_promise_checker_tells_named_from_unnamed_lines() -> None:
    named = ["f: threats[2].speed_mps must be > 0.0 (got -5.0)", "f: (top level) keys must be",
             "f: threats[5]['rcs_m\\t2'] is not a known field", "f: a[0][0][...]: nested deeper",
             "f: interceptors[1] (a key) must be a string", "f: not UTF-8 text (line 2, column 1"]
    unnamed = ["g: threats[2].speed_mps must be > 0", "f: 12 problems", "f: a\nb: two lines",
               "f: ['unclosed is not"]
    assert problems_without_path(named, "f") == []
    assert problems_without_path(unnamed, "f") == unnamed
