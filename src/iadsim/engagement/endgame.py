"""Engagement stage, every pipeline step: midcourse, seeker handover and the PN end game.

In: the interceptors in flight (``InterceptorFlights``), the true threats (``ThreatSet``), the
classes and the step's end time. Out: the interceptors whose end game ended in the step
(``InterceptResults``: closest approach, closing speed, Pk, kill draw); the flights' states are
advanced to the step's end.

* Midcourse: each round moves toward its current aim point on the curved earth (ground position
  and height together, so never below the ground) covering the fraction step / time-to-go of
  what remains: continuous whatever the aim-point updates, at the plan's pace; its height
  stays above a ``APPROACH_RAD`` glide slope onto the aim point (climbing to it at most at
  ``MIDCOURSE_CLIMB_RAD``), so a sea-skimmer is approached from above.
* Handover at ``handover_time_s`` before the planned intercept: the seeker acquires the engaged
  threat if its true position, extrapolated to the planned time, is within ``kill_radius_m`` of
  the aim point (else the round flies on unguided); the velocity is the fly-out table's end
  speed on the collision course with the track's prediction (the aim point moving with the
  track's velocity).
* End game: true proportional navigation, a_c = N V_c dlambda/dt + g (less its component along
  the velocity), limited to min(load factor x g, L/D x drag) at the round's height and speed, a
  first-order lag ``guidance_time_constant_s`` on the achieved acceleration, against the true
  threat (cubic Hermite through its true states at the step's ends), seen through a noisy
  seeker: line-of-sight angle noise ``seeker_noise_rad`` plus glint ``seeker_glint_m`` / range
  per measurement at ``seeker_rate_hz`` (Zarchan's range-independent and glint noise), lagged
  like the command, the total held to the limit; RK4 sub-steps of
  min(time to go / ``SUBSTEPS_PER_TGO``, lag / 2, ``MAX_SUBSTEP_S``), all rounds at once. The
  closest approach is found inside the sub-step where the range starts to open (cubic Hermite
  of the relative position); hitting the ground ends the flight there.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iadsim.engagement.atmosphere import density_kg_m3
from iadsim.engagement.geometry import from_surface, to_surface
from iadsim.engagement.intercept import intercept_time_s
from iadsim.engagement.interceptors import InterceptorFlights, InterceptResults
from iadsim.engagement.launchers import InterceptorClasses
from iadsim.engagement.lethality import calibrated_pk0, kill_probability
from iadsim.world.frames import EARTH_RADIUS_M, GRAVITY_MPS2, Origin
from iadsim.world.threats import ThreatSet

SUBSTEPS_PER_TGO = 8.0
MAX_SUBSTEP_S = 0.1
APPROACH_RAD = np.radians(5.0)
"""Midcourse glide slope onto the aim point (from above)."""
MIDCOURSE_CLIMB_RAD = np.radians(30.0)
SEEKER_MIN_RANGE_M = 30.0
"""Glint angle noise (glint / range) stops growing inside this range (the seeker's blind
range: the target fills the beam)."""
MAX_ENDGAME_S = 20.0
"""An end game still open this long after handover ends at its closest approach so far."""
_UP = np.array([0.0, 0.0, 1.0])


def advance_flights(
    flights: InterceptorFlights, threats: ThreatSet, threat_alive: NDArray[np.bool_],
    classes: InterceptorClasses, origin: Origin, time_s: float, *, rng: np.random.Generator,
) -> InterceptResults:
    """Advance every round in flight to ``time_s``; returns the end games that ended.

    ``threat_alive`` (n_threats,) is the world's mask at the step's start. A round whose
    engaged threat is gone (destroyed, impacted, path over; or killed earlier in this step by
    another round) is not acquired at handover, flies its end game on and self-destructs at its
    closest approach to where the threat would have been: NaN miss, Pk 0, no kill. A round at
    no threat (target id -1: a false track) acquires nothing, flies on to its aim point and
    self-destructs at its closest approach to it (moving with the track's last velocity there):
    NaN miss, Pk 0, no kill, and no threat's truth enters its flight.
    """
    pn = np.flatnonzero(~flights.resolved & (flights.handover_s < time_s)
                        & (flights.state_time_s < time_s))
    out = _end_game(flights, threats, classes, origin, pn, time_s, rng=rng)
    mid = np.flatnonzero(~flights.resolved & np.isnan(flights.handover_s)
                         & (flights.state_time_s < time_s))
    _midcourse(flights, threats, threat_alive, classes, origin, mid, time_s)
    return _lethality(flights, threats, threat_alive, classes, out, rng=rng)


def _midcourse(flights: InterceptorFlights, threats: ThreatSet, alive: NDArray[np.bool_],
               classes: InterceptorClasses, origin: Origin, idx: NDArray[np.intp],
               time_s: float) -> None:
    if idx.size == 0:
        return
    t0 = flights.state_time_s[idx]
    remaining = flights.intercept_time_s[idx] - t0
    frac = np.clip((time_s - t0) / np.maximum(remaining, 1e-9), 0.0, 1.0)[:, None]
    s0 = to_surface(flights.position_m[idx], origin)
    s_aim = to_surface(flights.aim_point_m[idx], origin)
    s1 = s0 + frac * (s_aim - s0)
    # height: no lower than the approach glide slope to the aim point, reached at a climb no
    # steeper than MIDCOURSE_CLIMB_RAD (a low target is approached from above, not skimming)
    moved = np.hypot(s1[:, 0] - s0[:, 0], s1[:, 1] - s0[:, 1])
    left = np.hypot(s_aim[:, 0] - s1[:, 0], s_aim[:, 1] - s1[:, 1])
    glide = s_aim[:, 2] + left * np.tan(APPROACH_RAD)
    climb = s0[:, 2] + moved * np.tan(MIDCOURSE_CLIMB_RAD)
    s1[:, 2] = np.maximum(s1[:, 2], np.minimum(glide, climb))
    s1[:, 2] = np.maximum(s1[:, 2], 0.0)  # never below the ground, whatever the aim point's noise
    p1 = from_surface(s1, origin)
    flights.velocity_mps[idx] = (p1 - flights.position_m[idx]) / (time_s - t0)[:, None]
    flights.position_m[idx] = p1
    flights.state_time_s[idx] = time_s
    cls = flights.class_index[idx]
    hand = time_s >= flights.intercept_time_s[idx] - classes.handover_time_s[cls]
    if not hand.any():
        return
    h, c = idx[hand], cls[hand]
    aim = flights.aim_point_m[h]
    prev = flights.velocity_mps[h]
    end = classes.profile().end_speed_mps(c, aim, flights.launch_position_m[h]) \
        if classes.table is not None else np.full(h.size, np.nan)
    speed = np.where(np.isfinite(end), end, np.linalg.norm(prev, axis=1))
    # onto the collision course with the track's prediction at that speed (midcourse ends on
    # it), else straight at the aim point
    tgo = (flights.intercept_time_s[h] - time_s)[:, None]
    v_aim = np.nan_to_num(flights.aim_velocity_mps[h])
    start = aim - v_aim * tgo
    tof = intercept_time_s(start, v_aim, flights.position_m[h], speed)
    # (#19: an infinite tof is masked out; posinf=0 keeps its unused product from overflowing)
    meet = np.where(np.isfinite(tof)[:, None],
                    start + v_aim * np.nan_to_num(tof, posinf=0.0, neginf=0.0)[:, None], aim)
    to_meet = meet - flights.position_m[h]
    dist = np.linalg.norm(to_meet, axis=1)
    direction = np.where((dist > 1.0)[:, None], to_meet / np.maximum(dist, 1e-9)[:, None],
                         prev / np.maximum(np.linalg.norm(prev, axis=1), 1e-9)[:, None])
    flights.velocity_mps[h] = direction * speed[:, None]
    flights.accel_mps2[h] = 0.0
    flights.seeker_filter_rad[h] = 0.0
    flights.handover_s[h] = time_s
    tgt = flights.target_threat_id[h]
    known = np.flatnonzero(tgt >= 0)  # a round at no threat (a false track) acquires nothing
    flights.acquired[h] = False
    if known.size:
        pos, vel = threats.state(time_s)
        k = tgt[known]
        lead = (flights.intercept_time_s[h[known]] - time_s)[:, None]
        error = np.linalg.norm(pos[k] + vel[k] * lead - aim[known], axis=1)
        flights.acquired[h[known]] = alive[k] & threats.in_air(time_s)[k] & (
            error <= classes.kill_radius_m[c[known]])


def _end_game(flights: InterceptorFlights, threats: ThreatSet, classes: InterceptorClasses,
              origin: Origin, idx: NDArray[np.intp], time_s: float, *,
              rng: np.random.Generator) -> dict[str, NDArray]:
    """PN sub-steps from the rows' state time to ``time_s``; returns the rows that ended.

    The state per row is position, velocity, the lagged acceleration of the command on the
    true line of sight and the lagged seeker angle noise ``f`` (12 columns). The seeker angle
    noise ``nu`` (one sample per measurement, held until the next: ``_sample_seeker``)
    reaches the airframe through the same lag as the command, N V_c s / (1 + s tau) nu =
    N V_c (nu - f) / tau with df/dt = (nu - f) / tau, and the total is held to the limit.
    """
    done: dict[str, list[NDArray]] = {k: [] for k in ("row", "t", "miss", "vc", "point")}
    if idx.size == 0:
        return {k: np.empty((0, 3) if k == "point" else 0) for k in done}
    t0 = float(flights.state_time_s[idx].max())
    truth = _TruthSegment(threats, flights, idx, t0, time_s)
    c = flights.class_index[idx]
    gain = np.where(flights.acquired[idx], classes.navigation_constant[c], 0.0)[:, None]
    lag = classes.guidance_time_constant_s[c][:, None]
    a_max = _turn_limit(flights, classes, origin, idx)[:, None]
    noise2, glint2, rate = _seeker_noise(classes, c)
    y = np.concatenate([flights.position_m[idx], flights.velocity_mps[idx],
                        flights.accel_mps2[idx], flights.seeker_filter_rad[idx]], axis=1)
    nu = flights.seeker_angle_rad[idx]
    next_sample_s = flights.seeker_sample_s[idx]
    live = np.arange(idx.size)
    t = t0
    best = np.full(idx.size, np.inf)
    dt_cap = min(MAX_SUBSTEP_S, float(lag.min()) / 2.0)

    def rhs(yy: NDArray, pt: NDArray, vt: NDArray, g: NDArray, lg: NDArray, amax: NDArray,
            nul: NDArray) -> NDArray:
        """d/dt of the live rows' state ``yy``, the targets at ``pt``, ``vt``; ``g``, ``lg``,
        ``amax``, ``nul``: the rows' gain, lag, turn limit and held seeker noise."""
        pm, vm, am, f = yy[:, :3], yy[:, 3:6], yy[:, 6:9], yy[:, 9:]
        r, vr = pt - pm, vt - vm
        rn = np.maximum(_norm(r, keepdims=True), 1e-6)
        u = r / rn
        closing = -_dot(vr * u)
        los_rate = (vr - _dot(vr * u) * u) / rn
        ac = g * closing * los_rate + GRAVITY_MPS2 * _UP
        vh = vm / np.maximum(_norm(vm, keepdims=True), 1e-6)
        ac -= _dot(ac * vh) * vh
        mag = _norm(ac, keepdims=True)
        ac *= np.minimum(1.0, amax / np.maximum(mag, 1e-9))
        df = (nul - f) / lg  # the seeker noise's share of the LOS rate, lagged
        an = am + g * closing * (df - _dot(df * u) * u)
        an -= _dot(an * vh) * vh  # lift normal to the velocity
        an *= np.minimum(1.0, amax / np.maximum(_norm(an, keepdims=True), 1e-9))
        return np.concatenate([vm, an - GRAVITY_MPS2 * _UP, (ac - am) / lg, df], axis=1)

    while live.size and t < time_s - 1e-12:
        yl = y[live]
        p_a, v_a = truth.at(t, live)  # the targets at the sub-step's start, middle and end
        r0, v0 = p_a - yl[:, :3], v_a - yl[:, 3:6]
        rn = _norm(r0)
        closing = np.maximum(-_dot(r0 * v0, keepdims=False) / np.maximum(rn, 1e-9), 1.0)
        h = float(np.clip(np.min(rn / closing) / SUBSTEPS_PER_TGO, 1e-4, dt_cap))
        h = min(h, time_s - t)
        _sample_seeker(nu, next_sample_s, live, r0, rn, t, h, noise2, glint2, rate, rng=rng)
        (p_m, v_m), (p_b, v_b) = truth.at(t + h / 2, live), truth.at(t + h, live)
        rows = (gain[live], lag[live], a_max[live], nu[live])
        k1 = rhs(yl, p_a, v_a, *rows)
        k2 = rhs(yl + h / 2 * k1, p_m, v_m, *rows)
        k3 = rhs(yl + h / 2 * k2, p_m, v_m, *rows)
        k4 = rhs(yl + h * k3, p_b, v_b, *rows)
        yn = yl + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        r1, v1 = p_b - yn[:, :3], v_b - yn[:, 3:6]
        opening = _dot(r1 * v1, keepdims=False) >= 0.0
        best[live] = np.minimum(best[live], _norm(r1))
        height = _height_m(yn[:, :3])
        ground = height < -origin.alt_m
        timeout = (t + h - flights.handover_s[idx[live]]) >= MAX_ENDGAME_S
        end = opening | ground | timeout
        w_ground = np.ones(live.size)  # the fraction of the sub-step at which it meets the ground
        if ground.any():
            g = np.flatnonzero(ground)
            above = _height_m(yl[g, :3]) + origin.alt_m
            w_ground[g] = np.clip(above / np.maximum(above - (height[g] + origin.alt_m), 1e-9),
                                  0.0, 1.0)
        if end.any():
            e = np.flatnonzero(end)
            w, miss = _closest_in_substep(r0[e], v0[e], r1[e], v1[e], h)
            w = np.where(opening[e], w, w_ground[e])
            miss = np.where(opening[e], miss, best[live[e]])
            done["row"].append(idx[live[e]])
            done["t"].append(t + w * h)
            done["miss"].append(miss)
            done["vc"].append(np.linalg.norm(v0[e] + w[:, None] * (v1[e] - v0[e]), axis=1))
            done["point"].append(yl[e, :3] + w[:, None] * (yn[e, :3] - yl[e, :3]))
        if ground.any():  # the flight ends where it meets the ground, not a sub-step below it
            g = np.flatnonzero(ground)
            yn[g, :3] = yl[g, :3] + w_ground[g, None] * (yn[g, :3] - yl[g, :3])
        y[live] = yn
        live = live[~end]
        t += h
    flights.position_m[idx] = y[:, :3]
    flights.velocity_mps[idx] = y[:, 3:6]
    flights.accel_mps2[idx] = y[:, 6:9]
    flights.seeker_filter_rad[idx] = y[:, 9:]
    flights.seeker_angle_rad[idx], flights.seeker_sample_s[idx] = nu, next_sample_s
    flights.state_time_s[idx] = time_s
    return {k: (np.concatenate(v) if v else np.empty((0, 3) if k == "point" else 0))
            for k, v in done.items()}


def _height_m(p_enu_m: NDArray) -> NDArray:
    """Height above the origin's ellipsoid height of ENU points (spherical-earth drop)."""
    return p_enu_m[:, 2] + (p_enu_m[:, 0] ** 2 + p_enu_m[:, 1] ** 2) / (2.0 * EARTH_RADIUS_M)


def _norm(v: NDArray, *, keepdims: bool = False) -> NDArray:
    """``np.linalg.norm(v, axis=1)`` by the very operations it runs for real vectors (the same
    bits), without its Python overhead: the PN loop calls it tens of thousands of times a run."""
    return np.sqrt(np.add.reduce(v * v, axis=1, keepdims=keepdims))


def _dot(ab: NDArray, *, keepdims: bool = True) -> NDArray:
    """``np.sum(ab, axis=1, keepdims=keepdims)`` (the same reduction, without the wrapper)."""
    return np.add.reduce(ab, axis=1, keepdims=keepdims)


def _closest_in_substep(r0: NDArray, v0: NDArray, r1: NDArray, v1: NDArray,
                        h: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Fraction of the sub-step and distance of the closest approach, the relative position
    being the cubic Hermite through (r0, v0) and (r1, v1) (sampled at 1/64 of the step, then
    refined by a parabola through the three samples around the minimum)."""
    s = np.linspace(0.0, 1.0, 65)[None, :, None]
    herm = ((2 * s**3 - 3 * s**2 + 1) * r0[:, None] + (s**3 - 2 * s**2 + s) * h * v0[:, None]
            + (-2 * s**3 + 3 * s**2) * r1[:, None] + (s**3 - s**2) * h * v1[:, None])
    d2 = np.sum(herm**2, axis=2)
    k = np.clip(np.argmin(d2, axis=1), 1, 63)
    rows = np.arange(d2.shape[0])
    a, b, c = d2[rows, k - 1], d2[rows, k], d2[rows, k + 1]
    curv = a - 2 * b + c
    shift = np.where(curv > 0, 0.5 * (a - c) / np.where(curv > 0, curv, 1.0), 0.0)
    shift = np.clip(shift, -1.0, 1.0)
    best = np.maximum(b - 0.25 * (a - c) * shift, 0.0)
    best = np.minimum(best, d2.min(axis=1))
    return np.clip((k + shift) / 64.0, 0.0, 1.0), np.sqrt(best)


class _TruthSegment:
    """What the end game of rounds ``idx`` flies against over one step: the cubic Hermite
    through the engaged threats' true states at both ends (exact for constant acceleration).

    A round at no threat (target id -1: a false track) flies against its aim point, moving
    with the track's last velocity there (``aim_velocity_mps``; still if none), so it ends at
    its closest approach to where the track said the threat would be: no other threat's truth
    enters its end game (before, threat 0's did: ``np.where(known, tgt, 0)``)."""

    def __init__(self, threats: ThreatSet, flights: InterceptorFlights, idx: NDArray[np.intp],
                 t0: float, t1: float) -> None:
        self.t0, self.h = t0, max(t1 - t0, 1e-9)
        tgt = flights.target_threat_id[idx]
        known = tgt >= 0
        v_aim = np.nan_to_num(flights.aim_velocity_mps[idx])
        at = flights.intercept_time_s[idx][:, None]
        self.p0 = flights.aim_point_m[idx] + v_aim * (t0 - at)
        self.p1 = flights.aim_point_m[idx] + v_aim * (t1 - at)
        self.v0, self.v1 = v_aim.copy(), v_aim.copy()
        if known.any():
            k = tgt[known]
            p0, v0 = threats.state(t0)
            p1, v1 = threats.state(t1)
            self.p0[known], self.v0[known] = p0[k], v0[k]
            self.p1[known], self.v1[known] = p1[k], v1[k]

    def at(self, t: float, rows: NDArray[np.intp]) -> tuple[NDArray, NDArray]:
        s, h = (t - self.t0) / self.h, self.h
        s2, s3 = s * s, s * s * s
        p0, v0, p1, v1 = self.p0[rows], self.v0[rows], self.p1[rows], self.v1[rows]
        pos = ((2 * s3 - 3 * s2 + 1) * p0 + (s3 - 2 * s2 + s) * h * v0
               + (-2 * s3 + 3 * s2) * p1 + (s3 - s2) * h * v1)
        vel = ((6 * s2 - 6 * s) * p0 / h + (3 * s2 - 4 * s + 1) * v0
               + (-6 * s2 + 6 * s) * p1 / h + (3 * s2 - 2 * s) * v1)
        return pos, vel


def _sample_seeker(nu: NDArray, next_sample_s: NDArray, live: NDArray[np.intp], r0: NDArray,
                   rn: NDArray, t: float, h: float, noise2: NDArray, glint2: NDArray,
                   rate: NDArray, *, rng: np.random.Generator) -> None:
    """New seeker angle noise ``nu`` (normal to the line of sight ``r0``) for the rows of
    ``live`` whose measurement is due at ``t``, held for 1 / rate: variance noise^2 +
    (glint / range)^2 per measurement, or the mean of the 1 / (rate h) measurements a
    sub-step ``h`` longer than the period spans (the same spectral density)."""
    due = np.flatnonzero(t >= next_sample_s[live] - 1e-12)
    if due.size == 0:
        return
    rows = live[due]
    var = (noise2[rows] + glint2[rows] / np.maximum(rn[due], SEEKER_MIN_RANGE_M) ** 2) \
        * np.minimum(1.0, 1.0 / (rate[rows] * h))
    draw = rng.standard_normal((due.size, 3)) * np.sqrt(var)[:, None]
    u0 = r0[due] / np.maximum(rn[due], 1e-9)[:, None]
    nu[rows] = draw - np.sum(draw * u0, axis=1, keepdims=True) * u0
    next_sample_s[rows] = t + 1.0 / rate[rows]


def _seeker_noise(classes: InterceptorClasses, c: NDArray[np.int64]
                  ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Squared angle noise (rad^2), squared glint (m^2) and measurement rate (Hz) of classes
    ``c``; an ideal seeker (no noise) where the classes give none."""
    if classes.seeker_noise_rad is None or classes.seeker_rate_hz is None:
        zero = np.zeros(c.size)
        return zero, zero, np.ones(c.size)
    glint = classes.seeker_glint_m if classes.seeker_glint_m is not None else np.zeros(
        len(classes.name))
    return classes.seeker_noise_rad[c] ** 2, glint[c] ** 2, classes.seeker_rate_hz[c]


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


def _lethality(flights: InterceptorFlights, threats: ThreatSet, alive: NDArray[np.bool_],
               classes: InterceptorClasses, out: dict[str, NDArray], *,
               rng: np.random.Generator) -> InterceptResults:
    order = np.argsort(out["row"], kind="stable")
    row = out["row"][order].astype(np.intp)
    t, miss, vc = out["t"][order], out["miss"][order], out["vc"][order]
    tgt = flights.target_threat_id[row]
    there = tgt >= 0  # a round at no threat has no threat to measure against: no kill
    safe = np.where(there, tgt, 0)
    for k in np.flatnonzero(there).tolist():
        there[k] = bool(threats.in_air(float(t[k]))[tgt[k]]) and bool(alive[tgt[k]])
    miss = np.where(there, miss, np.nan)
    c = flights.class_index[row]
    kind = (np.where(tgt >= 0, threats.threat_type[safe], 0) if alive.shape[0]
            else np.zeros(row.size, np.int64))
    sigma = classes.lethal_sigma_m[c]
    pk0 = calibrated_pk0(classes.pk[c, kind], classes.design_miss_m[c], sigma)
    pk = kill_probability(miss, vc, pk0, sigma, classes.min_closing_speed_mps[c])
    killed = rng.random(row.size) < pk
    # a threat killed by a round earlier in this step is gone for the later ones
    first_kill_s = np.full(max(alive.shape[0], 1), np.inf)
    np.minimum.at(first_kill_s, safe[killed & there], t[killed & there])
    late = there & (t > first_kill_s[safe])
    miss, pk, killed = np.where(late, np.nan, miss), np.where(late, 0.0, pk), killed & ~late
    flights.resolved[row] = True
    flights.miss_distance_m[row] = miss
    flights.detonation_time_s[row] = t
    flights.detonation_m[row] = out["point"][order]
    flights.closing_speed_mps[row], flights.pk[row] = vc, pk
    return InterceptResults(
        interceptor_id=row.astype(np.int64), time_s=t, threat_id=tgt.astype(np.int64),
        miss_distance_m=miss, in_basket=flights.acquired[row].copy(), killed=killed, pk=pk,
        closing_speed_mps=vc,
    )
