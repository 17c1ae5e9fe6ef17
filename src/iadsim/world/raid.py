"""World stage: raid tactics laid onto paths: stand-off release and egress, pop-up, time on target,
and the ballistic group's solved flights (boost, separation, debris).

In: one threat group of the validated scenario and plane points (tangent-plane metres) of its
start, route and aim. Out: the waypoint geometry of each member, release points and times, launch
times for a time-on-target wave, and table rows (``world.ballistic_tables``) of ballistic
objects. Deterministic (no rng): everything here is decided before the run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from iadsim.errors import ScenarioError
from iadsim.scenario.model import Scenario, ThreatGroup
from iadsim.scenario.threat_spec import BallisticSpec
from iadsim.world.ballistic import (
    G0_MPS2,
    Flight,
    Motor,
    Physics,
    Shot,
    Unreachable,
    Weave,
    coast,
    solve_shot,
)
from iadsim.world.ballistic_reach import shape_limits
from iadsim.world.ballistic_tables import TableRow, flight_rows
from iadsim.world.frames import GRAVITY_MPS2, Origin, approx_altitude_m
from iadsim.world.glide import MISS_TOLERANCE_M, Glider, ground_range_m, solve_glide
from iadsim.world.trajectories import _fillet_path


def arrival_times_s(g: ThreatGroup) -> NDArray[np.float64]:
    """Arrival time of each member of a time-on-target wave: spread evenly over the window."""
    assert g.time_on_target_s is not None
    k = np.arange(g.count, dtype=float)
    spread = k / (g.count - 1) if g.count > 1 else k
    return g.time_on_target_s + g.arrival_window_s * spread


def check_launch_times(where: str, g: ThreatGroup, launch_s: NDArray[np.float64]) -> None:
    """A time-on-target wave that would launch before the run starts is a scenario error."""
    if launch_s.size and float(launch_s.min()) < 0.0:
        need = g.time_on_target_s - float(launch_s.min()) if g.time_on_target_s else 0.0
        raise ScenarioError([
            f"{where}.time_on_target_s is too early for the path flown: at least {need:.1f} s "
            f"(a member would launch before the run starts; got {g.time_on_target_s!r})"])


def _rotate(v: NDArray[np.float64], angle_rad: float) -> NDArray[np.float64]:
    c, s = math.cos(angle_rad), math.sin(angle_rad)
    return np.array([c * v[0] - s * v[1], s * v[0] + c * v[1]])


@dataclass(frozen=True, slots=True)
class Release:
    """An aircraft's stand-off path: points (p, 2) with heights (p,), the release point (2,),
    and the path distance flown at release."""

    points_m: NDArray[np.float64]
    heights_m: NDArray[np.float64]
    release_m: NDArray[np.float64]
    release_distance_m: float


def standoff_path(g: ThreatGroup, points_m: NDArray[np.float64], heights_m: NDArray[np.float64]
                  ) -> Release:
    """Fly the route towards the aim (the last point), release on the straight inbound leg at
    ``standoff.release_range_m`` from it, turn away by ``egress_turn_deg`` and fly home (start).

    The turn starts one tangent length past the release point, so the release is on a straight
    leg; the fillet radius is speed / turn rate, as on every corner.
    """
    so = g.standoff
    assert so is not None and g.speed_mps is not None
    aim, prev = points_m[-1], points_m[-2]
    inbound = aim - prev
    inbound = inbound / max(float(np.linalg.norm(inbound)), 1e-9)
    release = aim - so.release_range_m * inbound
    turn = math.radians(so.egress_turn_deg)
    radius = g.speed_mps / math.radians(g.turn_rate_deg_s)
    tangent = radius * math.tan(min(turn, math.pi - 1e-3) / 2.0)
    corner = release + 2.0 * tangent * inbound
    away = corner + max(2.0 * tangent, 4.0 * radius) * _rotate(inbound, turn)
    pts = np.vstack([points_m[:-1], release, corner, away, points_m[0]])
    level = heights_m[-1]
    hts = np.concatenate([heights_m[:-1], [level, level, level, level]])
    _pieces, _total, s_at = _fillet_path(pts, radius)
    return Release(pts, hts, release, float(s_at[len(points_m) - 1]))


def weapon_path(g: ThreatGroup, release_m: NDArray[np.float64], release_alt_m: float,
                aim_m: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """A released weapon: from the release point, descending to its cruise height over the first
    fifth of the way (at most 20 km), then straight to the aim."""
    so = g.standoff
    assert so is not None
    leg = aim_m - release_m
    d = float(np.linalg.norm(leg))
    down = release_m + leg * min(0.2, 20_000.0 / max(d, 1.0))
    return np.vstack([release_m, down, aim_m]), np.array([release_alt_m, so.height_m,
                                                         so.height_m])


def popup_path(g: ThreatGroup, points_m: NDArray[np.float64], heights_m: NDArray[np.float64]
               ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Cruise missile pop-up: level until ``popup_range_m`` from the aim, climbing to
    ``popup_height_m`` at a third of it, then diving to the ground at the aim."""
    assert g.popup_range_m is not None
    aim, prev = points_m[-1], points_m[-2]
    leg = aim - prev
    d = float(np.linalg.norm(leg))
    r = min(g.popup_range_m, 0.99 * d)
    unit = leg / max(d, 1e-9)
    climb, apex = aim - r * unit, aim - (r / 3.0) * unit
    pts = np.vstack([points_m[:-1], climb, apex, aim])
    hts = np.concatenate([heights_m[:-1], [heights_m[-1], g.popup_height_m, 0.0]])
    return pts, hts


@dataclass(frozen=True, slots=True)
class BallisticGroup:
    """A solved ballistic group: the re-entry vehicle's table row and flight time, and the
    separated objects (booster, debris) as (table row, separation time after launch, rcs)."""

    vehicle: TableRow
    flight_time_s: float
    separated: tuple[tuple[TableRow, float, float, str], ...]


def _motor(g: ThreatGroup) -> Motor:
    b = g.ballistic
    return Motor(b.burn_time_s, b.thrust_to_weight, b.mass_ratio, b.vertical_rise_s,
                 b.launch_ballistic_coefficient_kg_m2)


def _weave(b: BallisticSpec) -> Weave | None:
    return (Weave(b.terminal_weave_g * G0_MPS2, b.weave_below_m, b.weave_period_s)
            if b.terminal_weave_g > 0.0 else None)


def solve_ballistic_group(where: str, g: ThreatGroup, aim_lat_deg: float, aim_lon_deg: float,
                          origin: Origin, physics: Physics = Physics(), *,
                          speed_limit_mps: float = math.inf) -> BallisticGroup:
    """Solve a ballistic group's shot once (every member flies the same one) and separate.

    A glide vehicle whose specific-energy speed ``sqrt(v^2 + 2 g h)`` exceeds
    ``speed_limit_mps`` (the defence's ``command.fire_control.max_speed_mps`` for ballistic
    missiles, which its credible-motion gate holds to) is a scenario error: the defence would
    discard a real threat as impossible."""
    assert g.start is not None
    b = g.ballistic
    shot = Shot(g.start.lat_deg, g.start.lon_deg, g.start.alt_m, aim_lat_deg, aim_lon_deg,
                g.apogee_m, g.flight_time_s)
    try:
        if g.glide is not None:
            glided = solve_glide(shot, _motor(g), glider(g), physics)
            flight, t_c = glided.flight, glided.cutoff_s
        else:
            flight, controls = solve_shot(shot, _motor(g), b.ballistic_coefficient_kg_m2,
                                          physics, weave=_weave(b))
            t_c = float(controls[2])
    except Unreachable as exc:
        raise ScenarioError([_unreachable_message(where, g, shot, exc, physics)]) from None
    rows = flight_rows([(flight, 0.0)], origin, physics.omega_rad_s)
    if g.glide is not None:
        _check_credible(where, rows[0], origin, speed_limit_mps)
    separated: list[tuple[TableRow, float, float, str]] = []
    if b.separation:
        state = flight.cutoff_state
        pieces: list[tuple[Flight, float, str]] = [
            (_separate(state, -1.0 * _unit(state[3:]), t_c, b.booster_ballistic_coefficient_kg_m2,
                       physics), b.booster_rcs_m2, "booster")]
        for k in range(b.debris_count):
            push = b.debris_spread_mps * _ring(state[3:], 2.0 * math.pi * k / b.debris_count)
            pieces.append((_separate(state, push, t_c, b.debris_ballistic_coefficient_kg_m2,
                                     physics), b.debris_rcs_m2, f"debris-{k + 1}"))
        for k in range(b.decoy_count):
            push = b.decoy_spread_mps * _ring(state[3:], 2.0 * math.pi * (k + 0.5) / b.decoy_count)
            pieces.append((_separate(state, push, t_c, b.decoy_ballistic_coefficient_kg_m2,
                                     physics), b.decoy_rcs_m2, f"decoy-{k + 1}"))
        for fl, rcs, label in pieces:
            row = flight_rows([(fl, t_c)], origin, physics.omega_rad_s)[0]
            separated.append((row, t_c, rcs, label))
    return BallisticGroup(rows[0], flight.impact_s, tuple(separated))


def glider(g: ThreatGroup) -> Glider:
    """The glide vehicle of a group with a ``glide`` section (``world.glide``)."""
    gs = g.glide
    assert gs is not None and gs.lift_to_drag is not None  # model-validated
    return Glider(gs.lift_to_drag, gs.ballistic_coefficient_kg_m2,
                  math.radians(gs.burnout_pitch_deg), math.radians(gs.dive_angle_deg),
                  gs.min_glide_speed_mps)


def _check_credible(where: str, row: TableRow, origin: Origin, limit_mps: float) -> None:
    """ScenarioError if the flight's specific-energy speed passes the defence's limit."""
    pos, vel = row[0], row[1]
    height = np.maximum(approx_altitude_m(pos, origin).reshape(-1), 0.0)
    top = float(np.sqrt(np.max(np.sum(vel**2, axis=1) + 2.0 * GRAVITY_MPS2 * height)))
    if top > limit_mps:
        raise ScenarioError([
            f"{where}.glide flies at an energy speed sqrt(v^2 + 2 g h) of up to {top:.0f} m/s, "
            f"above command.fire_control.max_speed_mps.ballistic_missile ({limit_mps:.0f}), "
            f"so the defence would discard it as impossible: raise that limit to at least "
            f"{np.ceil(top):.0f}"])


def _unreachable_message(where: str, g: ThreatGroup, shot: Shot, exc: Unreachable,
                         physics: Physics) -> str:
    """The field, the limit the full burn gives at this range (with its unit), and the value."""
    b = g.ballistic
    if g.glide is not None:
        far = ground_range_m(shot)
        if exc.best < far:  # slowed (or met the ground) short of the aim
            return (f"{where}.aim is beyond the glide's reach: at most about "
                    f"{exc.best / 1e3:.0f} km ({where}.ballistic's boost, {where}.glide) "
                    f"(got {g.aim!r}, {far / 1e3:.0f} km away)")
        return (f"{where}.glide.dive_angle_deg cannot put the dive on {g.aim!r} "
                f"{far / 1e3:.0f} km away: {exc} (more than {MISS_TOLERANCE_M:.0f} m; the aim "
                f"may be too close for the boost: try a steeper dive_angle_deg or a higher "
                f"burnout_pitch_deg; got {g.glide.dive_angle_deg!r})")
    lim = shape_limits(shot, _motor(g), b.ballistic_coefficient_kg_m2, physics, _weave(b))
    boost = f"{where}.ballistic's boost"
    if lim.apogee_m is None or lim.flight_time_s is None:
        return (f"{where}.aim is beyond {boost}: at most about {lim.max_range_m / 1e3:.0f} km "
                f"(got {g.aim!r}, {lim.range_m / 1e3:.0f} km away)")
    if g.apogee_m is not None:
        name, got, (lo, hi), scale, unit = "apogee_m", g.apogee_m, lim.apogee_m, 1e3, "km"
    else:
        name, got, (lo, hi), scale, unit = ("flight_time_s", float(g.flight_time_s or 0.0),
                                            lim.flight_time_s, 1.0, "s")
    at = f"for this range ({lim.range_m / 1e3:.0f} km, {boost})"
    if got > hi:
        return f"{where}.{name} must be <= {hi / scale:.0f} {unit} {at} (got {got!r})"
    if got < lo:
        return f"{where}.{name} must be >= {lo / scale:.0f} {unit} {at} (got {got!r})"
    return (f"{where}.{name} cannot be flown {at}: {exc}; the full burn spans "
            f"{lo / scale:.0f} to {hi / scale:.0f} {unit} (got {got!r})")


def ballistic_problems(scenario: Scenario, origin: Origin) -> list[str]:
    """Solve every rotating-earth ballistic group as the run will: one line per shot the boost
    cannot fly (what ``iadsim validate`` adds to the load-time checks)."""
    assets = {a.name: a.position for a in scenario.defended_assets}
    problems = []
    for i, g in enumerate(scenario.threats):
        if (g.type != "ballistic_missile" or g.start is None or g.aim not in assets
                or g.ballistic.model != "rotating_earth"):
            continue
        try:
            solve_ballistic_group(f"threats[{i}]", g, assets[g.aim].lat_deg,
                                  assets[g.aim].lon_deg, origin, speed_limit_mps=scenario.command
                                  .fire_control.speed_limit_mps("ballistic_missile"))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    return problems


def _unit(v: NDArray[np.float64]) -> NDArray[np.float64]:
    return v / max(float(np.linalg.norm(v)), 1e-12)


def _ring(v: NDArray[np.float64], angle_rad: float) -> NDArray[np.float64]:
    """A unit vector perpendicular to ``v`` at ``angle_rad`` round it."""
    u = _unit(v)
    a = np.cross(u, [0.0, 0.0, 1.0])
    a = _unit(a if np.linalg.norm(a) > 1e-9 else np.cross(u, [1.0, 0.0, 0.0]))
    b = np.cross(u, a)
    return math.cos(angle_rad) * a + math.sin(angle_rad) * b


def _separate(state: NDArray[np.float64], push_mps: NDArray[np.float64], t_s: float,
              beta_kg_m2: float, physics: Physics) -> Flight:
    """An object leaving the vehicle at cut-off with a small velocity change, to the ground."""
    s = np.asarray(state, float).copy()
    s[3:] += push_mps
    return coast(s, t_s, beta_kg_m2, physics)
