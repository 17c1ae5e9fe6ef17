"""Command stage: the ballistic reserve and its release rules.

In: the cycle's candidate (launcher, threat) pairs (class, reported type, salvo), the rounds
each class holds, the threats' time to their asset and that asset's value, and the reported
types of every track in view. Out: which pairs the reserve allows, and the release events.

``command.ballistic_reserve`` keeps rounds of a class for ballistic missiles: another threat
may take a round of that class only while the class holds more than the reserve after the
salvo. ``command.reserve_release`` lets the reserve go:

* ``no_threat_expected_after_s``: from this time on, when no track in view is reported a
  ballistic missile, no ballistic missile is expected any more and the reserve of every class
  is released for good (one ``reserve_release`` event per class);
* ``asset_value_at_least`` with ``imminent_s``: a threat that will reach an asset of at least
  this value within ``imminent_s`` may take reserved rounds (an asset of higher value is about
  to be hit; one event per class and threat track).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from iadsim.scenario.command_spec import CommandSpec


@dataclass
class ReserveState:
    """Released classes and the release events not yet logged."""

    released: set[int] = field(default_factory=set)
    imminent_logged: set[tuple[int, int]] = field(default_factory=set)
    events: list[dict[str, object]] = field(default_factory=list)


def reserve_pairs(
    spec: CommandSpec,
    state: ReserveState,
    time_s: float,
    reserve: NDArray[np.int64],
    held: NDArray[np.float64],
    class_names: tuple[str, ...],
    pairs: tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.int64]],
    threat: tuple[NDArray[np.bool_], NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]],
    ballistic_in_view: bool,
) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.int64]]:
    """Pairs (k,) the reserve allows, each pair's exemption (a ballistic missile, or a release
    for an imminent hit: it may spend reserved rounds) and the reserve still in force per
    class (0 for a released class). ``pairs``: threat row, class, salvo of each pair;
    ``threat``: per threat row, reported ballistic, time to asset (s), that asset's value and
    track id. Appends release events to ``state.events``.

    Each pair is judged alone against ``held``; the cycle's chosen pairs together are held
    to the reserve by :func:`keep_within_reserve`."""
    tj, cls, salvo = pairs
    is_ballistic, time_to_asset_s, asset_value, track_id = threat
    rule = spec.reserve_release
    after = rule.no_threat_expected_after_s
    if after is not None and time_s >= after and not ballistic_in_view:
        for c in np.flatnonzero(reserve > 0).tolist():
            if c not in state.released:
                state.released.add(c)
                state.events.append(dict(
                    time_s=time_s, interceptor_class=class_names[c], count=int(reserve[c]),
                    detail=f"no ballistic missile expected (none in view after {after:g} s)"))
    live = reserve.copy()
    live[list(state.released)] = 0
    ok = is_ballistic[tj] | (held[cls] - salvo >= live[cls])
    if rule.asset_value_at_least is not None:
        urgent = (time_to_asset_s <= rule.imminent_s) & (asset_value >= rule.asset_value_at_least)
        use = ~ok & urgent[tj]
        for k in np.flatnonzero(use).tolist():
            key = (int(cls[k]), int(track_id[tj[k]]))
            if key not in state.imminent_logged:
                state.imminent_logged.add(key)
                state.events.append(dict(
                    time_s=time_s, interceptor_class=class_names[key[0]], track_id=key[1],
                    count=int(live[key[0]]),
                    detail=(f"asset of value {asset_value[tj[k]]:g} hit within "
                            f"{time_to_asset_s[tj[k]]:.0f} s")))
        ok |= use
        exempt = is_ballistic[tj] | use
    else:
        exempt = is_ballistic[tj].copy()
    return ok, exempt, live


def keep_within_reserve(
    cls: NDArray[np.intp],
    salvo: NDArray[np.int64],
    exempt: NDArray[np.bool_],
    free: NDArray[np.float64],
    live: NDArray[np.int64],
) -> NDArray[np.bool_]:
    """Chosen pairs (k,) in firing order that keep every class's reserve: each pair spends
    its salvo from its class's ``free`` rounds (ready rounds not yet committed to a rippling
    salvo); a pair that is not ``exempt`` is kept only while its class keeps at least ``live``
    rounds after it, so several launches of one cycle cannot breach the reserve together
    (each alone sees the pre-cycle inventory)."""
    left = np.asarray(free, dtype=float).copy()
    keep = np.zeros(cls.size, dtype=bool)
    for k in range(cls.size):  # a cycle's few orders, in order: each sees the ones before
        c, n = int(cls[k]), int(salvo[k])
        if exempt[k] or left[c] - n >= live[c]:
            keep[k] = True
            left[c] -= n
    return keep
