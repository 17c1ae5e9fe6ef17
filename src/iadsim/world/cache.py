"""Scenario invariants computed once per scenario object and reused by every run of it.

A Monte Carlo sweep runs one scenario hundreds of times in a process; what does not depend on
the seed (the threats' closed-form truth, the fly-out envelope table) is built on the first run
and reused. Entries are keyed on the scenario *object* (scenarios are frozen) and dropped when
it is garbage collected; a value is whatever ``build`` returns, so a cached run is the same
computation as an uncached one, bit for bit.

``MemoThreatSet`` is a ``ThreatSet`` whose ``state(t)`` (positions and velocities of every
threat at ``t``: deterministic, no rng) is remembered per time, so the several stages asking
for the truth at a step's end, and the later replications, pay for it once. The remembered
arrays are read-only; sets with DIS-in threats (whose positions change during a run) are never
remembered.
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from iadsim.scenario.model import Scenario
from iadsim.world.evasion import Evasion
from iadsim.world.frames import Origin
from iadsim.world.threats import ThreatSet, build_threats

T = TypeVar("T")

_ENTRIES: dict[int, tuple[weakref.ref[Any], dict[str, Any]]] = {}

MEMO_BUDGET_FLOATS = 8_000_000
"""Most floats the truth memo of one threat set holds (64 MB); the oldest times go first."""


def per_scenario(scenario: object, name: str, build: Callable[[], T]) -> T:
    """``build()`` on the first call for this scenario object and ``name``; the same value after."""
    key = id(scenario)
    entry = _ENTRIES.get(key)
    if entry is None or entry[0]() is not scenario:
        ref = weakref.ref(scenario, lambda r, k=key: _forget(k, r))
        entry = (ref, {})
        _ENTRIES[key] = entry
    values = entry[1]
    if name not in values:
        values[name] = build()
    return values[name]  # type: ignore[no-any-return]


def _forget(key: int, ref: weakref.ref[Any]) -> None:
    entry = _ENTRIES.get(key)
    if entry is not None and entry[0] is ref:
        del _ENTRIES[key]


@dataclasses.dataclass(frozen=True, slots=True)
class MemoThreatSet(ThreatSet):
    """A ``ThreatSet`` remembering ``state(t)`` per time (see the module docstring)."""

    memo: dict[float, tuple[NDArray[np.float64], NDArray[np.float64]]] = dataclasses.field(
        default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, threats: ThreatSet) -> MemoThreatSet:
        """The same threats, with the memo."""
        names = [f.name for f in dataclasses.fields(ThreatSet)]
        return cls(**{n: getattr(threats, n) for n in names})

    def state(self, time_s: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        if self.external is not None:  # DIS-in rows move with the federation: never remembered
            return ThreatSet.state(self, time_s)
        key = float(time_s)
        hit = self.memo.get(key)
        if hit is None:
            pos, vel = ThreatSet.state(self, time_s)
            pos.setflags(write=False)
            vel.setflags(write=False)
            hit = (pos, vel)
            per_time = 2 * pos.size
            while self.memo and (len(self.memo) + 1) * per_time > MEMO_BUDGET_FLOATS:
                self.memo.pop(next(iter(self.memo)), None)
            if per_time <= MEMO_BUDGET_FLOATS:
                self.memo[key] = hit
        return hit


def scenario_threats(scenario: Scenario, origin: Origin) -> ThreatSet:
    """``build_threats`` with the truth memo, once per scenario object (``origin`` is the
    scenario's own, ``frames.scenario_origin``).

    Threats that may evade carry per-run state (who broke, when: drawn from the run's own
    generator), so their truth is not the same in every run: such a set is built once (the
    trajectories), but each run gets a fresh evasion state and no memo.
    """
    built = per_scenario(scenario, "threats_built", lambda: build_threats(scenario, origin))
    if built.evasion is not None:
        return dataclasses.replace(built, evasion=Evasion(built.evasion.params))
    return per_scenario(scenario, "threats", lambda: MemoThreatSet.of(built))
