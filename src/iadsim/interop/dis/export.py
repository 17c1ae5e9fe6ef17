"""DIS out: a run's results -> time-ordered Entity State, Fire and Detonation PDUs.

Interop stage. ``PduStreamer`` turns one step at a time (the entities present at that time and
the events since the previous step) into PDUs; ``run_pdus`` feeds it a finished run's tables
(``truth``, ``interceptors``, ``events``, ``threats`` and the scenario, see
``docs/ARCHITECTURE.md``), and a live run feeds it step by step (``iadsim.interop.dis.session``),
so a ``.pdu`` file and a live UDP stream of the same run hold the same PDUs.

Entity numbering, with site and application from the scenario's ``dis`` section: threat ``i`` is
entity ``1 + i`` (up to 29 999), launcher ``k`` (the scenario's launchers sorted by name) is
``30 000 + k``, interceptor ``j`` is ``31 000 + j`` (up to 65 534). The Fire PDU and the
Detonation PDU of interceptor ``j`` share the event number ``1 + j``.

Entity State PDUs go out on the first sample of an entity, then either every ``1 / rate_hz``
seconds (``send_mode: rate``) or on the IEEE 1278.1 dead-reckoning thresholds (``send_mode:
dead_reckoning``: the DRM F-P-W prediction from the previous PDU drifts more than
``position_threshold_m`` from the truth, or the orientation more than
``orientation_threshold_deg``, or ``heartbeat_s`` has passed). When an entity leaves the run
(killed, leaked, ended, interceptor resolved) one more Entity State PDU carries its last state
with the appearance bit *Deactivated* (bit 23), and for a killed threat the damage bits 3-4 set
to 3 (destroyed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from iadsim.interop.dis.enums import (
    DEFENDING_FORCE_ID,
    DETONATION_RESULT_HIT,
    DETONATION_RESULT_MISS,
    HOSTILE_FORCE_ID,
    interceptor_entity_types,
    threat_entity_type,
)
from iadsim.interop.dis.geometry import (
    angle_difference_rad,
    dead_reckon_fpw,
    enu_vectors_to_ecef,
    geodetic_to_ecef,
    orientation_from_velocity,
)
from iadsim.interop.dis.pdu import (
    NO_ENTITY,
    DetonationPdu,
    EntityId,
    EntityStatePdu,
    EntityType,
    EventId,
    FirePdu,
    encode_pdu,
    timestamp_from_seconds,
)
from iadsim.interop.dis.stream import TimedPdu
from iadsim.scenario.dis_spec import DisSpec
from iadsim.world.frames import Origin, enu_to_geodetic

APPEARANCE_DEACTIVATED = 1 << 23
APPEARANCE_DESTROYED = 3 << 3
"""Appearance damage bits 3-4 = 3 (destroyed), set on the last Entity State of a killed threat."""
THREAT_ENTITY_LIMIT = 29_999
LAUNCHER_ENTITY_BASE = 30_000
INTERCEPTOR_ENTITY_BASE = 31_000
MAX_ENTITY_NUMBER = 65_534
_RANK_FIRE, _RANK_STATE, _RANK_DETONATION = 0, 1, 2
_GENERIC_INTERCEPTOR = EntityType(2, 1, 0, 1, 0)

Ranked = tuple[float, int, int, bytes]


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

    Keeps, per entity key, the state sent last (grown as keys appear).
    """

    def __init__(self, spec: DisSpec) -> None:
        self.spec = spec
        self.last_t = np.empty(0)
        self.last_p = np.empty((0, 3))
        self.last_v = np.empty((0, 3))
        self.last_o = np.empty((0, 3))

    def _grow(self, n: int) -> None:
        extra = n - self.last_t.size
        if extra > 0:
            self.last_t = np.concatenate([self.last_t, np.full(extra, -np.inf)])
            self.last_p = np.vstack([self.last_p, np.zeros((extra, 3))])
            self.last_v = np.vstack([self.last_v, np.zeros((extra, 3))])
            self.last_o = np.vstack([self.last_o, np.zeros((extra, 3))])

    def due(self, time_s: float, snap: Snapshot) -> NDArray[np.bool_]:
        """(n,) send now; the sent states become the new dead-reckoning bases."""
        k = snap.key
        self._grow(int(k.max()) + 1 if k.size else 0)
        spec, eps = self.spec, 1e-9
        elapsed = time_s - self.last_t[k]
        fresh = ~np.isfinite(elapsed)
        if spec.send_mode == "rate":
            due = elapsed >= 1.0 / spec.rate_hz - eps
        else:
            dt = np.where(fresh, 0.0, elapsed)
            drift_m = np.linalg.norm(snap.position_ecef_m - dead_reckon_fpw(
                self.last_p[k], self.last_v[k], dt), axis=1)
            turn_rad = angle_difference_rad(snap.orientation_rad, self.last_o[k])
            due = ((drift_m > spec.position_threshold_m)
                   | (turn_rad > np.radians(spec.orientation_threshold_deg))
                   | (elapsed >= spec.heartbeat_s - eps))
        send = fresh | due
        s = k[send]
        self.last_t[s] = time_s
        self.last_p[s] = snap.position_ecef_m[send]
        self.last_v[s] = snap.velocity_ecef_mps[send]
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
    """(t, n) mask of the samples that get an Entity State PDU (``UpdateScheduler`` over time)."""
    scheduler = UpdateScheduler(spec)
    present = table.present
    send = np.zeros(present.shape, dtype=bool)
    for k in range(present.shape[0]):  # time steps; vectorised over entities
        j = np.flatnonzero(present[k])
        snap = Snapshot(j.astype(np.int64), table.position_ecef_m[k, j],
                        table.velocity_ecef_mps[k, j], table.orientation_rad[k, j])
        send[k, j] = scheduler.due(float(table.time_s[k]), snap)
    return send


# --- the streamer -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LauncherSite:
    """A launcher's name and geodetic position (from the scenario)."""

    name: str
    lat_deg: float
    lon_deg: float
    alt_m: float


class _Publisher:
    """Entity State PDUs of one side (threats or interceptors), step by step.

    Per entity key (grown as keys appear): present at the previous step, retired (left the run,
    never sent again) and the last state seen, for the deactivation PDU and detonations.
    """

    def __init__(self, spec: DisSpec, force_id: int, entity_of: Callable[[int], EntityId],
                 type_of: Callable[[int], EntityType], name_of: Callable[[int], str]) -> None:
        self.spec, self.force_id = spec, force_id
        self.entity_of, self.type_of, self.name_of = entity_of, type_of, name_of
        self.scheduler = UpdateScheduler(spec)
        self.present = np.zeros(0, dtype=bool)
        self.retired = np.zeros(0, dtype=bool)
        self.seen = np.zeros(0, dtype=bool)
        self.last_state = np.zeros((0, 3, 3))  # (key, [position, velocity, orientation], xyz)
        self.destroyed: set[int] = set()

    def _grow(self, n: int) -> None:
        extra = n - self.present.size
        if extra > 0:
            self.present = np.concatenate([self.present, np.zeros(extra, bool)])
            self.retired = np.concatenate([self.retired, np.zeros(extra, bool)])
            self.seen = np.concatenate([self.seen, np.zeros(extra, bool)])
            self.last_state = np.concatenate([self.last_state, np.zeros((extra, 3, 3))])

    def last(self, key: int) -> NDArray[np.float64] | None:
        """(3, 3) last position, velocity, orientation of ``key``; None if never seen."""
        if key >= self.seen.size or not self.seen[key]:
            return None
        return self.last_state[key]

    def step(self, time_s: float, snap: Snapshot, out: list[Ranked]) -> None:
        self._grow(int(snap.key.max()) + 1 if len(snap) else 0)
        keep = ~self.retired[snap.key]
        if not keep.all():
            snap = Snapshot(snap.key[keep], snap.position_ecef_m[keep],
                            snap.velocity_ecef_mps[keep], snap.orientation_rad[keep])
        now = np.zeros(self.present.size, dtype=bool)
        now[snap.key] = True
        for key in np.flatnonzero(self.present & ~now).tolist():  # left since the last step
            p, v, o = self.last_state[key]
            damage = APPEARANCE_DESTROYED if key in self.destroyed else 0
            self._state(time_s, key, p, v, o, APPEARANCE_DEACTIVATED | damage, out)
        self.retired |= self.present & ~now
        send = self.scheduler.due(time_s, snap)
        for j in np.flatnonzero(send).tolist():
            self._state(time_s, int(snap.key[j]), snap.position_ecef_m[j],
                        snap.velocity_ecef_mps[j], snap.orientation_rad[j], 0, out)
        self.last_state[snap.key] = np.stack([snap.position_ecef_m, snap.velocity_ecef_mps,
                                              snap.orientation_rad], axis=1)
        self.seen[snap.key] = True
        self.present = now

    def _state(self, time_s: float, key: int, p: NDArray[np.float64], v: NDArray[np.float64],
               o: NDArray[np.float64], appearance: int, out: list[Ranked]) -> None:
        eid = self.entity_of(key)
        out.append((time_s, _RANK_STATE, eid.entity, encode_pdu(EntityStatePdu(
            exercise_id=self.spec.exercise_id, timestamp=timestamp_from_seconds(time_s),
            entity_id=eid, force_id=self.force_id, entity_type=self.type_of(key),
            location_ecef_m=_vec(p), velocity_ecef_mps=_vec(v), orientation_rad=_vec(o),
            marking=self.name_of(key), appearance=appearance,
        ))))


class PduStreamer:
    """A run's PDUs, one step at a time.

    Parameters
    ----------
    spec : the scenario's ``dis`` section.
    origin : the scenario ENU origin.
    threat_info : threat id -> (name, threat type), asked when a threat is first sent.
    launchers : the scenario's launchers.
    interceptor_classes : every interceptor class name of the scenario.
    external_from, external_of : threats with ids >= ``external_from`` came in over DIS: they
        are not published again, and Fire/Detonation PDUs name them by ``external_of(id)``,
        their own DIS entity id.
    """

    def __init__(self, spec: DisSpec, origin: Origin, threat_info: Callable[[int], tuple[str, str]],
                 launchers: Sequence[LauncherSite], interceptor_classes: Sequence[str], *,
                 external_from: int | None = None,
                 external_of: Callable[[int], EntityId] | None = None) -> None:
        self.spec, self.origin = spec, origin
        self.external_from, self.external_of = external_from, external_of
        site, app = spec.site_id, spec.application_id
        self.site, self.app = site, app
        self._threat_info = threat_info
        self.launchers = {s.name: (EntityId(site, app, LAUNCHER_ENTITY_BASE + k), s)
                          for k, s in enumerate(sorted(launchers, key=lambda s: s.name))}
        self.classes = interceptor_entity_types(interceptor_classes, spec.entity_types)
        self.class_of: dict[int, str] = {}
        self.launcher_of: dict[int, str] = {}
        self.target_of: dict[int, int] = {}
        self._threat_type_cache: dict[int, EntityType] = {}
        self.threats = _Publisher(spec, HOSTILE_FORCE_ID, self.threat_entity, self._threat_type,
                                  lambda tid: threat_info(tid)[0])
        self.interceptors = _Publisher(
            spec, DEFENDING_FORCE_ID, self.interceptor_entity,
            lambda iid: self.classes.get(self.class_of.get(iid, ""), _GENERIC_INTERCEPTOR),
            lambda iid: f"{self.class_of.get(iid, 'sam')[:5]}-{iid}")
        self._threat_now = Snapshot.empty()

    def threat_entity(self, tid: int) -> EntityId:
        if tid < 0:
            return NO_ENTITY
        if self.external_from is not None and tid >= self.external_from:
            return self.external_of(tid) if self.external_of is not None else NO_ENTITY
        if tid + 1 > THREAT_ENTITY_LIMIT:
            raise ValueError(f"DIS out numbers threats 1-{THREAT_ENTITY_LIMIT}; threat id {tid} "
                             "does not fit")
        return EntityId(self.site, self.app, 1 + tid)

    def interceptor_entity(self, iid: int) -> EntityId:
        if INTERCEPTOR_ENTITY_BASE + iid > MAX_ENTITY_NUMBER:
            raise ValueError(f"DIS out numbers interceptors {INTERCEPTOR_ENTITY_BASE}-"
                             f"{MAX_ENTITY_NUMBER}; interceptor id {iid} does not fit")
        return EntityId(self.site, self.app, INTERCEPTOR_ENTITY_BASE + iid)

    def _threat_type(self, tid: int) -> EntityType:
        if tid not in self._threat_type_cache:
            self._threat_type_cache[tid] = threat_entity_type(self._threat_info(tid)[1],
                                                              self.spec.entity_types)
        return self._threat_type_cache[tid]

    def step(self, time_s: float, threats: Snapshot, interceptors: Snapshot,
             events: Sequence[EventRow]) -> list[TimedPdu]:
        """PDUs for one step: ``events`` are those since the previous step (any order)."""
        out: list[Ranked] = []
        self._threat_now = threats
        if self.external_from is not None:
            threats = threats.take(threats.key < self.external_from)
        rows = sorted(events, key=lambda e: e.time_s)
        self.threats.destroyed.update(r.threat_id for r in rows if r.kind == "kill")
        for row in rows:
            if row.kind == "launch":
                self._fire(row, interceptors, out)
        self.threats.step(time_s, threats, out)
        self.interceptors.step(time_s, interceptors, out)
        for row in rows:
            if row.kind in ("kill", "miss") and row.interceptor_id >= 0:
                self._detonation(row, out)
        out.sort(key=lambda r: (r[0], r[1], r[2]))
        return [(t, data) for t, _rank, _e, data in out]

    def _fire(self, row: EventRow, interceptors: Snapshot, out: list[Ranked]) -> None:
        iid, tid, t_s = int(row.interceptor_id), int(row.threat_id), float(row.time_s)
        launcher = str(row.launcher)
        self.class_of[iid] = str(row.interceptor_class)
        self.launcher_of[iid] = launcher
        self.target_of[iid] = tid
        lid, site = self.launchers.get(launcher, (NO_ENTITY, None))
        j = np.flatnonzero(interceptors.key == iid)
        velocity = interceptors.velocity_ecef_mps[j[0]] if j.size else np.zeros(3)
        if site is not None:
            location = geodetic_to_ecef(site.lat_deg, site.lon_deg, site.alt_m).reshape(3)
        elif j.size:
            location = interceptors.position_ecef_m[j[0]]
        else:
            return
        tj = np.flatnonzero(self._threat_now.key == tid)
        range_m = float(np.linalg.norm(self._threat_now.position_ecef_m[tj[0]] - location)) if (
            tj.size) else 0.0
        out.append((t_s, _RANK_FIRE, self.interceptor_entity(iid).entity, encode_pdu(FirePdu(
            exercise_id=self.spec.exercise_id, timestamp=timestamp_from_seconds(t_s),
            firing_entity_id=lid, target_entity_id=self.threat_entity(tid),
            munition_entity_id=self.interceptor_entity(iid), event_id=self._event_id(iid),
            location_ecef_m=_vec(location), velocity_ecef_mps=_vec(velocity),
            munition_type=self.classes.get(self.class_of[iid], _GENERIC_INTERCEPTOR),
            range_m=range_m, quantity=1,
        ))))

    def _detonation(self, row: EventRow, out: list[Ranked]) -> None:
        iid, tid, t_s = int(row.interceptor_id), int(row.threat_id), float(row.time_s)
        last = self.interceptors.last(iid)
        if last is None:
            return  # never seen in flight: nothing to detonate where
        p, v, _ = last
        launcher = self.launchers.get(self.launcher_of.get(iid, ""), (NO_ENTITY, None))[0]
        out.append((t_s, _RANK_DETONATION, self.interceptor_entity(iid).entity, encode_pdu(
            DetonationPdu(
                exercise_id=self.spec.exercise_id, timestamp=timestamp_from_seconds(t_s),
                firing_entity_id=launcher, target_entity_id=self.threat_entity(tid),
                exploding_entity_id=self.interceptor_entity(iid), event_id=self._event_id(iid),
                location_ecef_m=_vec(p), velocity_ecef_mps=_vec(v),
                munition_type=self.classes.get(self.class_of.get(iid, ""), _GENERIC_INTERCEPTOR),
                detonation_result=DETONATION_RESULT_HIT if row.kind == "kill" else
                DETONATION_RESULT_MISS,
            ))))

    def _event_id(self, iid: int) -> EventId:
        return EventId(self.site, self.app, iid % 65_535 + 1)


class EventRow(NamedTuple):
    """The columns of an ``events.parquet`` row that DIS out uses."""

    time_s: float
    kind: str
    threat_id: int
    interceptor_id: int
    launcher: str
    interceptor_class: str


_EVENT_FIELDS = ("time_s", "kind", "threat_id", "interceptor_id", "launcher",
                 "interceptor_class")


def event_rows_from_tuples(rows: Sequence[Sequence[Any]],
                           columns: Sequence[str]) -> list[EventRow]:
    """``EventRow`` of the ``launch``, ``kill`` and ``miss`` rows of an event log given as
    tuples with the given column order (``outcomes.events.EVENT_COLUMNS``)."""
    idx = [list(columns).index(f) for f in _EVENT_FIELDS]
    kind = idx[1]
    return [EventRow(float(r[idx[0]]), str(r[kind]), int(r[idx[2]]), int(r[idx[3]]),
                     str(r[idx[4]]), str(r[idx[5]]))
            for r in rows if r[kind] in ("launch", "kill", "miss")]


def event_rows(events: pd.DataFrame) -> list[EventRow]:
    """The ``launch``, ``kill`` and ``miss`` rows of an events table, as ``EventRow``."""
    if len(events) == 0:
        return []
    ev = events[events["kind"].isin(["launch", "kill", "miss"])]
    return [EventRow(float(t), str(k), int(th), int(i), str(lau), str(c)) for t, k, th, i, lau, c
            in zip(ev["time_s"].tolist(), ev["kind"].tolist(), ev["threat_id"].tolist(),
                   ev["interceptor_id"].tolist(), ev["launcher"].tolist(),
                   ev["interceptor_class"].tolist(), strict=True)]


def _vec(a: NDArray[np.float64]) -> tuple[float, float, float]:
    a = np.asarray(a, dtype=float).reshape(3)
    return (float(a[0]), float(a[1]), float(a[2]))


# --- a finished run -----------------------------------------------------------------------


def launcher_sites(scenario: Mapping[str, Any]) -> list[LauncherSite]:
    """The launchers of a scenario given as plain data (``scenario.json``)."""
    return [LauncherSite(str(x["name"]), float(x["position"]["lat_deg"]),
                         float(x["position"]["lon_deg"]), float(x["position"].get("alt_m", 0.0)))
            for x in scenario.get("launchers", [])]


def origin_of(scenario: Mapping[str, Any]) -> Origin:
    """The ENU origin recorded in ``scenario.json``."""
    o = scenario["origin"]
    return Origin(float(o["lat_deg"]), float(o["lon_deg"]), float(o.get("alt_m", 0.0)))


def run_pdus(
    truth: pd.DataFrame, interceptors: pd.DataFrame, events: pd.DataFrame,
    threats: pd.DataFrame, scenario: Mapping[str, Any], spec: DisSpec | None = None,
) -> list[TimedPdu]:
    """All PDUs of a finished run, time-ordered, from its tables and ``scenario.json`` data.

    ``spec`` defaults to the scenario's ``dis`` section.
    """
    if spec is None:
        spec = DisSpec.model_validate(scenario.get("dis") or {})
    origin = origin_of(scenario)
    info = {int(r.threat_id): (str(r.name), str(r.type)) for r in threats.itertuples(index=False)}
    external = external_entity_ids(threats)
    classes = sorted(set(scenario.get("interceptors", {})) | set(
        events.loc[events["kind"] == "launch", "interceptor_class"].astype(str)))
    streamer = PduStreamer(spec, origin, lambda tid: info.get(tid, (f"threat-{tid}", "aircraft")),
                           launcher_sites(scenario), classes,
                           external_from=min(external) if external else None,
                           external_of=lambda tid: external.get(tid, NO_ENTITY))
    grid = np.unique(np.concatenate([truth["time_s"].to_numpy(float),
                                     interceptors["time_s"].to_numpy(float)]))
    t_rows = _rows_by_time(truth, grid)
    i_rows = _rows_by_time(interceptors, grid)
    t_all = Snapshot.from_rows(truth, "threat_id", origin)  # converted once, sliced per step
    i_all = Snapshot.from_rows(interceptors, "interceptor_id", origin)
    ev = event_rows(events)
    ev_step = np.searchsorted(grid, np.array([e.time_s for e in ev]) - 1e-9, side="left")
    by_step: list[list[EventRow]] = [[] for _ in range(grid.size + 1)]
    for e, k in zip(ev, np.minimum(ev_step, grid.size).tolist(), strict=True):
        by_step[k].append(e)
    out: list[TimedPdu] = []
    for k, t in enumerate(grid.tolist()):
        out += streamer.step(t, t_all.take(t_rows[k]), i_all.take(i_rows[k]), by_step[k])
    tail = by_step[grid.size]
    if tail:
        last_t = float(grid[-1]) if grid.size else 0.0
        out += streamer.step(max(last_t, max(e.time_s for e in tail)), Snapshot.empty(),
                             Snapshot.empty(), tail)
    out.sort(key=lambda r: r[0])  # stable: keeps each step's Fire/State/Detonation order
    return out


EXTERNAL_GROUP_PREFIX = "dis-in "


def external_group(entity_id: EntityId) -> str:
    """The ``group`` a DIS-in threat gets in ``threats.parquet``: ``dis-in site:app:entity``."""
    return f"{EXTERNAL_GROUP_PREFIX}{entity_id.site}:{entity_id.application}:{entity_id.entity}"


def external_entity_ids(threats: pd.DataFrame) -> dict[int, EntityId]:
    """Threat id -> own DIS entity id of the DIS-in threats of a ``threats`` table."""
    if len(threats) == 0:
        return {}
    groups = threats["group"].astype(str)
    rows = threats[groups.str.startswith(EXTERNAL_GROUP_PREFIX)]
    return {int(r.threat_id): EntityId(*(int(x) for x in str(r.group)[len(
        EXTERNAL_GROUP_PREFIX):].split(":"))) for r in rows.itertuples(index=False)}


def _rows_by_time(frame: pd.DataFrame, grid: NDArray[np.float64]) -> list[NDArray[np.intp]]:
    if len(frame) == 0:
        return [np.empty(0, np.intp)] * grid.size
    k = np.searchsorted(grid, frame["time_s"].to_numpy(float))
    order = np.argsort(k, kind="stable")
    bounds = np.searchsorted(k[order], np.arange(grid.size + 1))
    return [order[bounds[i]:bounds[i + 1]] for i in range(grid.size)]


def run_pdus_from_result(result: Any, spec: DisSpec | None = None) -> list[TimedPdu]:
    """PDUs of a ``iadsim.outcomes.result.Result`` (needs its trajectory tables)."""
    return run_pdus(result.truth, result.interceptors, result.events, result.threats,
                    result.scenario, spec)


def run_pdus_from_folder(out_dir: str | Path, spec: DisSpec | None = None) -> list[TimedPdu]:
    """PDUs of a run from its output folder."""
    import json

    out = Path(out_dir)
    return run_pdus(pd.read_parquet(out / "truth.parquet"),
                    pd.read_parquet(out / "interceptors.parquet"),
                    pd.read_parquet(out / "events.parquet"),
                    pd.read_parquet(out / "threats.parquet"),
                    json.loads((out / "scenario.json").read_text()), spec)


def write_run_pdus(result: Any, path: str | Path, spec: DisSpec | None = None) -> int:
    """Write a finished run's PDUs to a ``.pdu`` file; returns the number of PDUs."""
    from iadsim.interop.dis.stream import write_pdu_file

    return write_pdu_file(path, run_pdus_from_result(result, spec))
