"""Command stage: cost- and look-ahead-aware engagement values (two-stage dynamic WTA).

In: the threats the cycle may engage (state, reported type, time to their asset, value), the
launchers (sites, classes, rounds held) and the candidate (launcher, threat) pairs of this
cycle with their salvo kill probability. Out: for every pair the kill probability the WTA
should see, such that its objective is the two-stage expected surviving value plus the cost
of the rounds, and which pairs the class choice leaves out.

Formulation: the shoot-look-shoot two-stage approximation of the dynamic WTA (Hosein and
Athans, "Some analytical results for the dynamic weapon-target allocation problem", MIT LIDS
-P-1944, 1990; the two-stage form of Murphey, "An approximate algorithm for a
weapon target assignment stochastic program", 2000). Stage 1 is this cycle; stage 2 is the
later shot that a *cheaper* class will get at the threat before it reaches its asset (its
envelope meets the threat's predicted path in time, see :func:`later_pk`). With ``P2`` the
stage-2 kill probability, ``c`` the round cost (``round_cost_weight`` x class cost x salvo)
and ``c2`` the cheaper round's cost, firing the salvo (kill probability ``p``) now instead of
holding gains, in expected value,

    g = V p (1 - P2) - c + p P2' c2,

(``P2' = 1`` when a later shot exists: a kill now saves it). Stage 2 is a shared resource:
when more threats count on a class's later shot than it has rounds (``D_c > A_c``, see
:func:`demand_rounds`, :func:`available_rounds`), ``P2`` and the saved price are scaled by
``min(1, A_c / D_c)`` (:func:`stage_two_share`), and every round's price by the scarcity
factor ``1 + scarcity_weight x D_c / A_c`` (:func:`scarcity_factor`). The cycle's WTA gives each threat
at most one salvo (look before shooting again), so its objective ``sum_j V_j (1 - p_ij x_ij)``
with ``p_ij`` replaced by ``g_ij / V_j`` (pairs with ``g <= 0`` not feasible) maximises the
total gain exactly: the WTA solvers need no change.

Class choice ``cheapest_in_time``: a pair is left out when a cheaper class whose single-shot
Pk against the type reaches ``required_pk`` (default: any Pk above 0) can engage the threat
now or later in time (a long-range round is not spent on a drone the short layer will meet),
unless the threat's reported type is in ``engage_early``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from iadsim.scenario.model import THREAT_TYPES
from iadsim.world.frames import Origin, approx_altitude_m

if TYPE_CHECKING:
    from iadsim.engagement.launchers import InterceptorClasses
    from iadsim.scenario.command_spec import CommandSpec

EARLY_INDEX = {t: i for i, t in enumerate(THREAT_TYPES)}
LOOK_SAMPLES = 24
"""Points along the predicted path (now to the asset) tested for a later opportunity."""
RANGE_MARGIN = 0.9
"""Fraction of a class's maximum range counted on for a later shot (planning margin)."""


@dataclass(frozen=True, slots=True)
class LaterShots:
    """Best later kill probability and that round's cost, per threat and class (m, c):
    the stage-2 shot a class cheaper than the column's class gets in time (0 / 0 if none)."""

    pk: NDArray[np.float64]
    cost: NDArray[np.float64]
    later_class: NDArray[np.intp]  # (m, c) the cheaper class of that shot, -1 if none
    reach: NDArray[np.bool_]  # (m, c) some launcher of the class meets the threat in time


def later_pk(
    position_enu_m: NDArray[np.float64],
    velocity_enu_mps: NDArray[np.float64],
    accel_enu_mps2: NDArray[np.float64],
    time_to_asset_s: NDArray[np.float64],
    kind: NDArray[np.int64],
    site_enu_m: NDArray[np.float64],
    site_class: NDArray[np.intp],
    site_ready_in_s: NDArray[np.float64] | NDArray[np.bool_],
    classes: InterceptorClasses,
    origin: Origin,
) -> LaterShots:
    """For every threat (m,) and class (c,), the stage-2 shot of a cheaper class.

    A launcher with rounds (ready or reloads) offers a later shot at a threat when, at some
    point of the threat's predicted path (constant acceleration: gravity for a ballistic
    classification) before it reaches its asset, the point is inside the launcher's envelope
    (``RANGE_MARGIN`` x maximum range, altitude band) and a round flying at the class's mean
    speed arrives before the threat reaches its asset.
    """
    m, n_cls = position_enu_m.shape[0], len(classes.name)
    ready_in = np.asarray(site_ready_in_s)  # s until each launcher can fire (inf: never)
    if ready_in.dtype == bool:  # "holds rounds": ready now, or never
        ready_in = np.where(ready_in, 0.0, np.inf)
    pk = np.zeros((m, n_cls))
    cost = np.zeros((m, n_cls))
    later_class = -np.ones((m, n_cls), dtype=np.intp)
    if m == 0 or site_enu_m.shape[0] == 0:
        return LaterShots(pk, cost, later_class, np.zeros((m, n_cls), dtype=bool))
    horizon = np.where(np.isfinite(time_to_asset_s), time_to_asset_s, 0.0)
    tau = horizon[:, None] * np.linspace(0.0, 1.0, LOOK_SAMPLES)[None, :]  # (m, T)
    path = (
        position_enu_m[:, None, :]
        + velocity_enu_mps[:, None, :] * tau[..., None]
        + 0.5 * accel_enu_mps2[:, None, :] * tau[..., None] ** 2
    )  # (m, T, 3)
    height = approx_altitude_m(path, origin)  # (m, T)
    cls = site_class
    rng_m = np.linalg.norm(path[:, :, None, :] - site_enu_m[None, None, :, :], axis=-1)  # m,T,L
    c = classes
    inside = (
        (rng_m <= RANGE_MARGIN * c.max_range_m[cls])
        & (rng_m >= c.min_range_m[cls])
        & (height[..., None] >= c.min_altitude_m[cls])
        & (height[..., None] <= c.max_altitude_m[cls])
        & (tau[..., None] + rng_m / c.speed_mps[cls] <= horizon[:, None, None])
        & (tau[..., None] >= ready_in[None, None, :])  # a reloading launcher: once reloaded
    )
    can = inside.any(axis=1)  # (m, L)
    per_class = np.zeros((m, n_cls), bool)
    for k in range(n_cls):
        per_class[:, k] = can[:, cls == k].any(axis=1)
    kpk = c.pk[:, kind].T  # (m, c)
    for k in range(n_cls):  # the column's class k: later shots of strictly cheaper classes
        cheaper = c.cost < c.cost[k]
        offer = np.where(per_class & cheaper[None, :], kpk, 0.0)
        best = offer.argmax(axis=1)
        pk[:, k] = offer[np.arange(m), best]
        cost[:, k] = np.where(pk[:, k] > 0.0, c.cost[best], 0.0)
        later_class[:, k] = np.where(pk[:, k] > 0.0, best, -1)
    return LaterShots(pk, cost, later_class, per_class)


def scarcity_factor(
    demand_rounds: NDArray[np.float64],
    site_class: NDArray[np.intp],
    ready_rounds: NDArray[np.int64],
    stock_rounds: NDArray[np.int64],
    reload_time_s: NDArray[np.float64],
    horizon_s: float,
    weight: float,
) -> NDArray[np.float64]:
    """Multiplier (c,) of each class's round price: ``1 + weight x D_c / A_c``.

    ``D_c`` (``demand_rounds``) is the rounds the class is expected to be asked for (the
    threats in view it can meet in time, a salvo each, plus ``expected_rounds``); ``A_c``
    its rounds available: the ready rounds of its launchers plus their reload stock, each
    reload counted by the share of the horizon left after it lands,
    ``max(0, 1 - reload_time_s / horizon_s)``; ``A_c`` at least 1. A class whose magazine
    is emptying relative to what is still coming prices its rounds higher (an opportunity
    cost: a round spent now is missing later), a class with rounds to spare at its cost.
    """
    avail = available_rounds(demand_rounds.shape[0], site_class, ready_rounds, stock_rounds,
                             reload_time_s, horizon_s)
    return 1.0 + weight * demand_rounds / np.maximum(avail, 1.0)


def available_rounds(
    n_cls: int,
    site_class: NDArray[np.intp],
    ready_rounds: NDArray[np.int64],
    stock_rounds: NDArray[np.int64],
    reload_time_s: NDArray[np.float64],
    horizon_s: float,
) -> NDArray[np.float64]:
    """Rounds (c,) per class within the horizon: ready rounds plus the reload stock, each
    reload counted by the share of the horizon left after it lands."""
    later = np.clip(1.0 - reload_time_s / horizon_s, 0.0, 1.0)
    return np.bincount(site_class, weights=ready_rounds + stock_rounds * later,
                       minlength=n_cls)


def stage_two_share(demand: NDArray[np.float64], avail: NDArray[np.float64]) -> NDArray[np.float64]:
    """Share (c,) of the threats counting on a class's later shot that its rounds can serve,
    ``min(1, A_c / D_c)`` (1 without demand): stage 2 is a shared resource, so a later shot
    counted on by more threats than the class has rounds is only that likely to happen."""
    return np.where(demand > 0.0, np.minimum(1.0, avail / np.maximum(demand, 1e-12)), 1.0)


def two_stage_pk(
    value: NDArray[np.float64],
    pk_now: NDArray[np.float64],
    round_cost: NDArray[np.float64],
    later_pk_: NDArray[np.float64],
    later_cost: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Kill probability the single-salvo WTA should see for each pair (all arrays (k,)):
    ``max(g, 0) / V`` with the two-stage gain ``g`` of the module docstring (0: not worth a
    salvo now)."""
    saved = np.where(later_pk_ > 0.0, later_cost, 0.0)
    gain = value * pk_now * (1.0 - later_pk_) - round_cost + pk_now * saved
    eff = np.where((value > 0.0) & (gain > 0.0), gain / np.where(value > 0.0, value, 1.0), 0.0)
    return np.minimum(eff, 1.0)


def required_pk(spec: CommandSpec, kind: NDArray[np.int64]) -> NDArray[np.float64]:
    """Single-shot Pk (m,) a cheaper class must reach against each threat's reported type to
    be preferred under ``cheapest_in_time`` (``required_pk``; else any Pk above 0)."""
    need = np.array([spec.required_pk.get(t, 0.0) for t in THREAT_TYPES])  # type: ignore[call-overload]
    return np.maximum(need[kind], np.nextafter(0.0, 1.0))


def early_types(spec: CommandSpec, kind: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Threats (m,) the layered filter gives to the longest-reaching class: every threat
    under ``longest_reach`` without look-ahead; else only the ``engage_early`` types (the
    look-ahead, which counts on the cheaper layer's later shot, decides for the others)."""
    if spec.class_preference == "longest_reach" and not spec.lookahead:
        return np.ones(kind.shape, dtype=bool)
    return np.isin(kind, [EARLY_INDEX[t] for t in spec.engage_early])


def plan_pairs(
    spec: CommandSpec,
    classes: InterceptorClasses,
    origin: Origin,
    state: tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]],
    time_to_asset_s: NDArray[np.float64],
    kind: NDArray[np.int64],
    value: NDArray[np.float64],
    sites: tuple[NDArray[np.float64], NDArray[np.intp], NDArray[np.float64]],
    pairs: tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.int64]],
    ok: NDArray[np.bool_],
    pk: NDArray[np.float64],
    inventory: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]] | None = None,
) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """The doctrine's pairs after class choice and look-ahead (the command cycle's hook).

    ``state``: threat position, velocity, acceleration (m, 3); ``sites``: every launcher's
    site (L, 3), class (L,) and the time until it can fire (L,: 0 ready, the reload's
    remaining time while it reloads, inf with no rounds and no stock); ``pairs``: each candidate pair's
    threat row, class and salvo size (k,); ``ok``, ``pk``: feasibility and salvo kill
    probability (k,); ``inventory``: every launcher's ready rounds, reload stock (rounds) and
    reload time, for the round price's scarcity factor (:func:`scarcity_factor`; None: a
    constant price). Returns the new ``ok`` and the kill probability the WTA should see.
    """
    tj, cls, salvo = pairs
    later = later_pk(*state, time_to_asset_s, kind, *sites, classes, origin)
    if spec.class_preference == "cheapest_in_time":  # the best cheaper shot in time (later.pk)
        need = required_pk(spec, kind)[tj]  # must reach the type's required Pk to be preferred
        ok = ok & ((later.pk[tj, cls] < need) | early_types(spec, kind)[tj])
    if not spec.lookahead:
        return ok, pk
    w = spec.round_cost_weight
    n_cls = len(classes.name)
    factor = np.ones(n_cls)
    share = np.ones(n_cls)
    if inventory is not None:
        demand = demand_rounds(later.reach, tj, cls, salvo, ok, spec, classes.name)
        avail = available_rounds(n_cls, sites[1], *inventory, spec.demand_horizon_s)
        share = stage_two_share(demand, avail)
        factor = 1.0 + spec.scarcity_weight * demand / np.maximum(avail, 1.0)
    lc = later.later_class[tj, cls]
    lc0 = np.maximum(lc, 0)
    got = np.where(lc >= 0, share[lc0], 1.0)  # the later shot happens with this share ...
    later_p = later.pk[tj, cls] * got
    later_price = w * later.cost[tj, cls] * np.where(lc >= 0, factor[lc0], 1.0) * got  # ... saved
    eff = two_stage_pk(
        value[tj], pk, w * classes.cost[cls] * factor[cls] * salvo, later_p, later_price,
    )
    return ok & (eff > 0.0), np.where(eff > 0.0, eff, pk)


def demand_rounds(
    reach: NDArray[np.bool_],
    tj: NDArray[np.intp],
    cls: NDArray[np.intp],
    salvo: NDArray[np.int64],
    ok: NDArray[np.bool_],
    spec: CommandSpec,
    class_names: tuple[str, ...],
) -> NDArray[np.float64]:
    """Rounds (c,) each class is expected to be asked for: one salvo (the largest this cycle
    offers it against the threat, else 1) per threat in view it can meet in time now
    (``ok``) or later (``reach``), plus the scenario's ``expected_rounds``."""
    m, n_cls = reach.shape
    size = np.ones((m, n_cls))
    can = reach.copy()
    np.maximum.at(size, (tj, cls), np.where(ok, salvo, 1).astype(float))
    can[tj[ok], cls[ok]] = True
    extra = np.array([spec.expected_rounds.get(c, 0) for c in class_names], dtype=float)
    return (can * size).sum(axis=0) + extra
