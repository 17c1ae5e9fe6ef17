"""Engagement stage, every pipeline step: midcourse, seeker handover and the PN end game.

In: the interceptors in flight (``InterceptorFlights``), the true threats (``ThreatSet``), the
classes and the step's end time. Out: the interceptors whose end game ended in the step
(``InterceptResults``: closest approach, closing speed, Pk, kill draw); the flights' states are
advanced to the step's end.

* Midcourse: each round moves toward its current aim point on the curved earth (ground position
  and height together, so never below the ground) covering the fraction step / time-to-go of
  what remains: continuous whatever the aim-point updates, at the plan's pace.
* Handover at ``handover_time_s`` before the planned intercept: the seeker acquires the engaged
  threat if its true position, extrapolated to the planned time, is within ``kill_radius_m`` of
  the aim point (else the round flies on unguided); velocity along the line to the aim point at
  the fly-out table's end speed.
* End game: true proportional navigation, a_c = N V_c dlambda/dt + g (less its component along
  the velocity), limited to min(load factor x g, L/D x drag) at the round's height and speed, a
  first-order lag ``guidance_time_constant_s`` on the achieved acceleration, against the true
  threat (cubic spline through its true positions every ``TRUTH_SAMPLE_S``); RK4 sub-steps of
  min(time to go / ``SUBSTEPS_PER_TGO``, lag / 4, 20 ms), all rounds at once. The closest
  approach is found inside the sub-step where the range starts to open (cubic Hermite of the
  relative position); hitting the ground ends the flight there.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.interpolate import CubicSpline

from iadsim.engagement.atmosphere import density_kg_m3
from iadsim.engagement.geometry import from_surface, to_surface
from iadsim.engagement.interceptors import InterceptorFlights, InterceptResults
from iadsim.engagement.launchers import InterceptorClasses
from iadsim.engagement.lethality import calibrated_pk0, kill_probability
from iadsim.world.frames import GRAVITY_MPS2, Origin
from iadsim.world.threats import ThreatSet

TRUTH_SAMPLE_S = 0.1
SUBSTEPS_PER_TGO = 25.0
MAX_ENDGAME_S = 20.0
"""An end game still open this long after handover ends at its closest approach so far."""
_UP = np.array([0.0, 0.0, 1.0])


def advance_flights(
    flights: InterceptorFlights, threats: ThreatSet, classes: InterceptorClasses,
    origin: Origin, time_s: float, *, rng: np.random.Generator,
) -> InterceptResults:
    """Advance every round in flight to ``time_s``; returns the end games that ended."""
    pn = np.flatnonzero(~flights.resolved & (flights.handover_s < time_s)
                        & (flights.state_time_s < time_s))
    out = _end_game(flights, threats, classes, origin, pn, time_s)
    mid = np.flatnonzero(~flights.resolved & np.isnan(flights.handover_s)
                         & (flights.state_time_s < time_s))
    _midcourse(flights, threats, classes, origin, mid, time_s)
    return _lethality(flights, threats, classes, out, rng=rng)


def _midcourse(flights: InterceptorFlights, threats: ThreatSet, classes: InterceptorClasses,
               origin: Origin, idx: NDArray[np.intp], time_s: float) -> None:
    if idx.size == 0:
        return
    t0 = flights.state_time_s[idx]
    remaining = flights.intercept_time_s[idx] - t0
    frac = np.clip((time_s - t0) / np.maximum(remaining, 1e-9), 0.0, 1.0)[:, None]
    s0 = to_surface(flights.position_m[idx], origin)
    s_aim = to_surface(flights.aim_point_m[idx], origin)
    p1 = from_surface(s0 + frac * (s_aim - s0), origin)
    flights.velocity_mps[idx] = (p1 - flights.position_m[idx]) / (time_s - t0)[:, None]
    flights.position_m[idx] = p1
    flights.state_time_s[idx] = time_s
    cls = flights.class_index[idx]
    hand = time_s >= flights.intercept_time_s[idx] - classes.handover_time_s[cls]
    if not hand.any():
        return
    h, c = idx[hand], cls[hand]
    aim = flights.aim_point_m[h]
    to_aim = aim - flights.position_m[h]
    dist = np.linalg.norm(to_aim, axis=1)
    prev = flights.velocity_mps[h]
    direction = np.where((dist > 1.0)[:, None], to_aim / np.maximum(dist, 1e-9)[:, None],
                         prev / np.maximum(np.linalg.norm(prev, axis=1), 1e-9)[:, None])
    end = classes.profile().end_speed_mps(c, aim, flights.launch_position_m[h]) \
        if classes.table is not None else np.full(h.size, np.nan)
    mean = np.linalg.norm(prev, axis=1)
    speed = np.where(np.isfinite(end), end, mean)
    flights.velocity_mps[h] = direction * speed[:, None]
    flights.accel_mps2[h] = 0.0
    flights.handover_s[h] = time_s
    tgt = flights.target_threat_id[h]
    pos, vel = threats.state(time_s)
    known = tgt >= 0
    safe = np.where(known, tgt, 0)
    lead = (flights.intercept_time_s[h] - time_s)[:, None]
    predicted = pos[safe] + vel[safe] * lead
    error = np.linalg.norm(predicted - aim, axis=1)
    flights.acquired[h] = known & threats.in_air(time_s)[safe] & (
        error <= classes.kill_radius_m[c])


def _end_game(flights: InterceptorFlights, threats: ThreatSet, classes: InterceptorClasses,
              origin: Origin, idx: NDArray[np.intp], time_s: float) -> dict[str, NDArray]:
    """PN sub-steps from the rows' state time to ``time_s``; returns the rows that ended."""
    done: dict[str, list[NDArray]] = {k: [] for k in ("row", "t", "miss", "vc", "point")}
    if idx.size == 0:
        return {k: np.empty((0, 3) if k == "point" else 0) for k in done}
    t0 = float(flights.state_time_s[idx].max())
    tgt = flights.target_threat_id[idx]
    safe = np.where(tgt >= 0, tgt, 0)
    n_samples = int(np.ceil((time_s - t0) / TRUTH_SAMPLE_S)) + 3
    tau = t0 - TRUTH_SAMPLE_S + TRUTH_SAMPLE_S * np.arange(n_samples)
    truth = np.stack([threats.positions(t)[safe] for t in tau.tolist()])  # (k, m, 3)
    spline = CubicSpline(tau, truth, axis=0)
    velocity = spline.derivative()
    c = flights.class_index[idx]
    gain = np.where(flights.acquired[idx], classes.navigation_constant[c], 0.0)[:, None]
    lag = classes.guidance_time_constant_s[c][:, None]
    a_max = _turn_limit(flights, classes, origin, idx)[:, None]
    y = np.concatenate([flights.position_m[idx], flights.velocity_mps[idx],
                        flights.accel_mps2[idx]], axis=1)
    live = np.arange(idx.size)
    t = t0
    best = np.full(idx.size, np.inf)
    dt_cap = min(0.02, float(lag.min()) / 4.0)

    def rhs(tt: float, yy: NDArray, rows: NDArray[np.intp]) -> NDArray:
        pm, vm, am = yy[:, :3], yy[:, 3:6], yy[:, 6:]
        r = spline(tt)[rows] - pm
        vr = velocity(tt)[rows] - vm
        rn = np.maximum(np.linalg.norm(r, axis=1, keepdims=True), 1e-6)
        u = r / rn
        closing = -np.sum(vr * u, axis=1, keepdims=True)
        los_rate = (vr - np.sum(vr * u, axis=1, keepdims=True) * u) / rn
        ac = gain[rows] * closing * los_rate + GRAVITY_MPS2 * _UP
        vh = vm / np.maximum(np.linalg.norm(vm, axis=1, keepdims=True), 1e-6)
        ac -= np.sum(ac * vh, axis=1, keepdims=True) * vh
        mag = np.linalg.norm(ac, axis=1, keepdims=True)
        ac *= np.minimum(1.0, a_max[rows] / np.maximum(mag, 1e-9))
        return np.concatenate([vm, am - GRAVITY_MPS2 * _UP, (ac - am) / lag[rows]], axis=1)

    def rel(tt: float, yy: NDArray, rows: NDArray[np.intp]) -> tuple[NDArray, NDArray]:
        return spline(tt)[rows] - yy[:, :3], velocity(tt)[rows] - yy[:, 3:6]

    while live.size and t < time_s - 1e-12:
        yl = y[live]
        r0, v0 = rel(t, yl, live)
        rn = np.linalg.norm(r0, axis=1)
        closing = np.maximum(-np.sum(r0 * v0, axis=1) / np.maximum(rn, 1e-9), 1.0)
        h = float(np.clip(np.min(rn / closing) / SUBSTEPS_PER_TGO, 1e-4, dt_cap))
        h = min(h, time_s - t)
        k1 = rhs(t, yl, live)
        k2 = rhs(t + h / 2, yl + h / 2 * k1, live)
        k3 = rhs(t + h / 2, yl + h / 2 * k2, live)
        k4 = rhs(t + h, yl + h * k3, live)
        yn = yl + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        r1, v1 = rel(t + h, yn, live)
        opening = np.sum(r1 * v1, axis=1) >= 0.0
        s = np.linspace(0.0, 1.0, 33)[None, :, None]
        herm = ((2 * s**3 - 3 * s**2 + 1) * r0[:, None] + (s**3 - 2 * s**2 + s) * h * v0[:, None]
                + (-2 * s**3 + 3 * s**2) * r1[:, None] + (s**3 - s**2) * h * v1[:, None])
        d = np.linalg.norm(herm, axis=2)
        k_min = np.argmin(d, axis=1)
        best[live] = np.minimum(best[live], d[np.arange(live.size), k_min])
        height = to_surface(yn[:, :3], origin)[:, 2]
        ground = height < 0.0
        timeout = (t + h - flights.handover_s[idx[live]]) >= MAX_ENDGAME_S
        end = opening | ground | timeout
        if end.any():
            e = np.flatnonzero(end)
            w = (k_min[e] / 32.0)
            t_end = np.where(opening[e], t + w * h, t + h)
            pm = yl[e, :3] + w[:, None] * (yn[e, :3] - yl[e, :3])
            done["row"].append(idx[live[e]])
            done["t"].append(t_end)
            done["miss"].append(np.where(opening[e], d[e, k_min[e]], best[live[e]]))
            done["vc"].append(np.linalg.norm(v0[e] + w[:, None] * (v1[e] - v0[e]), axis=1))
            done["point"].append(np.where(opening[e][:, None], pm, yn[e, :3]))
        y[live] = yn
        live = live[~end]
        t += h
    flights.position_m[idx] = y[:, :3]
    flights.velocity_mps[idx] = y[:, 3:6]
    flights.accel_mps2[idx] = y[:, 6:]
    flights.state_time_s[idx] = time_s
    return {k: (np.concatenate(v) if v else np.empty((0, 3) if k == "point" else 0))
            for k, v in done.items()}


def _turn_limit(flights: InterceptorFlights, classes: InterceptorClasses, origin: Origin,
                idx: NDArray[np.intp]) -> NDArray[np.float64]:
    """Lateral acceleration limit of rounds ``idx`` at their height and speed (after boost)."""
    c = flights.class_index[idx]
    limit = classes.flyout.max_accel_mps2[c] if classes.flyout is not None else np.full(
        idx.size, np.inf)
    if classes.flyout is None:
        return limit
    height = to_surface(flights.position_m[idx], origin)[:, 2]
    speed = np.linalg.norm(flights.velocity_mps[idx], axis=1)
    beta = classes.flyout.beta_kg_m2[c]
    drag = 0.5 * density_kg_m3(height) * speed**2 / beta
    aero = np.where(np.isfinite(beta), classes.flyout.lift_to_drag[c] * drag, np.inf)
    return np.minimum(limit, aero)


def _lethality(flights: InterceptorFlights, threats: ThreatSet, classes: InterceptorClasses,
               out: dict[str, NDArray], *, rng: np.random.Generator) -> InterceptResults:
    order = np.argsort(out["row"], kind="stable")
    row = out["row"][order].astype(np.intp)
    t, miss, vc = out["t"][order], out["miss"][order], out["vc"][order]
    tgt = flights.target_threat_id[row]
    safe = np.where(tgt >= 0, tgt, 0)
    in_air = np.array([bool(threats.in_air(float(tt))[s]) for tt, s in
                       zip(t.tolist(), safe.tolist(), strict=True)], dtype=bool)
    miss = np.where((tgt >= 0) & in_air, miss, np.nan)  # no threat to measure against
    c = flights.class_index[row]
    kind = threats.threat_type[safe]
    pk0 = calibrated_pk0(classes.pk[c, kind], classes.design_miss_m[c], classes.lethal_sigma_m[c])
    pk = kill_probability(miss, vc, pk0, classes.lethal_sigma_m[c], classes.min_closing_speed_mps[c])
    killed = rng.random(row.size) < pk
    flights.resolved[row] = True
    flights.miss_distance_m[row] = miss
    flights.detonation_time_s[row] = t
    flights.detonation_m[row] = out["point"][order]
    return InterceptResults(
        interceptor_id=row.astype(np.int64), time_s=t, threat_id=tgt.astype(np.int64),
        miss_distance_m=miss, in_basket=flights.acquired[row].copy(), killed=killed, pk=pk,
        closing_speed_mps=vc,
    )
