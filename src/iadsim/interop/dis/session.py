"""A run inside a DIS federation: DIS in (external hostile entities as threats) and live DIS out.

Interop stage, wired into ``iadsim.simulation.run`` by four calls:

* ``attach(threats)``: appends ``dis.max_external_entities`` threat slots that DIS in fills in
  the order entities are first heard (``launch_time_s`` is +inf until then, so an unheard slot
  never flies; ``assemble_result`` drops unheard slots from the results);
* ``before_step(t)``: paces the run to the wall clock when it talks to live UDP (``speed`` run
  seconds per wall second), takes the PDUs that arrived (or, from a ``.pdu`` file, those due by
  ``t``), dead-reckons the entities and writes their launch time, type, name and end time (time
  out or deactivation) into the slots;
* ``after_step(t, ...)``: sends this step's Entity State, Fire and Detonation PDUs over UDP,
  through the same ``PduStreamer`` the ``.pdu`` export uses; with ``follow_sites`` (a networked
  run, called before the clock starts) the launchers and radars of units that may relocate are
  sent where they are at each step, with their velocity and F-P-W dead reckoning;
* ``close()`` sends the last (Deactivated) Entity States and closes the sockets; ``report()`` is
  what the run writes to ``summary.json`` under ``dis``.

Every socket binds to loopback unless the user gives another address (a sender to another host
binds to the one local interface that routes there, never to all); where each one listens and
sends is announced (``DisOptions.announce``, default: a line on stderr).

A DIS-in threat gets ``name`` = its marking and ``group`` = ``dis-in site:app:entity``; it is
not published again by DIS out, and our Fire/Detonation PDUs name it by its own entity id.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from iadsim.interop.dis.export import (
    PduStreamer,
    Snapshot,
    event_rows_from_tuples,
    external_group,
    launcher_sites,
    radar_sites,
)
from iadsim.interop.dis.ingest import ExternalEntities, PduFileSource, UdpSource, open_source
from iadsim.interop.dis.pdu import NO_ENTITY, EntityId
from iadsim.interop.dis.stream import (
    UdpPduSender,
    check_resolvable,
    check_speed,
    parse_udp_address,
    sleep_until,
)
from iadsim.outcomes.events import EVENT_COLUMNS
from iadsim.scenario.model import THREAT_TYPES, Scenario
from iadsim.world.frames import Origin
from iadsim.world.threats import ThreatSet


@dataclass(frozen=True, slots=True)
class DisOptions:
    """What a run does on DIS (all off by default).

    ``dis_in``: ``udp://host:port`` to listen on, or a ``.pdu`` file; ``udp_out``: ``host:port``
    to send this run's PDUs to as it goes; ``speed``: run seconds per wall second when talking
    to live UDP (``inf``: do not pace); ``announce``: told where each socket listens and sends
    (default: printed to stderr).
    """

    dis_in: str | None = None
    udp_out: str | None = None
    speed: float = 1.0
    announce: Callable[[str], None] | None = None


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class DisSession:
    """DIS in and live DIS out of one run (see the module docstring)."""

    def __init__(self, scenario: Scenario, origin: Origin, options: DisOptions, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        check_speed(options.speed, "DIS speed")
        self.scenario, self.origin, self.options = scenario, origin, options
        self.spec = scenario.dis
        self._clock, self._sleep = clock, sleep
        self.source: PduFileSource | UdpSource | None = None
        announce = options.announce or _stderr
        if options.dis_in:
            self.source = open_source(options.dis_in, speed=options.speed, pace=False)
            if isinstance(self.source, UdpSource):
                where = self.source.receiver.address
                announce(f"DIS in: listening on udp://{where.host}:{where.port}")
        self.sender = UdpPduSender(check_resolvable(parse_udp_address(options.udp_out))) if (
            options.udp_out) else None
        if self.sender is not None:
            src, dst = self.sender.local_address, self.sender.address
            announce(f"DIS out: sending to udp://{dst.host}:{dst.port} from {src.host}:{src.port}")
        self.live = isinstance(self.source, UdpSource) or self.sender is not None
        self.entities: ExternalEntities | None = None
        self.threats: ThreatSet | None = None
        self.streamer: PduStreamer | None = None
        self._events_seen = 0
        self._named = 0
        self._t0_wall: float | None = None
        self._last_s = 0.0
        self.pdus_sent = 0
        self._site_states: Callable[[float], pd.DataFrame | None] | None = None
        self._mobile = mobile_sites(scenario)

    # --- DIS in --------------------------------------------------------------------------

    def attach(self, threats: ThreatSet) -> ThreatSet:
        """The run's threats plus the DIS-in slots (unchanged without DIS in)."""
        self.threats = threats
        if self.source is None:
            self._start_out(threats)
            return threats
        n0, cap = len(threats), self.spec.max_external_entities
        self.entities = ExternalEntities(self.spec, self.origin, THREAT_TYPES, first_threat_id=n0,
                                         capacity=cap)
        self.threats = dataclasses.replace(
            threats,
            name=[*threats.name, *(f"dis-{k + 1}" for k in range(cap))],
            group=[*threats.group, *(["dis-in"] * cap)],
            threat_type=np.concatenate([threats.threat_type, np.zeros(cap, np.int8)]),
            rcs_m2=np.concatenate([threats.rcs_m2, np.full(cap, self.spec.default_rcs_m2)]),
            launch_time_s=np.concatenate([threats.launch_time_s, np.full(cap, np.inf)]),
            end_time_s=np.concatenate([threats.end_time_s, np.full(cap, np.inf)]),
            aim_asset=np.concatenate([threats.aim_asset, np.full(cap, -1, np.int64)]),
            external_rows=np.arange(n0, n0 + cap, dtype=np.intp),
            external=self.entities,
        )
        self._start_out(self.threats)
        return self.threats

    def _start_out(self, threats: ThreatSet) -> None:
        """Live DIS out: announce the launchers and radars at the start of the run."""
        if self.sender is not None:
            self.streamer = self._streamer(threats)
            self._send(self.streamer.start(0.0))

    def before_step(self, time_s: float) -> None:
        """Pace to the wall clock (live only), then take DIS in up to ``time_s``."""
        if self.live and np.isfinite(self.options.speed):
            if self._t0_wall is None:
                self._t0_wall = self._clock()
            sleep_until(self._t0_wall + time_s / self.options.speed, self._clock, self._sleep)
        if self.source is None or self.entities is None or self.threats is None:
            return
        for t_rx, data in self.source.poll(time_s):
            self.entities.ingest(min(t_rx, time_s), data)
        if isinstance(self.source, PduFileSource) and self.source.report.bad_time_records:
            self.entities.counts.malformed["bad_time"] = self.source.report.bad_time_records
        ext = self.entities
        ext.state_at(time_s)  # applies the timeout
        n = len(ext)
        th = self.threats
        rows = th.external_rows[:n]
        th.end_time_s[rows] = ext.gone_s  # +inf until it times out or is deactivated
        for j in range(self._named, n):  # entities heard for the first time
            assert isinstance(th.name, list) and isinstance(th.group, list)
            row = int(rows[j])
            th.launch_time_s[row] = ext.first_seen_s[j]
            th.threat_type[row] = THREAT_TYPES.index(ext.threat_type[j])
            th.name[row] = ext.name[j]
            th.group[row] = external_group(ext.entity_id[j])
        self._named = n

    # --- live DIS out --------------------------------------------------------------------

    def follow_sites(self, states: Callable[[float], pd.DataFrame | None]) -> None:
        """Send the mobile launchers and radars from ``states(t)``: the rows of a networked
        run's ``sites`` table at the step time ``t`` (``NetworkedDefence.site_states``)."""
        self._site_states = states

    def _sites_now(self, time_s: float) -> Snapshot | None:
        """The mobile sites' states at ``time_s`` keyed as the streamer's sites (None: none)."""
        if self._site_states is None or not self._mobile or self.streamer is None:
            return None
        table = self._site_states(time_s)
        if table is None or len(table) == 0:
            return None
        key = self.streamer.site_key
        names = list(zip(table["kind"].astype(str), table["site"].astype(str), strict=True))
        mine = np.array([n in self._mobile and n in key for n in names], bool)
        part = table[mine]
        return Snapshot.from_geodetic(
            np.array([key[n] for n, m in zip(names, mine, strict=True) if m], np.int64),
            part["lat_deg"].to_numpy(float), part["lon_deg"].to_numpy(float),
            part["alt_m"].to_numpy(float),
            part[["vel_east_mps", "vel_north_mps", "vel_up_mps"]].to_numpy(float), self.origin)

    def after_step(self, time_s: float, threats: ThreatSet, alive: NDArray[np.bool_],
                   flights: Any, events: Any) -> None:
        """Send this step's PDUs (live DIS out only).

        ``alive`` is the outcomes' alive mask, ``flights`` the ``InterceptorFlights``,
        ``events`` the run's ``EventLog`` (only the rows added since the previous step are read,
        with ``EventLog.rows_since``).
        """
        if self.sender is None:
            return
        if self.streamer is None:
            self.streamer = self._streamer(threats)
        pos, vel = threats.state(time_s)
        ids = np.flatnonzero(alive & threats.in_air(time_s))
        snap_t = Snapshot.from_enu(ids, pos[ids], vel[ids], self.origin)
        iid, ipos = flights.positions(time_s)
        snap_i = Snapshot.from_enu(iid, ipos, flights.velocity_mps[iid], self.origin)
        rows = events.rows_since(self._events_seen)
        self._events_seen += len(rows)
        new = event_rows_from_tuples(rows, list(EVENT_COLUMNS),
                                     lambda i: float(flights.miss_distance_m[i]))
        self._send(self.streamer.step(time_s, snap_t, snap_i, new, sites=self._sites_now(time_s)))
        self._last_s = time_s

    def _send(self, pdus: list[tuple[float, bytes]]) -> None:
        assert self.sender is not None
        for _t, data in pdus:
            self.sender.send(data)
            self.pdus_sent += 1

    def _streamer(self, threats: ThreatSet) -> PduStreamer:
        def info(tid: int) -> tuple[str, str]:
            return str(threats.name[tid]), THREAT_TYPES[int(threats.threat_type[tid])]

        ext = self.entities
        first = int(threats.external_rows[0]) if threats.external_rows.size else None

        def external_of(tid: int) -> EntityId:
            j = tid - (first or 0)
            return ext.entity_id[j] if ext is not None and 0 <= j < len(ext) else NO_ENTITY

        return PduStreamer(self.spec, self.origin, info,
                           launcher_sites(self.scenario.model_dump(mode="json")),
                           list(self.scenario.interceptors),
                           radars=radar_sites(self.scenario.model_dump(mode="json")),
                           external_from=first, external_of=external_of,
                           moving_sites=self._mobile)

    # --- end ---------------------------------------------------------------------------

    def close(self) -> None:
        """The last Entity States of what is still in the run; stop listening and sending."""
        if self.source is not None:
            self.source.close()
        if self.sender is not None:
            try:
                if self.streamer is not None:
                    self._send(self.streamer.finish(self._last_s))
            finally:
                self.sender.close()

    def report(self) -> dict[str, Any]:
        """DIS statistics for ``summary.json``."""
        out: dict[str, Any] = {"exercise_id": self.spec.exercise_id, "site_id": self.spec.site_id,
                               "application_id": self.spec.application_id}
        if self.sender is not None:
            out["udp_out"] = {"to": self.options.udp_out, "pdus_sent": self.pdus_sent}
        if self.entities is not None:
            ext = self.entities
            first = ext.first_threat_id
            out["dis_in"] = {
                "source": self.options.dis_in, **ext.counts.as_dict(),
                "entities": [
                    {"threat_id": first + j, "entity": list(ext.entity_id[j]),
                     "marking": ext.name[j], "type": ext.threat_type[j],
                     "first_seen_s": float(ext.first_seen_s[j]),
                     "gone_s": float(ext.gone_s[j]) if np.isfinite(ext.gone_s[j]) else None}
                    for j in range(len(ext))
                ],
            }
            if isinstance(self.source, PduFileSource):
                out["dis_in"]["file_truncated_tail_bytes"] = (
                    self.source.report.truncated_tail_bytes)
        return out


def mobile_sites(scenario: Scenario) -> frozenset[tuple[str, str]]:
    """(kind, name) of the launchers and radars of the network's units that may move (with
    relocation orders or shoot-and-scoot): the sites live DIS out sends with F-P-W dead
    reckoning and their states each step."""
    out: set[tuple[str, str]] = set()
    for unit in scenario.network.units:
        if unit.relocations or unit.shoot_and_scoot is not None:
            out |= {("launcher", n) for n in unit.launchers} | {("radar", n)
                                                                for n in unit.sensors}
    return frozenset(out)
