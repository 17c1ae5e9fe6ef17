"""Tracking: angle-only jammer tracks per radar, and jammer position tracks triangulated from them.

In: per step, the strobes of every radar that emits (``iadsim.ew.strobes.StrobeBatch``: a
bearing and, from a pencil beam, an elevation, each with its sigma; no range). Out:
``JammerPicture``: the angle tracks (radar, bearing, bearing rate, sigmas) and the jammer
position tracks (east-north position and velocity, covariance, height) of the step.

* **Angle tracks.** One per (radar, jammer) strobe sequence: a two-state Kalman filter on the
  azimuth (angle, angle rate; white-noise angular acceleration of spectral density
  ``angle_q_rad2_s3``) and, from a pencil beam, a second one on the elevation. Strobes are
  assigned to the predicted tracks of their radar by the smallest normalised innovation
  (``scipy.optimize.linear_sum_assignment``) inside a chi-square gate; an unassigned strobe
  starts a track; a track not updated for ``drop_after_s`` is dropped; ``confirm_hits``
  updates confirm it.
* **Position tracks.** Each step the confirmed angle tracks of the radars, taken pair by pair
  in sensor order, are associated without truth (``ew.strobes.associate_pairs``: crossings ahead
  of both radars, heights that agree and, once the EW sets ``erp_reference_db``, the jammer
  ERP each radar's J/N implies at the crossing agreeing within 6 dB) and triangulated by weighted least squares
  (``ew.strobes.triangulate_en``) with the filtered bearings and sigmas; any other radar's
  confirmed angle track whose bearing passes within the gate of the fix joins it (three or more
  lines), and the tracks used are not paired again. The fix of the filtered bearings, with its
  linearised covariance, is the position of the track of that pair of angle tracks (the
  filtering is done once, on the angles: successive fixes share their errors and are not
  filtered again); its velocity solves ``n_i . v = -rate_i r_i`` over the lines (normals
  ``n_i``, ranges ``r_i``, bearing rates; its covariance from the rates' filter sigmas through
  that solve). A track not fixed in a step coasts, its covariance growing by the velocity's,
  ``dt^2 P_v``, plus ``position_q_m2_s3 dt^3 / 3``, and is dropped after ``drop_after_s``.

Truth (``jammer_id`` of the strobes) is carried only to score the tracks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from iadsim.ew.strobes import (
    EFFECTIVE_EARTH_RADIUS_M,
    StrobeBatch,
    associate_pairs,
    bearing_directions_en,
    triangulate_en,
)

_TWO_PI = 2.0 * np.pi
GATE_CHI2_2DOF = 13.8
"""Chi-square gate of an azimuth + elevation innovation (P = 0.999 for 2 dof)."""
GATE_CHI2_1DOF = 10.8
"""... and of an azimuth alone (fan beam; P = 0.999 for 1 dof)."""
FIX_GATE_SIGMAS = 3.0
"""A third radar's bearing joins a fix if it passes within this many sigmas of it."""


@dataclass(frozen=True, slots=True)
class JammerTrackParams:
    """Filter and track-management constants (notional)."""

    angle_q_rad2_s3: float = 1e-7  # white angular acceleration: sqrt(q) ~ 0.3 mrad/s^1.5
    angle_rate_sigma0_rad_s: float = 0.01  # prior on a new track's angle rate
    confirm_hits: int = 3
    drop_after_s: float = 10.0
    position_q_m2_s3: float = 5.0  # growth of a coasting position track (2 m/s^2 manoeuvres)


@dataclass(frozen=True, slots=True)
class AngleTrackBatch:
    """Angle-only tracks, one row each: radar local azimuth (and elevation) and their rates."""

    track_id: NDArray[np.int64]
    sensor_id: NDArray[np.int32]
    azimuth_rad: NDArray[np.float64]
    azimuth_rate_rad_s: NDArray[np.float64]
    azimuth_sigma_rad: NDArray[np.float64]
    elevation_rad: NDArray[np.float64]  # NaN from a fan beam
    elevation_sigma_rad: NDArray[np.float64]  # inf from a fan beam
    confirmed: NDArray[np.bool_]
    jammer_id: NDArray[np.int64]  # truth of the last strobe (scoring only)
    jnr_db: NDArray[np.float64]  # main-lobe J/N of the last strobe
    azimuth_rate_sigma_rad_s: NDArray[np.float64]  # the filter's sigma of the azimuth rate

    def __len__(self) -> int:
        return int(self.track_id.shape[0])


@dataclass(frozen=True, slots=True)
class JammerPositionBatch:
    """Jammer position tracks, one row each, in the scenario's east-north plane."""

    track_id: NDArray[np.int64]
    position_en_m: NDArray[np.float64]  # (k, 2)
    velocity_en_mps: NDArray[np.float64]  # (k, 2)
    covariance_en_m2: NDArray[np.float64]  # (k, 2, 2) of the position
    height_m: NDArray[np.float64]  # (k,) from the elevations (NaN from fan beams only)
    n_radars: NDArray[np.int64]  # (k,) bearing lines in the last fix
    updated: NDArray[np.bool_]  # (k,) fixed this step
    jammer_id: NDArray[np.int64]  # (k,) truth of the first line (-2: lines of two jammers)

    def __len__(self) -> int:
        return int(self.track_id.shape[0])


@dataclass(frozen=True, slots=True)
class JammerPicture:
    """The jammer picture of one step."""

    time_s: float
    angle: AngleTrackBatch
    position: JammerPositionBatch


@dataclass
class _Angle:
    """Mutable angle-track arrays (rows in creation order)."""

    track_id: list[int] = field(default_factory=list)
    sensor_id: list[int] = field(default_factory=list)
    x_az: list[NDArray[np.float64]] = field(default_factory=list)  # (2,)
    p_az: list[NDArray[np.float64]] = field(default_factory=list)  # (2, 2)
    x_el: list[NDArray[np.float64]] = field(default_factory=list)
    p_el: list[NDArray[np.float64]] = field(default_factory=list)
    last_s: list[float] = field(default_factory=list)  # time the state is at
    updated_s: list[float] = field(default_factory=list)  # time of the last strobe
    hits: list[int] = field(default_factory=list)
    jammer: list[int] = field(default_factory=list)
    jnr_db: list[float] = field(default_factory=list)


class JammerTracker:
    """Angle-only and triangulated jammer tracks of one run (mutable: one per run)."""

    def __init__(self, origin_en_m: NDArray[np.float64], rotation_to_local: NDArray[np.float64],
                 antenna_alt_m: NDArray[np.float64],
                 params: JammerTrackParams | None = None) -> None:
        self.origin_en_m = np.asarray(origin_en_m, float).reshape(-1, 2)
        self.rotation = np.asarray(rotation_to_local, float).reshape(-1, 3, 3)
        self.antenna_alt_m = np.asarray(antenna_alt_m, float).reshape(-1)
        self.p = params or JammerTrackParams()
        self._a = _Angle()
        self._next_angle = 0
        self._time_s = 0.0
        self._pos: dict[tuple[int, int], dict[str, Any]] = {}  # by the pair of angle tracks
        self._next_pos = 0
        self.history: list[JammerPicture] = []
        self.erp_reference_db: NDArray[np.float64] | None = None  # per radar, set by the EW

    @classmethod
    def for_radars(cls, radars: list[Any], params: JammerTrackParams | None = None
                   ) -> JammerTracker:
        """A tracker for the run's radar sites (``sensors.radar.RadarSite``)."""
        return cls(np.array([r.position_enu_m[:2] for r in radars]),
                   np.array([r.rotation_to_local for r in radars]),
                   np.array([r.antenna_alt_m for r in radars], float), params)

    # --- angle tracks ------------------------------------------------------------------------
    def _predict(self, time_s: float) -> None:
        a, q = self._a, self.p.angle_q_rad2_s3
        for i in range(len(a.track_id)):
            dt = time_s - a.last_s[i]
            f, qm = _cv_matrices(dt, q)
            a.x_az[i] = f @ a.x_az[i]
            a.p_az[i] = f @ a.p_az[i] @ f.T + qm
            if np.isfinite(a.x_el[i][0]):
                a.x_el[i] = f @ a.x_el[i]
                a.p_el[i] = f @ a.p_el[i] @ f.T + qm
            a.last_s[i] = time_s

    def step(self, strobes: StrobeBatch, time_s: float) -> JammerPicture:
        """Update with one step's strobes (all radars, taken at ``time_s``)."""
        self._predict(time_s)
        for s in np.unique(strobes.sensor_id).tolist():
            self._update_radar(strobes.take(np.flatnonzero(strobes.sensor_id == s)), int(s),
                               time_s)
        self._drop(time_s)
        self._time_s = time_s
        angle = self.angle_tracks()
        picture = JammerPicture(time_s, angle, self._fix_positions(angle, time_s))
        self.history.append(picture)
        return picture

    def _update_radar(self, strobes: StrobeBatch, sensor: int, time_s: float) -> None:
        a = self._a
        rows = [i for i, s in enumerate(a.sensor_id) if s == sensor]
        n = len(strobes)
        assigned = np.full(n, -1)
        if rows:
            cost = np.full((len(rows), n), np.inf)
            for r, i in enumerate(rows):
                d_az = _wrap(strobes.azimuth_rad - a.x_az[i][0])
                s_az = a.p_az[i][0, 0] + strobes.azimuth_sigma_rad**2
                c = d_az**2 / s_az
                has_el = np.isfinite(strobes.elevation_rad) & np.isfinite(a.x_el[i][0])
                d_el = np.where(has_el, strobes.elevation_rad - a.x_el[i][0], 0.0)
                s_el = a.p_el[i][0, 0] + np.where(has_el, strobes.elevation_sigma_rad, 1.0) ** 2
                c = c + np.where(has_el, d_el**2 / s_el, 0.0)
                gate = np.where(has_el, GATE_CHI2_2DOF, GATE_CHI2_1DOF)
                cost[r] = np.where(c <= gate, c, np.inf)
            big = 1e9
            ri, ci = linear_sum_assignment(np.where(np.isfinite(cost), cost, big))
            for r, c in zip(ri.tolist(), ci.tolist(), strict=True):
                if np.isfinite(cost[r, c]):
                    assigned[c] = rows[r]
        for k in range(n):
            i = int(assigned[k])
            if i < 0:
                self._start(strobes, k, sensor, time_s)
                continue
            a.x_az[i], a.p_az[i] = _update(a.x_az[i], a.p_az[i], float(strobes.azimuth_rad[k]),
                                           float(strobes.azimuth_sigma_rad[k]), wrap=True)
            if np.isfinite(strobes.elevation_rad[k]) and np.isfinite(a.x_el[i][0]):
                a.x_el[i], a.p_el[i] = _update(a.x_el[i], a.p_el[i],
                                               float(strobes.elevation_rad[k]),
                                               float(strobes.elevation_sigma_rad[k]))
            a.hits[i] += 1
            a.updated_s[i] = time_s
            a.jammer[i] = int(strobes.jammer_id[k])
            a.jnr_db[i] = float(strobes.jnr_db[k])

    def _start(self, strobes: StrobeBatch, k: int, sensor: int, time_s: float) -> None:
        a, r0 = self._a, self.p.angle_rate_sigma0_rad_s**2
        a.track_id.append(self._next_angle)
        self._next_angle += 1
        a.sensor_id.append(sensor)
        a.x_az.append(np.array([float(strobes.azimuth_rad[k]), 0.0]))
        a.p_az.append(np.diag([float(strobes.azimuth_sigma_rad[k]) ** 2, r0]))
        el = float(strobes.elevation_rad[k])
        a.x_el.append(np.array([el, 0.0]) if np.isfinite(el) else np.array([np.nan, 0.0]))
        a.p_el.append(np.diag([float(strobes.elevation_sigma_rad[k]) ** 2, r0]) if np.isfinite(el)
                      else np.diag([np.inf, r0]))
        a.last_s.append(time_s)
        a.updated_s.append(time_s)
        a.hits.append(1)
        a.jammer.append(int(strobes.jammer_id[k]))
        a.jnr_db.append(float(strobes.jnr_db[k]))

    def _drop(self, time_s: float) -> None:
        """Tracks not updated for ``drop_after_s`` go."""
        a = self._a
        keep = [i for i, u in enumerate(a.updated_s) if time_s - u <= self.p.drop_after_s]
        for name in a.__dataclass_fields__:
            setattr(a, name, [getattr(a, name)[i] for i in keep])

    def angle_tracks(self) -> AngleTrackBatch:
        """The angle tracks as they are now."""
        a = self._a
        n = len(a.track_id)

        def col(values: list[float], dtype: Any = float) -> NDArray[Any]:
            return np.asarray(values, dtype).reshape(n)

        return AngleTrackBatch(
            col(a.track_id, np.int64), col(a.sensor_id, np.int32),
            col([np.mod(x[0], _TWO_PI) for x in a.x_az]), col([x[1] for x in a.x_az]),
            col([np.sqrt(p[0, 0]) for p in a.p_az]), col([x[0] for x in a.x_el]),
            col([np.sqrt(p[0, 0]) for p in a.p_el]),
            col([h >= self.p.confirm_hits for h in a.hits], bool), col(a.jammer, np.int64),
            col(a.jnr_db), col([np.sqrt(p[1, 1]) for p in a.p_az]))

    # --- position tracks ---------------------------------------------------------------------
    def _fix_positions(self, angle: AngleTrackBatch, time_s: float) -> JammerPositionBatch:
        ok = np.flatnonzero(angle.confirmed)
        direction = bearing_directions_en(angle.azimuth_rad[ok], self.rotation[angle.sensor_id[ok]])
        start = self.origin_en_m[angle.sensor_id[ok]]
        alt = self.antenna_alt_m[angle.sensor_id[ok]]
        sensors = angle.sensor_id[ok]
        used = np.zeros(ok.size, bool)
        fixed: set[tuple[int, int]] = set()
        erp = (None if self.erp_reference_db is None
               else angle.jnr_db[ok] - self.erp_reference_db[sensors])
        radars = np.unique(sensors).tolist()
        for x, sa in enumerate(radars):
            for sb in radars[x + 1:]:
                rows = np.flatnonzero(((sensors == sa) | (sensors == sb)) & ~used)
                pairs = associate_pairs(start[rows], direction[rows],
                                        angle.elevation_rad[ok][rows],
                                        angle.elevation_sigma_rad[ok][rows], alt[rows],
                                        sensors[rows] == sa,
                                        None if erp is None else erp[rows])
                for i, j in pairs:
                    lines = self._lines_of_fix(rows[[i, j]], start, direction, angle, ok, used)
                    if lines is None:
                        continue
                    used[lines] = True
                    key = (int(angle.track_id[ok[lines[0]]]), int(angle.track_id[ok[lines[1]]]))
                    self._update_position(key, lines, start, direction, angle, ok, time_s)
                    fixed.add(key)
        for key in [k for k, v in self._pos.items()
                    if time_s - v["last_s"] > self.p.drop_after_s]:
            del self._pos[key]
        return self._position_batch(fixed, time_s)

    def _lines_of_fix(self, pair: NDArray[np.intp], start: NDArray[np.float64],
                      direction: NDArray[np.float64], angle: AngleTrackBatch,
                      ok: NDArray[np.intp], used: NDArray[np.bool_]) -> NDArray[np.intp] | None:
        """The pair's lines plus every other radar's unused line through their fix."""
        sigma = angle.azimuth_sigma_rad[ok]
        fix, _ = triangulate_en(start[pair], direction[pair], sigma[pair])
        if not np.all(np.isfinite(fix)):
            return None
        sensors = angle.sensor_id[ok]
        others = np.flatnonzero(~used & ~np.isin(sensors, sensors[pair]))
        if others.size:
            to_fix = fix[None, :] - start[others]
            dist = np.linalg.norm(to_fix, axis=1)
            cross = direction[others, 0] * to_fix[:, 1] - direction[others, 1] * to_fix[:, 0]
            ahead = np.einsum("ki,ki->k", direction[others], to_fix) > 0.0
            near = ahead & (np.abs(cross) <= FIX_GATE_SIGMAS * sigma[others] * dist)
            # one line per radar: the closest
            keep = []
            for s in np.unique(sensors[others[near]]).tolist():
                cand = others[near][sensors[others[near]] == s]
                keep.append(int(cand[np.argmin(np.abs(cross[near][sensors[others[near]] == s]))]))
            pair = np.concatenate([pair, np.asarray(keep, np.intp)])
        return pair

    def _update_position(self, key: tuple[int, int], lines: NDArray[np.intp],
                         start: NDArray[np.float64], direction: NDArray[np.float64],
                         angle: AngleTrackBatch, ok: NDArray[np.intp], time_s: float) -> None:
        """The position track of ``key`` is the fix of its lines' filtered bearings (the filtering
        is done once, on the angles: the fixes of successive steps are not independent, so they
        are not filtered again), its velocity from their bearing rates."""
        sigma = angle.azimuth_sigma_rad[ok][lines]
        fix, cov = triangulate_en(start[lines], direction[lines], sigma)
        ground = np.linalg.norm(fix[None, :] - start[lines], axis=1)
        # n_i . v = -rate_i r_i for each line (n_i its normal, r_i the range along it)
        normal = np.stack([-direction[lines, 1], direction[lines, 0]], 1)
        w = 1.0 / (sigma * ground) ** 2
        rhs = -angle.azimuth_rate_rad_s[ok][lines] * ground
        velocity = np.linalg.solve(np.einsum("k,ki,kj->ij", w, normal, normal),
                                   np.einsum("k,ki,k->i", w, normal, rhs))
        # its covariance: each line's rate error sigma_rate r along its normal (the bearing
        # rates' filter sigmas), through the weighted solve (generalised least squares)
        a_inv = np.linalg.inv(np.einsum("k,ki,kj->ij", w, normal, normal))
        rate_var = (angle.azimuth_rate_sigma_rad_s[ok][lines] * ground) ** 2
        vcov = a_inv @ np.einsum("k,ki,kj->ij", w**2 * rate_var, normal, normal) @ a_inv
        el = angle.elevation_rad[ok][lines]
        heights = (self.antenna_alt_m[angle.sensor_id[ok][lines]] + ground * np.tan(el)
                   + ground**2 / (2.0 * EFFECTIVE_EARTH_RADIUS_M))
        finite = np.isfinite(heights)
        jam = angle.jammer_id[ok][lines]
        track = self._pos.setdefault(key, {"id": self._next_pos, "first_s": time_s})
        if track["id"] == self._next_pos:
            self._next_pos += 1
        track.update(x=np.concatenate([fix, velocity]), cov=cov, vcov=vcov, last_s=time_s,
                     height=float(np.mean(heights[finite])) if finite.any() else float("nan"),
                     n=int(lines.size), jammer=int(jam[0]) if np.all(jam == jam[0]) else -2)

    def _position_batch(self, fixed: set[tuple[int, int]], time_s: float) -> JammerPositionBatch:
        items = sorted(self._pos.items(), key=lambda kv: kv[1]["id"])
        k = len(items)
        out = []
        for _, t in items:  # brought to time_s (coasting ones too)
            dt = time_s - t["last_s"]
            # coasting: the velocity's error carried over dt (dt^2 P_v) and the manoeuvres
            grow = dt**2 * t["vcov"] + self.p.position_q_m2_s3 * dt**3 / 3.0 * np.eye(2)
            out.append((np.concatenate([t["x"][:2] + dt * t["x"][2:], t["x"][2:]]),
                        t["cov"] + grow))
        return JammerPositionBatch(
            np.array([t["id"] for _, t in items], np.int64),
            np.array([x[:2] for x, _ in out]).reshape(k, 2),
            np.array([x[2:] for x, _ in out]).reshape(k, 2),
            np.array([p[:2, :2] for _, p in out]).reshape(k, 2, 2),
            np.array([t["height"] for _, t in items], float),
            np.array([t["n"] for _, t in items], np.int64),
            np.array([key in fixed for key, _ in items], bool),
            np.array([t["jammer"] for _, t in items], np.int64))


def _cv_matrices(dt: float, q: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Transition and process noise of a constant-rate state (value, rate) over ``dt``."""
    f = np.array([[1.0, dt], [0.0, 1.0]])
    qm = q * np.array([[dt**3 / 3.0, dt**2 / 2.0], [dt**2 / 2.0, dt]])
    return f, qm


def _wrap(angle: NDArray[np.float64] | float) -> Any:
    return np.mod(np.asarray(angle) + np.pi, _TWO_PI) - np.pi


def _update(x: NDArray[np.float64], p: NDArray[np.float64], z: float, sigma: float,
            wrap: bool = False) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Kalman update of (value, rate) with a measurement of the value."""
    innovation = float(_wrap(z - x[0])) if wrap else z - x[0]
    s = p[0, 0] + sigma**2
    gain = p[:, 0] / s
    return x + gain * innovation, p - np.outer(gain, p[0, :])
