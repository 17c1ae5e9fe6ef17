"""DIS in: Entity State PDUs of a hostile force -> external threats, dead-reckoned, timed out.

Interop stage, feeding the world stage. In: ``(time_s, datagram)`` pairs from a UDP receiver or a
``.pdu`` file, time on the run's clock. Out: for any run time, the external entities alive then,
as scenario-ENU positions and velocities with a threat id, a name (the marking) and a threat type
(from the entity type, ``enums.threat_type_from_entity_type``).

Rules: only PDUs of the scenario's exercise id are used; PDUs from our own site/application
(our own DIS out looped back) are ignored; Entity States of a force in ``hostile_force_ids``
become threats, others are counted and ignored. An entity is dead-reckoned from its last update
with the algorithm it announced (1 static, 2-3 constant velocity, 4-5 constant acceleration,
others as 2) and dropped when it has not been updated for ``entity_timeout_s``, or when it says
it is deactivated (appearance bit 23). Malformed or unknown PDUs are counted by reason and
skipped; nothing a federate sends can stop the run.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from iadsim.interop.dis.enums import is_air_threat_kind, threat_type_from_entity_type
from iadsim.interop.dis.geometry import ecef_to_enu, ecef_vectors_to_enu
from iadsim.interop.dis.pdu import (
    EntityId,
    EntityStatePdu,
    PduDecodeError,
    decode_pdu,
    split_datagram,
)
from iadsim.interop.dis.stream import (
    PduFileReport,
    TimedPdu,
    UdpAddress,
    UdpPduReceiver,
    check_speed,
    iter_pdu_file,
    parse_udp_address,
    sleep_until,
)
from iadsim.scenario.dis_spec import DisSpec
from iadsim.world.frames import Origin

APPEARANCE_DEACTIVATED = 1 << 23
_MAX_ALTITUDE_M = 2_000_000.0
_MAX_SPEED_MPS = 20_000.0
_MAX_ACCELERATION_MPS2 = 10_000.0


@dataclass
class IngestCounts:
    """What DIS in did with every datagram and PDU it got (for the run summary)."""

    datagrams: int = 0
    pdus: int = 0
    entity_states_used: int = 0
    other_exercise: int = 0
    own_entities: int = 0
    non_hostile: int = 0
    unmapped_type: int = 0
    not_entity_state: int = 0
    timed_out: int = 0
    deactivated: int = 0
    over_capacity: int = 0
    malformed: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, object]:
        d = {k: v for k, v in self.__dict__.items() if k != "malformed"}
        d["malformed"] = dict(sorted(self.malformed.items()))
        d["malformed_total"] = int(sum(self.malformed.values()))
        return d


@dataclass(frozen=True, slots=True)
class ExternalState:
    """External threats alive at one time, one row each (scenario ENU)."""

    time_s: float
    threat_id: NDArray[np.int64]  # (n,)
    position_enu_m: NDArray[np.float64]  # (n, 3)
    velocity_enu_mps: NDArray[np.float64]  # (n, 3)
    threat_type: tuple[str, ...]  # (n,)

    def __len__(self) -> int:
        return int(self.threat_id.shape[0])


class ExternalEntities:
    """The external entities heard so far and their last updates (column arrays, one per entity).

    Parameters
    ----------
    spec : the scenario's ``dis`` section (exercise, own address, forces, timeout).
    origin : scenario ENU origin.
    known_types : threat types the scenario can fly; entity types are mapped onto these.
    first_threat_id : threat id of the first external entity (after the scenario's own).
    capacity : at most this many entities (later ones are counted ``over_capacity``).
    """

    def __init__(self, spec: DisSpec, origin: Origin, known_types: Sequence[str],
                 first_threat_id: int, capacity: int | None = None) -> None:
        self.capacity = capacity
        self.spec = spec
        self.origin = origin
        self.known_types = tuple(known_types)
        self.first_threat_id = int(first_threat_id)
        self.counts = IngestCounts()
        self._index: dict[EntityId, int] = {}
        self.entity_id: list[EntityId] = []
        self.name: list[str] = []
        self.threat_type: list[str] = []
        self.first_seen_s: list[float] = []
        self._update_s = np.empty(0)
        self._p = np.empty((0, 3))
        self._v = np.empty((0, 3))
        self._a = np.empty((0, 3))
        self._algorithm = np.empty(0, dtype=np.int16)
        self.gone_s = np.empty(0)  # when it timed out, deactivated or was removed; inf: alive

    @property
    def _gone(self) -> NDArray[np.bool_]:
        return np.isfinite(self.gone_s)

    def __len__(self) -> int:
        return len(self.entity_id)

    @property
    def threat_ids(self) -> NDArray[np.int64]:
        """Threat id of every entity ever heard, in order of first hearing."""
        return self.first_threat_id + np.arange(len(self), dtype=np.int64)

    def ingest(self, time_s: float, datagram: bytes) -> None:
        """Take one datagram received at run time ``time_s``; never raises on bad input (a
        non-finite ``time_s`` is counted malformed, reason ``bad_time``)."""
        self.counts.datagrams += 1
        if not math.isfinite(time_s):
            self.counts.malformed["bad_time"] += 1
            return
        try:
            parts = split_datagram(datagram)
        except PduDecodeError as exc:
            self.counts.malformed[exc.reason] += 1
            return
        for raw in parts:
            self.counts.pdus += 1
            try:
                pdu = decode_pdu(raw)
            except PduDecodeError as exc:
                self.counts.malformed[exc.reason] += 1
                continue
            if not isinstance(pdu, EntityStatePdu):
                self.counts.not_entity_state += 1
                continue
            self._entity_state(time_s, pdu)

    def _entity_state(self, time_s: float, pdu: EntityStatePdu) -> None:
        spec = self.spec
        if pdu.exercise_id != spec.exercise_id:
            self.counts.other_exercise += 1
            return
        if (pdu.entity_id.site, pdu.entity_id.application) == (spec.site_id,
                                                                spec.application_id):
            self.counts.own_entities += 1
            return
        if pdu.force_id not in spec.hostile_force_ids:
            self.counts.non_hostile += 1
            return
        p = np.asarray(pdu.location_ecef_m, dtype=float)
        v = np.asarray(pdu.velocity_ecef_mps, dtype=float)
        a = np.asarray(pdu.linear_acceleration_mps2, dtype=float)
        plausible = (np.abs(p).max() < 1e8 and np.abs(v).max() < _MAX_SPEED_MPS
                     and np.abs(a).max() < _MAX_ACCELERATION_MPS2)  # before squaring anything
        if not plausible or not (6_300_000.0 < float(np.sqrt(p @ p))
                                 < 6_400_000.0 + _MAX_ALTITUDE_M):
            self.counts.malformed["bad_value"] += 1  # not a place near the earth, or too fast
            return
        j = self._index.get(pdu.entity_id)
        if j is None:
            if self.capacity is not None and len(self) >= self.capacity:
                self.counts.over_capacity += 1
                return
            kind = threat_type_from_entity_type(pdu.entity_type, self.known_types,
                                                spec.entity_types)
            if kind is None and is_air_threat_kind(pdu.entity_type):
                kind = spec.default_threat_type
            if kind is None or kind not in self.known_types:
                self.counts.unmapped_type += 1
                return
            j = self._add(pdu, kind, time_s)
        elif self._gone[j]:
            return  # a dead or timed-out entity does not come back
        self.counts.entity_states_used += 1
        if pdu.appearance & APPEARANCE_DEACTIVATED:
            self.gone_s[j] = time_s
            self.counts.deactivated += 1
            return
        self._update_s[j] = time_s
        self._p[j] = p
        self._v[j] = v
        self._a[j] = a
        self._algorithm[j] = pdu.dead_reckoning_algorithm

    def _add(self, pdu: EntityStatePdu, kind: str, time_s: float) -> int:
        j = len(self.entity_id)
        self._index[pdu.entity_id] = j
        self.entity_id.append(pdu.entity_id)
        self.name.append(pdu.marking or f"dis-{pdu.entity_id.site}-{pdu.entity_id.application}-"
                         f"{pdu.entity_id.entity}")
        self.threat_type.append(kind)
        self.first_seen_s.append(time_s)
        self._update_s = np.append(self._update_s, time_s)
        self._p = np.vstack([self._p, np.zeros((1, 3))])
        self._v = np.vstack([self._v, np.zeros((1, 3))])
        self._a = np.vstack([self._a, np.zeros((1, 3))])
        self._algorithm = np.append(self._algorithm, np.int16(2))
        self.gone_s = np.append(self.gone_s, np.inf)
        return j

    def remove(self, threat_id: NDArray[np.int64], time_s: float) -> None:
        """The run killed (or otherwise ended) these external threats at ``time_s``."""
        j = np.asarray(threat_id, dtype=np.int64) - self.first_threat_id
        j = j[(j >= 0) & (j < len(self))]
        self.gone_s[j] = np.minimum(self.gone_s[j], time_s)

    def state_at(self, time_s: float) -> ExternalState:
        """Dead-reckoned state of the entities alive at ``time_s``; applies the timeout."""
        stale = ~self._gone & (time_s - self._update_s > self.spec.entity_timeout_s)
        self.counts.timed_out += int(stale.sum())
        self.gone_s[stale] = self._update_s[stale] + self.spec.entity_timeout_s
        live = np.flatnonzero(~self._gone & (self._update_s <= time_s + 1e-9))
        p, v = self._dead_reckon(live, np.full(live.size, float(time_s)))
        return ExternalState(
            time_s=float(time_s), threat_id=(self.first_threat_id + live).astype(np.int64),
            position_enu_m=ecef_to_enu(p, self.origin).reshape(-1, 3),
            velocity_enu_mps=ecef_vectors_to_enu(v, self.origin).reshape(-1, 3),
            threat_type=tuple(self.threat_type[j] for j in live),
        )

    def _dead_reckon(self, j: NDArray[np.intp], time_s: NDArray[np.float64]) -> tuple[
            NDArray[np.float64], NDArray[np.float64]]:
        """ECEF position and velocity of entities ``j`` at ``time_s``, by their DR algorithm."""
        dt = (time_s - self._update_s[j])[:, None]
        alg = self._algorithm[j][:, None]
        v = np.where(alg == 1, 0.0, self._v[j])
        a = np.where((alg == 4) | (alg == 5) | (alg == 8) | (alg == 9), self._a[j], 0.0)
        return self._p[j] + v * dt + 0.5 * a * dt**2, v + a * dt

    def positions_enu(self, time_s: NDArray[np.float64]) -> NDArray[np.float64]:
        """Scenario-ENU positions of slots ``0 .. len(time_s) - 1`` at ``time_s[k]`` (one time
        per slot); slots not yet heard are at the origin (they are not in the air)."""
        t = np.asarray(time_s, dtype=float)
        out = np.zeros((t.size, 3))
        j = np.arange(min(t.size, len(self)), dtype=np.intp)
        if j.size:
            p, _ = self._dead_reckon(j, t[j])
            out[j] = ecef_to_enu(p, self.origin).reshape(-1, 3)
        return out


class PduFileSource:
    """DIS in from a ``.pdu`` file: records are due when the run clock reaches their time
    (records with a non-finite time are skipped, counted in ``report.bad_time_records``)."""

    def __init__(self, path: str | Path) -> None:
        self.report = PduFileReport()
        self._records: Iterator[TimedPdu] = iter_pdu_file(path, self.report)
        self._pending: TimedPdu | None = None

    def poll(self, until_s: float) -> list[TimedPdu]:
        """Records with ``time_s <= until_s`` not yet returned."""
        out: list[TimedPdu] = []
        while True:
            if self._pending is None:
                self._pending = next(self._records, None)
                if self._pending is None:
                    return out
            if self._pending[0] > until_s:
                return out
            out.append(self._pending)
            self._pending = None

    def close(self) -> None:
        """Nothing to release (the file is closed when read to the end)."""


class UdpSource:
    """DIS in from live UDP: the run is paced to the wall clock (``speed`` run seconds per
    wall second) and takes what arrived, stamped with the receive time."""

    def __init__(self, address: UdpAddress, *, speed: float = 1.0, pace: bool = True,
                 sleep: Callable[[float], None] | None = None) -> None:
        self.pace = pace
        check_speed(speed, "DIS-in speed")
        self.speed = speed
        self._sleep = sleep or time.sleep
        self.receiver = UdpPduReceiver(address).start()

    def poll(self, until_s: float) -> list[TimedPdu]:
        """What arrived so far, stamped in run time (receive time x ``speed``), at most
        ``until_s``. With ``pace=True`` it first waits for ``until_s`` on the wall clock."""
        if self.pace:
            sleep_until(until_s / self.speed, self.receiver.elapsed_s, self._sleep)
        return [(min(t * self.speed, until_s), data) for t, data in self.receiver.drain()]

    def close(self) -> None:
        self.receiver.stop()


def feed(entities: ExternalEntities, records: Iterable[TimedPdu]) -> None:
    """Ingest ``(time_s, datagram)`` records in order."""
    for time_s, data in records:
        entities.ingest(time_s, data)


def open_source(text: str, *, speed: float = 1.0, pace: bool = True) -> PduFileSource | UdpSource:
    """``udp://host:port`` -> live ``UdpSource``; anything else is a ``.pdu`` file path."""
    if text.startswith("udp://"):
        return UdpSource(parse_udp_address(text), speed=speed, pace=pace)
    return PduFileSource(text)
