"""DIS out: a run's results -> time-ordered Entity State, Fire and Detonation PDUs.

Interop stage. ``PduStreamer`` turns one step at a time (the entities present at that time and
the events since the previous step) into PDUs; ``run_pdus`` feeds it a finished run's tables
(``truth``, ``interceptors``, ``events``, ``threats``, ``engagements`` and the scenario, see
``docs/ARCHITECTURE.md``), and a live run feeds it step by step (``iadsim.interop.dis.session``),
so a ``.pdu`` file and a live UDP stream of the same run hold the same PDUs. When to send, the
markings and the dead reckoning are ``iadsim.interop.dis.entities``.

Entity numbering, with site and application from the scenario's ``dis`` section: threat ``i`` is
entity ``1 + i`` (up to 29 999), launcher ``k`` (the scenario's launchers sorted by name) is
``30 000 + k``, radar ``r`` (scenario order) is ``30 500 + r``, interceptor ``j`` is
``31 000 + j`` (up to 65 534). The Fire PDU and the Detonation PDU of interceptor ``j`` share the
event number ``1 + j`` and name the same target: the threat it was fired at.

Launchers and radars are announced (static dead reckoning, heartbeats) from the start of the run,
so every firing entity exists before it fires, and deactivated at its end. The Detonation is at
the simulation's end-game point: at the interceptor's miss distance from the threat the end game
measured it against (the engaged threat for a kill), on the side the interceptor came from; the
munition's last Entity State is there too, and a killed threat's is at its position at the kill.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from iadsim.errors import DisError
from iadsim.interop.dis.entities import (
    APPEARANCE_DEACTIVATED,
    APPEARANCE_DESTROYED,
    RANK_DETONATION,
    RANK_FIRE,
    EntityTable,
    Publisher,
    Ranked,
    Snapshot,
    UpdateScheduler,
    entity_marking,
    update_schedule,
    vec3,
)
from iadsim.interop.dis.enums import (
    DEFENDING_FORCE_ID,
    DETONATION_RESULT_HIT,
    DETONATION_RESULT_MISS,
    HOSTILE_FORCE_ID,
    LAUNCHER_ENTITY_TYPE,
    canonical_threat_type,
    interceptor_entity_types,
    radar_entity_type,
    threat_entity_type,
)
from iadsim.interop.dis.geometry import geodetic_to_ecef
from iadsim.interop.dis.pdu import (
    DR_FPW,
    DR_FVW,
    DR_STATIC,
    NO_ENTITY,
    DetonationPdu,
    EntityId,
    EntityType,
    EventId,
    FirePdu,
    encode_pdu,
    timestamp_from_seconds,
)
from iadsim.interop.dis.stream import TimedPdu
from iadsim.scenario.dis_spec import DisSpec
from iadsim.world.frames import Origin

__all__ = ["APPEARANCE_DEACTIVATED", "APPEARANCE_DESTROYED", "EntityTable", "EventRow",
           "PduStreamer", "Site", "Snapshot", "UpdateScheduler", "entity_marking", "run_pdus",
           "run_pdus_from_folder", "run_pdus_from_result", "update_schedule", "write_run_pdus"]

THREAT_ENTITY_LIMIT = 29_999
LAUNCHER_ENTITY_BASE = 30_000
RADAR_ENTITY_BASE = 30_500
INTERCEPTOR_ENTITY_BASE = 31_000
MAX_ENTITY_NUMBER = 65_534
_GENERIC_INTERCEPTOR = EntityType(2, 1, 0, 1, 0)
_ACCELERATING_TYPES = ("ballistic_missile", "rocket")
"""Threat types sent with F-V-W dead reckoning (their acceleration, gravity, is known)."""


@dataclass(frozen=True, slots=True)
class Site:
    """A launcher's or radar's name, geodetic position and (radars) kind, from the scenario."""

    name: str
    lat_deg: float
    lon_deg: float
    alt_m: float
    kind: str = ""


LauncherSite = Site


class PduStreamer:
    """A run's PDUs, one step at a time.

    Parameters
    ----------
    spec : the scenario's ``dis`` section.
    origin : the scenario ENU origin.
    threat_info : threat id -> (name, threat type), asked when a threat is first sent.
    launchers : the scenario's launchers.
    interceptor_classes : every interceptor class name of the scenario.
    radars : the scenario's radars (``kind`` surveillance or multifunction).
    external_from, external_of : threats with ids >= ``external_from`` came in over DIS: they
        are not published again, and Fire/Detonation PDUs name them by ``external_of(id)``,
        their own DIS entity id.

    Call ``start(0.0)`` first (``step`` does it if not), ``step`` per step, ``finish`` last.
    """

    def __init__(self, spec: DisSpec, origin: Origin, threat_info: Callable[[int], tuple[str, str]],
                 launchers: Sequence[Site], interceptor_classes: Sequence[str], *,
                 radars: Sequence[Site] = (), external_from: int | None = None,
                 external_of: Callable[[int], EntityId] | None = None,
                 moving_sites: frozenset[tuple[str, str]] = frozenset()) -> None:
        self.spec, self.origin = spec, origin
        self.external_from, self.external_of = external_from, external_of
        site, app = spec.site_id, spec.application_id
        self.site, self.app = site, app
        self._threat_info = threat_info
        ordered = sorted(launchers, key=lambda s: s.name)
        if len(ordered) > RADAR_ENTITY_BASE - LAUNCHER_ENTITY_BASE:
            raise DisError(f"DIS out numbers launchers {LAUNCHER_ENTITY_BASE}-"
                           f"{RADAR_ENTITY_BASE - 1}; {len(ordered)} launchers do not fit")
        if len(radars) > INTERCEPTOR_ENTITY_BASE - RADAR_ENTITY_BASE:
            raise DisError(f"DIS out numbers radars {RADAR_ENTITY_BASE}-"
                           f"{INTERCEPTOR_ENTITY_BASE - 1}; {len(radars)} radars do not fit")
        self.launchers = {s.name: (EntityId(site, app, LAUNCHER_ENTITY_BASE + k), s)
                          for k, s in enumerate(ordered)}
        self._sites = [*ordered, *radars]
        n_launchers = len(ordered)
        self._site_ids = [EntityId(site, app, LAUNCHER_ENTITY_BASE + k) for k in range(
            n_launchers)] + [EntityId(site, app, RADAR_ENTITY_BASE + r) for r in range(
                len(radars))]
        self._site_types = [LAUNCHER_ENTITY_TYPE] * n_launchers + [
            radar_entity_type(r.kind) for r in radars]
        p = geodetic_to_ecef([s.lat_deg for s in self._sites], [s.lon_deg for s in self._sites],
                             [s.alt_m for s in self._sites]).reshape(-1, 3)
        n = len(self._sites)
        self._site_snapshot = Snapshot(np.arange(n, dtype=np.int64), p, np.zeros((n, 3)),
                                       np.zeros((n, 3)))  # at rest, facing north, level
        self.site_key = {("launcher", x.name): k for k, x in enumerate(ordered)} | {
            ("radar", x.name): n_launchers + r for r, x in enumerate(radars)}
        mover = {self.site_key[m] for m in moving_sites if m in self.site_key}
        self.sites = Publisher(spec, DEFENDING_FORCE_ID, self._site_ids.__getitem__,
                               self._site_types.__getitem__, lambda k: self._sites[k].name,
                               lambda k: DR_FPW if k in mover else DR_STATIC)
        self.classes = interceptor_entity_types(interceptor_classes, spec.entity_types)
        self.class_of: dict[int, str] = {}
        self.launcher_of: dict[int, str] = {}
        self.target_of: dict[int, int] = {}
        self._fired_from: dict[int, tuple[float, NDArray[np.float64], NDArray[np.float64]]] = {}
        self._threat_type_cache: dict[int, EntityType] = {}
        self.threats = Publisher(
            spec, HOSTILE_FORCE_ID, self.threat_entity, self._threat_type,
            lambda tid: threat_info(tid)[0],
            lambda tid: DR_FVW if canonical_threat_type(threat_info(tid)[1]) in (
                _ACCELERATING_TYPES) else DR_FPW)
        self.interceptors = Publisher(
            spec, DEFENDING_FORCE_ID, self.interceptor_entity,
            lambda iid: self.classes.get(self.class_of.get(iid, ""), _GENERIC_INTERCEPTOR),
            lambda iid: self.class_of.get(iid, "sam"))
        self._started = False
        self._last_s = 0.0

    def threat_entity(self, tid: int) -> EntityId:
        if tid < 0:
            return NO_ENTITY
        if self.external_from is not None and tid >= self.external_from:
            return self.external_of(tid) if self.external_of is not None else NO_ENTITY
        if tid + 1 > THREAT_ENTITY_LIMIT:
            raise DisError(f"DIS out numbers threats 1-{THREAT_ENTITY_LIMIT}; threat id {tid} "
                           "does not fit")
        return EntityId(self.site, self.app, 1 + tid)

    def interceptor_entity(self, iid: int) -> EntityId:
        if INTERCEPTOR_ENTITY_BASE + iid > MAX_ENTITY_NUMBER:
            raise DisError(f"DIS out numbers interceptors {INTERCEPTOR_ENTITY_BASE}-"
                           f"{MAX_ENTITY_NUMBER}; interceptor id {iid} does not fit")
        return EntityId(self.site, self.app, INTERCEPTOR_ENTITY_BASE + iid)

    def _threat_type(self, tid: int) -> EntityType:
        if tid not in self._threat_type_cache:
            self._threat_type_cache[tid] = threat_entity_type(self._threat_info(tid)[1],
                                                              self.spec.entity_types)
        return self._threat_type_cache[tid]

    def start(self, time_s: float = 0.0) -> list[TimedPdu]:
        """The launchers' and radars' first Entity States (the start of the run)."""
        out: list[Ranked] = []
        if not self._started:
            self._started = True
            self.sites.step(time_s, self._site_snapshot, out)
            self._last_s = time_s
        return _ordered(out)

    def step(self, time_s: float, threats: Snapshot, interceptors: Snapshot,
             events: Sequence[EventRow], sites: Snapshot | None = None) -> list[TimedPdu]:
        """PDUs for one step: ``events`` are those since the previous step (any order);
        ``sites`` the launchers' and radars' states now where they move (keys
        ``site_key``: a networked run's ``sites`` table), else they stay where they were."""
        if sites is not None and len(sites):
            snap = self._site_snapshot
            rows = sites.key
            p, v, o = (snap.position_ecef_m.copy(), snap.velocity_ecef_mps.copy(),
                       snap.orientation_rad.copy())
            p[rows], v[rows], o[rows] = (sites.position_ecef_m, sites.velocity_ecef_mps,
                                         sites.orientation_rad)
            self._site_snapshot = Snapshot(snap.key, p, v, o)
        head = self.start(min(time_s, 0.0)) if not self._started else []
        out: list[Ranked] = []
        everyone = threats  # DIS-in threats too: the Fire range to them
        if self.external_from is not None:
            threats = threats.take(threats.key < self.external_from)
        rows = sorted(events, key=lambda e: e.time_s)
        for row in rows:
            if row.kind == "launch":
                self._fire(row, interceptors, everyone, out)
        for row in rows:  # from the states of the previous step, before this step's
            if row.kind in ("kill", "miss") and row.interceptor_id >= 0:
                self._detonation(row, out)
        self.sites.step(time_s, self._site_snapshot, out)
        self.threats.step(time_s, threats, out)
        self.interceptors.step(time_s, interceptors, out)
        self._last_s = max(self._last_s, time_s)
        return head + _ordered(out)

    def finish(self, time_s: float | None = None) -> list[TimedPdu]:
        """The last (Deactivated) Entity State of every entity still in the run."""
        t = self._last_s if time_s is None else max(time_s, self._last_s)
        out: list[Ranked] = []
        for publisher in (self.threats, self.interceptors, self.sites):
            publisher.finish(t, out)
        return _ordered(out)

    def _fire(self, row: EventRow, interceptors: Snapshot, threats: Snapshot,
              out: list[Ranked]) -> None:
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
        self._fired_from[iid] = (t_s, location, velocity)
        tj = np.flatnonzero(threats.key == tid)
        range_m = float(np.linalg.norm(threats.position_ecef_m[tj[0]] - location)) if (
            tj.size) else 0.0
        out.append((t_s, RANK_FIRE, self.interceptor_entity(iid).entity, encode_pdu(FirePdu(
            exercise_id=self.spec.exercise_id, timestamp=timestamp_from_seconds(t_s),
            firing_entity_id=lid, target_entity_id=self.threat_entity(tid),
            munition_entity_id=self.interceptor_entity(iid), event_id=self._event_id(iid),
            location_ecef_m=vec3(location), velocity_ecef_mps=vec3(velocity),
            munition_type=self.classes.get(self.class_of[iid], _GENERIC_INTERCEPTOR),
            range_m=range_m, quantity=1,
        ))))

    def _munition_at(self, iid: int, time_s: float) -> tuple[NDArray[np.float64],
                                                            NDArray[np.float64]] | None:
        """The interceptor dead-reckoned from its last sample (or from its Fire) to ``time_s``."""
        predicted = self.interceptors.predict(iid, time_s)
        if predicted is None and iid in self._fired_from:
            t0, p0, v0 = self._fired_from[iid]
            predicted = (p0 + v0 * (time_s - t0), v0)
        return predicted

    def _detonation(self, row: EventRow, out: list[Ranked]) -> None:
        iid, tid, t_s = int(row.interceptor_id), int(row.threat_id), float(row.time_s)
        munition = self._munition_at(iid, t_s)
        if munition is None:
            return  # never fired nor seen in flight: nothing to detonate where
        p_m, v_m = munition
        threat = self.threats.predict(tid, t_s) if tid >= 0 else None
        location = p_m
        miss_m = float(row.miss_distance_m)
        if threat is not None and math.isfinite(miss_m):
            # at the end game's miss distance from the threat it measured, towards the munition
            offset = p_m - threat[0]
            norm = float(np.linalg.norm(offset))
            location = threat[0] + (offset / norm * miss_m if norm > 0.0 else 0.0)
        target = self.target_of.get(iid, tid)
        launcher = self.launchers.get(self.launcher_of.get(iid, ""), (NO_ENTITY, None))[0]
        out.append((t_s, RANK_DETONATION, self.interceptor_entity(iid).entity, encode_pdu(
            DetonationPdu(
                exercise_id=self.spec.exercise_id, timestamp=timestamp_from_seconds(t_s),
                firing_entity_id=launcher, target_entity_id=self.threat_entity(target),
                exploding_entity_id=self.interceptor_entity(iid), event_id=self._event_id(iid),
                location_ecef_m=vec3(location), velocity_ecef_mps=vec3(v_m),
                munition_type=self.classes.get(self.class_of.get(iid, ""), _GENERIC_INTERCEPTOR),
                detonation_result=DETONATION_RESULT_HIT if row.kind == "kill" else
                DETONATION_RESULT_MISS,
            ))))
        self.interceptors.retire(t_s, iid, destroyed=False, out=out, position_ecef_m=location)
        if row.kind == "kill" and tid >= 0:
            self.threats.retire(t_s, tid, destroyed=True, out=out)

    def _event_id(self, iid: int) -> EventId:
        return EventId(self.site, self.app, iid % 65_535 + 1)


def _ordered(out: list[Ranked]) -> list[TimedPdu]:
    out.sort(key=lambda r: (r[0], r[1], r[2]))
    return [(t, data) for t, _rank, _e, data in out]


class EventRow(NamedTuple):
    """The columns of an ``events.parquet`` row that DIS out uses, and for an end-game row the
    interceptor's miss distance (``engagements.miss_distance_m``; NaN if unknown)."""

    time_s: float
    kind: str
    threat_id: int
    interceptor_id: int
    launcher: str
    interceptor_class: str
    miss_distance_m: float = math.nan


_EVENT_FIELDS = ("time_s", "kind", "threat_id", "interceptor_id", "launcher",
                 "interceptor_class")


def event_rows_from_tuples(rows: Sequence[Sequence[Any]], columns: Sequence[str],
                           miss_distance_m: Callable[[int], float] | None = None,
                           ) -> list[EventRow]:
    """``EventRow`` of the ``launch``, ``kill`` and ``miss`` rows of an event log given as
    tuples with the given column order (``outcomes.events.EVENT_COLUMNS``);
    ``miss_distance_m(interceptor_id)`` gives the end-game rows their miss distance."""
    idx = [list(columns).index(f) for f in _EVENT_FIELDS]
    kind = idx[1]
    out = [EventRow(float(r[idx[0]]), str(r[kind]), int(r[idx[2]]), int(r[idx[3]]),
                    str(r[idx[4]]), str(r[idx[5]]))
           for r in rows if r[kind] in ("launch", "kill", "miss")]
    if miss_distance_m is None:
        return out
    return [e._replace(miss_distance_m=float(miss_distance_m(e.interceptor_id)))
            if e.kind != "launch" and e.interceptor_id >= 0 else e for e in out]


def event_rows(events: pd.DataFrame, engagements: pd.DataFrame | None = None) -> list[EventRow]:
    """The ``launch``, ``kill`` and ``miss`` rows of an events table, as ``EventRow``, with the
    miss distances of ``engagements`` (if given)."""
    if len(events) == 0:
        return []
    ev = events[events["kind"].isin(["launch", "kill", "miss"])]
    miss: dict[int, float] = {}
    if engagements is not None and len(engagements) and "miss_distance_m" in engagements:
        miss = dict(zip(engagements["interceptor_id"].astype(int).tolist(),
                        engagements["miss_distance_m"].astype(float).tolist(), strict=True))
    return [EventRow(float(t), str(k), int(th), int(i), str(lau), str(c),
                     miss.get(int(i), math.nan) if k != "launch" else math.nan)
            for t, k, th, i, lau, c
            in zip(ev["time_s"].tolist(), ev["kind"].tolist(), ev["threat_id"].tolist(),
                   ev["interceptor_id"].tolist(), ev["launcher"].tolist(),
                   ev["interceptor_class"].tolist(), strict=True)]


# --- a finished run -----------------------------------------------------------------------


def launcher_sites(scenario: Mapping[str, Any]) -> list[Site]:
    """The launchers of a scenario given as plain data (``scenario.json``)."""
    return [_site(x) for x in scenario.get("launchers", [])]


def radar_sites(scenario: Mapping[str, Any]) -> list[Site]:
    """The radars (``sensors``) of a scenario given as plain data, in scenario order."""
    return [_site(x, str(x.get("kind", ""))) for x in scenario.get("sensors", [])]


def _site(x: Mapping[str, Any], kind: str = "") -> Site:
    pos = x["position"]
    return Site(str(x["name"]), float(pos["lat_deg"]), float(pos["lon_deg"]),
                float(pos.get("alt_m", 0.0)), kind)


def origin_of(scenario: Mapping[str, Any]) -> Origin:
    """The ENU origin recorded in ``scenario.json``."""
    o = scenario["origin"]
    return Origin(float(o["lat_deg"]), float(o["lon_deg"]), float(o.get("alt_m", 0.0)))


def _time_grid(samples: NDArray[np.float64], scenario: Mapping[str, Any],
               end_s: float | None) -> NDArray[np.float64]:
    """The run's step times up to ``end_s`` (the live session's steps) and every sample time."""
    grid = np.unique(samples)
    sim = scenario.get("simulation") or {}
    if "step_s" not in sim or "duration_s" not in sim:
        return grid
    from iadsim.simulation import step_times  # lazy: simulation imports this package

    steps = np.asarray(step_times(float(sim["step_s"]), float(sim["duration_s"])))
    if end_s is not None:
        steps = steps[steps <= end_s + 1e-9]
    if grid.size:  # a sample time and a step time are the same step
        near = np.minimum(np.searchsorted(grid, steps), grid.size - 1)
        near_left = np.maximum(near - 1, 0)
        gap = np.minimum(np.abs(grid[near] - steps), np.abs(grid[near_left] - steps))
        steps = steps[gap > 1e-6]
    return np.sort(np.concatenate([grid, steps]))


def run_pdus(
    truth: pd.DataFrame, interceptors: pd.DataFrame, events: pd.DataFrame,
    threats: pd.DataFrame, scenario: Mapping[str, Any], spec: DisSpec | None = None, *,
    engagements: pd.DataFrame | None = None, end_s: float | None = None,
    sites: pd.DataFrame | None = None,
) -> list[TimedPdu]:
    """All PDUs of a finished run, time-ordered, from its tables and ``scenario.json`` data.

    ``spec`` defaults to the scenario's ``dis`` section; ``engagements`` gives the Detonations
    their miss distances (without it they are where the interceptor was heading); ``end_s``
    (``summary.completed_s``) is when the run ended, default ``simulation.duration_s``;
    ``sites`` (a networked run's table) moves the relocating launchers and radars: their
    Entity States carry the table's positions and velocities, with F-P-W dead reckoning.
    """
    if spec is None:
        spec = DisSpec.model_validate(scenario.get("dis") or {})
    origin = origin_of(scenario)
    info = {int(r.threat_id): (str(r.name), str(r.type)) for r in threats.itertuples(index=False)}
    external = external_entity_ids(threats)
    classes = sorted(set(scenario.get("interceptors", {})) | set(
        events.loc[events["kind"] == "launch", "interceptor_class"].astype(str)))
    streamer = PduStreamer(spec, origin, lambda tid: info.get(tid, (f"threat-{tid}", "aircraft")),
                           launcher_sites(scenario), classes, radars=radar_sites(scenario),
                           external_from=min(external) if external else None,
                           external_of=lambda tid: external.get(tid, NO_ENTITY),
                           moving_sites=moving_sites(sites))
    grid = _time_grid(np.concatenate([truth["time_s"].to_numpy(float),
                                      interceptors["time_s"].to_numpy(float)]), scenario, end_s)
    s_rows, s_all = _site_rows(sites, streamer, grid, origin)
    t_rows = _rows_by_time(truth, grid)
    i_rows = _rows_by_time(interceptors, grid)
    t_all = Snapshot.from_rows(truth, "threat_id", origin)  # converted once, sliced per step
    i_all = Snapshot.from_rows(interceptors, "interceptor_id", origin)
    ev = event_rows(events, engagements)
    ev_step = _event_steps(ev, grid, interceptors)
    by_step: list[list[EventRow]] = [[] for _ in range(grid.size + 1)]
    for e, k in zip(ev, np.minimum(ev_step, grid.size).tolist(), strict=True):
        by_step[k].append(e)
    if grid.size == 0 and not ev:
        return []  # nothing happened: not even a defence to announce
    out: list[TimedPdu] = streamer.start(0.0)
    for k, t in enumerate(grid.tolist()):
        out += streamer.step(t, t_all.take(t_rows[k]), i_all.take(i_rows[k]), by_step[k],
                             sites=None if s_all is None else s_all.take(s_rows[k]))
    tail = by_step[grid.size]
    last_t = float(grid[-1]) if grid.size else 0.0
    if tail:
        last_t = max(last_t, max(e.time_s for e in tail))
        out += streamer.step(last_t, Snapshot.empty(), Snapshot.empty(), tail)
    out += streamer.finish(max(last_t, end_s) if end_s is not None else last_t)
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


def moving_sites(sites: pd.DataFrame | None) -> frozenset[tuple[str, str]]:
    """(kind, name) of the sites of a ``sites`` table that are ever off their first place or
    in motion."""
    if sites is None or len(sites) == 0:
        return frozenset()
    first = sites.groupby(["kind", "site"], observed=True)[["lat_deg", "lon_deg"]].transform(
        "first")
    off = ((sites[["lat_deg", "lon_deg"]] != first).any(axis=1)
           | (sites[["vel_east_mps", "vel_north_mps", "vel_up_mps"]] != 0.0).any(axis=1))
    return frozenset((str(k), str(n)) for k, n in sites.loc[off, ["kind", "site"]].itertuples(
        index=False))


def _site_rows(sites: pd.DataFrame | None, streamer: PduStreamer, grid: NDArray[np.float64],
               origin: Origin) -> tuple[list[NDArray[np.intp]], Snapshot | None]:
    """Rows of the moving sites per grid time, and all of them as a snapshot keyed as the
    streamer's sites."""
    moving = moving_sites(sites)
    if sites is None or not moving:
        return [], None
    names = list(zip(sites["kind"].astype(str), sites["site"].astype(str), strict=True))
    mine = np.array([n in moving and n in streamer.site_key for n in names], bool)
    part = sites[mine].reset_index(drop=True)
    keys = np.array([streamer.site_key[n] for n, m in zip(names, mine, strict=True) if m],
                    np.int64)
    snap = Snapshot.from_geodetic(
        keys, part["lat_deg"].to_numpy(float), part["lon_deg"].to_numpy(float),
        part["alt_m"].to_numpy(float),
        part[["vel_east_mps", "vel_north_mps", "vel_up_mps"]].to_numpy(float), origin)
    return _rows_by_time(part, grid), snap


def _event_steps(ev: Sequence[EventRow], grid: NDArray[np.float64],
                 interceptors: pd.DataFrame) -> NDArray[np.intp]:
    """The step (index into ``grid``) whose PDUs each event goes with: the step it happened in,
    ``(t_k-1, t_k]``, as the live session sends it (``DisSession.after_step``). An end game that
    ends at the very start of its step (an interceptor already opening on its target, or whose
    target broke away, detonates at ``t_k``, the time its step began) is logged in the step after
    ``t_k``, where the interceptor's state at ``t_k`` was still recorded in flight: such a
    Detonation goes with the step after the interceptor's last recorded state, so the replay
    sends that state, as the live run did (the one-PDU difference with tactics on, issue 19)."""
    times = np.array([e.time_s for e in ev], float)
    step = np.searchsorted(grid, times - 1e-9, side="left")
    if len(interceptors) == 0 or not len(ev):
        return step
    last = interceptors.groupby("interceptor_id")["time_s"].max()
    for j, e in enumerate(ev):
        if e.kind == "launch" or e.interceptor_id < 0 or e.interceptor_id not in last.index:
            continue
        seen = float(last.loc[e.interceptor_id])
        if seen >= e.time_s - 1e-9:  # in flight at the end of the step holding its time
            step[j] = max(step[j], int(np.searchsorted(grid, seen - 1e-9, side="left")) + 1)
    return step


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
                    result.scenario, spec, engagements=getattr(result, "engagements", None),
                    end_s=_completed_s(result.summary), sites=getattr(result, "sites", None))


def run_pdus_from_folder(out_dir: str | Path, spec: DisSpec | None = None) -> list[TimedPdu]:
    """PDUs of a run from its output folder."""
    import json

    out = Path(out_dir)
    summary_path, engagements_path = out / "summary.json", out / "engagements.parquet"
    sites_path = out / "sites.parquet"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    return run_pdus(pd.read_parquet(out / "truth.parquet"),
                    pd.read_parquet(out / "interceptors.parquet"),
                    pd.read_parquet(out / "events.parquet"),
                    pd.read_parquet(out / "threats.parquet"),
                    json.loads((out / "scenario.json").read_text()), spec,
                    engagements=pd.read_parquet(engagements_path) if engagements_path.exists()
                    else None, end_s=_completed_s(summary),
                    sites=pd.read_parquet(sites_path) if sites_path.exists() else None)


def _completed_s(summary: Mapping[str, Any] | None) -> float | None:
    value = (summary or {}).get("completed_s")
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def write_run_pdus(result: Any, path: str | Path, spec: DisSpec | None = None) -> int:
    """Write a finished run's PDUs to a ``.pdu`` file; returns the number of PDUs."""
    from iadsim.interop.dis.stream import write_pdu_file

    return write_pdu_file(path, run_pdus_from_result(result, spec))
