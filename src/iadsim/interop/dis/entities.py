"""DIS out, entity layer: which Entity State PDUs go out when, with what marking and motion model.

Interop stage. In: ``Snapshot`` s of the entities of one side at one time (geocentric). Out:
Entity State PDUs, ranked for ordering within a time (``Ranked``), on the rules below.

* **When**: on the first sample of an entity, then either every ``1 / rate_hz`` seconds
  (``send_mode: rate``) or on the IEEE 1278.1 dead-reckoning thresholds (``send_mode:
  dead_reckoning``: the receiver's prediction from the previous PDU, with the algorithm that PDU
  announced, drifts more than ``position_threshold_m`` from the truth, or the orientation more
  than ``orientation_threshold_deg``, or ``heartbeat_s`` has passed).
* **Motion model**: each entity announces one dead-reckoning algorithm: static (1) for
  launchers and radars, F-V-W (5, constant linear acceleration) for ballistic entities with the
  acceleration measured from their last two samples (gravity on the first, or when the measure
  is more than 1 g from gravity), F-P-W (2, constant velocity) for the rest.
* **Leaving**: when an entity leaves (killed, leaked, ended, detonated, end of the run) one more
  Entity State carries its last state with the appearance bit *Deactivated* (bit 23), and for a
  destroyed entity the damage bits 3-4 set to 3 (destroyed). It is never sent again.
* **Markings** (11 ASCII characters): ``entity_marking``: the first characters of the entity's
  name, ``-``, its DIS entity number. The number always survives whole, so markings are unique
  whenever entity numbers are, and a marking names the Entity ID it belongs to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from iadsim.interop.dis.geometry import (
    angle_difference_rad,
    dead_reckon_fvw,
    enu_vectors_to_ecef,
    geodetic_to_ecef,
    gravity_ecef_mps2,
    orientation_from_velocity,
)
from iadsim.interop.dis.pdu import (
    DR_FPW,
    DR_FVW,
    MARKING_LENGTH,
    EntityId,
    EntityStatePdu,
    EntityType,
    encode_pdu,
    timestamp_from_seconds,
)
from iadsim.scenario.dis_spec import DisSpec
from iadsim.world.frames import GRAVITY_MPS2, Origin, enu_to_geodetic

APPEARANCE_DEACTIVATED = 1 << 23
APPEARANCE_DESTROYED = 3 << 3
"""Appearance damage bits 3-4 = 3 (destroyed), set on the last Entity State of a killed threat."""
RANK_FIRE, RANK_STATE, RANK_DETONATION, RANK_FINAL = 0, 1, 2, 3
"""Order of the PDUs of one time: Fire, Entity State updates, Detonation, last Entity States."""

Ranked = tuple[float, int, int, bytes]
"""(time_s, rank, entity number, PDU bytes): sorted on the first three."""


def entity_marking(name: str, entity_number: int) -> str:
    """The 11-character ASCII marking of an entity: ``<name prefix>-<entity number>``.

    The name is reduced to printable ASCII (others become ``?``, spaces ``_``) and cut so that
    ``-`` and the whole decimal entity number fit; trailing ``-``/``_`` of the cut are dropped.
    The number after the last ``-`` is the entity number, so two entities of one site and
    application never share a marking. ``cruise-wave-city`` as entity 12 reads ``cruise-w-12``.
    """
    number = str(int(entity_number))
    room = max(MARKING_LENGTH - 1 - len(number), 0)
    text = "".join(c if 0x21 <= ord(c) <= 0x7E else ("_" if c == " " else "?") for c in name)
    prefix = text[:room].rstrip("-_") or "e"[:room]
    return f"{prefix}-{number}" if prefix else number


# --- the entities present at one time -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Entities present at one time, geocentric, one row each (ids are run ids, >= 0)."""

    key: NDArray[np.int64]  # (n,)
    position_ecef_m: NDArray[np.float64]  # (n, 3)
    velocity_ecef_mps: NDArray[np.float64]  # (n, 3)
    orientation_rad: NDArray[np.float64]  # (n, 3) DIS Euler angles

    def __len__(self) -> int:
        return int(self.key.shape[0])

    @classmethod
    def from_geodetic(cls, key: NDArray[np.int64], lat_deg: NDArray[np.float64],
                      lon_deg: NDArray[np.float64], alt_m: NDArray[np.float64],
                      velocity_enu_mps: NDArray[np.float64], origin: Origin) -> Snapshot:
        """From geodetic positions and scenario-ENU velocities (the output tables' columns)."""
        p = geodetic_to_ecef(lat_deg, lon_deg, alt_m).reshape(-1, 3)
        v = enu_vectors_to_ecef(np.asarray(velocity_enu_mps, float).reshape(-1, 3), origin)
        o = orientation_from_velocity(v, np.asarray(lat_deg), np.asarray(lon_deg)) if len(
            key) else np.zeros((0, 3))
        return cls(np.asarray(key, np.int64), p, v.reshape(-1, 3), o.reshape(-1, 3))

    @classmethod
    def from_enu(cls, key: NDArray[np.int64], position_enu_m: NDArray[np.float64],
                 velocity_enu_mps: NDArray[np.float64], origin: Origin) -> Snapshot:
        """From scenario-ENU positions and velocities (the run's own arrays)."""
        lat, lon, alt = enu_to_geodetic(np.asarray(position_enu_m, float).reshape(-1, 3), origin)
        return cls.from_geodetic(key, lat, lon, alt, velocity_enu_mps, origin)

    @classmethod
    def from_rows(cls, rows: pd.DataFrame, id_column: str, origin: Origin) -> Snapshot:
        """From rows of ``truth.parquet`` or ``interceptors.parquet``."""
        return cls.from_geodetic(
            rows[id_column].to_numpy(np.int64), rows["lat_deg"].to_numpy(float),
            rows["lon_deg"].to_numpy(float), rows["alt_m"].to_numpy(float),
            rows[["vel_east_mps", "vel_north_mps", "vel_up_mps"]].to_numpy(float), origin)

    def take(self, rows: NDArray[np.intp] | NDArray[np.bool_]) -> Snapshot:
        """The rows ``rows`` (indices or a mask)."""
        return Snapshot(self.key[rows], self.position_ecef_m[rows], self.velocity_ecef_mps[rows],
                        self.orientation_rad[rows])

    @classmethod
    def empty(cls) -> Snapshot:
        return cls(np.empty(0, np.int64), np.empty((0, 3)), np.empty((0, 3)), np.empty((0, 3)))


# --- when to send -------------------------------------------------------------------------


class UpdateScheduler:
    """Which entities are due an Entity State PDU: rate or dead-reckoning thresholds.

    Keeps, per entity key, the state sent last (grown as keys appear); the receiver's
    prediction from it is ``p0 + v0 t + a0 t^2 / 2`` with the acceleration sent (zero for
    F-P-W and static entities).
    """

    def __init__(self, spec: DisSpec) -> None:
        self.spec = spec
        self.last_t = np.empty(0)
        self.last_p = np.empty((0, 3))
        self.last_v = np.empty((0, 3))
        self.last_a = np.empty((0, 3))
        self.last_o = np.empty((0, 3))

    def _grow(self, n: int) -> None:
        extra = n - self.last_t.size
        if extra > 0:
            self.last_t = np.concatenate([self.last_t, np.full(extra, -np.inf)])
            self.last_p = np.vstack([self.last_p, np.zeros((extra, 3))])
            self.last_v = np.vstack([self.last_v, np.zeros((extra, 3))])
            self.last_a = np.vstack([self.last_a, np.zeros((extra, 3))])
            self.last_o = np.vstack([self.last_o, np.zeros((extra, 3))])

    def due(self, time_s: float, snap: Snapshot,
            acceleration_ecef_mps2: NDArray[np.float64] | None = None) -> NDArray[np.bool_]:
        """(n,) send now; the sent states become the new dead-reckoning bases."""
        k = snap.key
        self._grow(int(k.max()) + 1 if k.size else 0)
        accel = np.zeros((len(k), 3)) if acceleration_ecef_mps2 is None else (
            acceleration_ecef_mps2)
        spec, eps = self.spec, 1e-9
        elapsed = time_s - self.last_t[k]
        fresh = ~np.isfinite(elapsed)
        if spec.send_mode == "rate":
            due = elapsed >= 1.0 / spec.rate_hz - eps
        else:
            dt = np.where(fresh, 0.0, elapsed)
            drift_m = np.linalg.norm(snap.position_ecef_m - dead_reckon_fvw(
                self.last_p[k], self.last_v[k], self.last_a[k], dt), axis=1)
            turn_rad = angle_difference_rad(snap.orientation_rad, self.last_o[k])
            due = ((drift_m > spec.position_threshold_m)
                   | (turn_rad > np.radians(spec.orientation_threshold_deg))
                   | (elapsed >= spec.heartbeat_s - eps))
        send = fresh | due
        s = k[send]
        self.last_t[s] = time_s
        self.last_p[s] = snap.position_ecef_m[send]
        self.last_v[s] = snap.velocity_ecef_mps[send]
        self.last_a[s] = accel[send]
        self.last_o[s] = snap.orientation_rad[send]
        return send


@dataclass(frozen=True, slots=True)
class EntityTable:
    """Dense samples of entities on a common time grid (NaN where absent)."""

    time_s: NDArray[np.float64]  # (t,)
    position_ecef_m: NDArray[np.float64]  # (t, n, 3)
    velocity_ecef_mps: NDArray[np.float64]  # (t, n, 3)
    orientation_rad: NDArray[np.float64]  # (t, n, 3)

    @property
    def present(self) -> NDArray[np.bool_]:
        return ~np.isnan(self.position_ecef_m[..., 0])


def update_schedule(table: EntityTable, spec: DisSpec) -> NDArray[np.bool_]:
    """(t, n) mask of the samples that get an Entity State PDU (``UpdateScheduler`` over time,
    constant-velocity dead reckoning)."""
    scheduler = UpdateScheduler(spec)
    present = table.present
    send = np.zeros(present.shape, dtype=bool)
    for k in range(present.shape[0]):  # time steps; vectorised over entities
        j = np.flatnonzero(present[k])
        snap = Snapshot(j.astype(np.int64), table.position_ecef_m[k, j],
                        table.velocity_ecef_mps[k, j], table.orientation_rad[k, j])
        send[k, j] = scheduler.due(float(table.time_s[k]), snap)
    return send


# --- one side's Entity State PDUs ---------------------------------------------------------


class Publisher:
    """Entity State PDUs of one group of entities (threats, interceptors, sites), step by step.

    Per entity key (grown as keys appear): present at the previous step, retired (left the run,
    never sent again), the last state seen and when, and the acceleration estimate.

    Parameters
    ----------
    spec : the scenario's ``dis`` section.
    force_id : DIS force of every entity of the group.
    entity_of, type_of, name_of : key -> DIS entity id, entity type, name (marking source).
    algorithm_of : key -> dead-reckoning algorithm announced (1 static, 2 F-P-W, 5 F-V-W).
    """

    def __init__(self, spec: DisSpec, force_id: int, entity_of: Callable[[int], EntityId],
                 type_of: Callable[[int], EntityType], name_of: Callable[[int], str],
                 algorithm_of: Callable[[int], int] = lambda key: DR_FPW) -> None:
        self.spec, self.force_id = spec, force_id
        self.entity_of, self.type_of, self.name_of = entity_of, type_of, name_of
        self.algorithm_of = algorithm_of
        self.scheduler = UpdateScheduler(spec)
        self.present = np.zeros(0, dtype=bool)
        self.retired = np.zeros(0, dtype=bool)
        self.seen = np.zeros(0, dtype=bool)
        self.algorithm = np.zeros(0, dtype=np.int16)
        self.last_time_s = np.zeros(0)
        self.last_state = np.zeros((0, 4, 3))  # (key, [position, velocity, orientation, accel])

    def _grow(self, n: int) -> None:
        extra = n - self.present.size
        if extra > 0:
            first = self.present.size
            self.present = np.concatenate([self.present, np.zeros(extra, bool)])
            self.retired = np.concatenate([self.retired, np.zeros(extra, bool)])
            self.seen = np.concatenate([self.seen, np.zeros(extra, bool)])
            self.algorithm = np.concatenate([self.algorithm, np.array(
                [self.algorithm_of(k) for k in range(first, n)], np.int16)])
            self.last_time_s = np.concatenate([self.last_time_s, np.zeros(extra)])
            self.last_state = np.concatenate([self.last_state, np.zeros((extra, 4, 3))])

    def predict(self, key: int, time_s: float) -> tuple[NDArray[np.float64],
                                                         NDArray[np.float64]] | None:
        """Position and velocity of ``key`` dead-reckoned from its last sample to ``time_s``
        (with its own acceleration estimate); None if never seen."""
        if key >= self.seen.size or not self.seen[key]:
            return None
        p, v, _o, a = self.last_state[key]
        dt = time_s - float(self.last_time_s[key])
        return p + v * dt + 0.5 * a * dt**2, v + a * dt

    def orientation(self, key: int) -> NDArray[np.float64]:
        """Last orientation of a seen ``key``."""
        return self.last_state[key, 2]

    def _acceleration(self, time_s: float, snap: Snapshot) -> NDArray[np.float64]:
        """(n, 3) acceleration sent: F-V-W entities only, from their last two samples when that
        is within 1 g of gravity (a body in free flight; it then includes the curved-earth
        terms), else gravity; zero for the others."""
        accel = np.zeros((len(snap), 3))
        fvw = self.algorithm[snap.key] == DR_FVW
        if not fvw.any():
            return accel
        k = snap.key[fvw]
        dt = time_s - self.last_time_s[k]
        known = self.seen[k] & (dt > 1e-6)
        gravity = gravity_ecef_mps2(snap.position_ecef_m[fvw])
        measured = gravity.copy()
        measured[known] = (snap.velocity_ecef_mps[fvw][known] - self.last_state[k[known], 1]) / (
            dt[known, None])
        ballistic = np.linalg.norm(measured - gravity, axis=1) < GRAVITY_MPS2
        accel[fvw] = np.where(ballistic[:, None], measured, gravity)
        return accel

    def step(self, time_s: float, snap: Snapshot, out: list[Ranked]) -> None:
        """Entity States due at ``time_s`` for the entities of ``snap``; those present at the
        previous step and absent now get their last (deactivated) state."""
        self._grow(int(snap.key.max()) + 1 if len(snap) else 0)
        keep = ~self.retired[snap.key]
        if not keep.all():
            snap = snap.take(keep)
        now = np.zeros(self.present.size, dtype=bool)
        now[snap.key] = True
        for key in np.flatnonzero(self.present & ~now).tolist():  # left since the last step
            self.retire(time_s, key, destroyed=False, out=out, rank=RANK_STATE,
                        at_last_sample=True)
        accel = self._acceleration(time_s, snap)
        send = self.scheduler.due(time_s, snap, accel)
        for j in np.flatnonzero(send).tolist():
            self._state(time_s, int(snap.key[j]), snap.position_ecef_m[j],
                        snap.velocity_ecef_mps[j], snap.orientation_rad[j], accel[j], 0,
                        RANK_STATE, out)
        self.last_state[snap.key] = np.stack([snap.position_ecef_m, snap.velocity_ecef_mps,
                                              snap.orientation_rad, accel], axis=1)
        self.last_time_s[snap.key] = time_s
        self.seen[snap.key] = True
        self.present = now

    def retire(self, time_s: float, key: int, *, destroyed: bool, out: list[Ranked],
               rank: int = RANK_FINAL, position_ecef_m: NDArray[np.float64] | None = None,
               at_last_sample: bool = False) -> None:
        """Send the last Entity State of ``key`` (Deactivated, and destroyed if so) and never
        send it again. The state is the last sample (``at_last_sample``), or dead-reckoned to
        ``time_s``, at ``position_ecef_m`` if given. Nothing for a key never seen or retired."""
        if key >= self.seen.size or not self.seen[key] or self.retired[key]:
            return
        p, v, o, a = self.last_state[key]
        if not at_last_sample:
            predicted = self.predict(key, time_s)
            assert predicted is not None
            p, v = predicted
        if position_ecef_m is not None:
            p = position_ecef_m
        appearance = APPEARANCE_DEACTIVATED | (APPEARANCE_DESTROYED if destroyed else 0)
        self._state(time_s, key, p, v, o, a, appearance, rank, out)
        self.retired[key] = True
        self.present[key] = False

    def finish(self, time_s: float, out: list[Ranked]) -> None:
        """End of the run: the last state of every entity still present."""
        for key in np.flatnonzero(self.present & ~self.retired).tolist():
            self.retire(time_s, key, destroyed=False, out=out)

    def _state(self, time_s: float, key: int, p: NDArray[np.float64], v: NDArray[np.float64],
               o: NDArray[np.float64], a: NDArray[np.float64], appearance: int, rank: int,
               out: list[Ranked]) -> None:
        eid = self.entity_of(key)
        out.append((time_s, rank, eid.entity, encode_pdu(EntityStatePdu(
            exercise_id=self.spec.exercise_id, timestamp=timestamp_from_seconds(time_s),
            entity_id=eid, force_id=self.force_id, entity_type=self.type_of(key),
            location_ecef_m=vec3(p), velocity_ecef_mps=vec3(v), orientation_rad=vec3(o),
            marking=entity_marking(self.name_of(key), eid.entity), appearance=appearance,
            dead_reckoning_algorithm=int(self.algorithm[key]), linear_acceleration_mps2=vec3(a),
        ))))


def vec3(a: NDArray[np.float64]) -> tuple[float, float, float]:
    """A 3-vector as a tuple of Python floats."""
    a = np.asarray(a, dtype=float).reshape(3)
    return (float(a[0]), float(a[1]), float(a[2]))
