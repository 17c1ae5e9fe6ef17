"""Threat kinematics as closed-form paths, evaluated for all threats at once.

Two path families, both stored as padded ``(n, k)`` arrays so one call evaluates every threat:

* ``WaypointPaths``: air-breathing threats fly polylines in the tangent plane at constant speed,
  with every corner rounded by a fillet arc of radius ``speed / turn_rate`` (a turn-rate-limited,
  coordinated turn). Height follows the waypoints' altitudes, linearly in path distance. The
  plane path is then laid onto the earth (``frames.surface_point_to_enu``), so a threat at a
  constant altitude stays at that height above the spherical earth.
* ``BallisticPaths``: a gravity trajectory without atmosphere along the ground track from launch
  to aim point: ground distance grows linearly and height is ``v_z t - g t^2 / 2``. Given the
  apogee H and ground range D: ``v_z = sqrt(2 g H)``, ``T = 2 v_z / g``, ``v_h = D / T``; given the
  flight time T: ``v_z = g T / 2``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from iadsim.world.frames import GRAVITY_MPS2


@dataclass(frozen=True, slots=True)
class PlanePathState:
    """Plane position (n, 2) east/north, heading unit vector (n, 2), height (n,), and done mask."""

    east_north_m: NDArray[np.float64]
    direction: NDArray[np.float64]
    height_m: NDArray[np.float64]
    speed_mps: NDArray[np.float64]
    climb_mps: NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class WaypointPaths:
    """Fillet-rounded polylines, one per threat, padded to ``k`` pieces.

    Piece ``j`` of threat ``i`` starts at distance ``start_m[i, j]``; it is a straight line when
    ``radius_m[i, j] == 0`` (from ``origin_m`` along ``direction``) or an arc otherwise (centre
    ``origin_m``, radius, starting angle ``angle0_rad``, turning ``sense`` = +1 left / -1 right).
    """

    start_m: NDArray[np.float64]  # (n, k) cumulative distance at piece start; +inf pads
    origin_m: NDArray[np.float64]  # (n, k, 2)
    direction: NDArray[np.float64]  # (n, k, 2) unit direction of a line piece
    radius_m: NDArray[np.float64]  # (n, k)
    angle0_rad: NDArray[np.float64]  # (n, k)
    sense: NDArray[np.float64]  # (n, k)
    length_m: NDArray[np.float64]  # (n,) total path length
    height_knot_s_m: NDArray[np.float64]  # (n, w) path distance of each waypoint
    height_knot_m: NDArray[np.float64]  # (n, w) height at each waypoint
    speed_mps: NDArray[np.float64]  # (n,)

    def evaluate(self, distance_m: NDArray[np.float64]) -> PlanePathState:
        """Plane state at path distance ``distance_m`` (n,), clipped to [0, length]."""
        n = self.length_m.shape[0]
        s = np.clip(distance_m, 0.0, self.length_m)
        rows = np.arange(n)
        piece = np.maximum(np.sum(s[:, None] >= self.start_m, axis=1) - 1, 0)
        ds = s - self.start_m[rows, piece]
        origin = self.origin_m[rows, piece]
        radius = self.radius_m[rows, piece]
        is_arc = radius > 0.0
        safe_r = np.where(is_arc, radius, 1.0)
        sense = self.sense[rows, piece]
        angle = self.angle0_rad[rows, piece] + sense * ds / safe_r
        arc_pos = origin + safe_r[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
        arc_dir = sense[:, None] * np.stack([-np.sin(angle), np.cos(angle)], axis=1)
        line_dir = self.direction[rows, piece]
        line_pos = origin + ds[:, None] * line_dir
        pos = np.where(is_arc[:, None], arc_pos, line_pos)
        direction = np.where(is_arc[:, None], arc_dir, line_dir)
        height, slope = _interp_rows(s, self.height_knot_s_m, self.height_knot_m)
        return PlanePathState(pos, direction, height, self.speed_mps, slope * self.speed_mps)


def _interp_rows(
    x: NDArray[np.float64], xk: NDArray[np.float64], yk: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Row-wise linear interpolation (and slope) of padded knots (n, w); pads are +inf."""
    rows = np.arange(x.shape[0])
    idx = np.clip(np.sum(x[:, None] >= xk, axis=1) - 1, 0, xk.shape[1] - 1)
    nxt = np.minimum(idx + 1, xk.shape[1] - 1)
    x0, x1 = xk[rows, idx], xk[rows, nxt]
    y0, y1 = yk[rows, idx], yk[rows, nxt]
    span = np.where(np.isfinite(x1) & (x1 > x0), x1 - x0, np.inf)
    slope = np.where(np.isfinite(span), (y1 - y0) / span, 0.0)
    return y0 + slope * (x - x0), slope


def build_waypoint_paths(
    points_m: list[NDArray[np.float64]],
    heights_m: list[NDArray[np.float64]],
    speed_mps: NDArray[np.float64],
    turn_rate_rad_s: NDArray[np.float64],
) -> WaypointPaths:
    """Fillet-rounded paths through each threat's plane points (p_i, 2), heights (p_i,).

    Corners get an arc of radius ``speed / turn_rate``; where two corners would overlap, the
    radius shrinks to fit (the only case where the turn is tighter than the limit).
    """
    pieces: list[list[tuple[float, NDArray[np.float64], NDArray[np.float64], float, float, float]]]
    pieces = []
    lengths, knot_s, knot_h = [], [], []
    for pts, hts, v, w in zip(points_m, heights_m, speed_mps, turn_rate_rad_s, strict=True):
        plist, total, s_at_wp = _fillet_path(np.asarray(pts, float), float(v / w))
        pieces.append(plist)
        lengths.append(total)
        # A repeated waypoint shares its distance with the one before: one knot, the last
        # height given there (the height is reached at the point, never jumped to).
        last = np.append(np.diff(s_at_wp) > 0.0, True)
        knot_s.append(s_at_wp[last])
        knot_h.append(np.asarray(hts, float)[last])
    n = len(pieces)
    k = max((len(p) for p in pieces), default=1)
    w_max = max((len(s) for s in knot_s), default=1)
    start = np.full((n, k), np.inf)
    origin = np.zeros((n, k, 2))
    direction = np.zeros((n, k, 2))
    radius = np.zeros((n, k))
    angle0 = np.zeros((n, k))
    sense = np.ones((n, k))
    ks = np.full((n, w_max), np.inf)
    kh = np.zeros((n, w_max))
    for i, plist in enumerate(pieces):
        for j, (s0, org, dirn, r, a0, sg) in enumerate(plist):
            start[i, j], origin[i, j], direction[i, j] = s0, org, dirn
            radius[i, j], angle0[i, j], sense[i, j] = r, a0, sg
        ks[i, : len(knot_s[i])] = knot_s[i]
        kh[i, : len(knot_h[i])] = knot_h[i]
        kh[i, len(knot_h[i]) :] = knot_h[i][-1]
    return WaypointPaths(
        start, origin, direction, radius, angle0, sense, np.asarray(lengths, float), ks, kh,
        np.asarray(speed_mps, float),
    )


def _fillet_path(
    pts: NDArray[np.float64], radius_m: float
) -> tuple[list[tuple[float, NDArray[np.float64], NDArray[np.float64], float, float, float]],
           float, NDArray[np.float64]]:
    """Pieces of one polyline with rounded corners; also the distance at each waypoint.

    Zero-length legs (a waypoint repeated, or the first one at the start) are skipped: the
    repeated waypoint gets the distance of the one it repeats. All points equal (a threat
    starting on its aim) give one zero-length line piece: the threat has already arrived.
    """
    keep = np.concatenate([[True], np.linalg.norm(np.diff(pts, axis=0), axis=1) > 1e-6])
    kept_index = np.cumsum(keep) - 1  # each original waypoint -> its kept representative
    pieces, total, s_kept = _fillet_pieces(pts[keep], radius_m)
    return pieces, total, s_kept[kept_index]


def _fillet_pieces(
    pts: NDArray[np.float64], radius_m: float
) -> tuple[list[tuple[float, NDArray[np.float64], NDArray[np.float64], float, float, float]],
           float, NDArray[np.float64]]:
    """:func:`_fillet_path` of a polyline without zero-length legs."""
    if len(pts) == 1:
        return [(0.0, pts[0], np.array([1.0, 0.0]), 0.0, 0.0, 1.0)], 0.0, np.zeros(1)
    legs = np.diff(pts, axis=0)
    leg_len = np.linalg.norm(legs, axis=1)
    dirs = legs / leg_len[:, None]
    # tangent length at each interior corner, shrunk so neighbouring fillets never overlap
    turn = np.array([
        np.arccos(np.clip(dirs[i] @ dirs[i + 1], -1.0, 1.0)) for i in range(len(dirs) - 1)
    ])
    tan_half = np.tan(np.minimum(turn, np.pi - 1e-6) / 2.0)
    r = np.full(turn.shape, radius_m)
    tangent = r * tan_half
    for i in range(len(turn)):
        room = min(leg_len[i] * (0.5 if i > 0 else 1.0), leg_len[i + 1] * 0.5)
        if tangent[i] > room:
            tangent[i] = room
            r[i] = room / tan_half[i] if tan_half[i] > 0 else 0.0
    pieces = []
    s = 0.0
    cursor = pts[0]
    s_at_wp = [0.0]
    for i in range(len(dirs)):
        end_cut = tangent[i] if i < len(turn) else 0.0
        line_end = pts[i + 1] - dirs[i] * end_cut
        line_len = float(np.linalg.norm(line_end - cursor))
        pieces.append((s, cursor.copy(), dirs[i].copy(), 0.0, 0.0, 1.0))
        s += line_len
        if i < len(turn):
            if turn[i] < 1e-9 or r[i] <= 0.0:
                s_at_wp.append(s)
                cursor = line_end
                continue
            cross = dirs[i][0] * dirs[i + 1][1] - dirs[i][1] * dirs[i + 1][0]
            sg = 1.0 if cross > 0 else -1.0
            normal = sg * np.array([-dirs[i][1], dirs[i][0]])
            centre = line_end + normal * r[i]
            a0 = float(np.arctan2(line_end[1] - centre[1], line_end[0] - centre[0]))
            arc_len = float(r[i] * turn[i])
            pieces.append((s, centre, dirs[i].copy(), float(r[i]), a0, sg))
            s_at_wp.append(s + arc_len / 2.0)
            s += arc_len
            cursor = pts[i + 1] + dirs[i + 1] * tangent[i]
        else:
            s_at_wp.append(s)
    return pieces, s, np.asarray(s_at_wp)


@dataclass(frozen=True, slots=True)
class BallisticPaths:
    """Gravity trajectories in a vertical plane over the ground track start -> aim."""

    start_m: NDArray[np.float64]  # (n, 2) plane position of the launch point
    direction: NDArray[np.float64]  # (n, 2) unit ground-track direction
    ground_speed_mps: NDArray[np.float64]  # (n,)
    vertical_speed_mps: NDArray[np.float64]  # (n,) at launch
    flight_time_s: NDArray[np.float64]  # (n,)
    launch_alt_m: NDArray[np.float64]  # (n,)

    def evaluate(self, flight_s: NDArray[np.float64]) -> PlanePathState:
        """Plane state ``flight_s`` seconds after launch, clipped to [0, flight time]."""
        t = np.clip(flight_s, 0.0, self.flight_time_s)
        pos = self.start_m + (self.ground_speed_mps * t)[:, None] * self.direction
        height = self.launch_alt_m + self.vertical_speed_mps * t - 0.5 * GRAVITY_MPS2 * t**2
        climb = self.vertical_speed_mps - GRAVITY_MPS2 * t
        return PlanePathState(pos, self.direction, height, self.ground_speed_mps, climb)


def ballistic_paths(
    start_m: NDArray[np.float64],
    aim_m: NDArray[np.float64],
    apogee_m: NDArray[np.float64],
    flight_time_s: NDArray[np.float64],
    launch_alt_m: NDArray[np.float64] | None = None,
) -> BallisticPaths:
    """Ballistic paths from plane points ``start_m`` to ``aim_m`` (n, 2).

    Give ``apogee_m`` (n,) or ``flight_time_s`` (n,) per threat; the other is NaN.
    """
    start_m, aim_m = np.asarray(start_m, float), np.asarray(aim_m, float)
    apogee_m, flight_time_s = np.asarray(apogee_m, float), np.asarray(flight_time_s, float)
    ground = aim_m - start_m
    distance = np.linalg.norm(ground, axis=1)
    direction = ground / np.where(distance > 0, distance, 1.0)[:, None]
    vz = np.where(np.isnan(apogee_m), 0.5 * GRAVITY_MPS2 * flight_time_s,
                  np.sqrt(2.0 * GRAVITY_MPS2 * np.nan_to_num(apogee_m)))
    t_total = 2.0 * vz / GRAVITY_MPS2
    alt0 = np.zeros_like(distance) if launch_alt_m is None else np.asarray(launch_alt_m, float)
    return BallisticPaths(start_m, direction, distance / t_total, vz, t_total, alt0)
