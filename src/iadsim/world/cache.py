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

``EvasiveMemoThreatSet`` does the same for a set with evading aircraft (whose breaks are drawn
per run): the planned (no-break) positions are remembered per time, shared by every run of the
scenario, and only the rows that have broken are computed afresh, by the same expressions as
``ThreatSet.positions``, so the state is bit for bit the uncached one.
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
from iadsim.world.frames import Origin, surface_point_to_enu
from iadsim.world.threats import _FD_STEP_S, ThreatSet, build_threats

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
            _remember(self.memo, key, hit, 2 * pos.size)
        return hit


@dataclasses.dataclass(frozen=True, slots=True)
class EvasiveMemoThreatSet(ThreatSet):
    """A ``ThreatSet`` with evading aircraft whose planned positions are remembered per time
    (see the module docstring). ``planned`` is not an init field: a ``dataclasses.replace`` of
    the set (terrain following, DIS-in) drops it, and then nothing is remembered."""

    planned: MemoPositions | None = dataclasses.field(default=None, init=False, repr=False,
                                                      compare=False)

    @classmethod
    def of(cls, threats: ThreatSet, planned: MemoPositions) -> EvasiveMemoThreatSet:
        """``threats`` (with its own, fresh ``evasion``), its planned positions ``planned``."""
        names = [f.name for f in dataclasses.fields(ThreatSet)]
        out = cls(**{n: getattr(threats, n) for n in names})
        object.__setattr__(out, "planned", planned)
        return out

    def state(self, time_s: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        ev = self.evasion
        if self.planned is None or self.external is not None or ev is None:
            return ThreatSet.state(self, time_s)
        if not np.isfinite(ev.start_s).any():  # nobody has broken: the planned state
            return self.planned.state(time_s)
        pos, ahead, behind = (self._positions(float(time_s) + d)
                              for d in (0.0, _FD_STEP_S, -_FD_STEP_S))
        return pos, (ahead - behind) / (2.0 * _FD_STEP_S)

    def _positions(self, time_s: float) -> NDArray[np.float64]:
        """``ThreatSet.positions(time_s)``: the planned ones, the broken rows' replaced."""
        assert self.planned is not None and self.evasion is not None
        out = self.planned.positions(time_s).copy()
        ev = self.evasion
        on, plane, height = ev.plane_state(np.full(ev.rows.shape[0], time_s))
        if on.size:
            out[ev.rows[on]] = surface_point_to_enu(plane[:, 0], plane[:, 1], height, self.origin)
        return out


class MemoPositions:
    """Positions (and central-difference states) of a set without evasion, remembered per
    time within the memo budget (oldest first out); arrays are read-only."""

    def __init__(self, threats: ThreatSet) -> None:
        assert threats.evasion is None and threats.external is None
        self.threats = threats
        self.memo: dict[float, NDArray[np.float64]] = {}
        self.states: dict[float, tuple[NDArray[np.float64], NDArray[np.float64]]] = {}

    def positions(self, time_s: float) -> NDArray[np.float64]:
        key = float(time_s)
        hit = self.memo.get(key)
        if hit is None:
            hit = self.threats.positions(key)
            hit.setflags(write=False)
            _remember(self.memo, key, hit, 5 * hit.size)  # 3 positions + a state per time
        return hit

    def state(self, time_s: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        key = float(time_s)
        hit = self.states.get(key)
        if hit is None:
            ahead, behind = self.positions(key + _FD_STEP_S), self.positions(key - _FD_STEP_S)
            vel = (ahead - behind) / (2.0 * _FD_STEP_S)
            vel.setflags(write=False)
            hit = (self.positions(key), vel)
            _remember(self.states, key, hit, 5 * vel.size)
        return hit


def _remember(memo: dict[float, Any], key: float, value: Any, per_time: int) -> None:
    """``memo[key] = value``, the oldest entries dropped to keep within ``MEMO_BUDGET_FLOATS``."""
    while memo and (len(memo) + 1) * per_time > MEMO_BUDGET_FLOATS:
        memo.pop(next(iter(memo)), None)
    if per_time <= MEMO_BUDGET_FLOATS:
        memo[key] = value


def scenario_threats(scenario: Scenario, origin: Origin) -> ThreatSet:
    """``build_threats`` with the truth memo, once per scenario object (``origin`` is the
    scenario's own, ``frames.scenario_origin``).

    Threats that may evade carry per-run state (who broke, when: drawn from the run's own
    generator), so their truth is not the same in every run: such a set is built once (the
    trajectories), and each run gets a fresh evasion state over the remembered planned paths
    (``EvasiveMemoThreatSet``).
    """
    built = per_scenario(scenario, "threats_built", lambda: build_threats(scenario, origin))
    if built.evasion is not None:
        planned = per_scenario(scenario, "threats_planned", lambda: MemoPositions(
            dataclasses.replace(built, evasion=None)))
        return EvasiveMemoThreatSet.of(
            dataclasses.replace(built, evasion=Evasion(built.evasion.params)), planned)
    return per_scenario(scenario, "threats", lambda: MemoThreatSet.of(built))
