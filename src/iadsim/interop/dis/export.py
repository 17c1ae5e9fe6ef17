"""DIS out: a run's results -> time-ordered Entity State, Fire and Detonation PDUs.

Interop stage; reads results only (the tables of the output folder, see ``docs/ARCHITECTURE.md``):
``truth`` and ``interceptors`` (per-sample geodetic positions, scenario-ENU velocities),
``events`` (``launch``, ``kill``, ``miss``) and ``threats`` (names, types). Out: a list of
``(time_s, pdu_bytes)``, ready for a ``.pdu`` file or a UDP socket.

Entity numbering (site and application from the scenario's ``dis`` section): threat ``i`` is
entity ``1 + i``; the launchers (sorted by name) follow the highest threat number; interceptor
``k`` follows the launchers. Fire PDU and Detonation PDU of interceptor ``k`` share the event
number ``1 + k`` (wrapping within 1-65535).

Entity State PDUs are sent either every ``1 / rate_hz`` seconds or on dead-reckoning thresholds
(DRM F-P-W: when the position predicted from the last PDU drifts more than
``position_threshold_m`` from the truth, the orientation more than ``orientation_threshold_deg``,
or ``heartbeat_s`` has passed). Every entity's first and last samples are always sent; the last
one with the appearance bit *Deactivated* (bit 23) set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

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
from iadsim.world.frames import Origin

APPEARANCE_DEACTIVATED = 1 << 23
MAX_ENTITY_NUMBER = 65_534
_RANK_FIRE, _RANK_STATE, _RANK_DETONATION = 0, 1, 2


@dataclass(frozen=True, slots=True)
class EntityTable:
    """Dense samples of a set of entities on a common time grid (NaN where absent)."""

    time_s: NDArray[np.float64]  # (t,)
    position_ecef_m: NDArray[np.float64]  # (t, n, 3)
    velocity_ecef_mps: NDArray[np.float64]  # (t, n, 3)
    orientation_rad: NDArray[np.float64]  # (t, n, 3)

    @property
    def present(self) -> NDArray[np.bool_]:
        """(t, n) the entity has a sample at this time."""
        return ~np.isnan(self.position_ecef_m[..., 0])


def entity_table(samples: pd.DataFrame, id_column: str, ids: NDArray[np.int64],
                 grid_s: NDArray[np.float64], origin: Origin) -> EntityTable:
    """Pivot per-sample rows (``lat_deg``, ..., ``vel_up_mps``) of entities ``ids`` onto a grid."""
    t, n = grid_s.size, ids.size
    pos = np.full((t, n, 3), np.nan)
    vel = np.full((t, n, 3), np.nan)
    ori = np.full((t, n, 3), np.nan)
    if len(samples) and n:
        ti = np.searchsorted(grid_s, samples["time_s"].to_numpy(float))
        ei = np.searchsorted(ids, samples[id_column].to_numpy(np.int64))
        lat, lon = samples["lat_deg"].to_numpy(float), samples["lon_deg"].to_numpy(float)
        p = geodetic_to_ecef(lat, lon, samples["alt_m"].to_numpy(float))
        v_enu = samples[["vel_east_mps", "vel_north_mps", "vel_up_mps"]].to_numpy(float)
        v = enu_vectors_to_ecef(v_enu, origin)
        pos[ti, ei], vel[ti, ei] = p, v
        ori[ti, ei] = orientation_from_velocity(v, lat, lon)
    return EntityTable(grid_s, pos, vel, ori)


def update_schedule(table: EntityTable, spec: DisSpec) -> NDArray[np.bool_]:
    """(t, n) mask of the samples for which an Entity State PDU is sent.

    ``rate`` mode: every sample at least ``1 / rate_hz`` after the entity's previous PDU.
    ``dead_reckoning`` mode: IEEE 1278.1 thresholds against the DRM F-P-W prediction from the
    previous PDU, plus the heartbeat. Both always send each entity's first and last sample.
    """
    present = table.present
    t_n, n = present.shape
    send = np.zeros((t_n, n), dtype=bool)
    last_t = np.full(n, -np.inf)
    last_p = np.zeros((n, 3))
    last_v = np.zeros((n, 3))
    last_o = np.zeros((n, 3))
    period_s = 1.0 / spec.rate_hz
    ori_threshold_rad = np.radians(spec.orientation_threshold_deg)
    eps = 1e-9
    for k in range(t_n):  # loop over time steps, vectorised over entities
        here = present[k]
        fresh = here & ~np.isfinite(last_t)
        elapsed = table.time_s[k] - last_t
        if spec.send_mode == "rate":
            due = here & (elapsed >= period_s - eps)
        else:
            predicted = dead_reckon_fpw(last_p, last_v, np.where(np.isfinite(elapsed), elapsed,
                                                                 0.0))
            drift_m = np.linalg.norm(np.nan_to_num(table.position_ecef_m[k]) - predicted, axis=1)
            turn = angle_difference_rad(np.nan_to_num(table.orientation_rad[k]), last_o)
            due = here & ((drift_m > spec.position_threshold_m) | (turn > ori_threshold_rad)
                          | (elapsed >= spec.heartbeat_s - eps))
        now = fresh | due
        send[k] = now
        last_t = np.where(now, table.time_s[k], last_t)
        last_p[now] = table.position_ecef_m[k, now]
        last_v[now] = table.velocity_ecef_mps[k, now]
        last_o[now] = table.orientation_rad[k, now]
    send |= present & _last_sample(present)
    return send


def _last_sample(present: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """(t, n) True at each entity's last present sample."""
    out = np.zeros_like(present)
    if present.size == 0:
        return out
    rev_first = np.argmax(present[::-1], axis=0)
    last = present.shape[0] - 1 - rev_first
    cols = np.flatnonzero(present.any(axis=0))
    out[last[cols], cols] = True
    return out


def run_pdus(
    truth: pd.DataFrame, interceptors: pd.DataFrame, events: pd.DataFrame,
    threats: pd.DataFrame, origin: Origin, spec: DisSpec | None = None,
) -> list[TimedPdu]:
    """All PDUs of a run, time-ordered: at equal times Fire, then Entity State, then Detonation."""
    spec = spec or DisSpec()
    site, app, ex = spec.site_id, spec.application_id, spec.exercise_id
    overrides = spec.entity_types
    threat_ids = np.unique(np.concatenate([threats["threat_id"].to_numpy(np.int64),
                                           truth["threat_id"].to_numpy(np.int64)]))
    launches = events[events["kind"] == "launch"].sort_values("interceptor_id", kind="stable")
    interceptor_ids = np.unique(np.concatenate([
        interceptors["interceptor_id"].to_numpy(np.int64),
        launches["interceptor_id"].to_numpy(np.int64)]))
    launcher_names = sorted(set(launches["launcher"].astype(str)))
    classes = _interceptor_classes(launches, interceptors)
    threat_base = 1
    launcher_base = threat_base + (int(threat_ids.max()) + 1 if threat_ids.size else 0)
    interceptor_base = launcher_base + len(launcher_names)
    top = interceptor_base + (int(interceptor_ids.max()) if interceptor_ids.size else 0)
    if top > MAX_ENTITY_NUMBER:
        raise ValueError(f"DIS entity numbers would reach {top} (> {MAX_ENTITY_NUMBER}); the run "
                         "has too many threats and interceptors for one DIS application")

    def threat_entity(tid: int) -> EntityId:
        return EntityId(site, app, threat_base + tid) if tid >= 0 else NO_ENTITY

    def interceptor_entity(iid: int) -> EntityId:
        return EntityId(site, app, interceptor_base + iid)

    launcher_entity = {name: EntityId(site, app, launcher_base + k)
                       for k, name in enumerate(launcher_names)}
    grid = np.unique(np.concatenate([truth["time_s"].to_numpy(float),
                                     interceptors["time_s"].to_numpy(float)]))
    threat_tab = entity_table(truth, "threat_id", threat_ids, grid, origin)
    icpt_tab = entity_table(interceptors, "interceptor_id", interceptor_ids, grid, origin)
    info = threats.set_index("threat_id")
    t_type = {int(i): threat_entity_type(str(info.at[i, "type"]), overrides)
              for i in threat_ids if i in info.index}
    t_name = {int(i): str(info.at[i, "name"]) for i in threat_ids if i in info.index}
    i_type = interceptor_entity_types(classes.values(), overrides)

    out: list[tuple[float, int, int, bytes]] = []
    _states(out, threat_tab, update_schedule(threat_tab, spec), threat_ids, ex, HOSTILE_FORCE_ID,
            lambda tid: threat_entity(tid),
            lambda tid: t_type.get(tid, threat_entity_type("aircraft", overrides)),
            lambda tid: t_name.get(tid, f"threat-{tid}"))
    _states(out, icpt_tab, update_schedule(icpt_tab, spec), interceptor_ids, ex,
            DEFENDING_FORCE_ID, interceptor_entity,
            lambda iid: i_type.get(classes.get(iid, ""), EntityType(2, 1, 0, 1, 0)),
            lambda iid: f"{classes.get(iid, 'sam')[:6]}-{iid}")
    first_sample = _first_samples(icpt_tab, interceptor_ids)
    for row in launches.itertuples(index=False):
        iid, tid, t_s = int(row.interceptor_id), int(row.threat_id), float(row.time_s)
        if iid not in first_sample:
            continue
        loc, vel = first_sample[iid]
        out.append((t_s, _RANK_FIRE, interceptor_entity(iid).entity, encode_pdu(FirePdu(
            exercise_id=ex, timestamp=timestamp_from_seconds(t_s),
            firing_entity_id=launcher_entity[str(row.launcher)],
            target_entity_id=threat_entity(tid), munition_entity_id=interceptor_entity(iid),
            event_id=_event_id(site, app, iid), location_ecef_m=loc, velocity_ecef_mps=vel,
            munition_type=i_type.get(str(row.interceptor_class), EntityType(2, 1, 0, 1, 0)),
            range_m=_range_at(threat_tab, threat_ids, tid, t_s, loc),
            quantity=1,
        ))))
    for iid, tid, t_s, hit in _endgames(events):
        if iid not in first_sample:
            continue
        loc, vel = _sample_at(icpt_tab, int(np.searchsorted(interceptor_ids, iid)), t_s)
        out.append((t_s, _RANK_DETONATION, interceptor_entity(iid).entity, encode_pdu(
            DetonationPdu(
                exercise_id=ex, timestamp=timestamp_from_seconds(t_s),
                firing_entity_id=launcher_entity.get(_launcher_of(launches, iid), NO_ENTITY),
                target_entity_id=threat_entity(tid), exploding_entity_id=interceptor_entity(iid),
                event_id=_event_id(site, app, iid), location_ecef_m=loc, velocity_ecef_mps=vel,
                munition_type=i_type.get(classes.get(iid, ""), EntityType(2, 1, 0, 1, 0)),
                detonation_result=DETONATION_RESULT_HIT if hit else DETONATION_RESULT_MISS,
            ))))
    out.sort(key=lambda r: (r[0], r[1], r[2]))
    return [(t, data) for t, _rank, _e, data in out]


def _states(out: list[tuple[float, int, int, bytes]], table: EntityTable,
            send: NDArray[np.bool_], ids: NDArray[np.int64], exercise: int, force: int,
            entity_of, type_of, name_of) -> None:  # type: ignore[no-untyped-def]
    last = _last_sample(table.present)
    for k, j in zip(*np.nonzero(send), strict=True):
        key = int(ids[j])
        eid = entity_of(key)
        t_s = float(table.time_s[k])
        out.append((t_s, _RANK_STATE, eid.entity, encode_pdu(EntityStatePdu(
            exercise_id=exercise, timestamp=timestamp_from_seconds(t_s), entity_id=eid,
            force_id=force, entity_type=type_of(key),
            location_ecef_m=_vec(table.position_ecef_m[k, j]),
            velocity_ecef_mps=_vec(table.velocity_ecef_mps[k, j]),
            orientation_rad=_vec(table.orientation_rad[k, j]), marking=name_of(key),
            appearance=APPEARANCE_DEACTIVATED if last[k, j] else 0,
        ))))


def _vec(a: NDArray[np.float64]) -> tuple[float, float, float]:
    return (float(a[0]), float(a[1]), float(a[2]))


def _event_id(site: int, app: int, interceptor_id: int) -> EventId:
    return EventId(site, app, interceptor_id % 65_535 + 1)


def _interceptor_classes(launches: pd.DataFrame, interceptors: pd.DataFrame) -> dict[int, str]:
    out = {int(i): str(c) for i, c in zip(launches["interceptor_id"],
                                          launches["interceptor_class"], strict=True)}
    if "interceptor_class" in interceptors:
        for i, c in zip(interceptors["interceptor_id"], interceptors["interceptor_class"],
                        strict=True):
            out.setdefault(int(i), str(c))
    return out


def _launcher_of(launches: pd.DataFrame, iid: int) -> str:
    rows = launches["launcher"][launches["interceptor_id"] == iid]
    return str(rows.iloc[0]) if len(rows) else ""


def _first_samples(table: EntityTable, ids: NDArray[np.int64]) -> dict[int, tuple[tuple[
        float, float, float], tuple[float, float, float]]]:
    present = table.present
    out = {}
    for j in np.flatnonzero(present.any(axis=0)):
        k = int(np.argmax(present[:, j]))
        out[int(ids[j])] = (_vec(table.position_ecef_m[k, j]), _vec(table.velocity_ecef_mps[k, j]))
    return out


def _sample_at(table: EntityTable, j: int, time_s: float) -> tuple[
        tuple[float, float, float], tuple[float, float, float]]:
    """The entity's latest sample at or before ``time_s`` (else its first)."""
    rows = np.flatnonzero(table.present[:, j])
    before = rows[table.time_s[rows] <= time_s + 1e-9]
    k = int(before[-1]) if before.size else int(rows[0])
    return _vec(table.position_ecef_m[k, j]), _vec(table.velocity_ecef_mps[k, j])


def _range_at(table: EntityTable, ids: NDArray[np.int64], tid: int, time_s: float,
              from_ecef: tuple[float, float, float]) -> float:
    j = int(np.searchsorted(ids, tid))
    if tid < 0 or j >= ids.size or ids[j] != tid or not table.present[:, j].any():
        return 0.0
    loc, _ = _sample_at(table, j, time_s)
    return float(np.linalg.norm(np.subtract(loc, from_ecef)))


def _endgames(events: pd.DataFrame) -> list[tuple[int, int, float, bool]]:
    """(interceptor_id, threat_id, time_s, hit) of each interceptor's first kill/miss event."""
    ends = events[events["kind"].isin(["kill", "miss"]) & (events["interceptor_id"] >= 0)]
    ends = ends.drop_duplicates("interceptor_id", keep="first")
    return [(int(r.interceptor_id), int(r.threat_id), float(r.time_s), r.kind == "kill")
            for r in ends.itertuples(index=False)]


def run_pdus_from_folder(out_dir: str | Path, spec: DisSpec | None = None) -> list[TimedPdu]:
    """PDUs of a run from its output folder (``scenario.json`` gives origin and ``dis``)."""
    out = Path(out_dir)
    scenario = json.loads((out / "scenario.json").read_text())
    o = scenario["origin"]
    origin = Origin(float(o["lat_deg"]), float(o["lon_deg"]), float(o.get("alt_m", 0.0)))
    if spec is None:
        spec = DisSpec.model_validate(scenario.get("dis") or {})
    return run_pdus(pd.read_parquet(out / "truth.parquet"),
                    pd.read_parquet(out / "interceptors.parquet"),
                    pd.read_parquet(out / "events.parquet"),
                    pd.read_parquet(out / "threats.parquet"), origin, spec)
