"""The networked defence: per-unit pictures and commands, links, fusion and allocation.

Stands in ``simulation.run`` for the one tracker and the one command centre when the scenario
has ``network.units`` (it has their ``step``/``drop``/``picture`` and
``assess_kills``/``cycle`` methods). Each step:

1. mobility: units tear down, drive and set up; a unit that is not operational neither
   detects (``operational`` drops its radars' detections before anything records them) nor
   fires (its launchers are not available);
2. each unit tracks with its own radars (its own ``Tracker``; ids unique across the network);
3. every ``update_period_s`` a unit offers its confirmed tracks to its up-link (priority: the
   threat evaluation score); links are served bottom-up, relayed through intermediate
   commands; the top command keeps the latest report of each unit track and fuses them
   (``fusion.TrackFusion``: common track numbers);
4. every command cycle the top command allocates system tracks to units (``allocation``);
   a unit under central control engages only the tracks allocated to it (its own track of the
   threat, or with engage-on-remote the report of another unit's, latency included), with its
   own command centre, launchers and fire-control channels; a unit cut off from the top
   command (a link on its path failed, or none) fights autonomously on its own picture.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from iadsim.command.discrimination import Discrimination
from iadsim.command.doctrine import CommandCentre
from iadsim.command.kill_assessment import KillReports
from iadsim.command.threat_evaluation import evaluate_threats
from iadsim.engagement.interceptors import EngagementOrder, InterceptorFlights, InterceptResults
from iadsim.engagement.launchers import InterceptorClasses, Launchers
from iadsim.network.allocation import allocate, unit_costs
from iadsim.network.datalink import DataLink, Reports, concat_tracks
from iadsim.network.fusion import FusedPicture, TrackFusion
from iadsim.network.guidance import guidance_tracks
from iadsim.network.mobility import UnitMobility
from iadsim.network.sites import site_table
from iadsim.network.units import TRACK_ID_STRIDE, NetworkPlan, plan_network
from iadsim.scenario.common import GeoPosition
from iadsim.scenario.model import Scenario
from iadsim.sensors.batch import DetectionBatch
from iadsim.sensors.radar import RadarSite, sensor_geometry, site_from_spec
from iadsim.tracking.batch import TrackBatch
from iadsim.tracking.metrics import gospa
from iadsim.tracking.plausibility import class_envelope
from iadsim.tracking.tracker import Tracker, TrackerStep
from iadsim.world.frames import Origin, geodetic_to_enu
from iadsim.world.state import WorldState
from iadsim.world.threats import ThreatSet

GOSPA_CUTOFF_M = 5_000.0
GOSPA_EVERY_S = 5.0
NETWORK_STREAM = 1_000
"""Spawn key appended to the run's SeedSequence for the network's own generator (the stage
streams are children 0-4, so this one never overlaps them)."""


def network_rng(seed: int | np.random.SeedSequence) -> np.random.Generator:
    """The network's generator (link failures, per-unit command draws), apart from the
    stages' streams."""
    seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return np.random.default_rng(np.random.SeedSequence(
        seq.entropy, spawn_key=(*seq.spawn_key, NETWORK_STREAM)))


class _UnitLaunchers:
    """A unit's launchers as the command centre sees them (rows of the run's ``Launchers``)."""

    def __init__(self, launchers: Launchers, index: NDArray[np.intp], operational: bool) -> None:
        self._all, self.index, self._on = launchers, index, operational
        self.name = tuple(launchers.name[i] for i in index.tolist())
        self.class_index = launchers.class_index[index]
        self.position_enu_m = launchers.position_enu_m[index]
        self.ready_rounds = launchers.ready_rounds[index]
        self.reload_done_s = launchers.reload_done_s[index]  # what the doctrine's class
        self.reload_rounds_left = launchers.reload_rounds_left[index]  # choice and scarcity
        self.reload_time_s = launchers.reload_time_s[index]  # price read (command.lookahead)
        self.reloads_left = launchers.reloads_left[index]

    def __len__(self) -> int:
        return len(self.index)

    def available(self, time_s: float) -> NDArray[np.bool_]:
        return self._all.available(time_s)[self.index] & self._on


class _UnitFlights:
    """The interceptors of one unit's launchers (what its command counts as engaged)."""

    def __init__(self, flights: InterceptorFlights, mine: NDArray[np.bool_]) -> None:
        self.track_id = flights.track_id[mine]
        self.resolved = flights.resolved[mine]


def _take_results(res: InterceptResults, mask: NDArray[np.bool_]) -> InterceptResults:
    return InterceptResults(**{f.name: None if getattr(res, f.name) is None
                               else getattr(res, f.name)[mask] for f in fields(res)})


def _concat_reports(parts: list[KillReports]) -> KillReports:
    names = [f.name for f in fields(KillReports)]
    return KillReports(**{n: np.concatenate([getattr(p, n) for p in parts]) for n in names})


class NetworkedDefence:
    """Fire units under a higher command (see the module docstring)."""

    def __init__(self, scenario: Scenario, radars: list[RadarSite], classes: InterceptorClasses,
                 origin: Origin, assets: tuple[NDArray[np.float64], ...], launchers: Launchers,
                 threats: ThreatSet, world: WorldState, *,
                 seed: int | np.random.SeedSequence, keep_sites: bool = False) -> None:
        self.scenario, self.radars, self.origin = scenario, radars, origin
        self.launchers, self.threats, self.world = launchers, threats, world
        self.assets = assets
        self.net = scenario.network
        self.plan: NetworkPlan = plan_network(scenario)
        rng = network_rng(seed)
        duration = scenario.simulation.duration_s
        self.links: list[DataLink] = []
        for spec in self.net.links:
            fail = np.inf if spec.fail_time_s is None else spec.fail_time_s
            if spec.fail_probability > 0.0 and rng.random() < spec.fail_probability:
                fail = min(fail, float(rng.uniform(0.0, duration)))
            self.links.append(DataLink(capacity_per_s=spec.capacity_reports_per_s,
                                       latency_s=spec.latency_s, max_delay_s=spec.max_delay_s,
                                       fail_time_s=fail))
        geometry = sensor_geometry(radars)
        n = self.plan.n_units
        envelope = class_envelope(scenario.command.fire_control)  # speed-by-height gate
        self.trackers = [Tracker(scenario.tracking, geometry, envelope, origin)  # drag filters
                         for _ in range(n)]
        fc_radar = np.array([x.kind == "multifunction" for x in scenario.sensors], bool)
        self.commands: list[CommandCentre | None] = []
        for u, spec in enumerate(self.net.units):
            child = rng.spawn(1)[0]
            if not spec.launchers:
                self.commands.append(None)
                continue
            own = (self.plan.sensor_unit == u) | self.net.engage_on_remote
            unit_command = CommandCentre(
                scenario.command, classes, origin, *assets,
                channels=(self.plan.fire_control_channels[u], self.plan.guidance_channels[u]),
                fire_control_sensor=fc_radar & own, rng=child,
                radar_enu_m=self._radar_enu_m())
            unit_command.discrimination = Discrimination(  # decoys from its tracks' drag
                scenario.command.classification.discrimination, origin, rng=child.spawn(1)[0])
            self.commands.append(unit_command)
        self._sites = self._site_positions()
        self._scenario_sites = dict(self._sites)  # where each site starts
        self._start_ref = [self._reference(u) for u in range(n)]
        self.keep_sites = keep_sites
        self._times: list[float] = []  # the step times (rows of the sites table)
        self.mobility = [UnitMobility(spec, self._reference(u),
                                      emits=bool(np.any(self.plan.sensor_unit == u)))
                         for u, spec in enumerate(self.net.units)]
        self.fusion = TrackFusion(self.net.correlation_gate_probability)
        self.store = Reports.empty()  # the top command's latest report of each unit track
        self.fused = FusedPicture(TrackBatch.empty(), np.empty(0, np.int64))
        self._next_report_s = np.zeros(n)
        k = self.net.engagements_per_threat
        self._alloc_id = np.empty(0, np.int64)  # system track ids (sorted) ...
        self._alloc = np.empty((0, k), np.int64)  # ... and their units, (n, k), -1: none
        self._next_alloc_s = 0.0
        self._rounds = np.zeros(n, np.int64)
        self._engaged: list[set[int]] = [set() for _ in range(n)]
        self._fired_on: dict[int, int] = {}  # unit track id -> system track id when fired on
        self._remember = np.empty(0, np.int64)  # system track ids under engagement (fusion)
        self._autonomous_from = np.full(n, np.nan)
        self._gospa: list[float] = []
        self._n_fused: list[int] = []
        self._reach = classes.max_range_m[launchers.class_index]
        self._picture = (-np.inf, TrackBatch.empty())
        self._inbox: list[Reports] = []  # delivered to the top command, not yet fused
        self._next_score_s = 0.0

    # -- sites -------------------------------------------------------------------------------

    def _site_positions(self) -> dict[tuple[str, int], tuple[float, float, float]]:
        out: dict[tuple[str, int], tuple[float, float, float]] = {}
        for i, x in enumerate(self.scenario.sensors):
            out[("sensor", i)] = (x.position.lat_deg, x.position.lon_deg, x.position.alt_m)
        for i, x in enumerate(self.scenario.launchers):
            out[("launcher", i)] = (x.position.lat_deg, x.position.lon_deg, x.position.alt_m)
        return out

    def _members(self, u: int) -> list[tuple[str, int]]:
        return ([("sensor", int(i)) for i in np.flatnonzero(self.plan.sensor_unit == u)]
                + [("launcher", int(i)) for i in np.flatnonzero(self.plan.launcher_unit == u)])

    def _reference(self, u: int) -> tuple[float, float]:
        members = self._members(u)
        if not members:
            return (0.0, 0.0)
        lat, lon, _ = self._sites[members[0]]
        return (lat, lon)

    def _arrive(self, u: int, from_deg: tuple[float, float], to_deg: tuple[float, float]) -> None:
        """Put the unit's sites at the destination (rigid offset in latitude and longitude)."""
        dlat, dlon = to_deg[0] - from_deg[0], to_deg[1] - from_deg[1]
        for kind, i in self._members(u):
            lat, lon, alt = self._sites[(kind, i)]
            new = (lat + dlat, lon + dlon, alt)
            self._sites[(kind, i)] = new
            if kind == "launcher":
                self.launchers.position_enu_m[i] = geodetic_to_enu(*new, self.origin)
            else:
                spec = self.scenario.sensors[i]
                moved = spec.model_copy(update={"position": GeoPosition(
                    lat_deg=new[0], lon_deg=new[1], alt_m=new[2])})
                self.radars[i] = site_from_spec(moved, i, self.origin)
        geometry = sensor_geometry(self.radars)
        for tr in self.trackers:
            tr.geometry = geometry
        for cmd in self.commands:  # ARMs dive on where the radars are now
            if cmd is not None:
                cmd.radar_enu_m = self._radar_enu_m()

    def _radar_enu_m(self) -> NDArray[np.float64]:
        """Every radar's antenna position (m, 3) in ENU: what the classifier's ARM rule
        (a fast dive onto a defence radar) aims at, the whole network's radars for every unit."""
        return np.array([r.position_enu_m for r in self.radars], float).reshape(-1, 3)

    def unit_operational(self, time_s: float) -> NDArray[np.bool_]:
        """Which units can detect and fire at ``time_s`` (u,)."""
        return np.array([m.operational(time_s) for m in self.mobility], bool)

    def connected(self, time_s: float) -> NDArray[np.bool_]:
        """Which units are under the top command's control at ``time_s`` (every link of the
        path up; False: autonomous)."""
        out = np.zeros(self.plan.n_units, bool)
        for u, name in enumerate(self.plan.unit_names):
            path = self.plan.path(name)
            out[u] = bool(path) and all(self.links[k].up(time_s) for k in path)
        return out

    # -- the tracker's side ------------------------------------------------------------------

    def operational(self, detections: DetectionBatch, time_s: float) -> DetectionBatch:
        """Move the units to ``time_s``; the detections of the radars of operational units."""
        self._times.append(float(time_s))
        for u, m in enumerate(self.mobility):
            done = m.advance(time_s)
            if done is not None:
                self._arrive(u, done.from_deg, done.to_deg)
        on = self.unit_operational(time_s)
        if on.all() or len(detections) == 0:
            return detections
        return detections.take(on[self.plan.sensor_unit[detections.sensor_id]])

    def step(self, detections: DetectionBatch, time_s: float) -> TrackerStep:
        """Every unit tracks with its own radars; then the links and the fusion."""
        unit = self.plan.sensor_unit[detections.sensor_id]
        pics, conf, drop = [], [], []
        for u, tr in enumerate(self.trackers):
            st = tr.step(detections.take(unit == u), time_s)
            base = (u + 1) * TRACK_ID_STRIDE
            pics.append(replace(st.tracks, track_id=st.tracks.track_id + base))
            conf.append(st.confirmed_ids + base)
            drop.append(st.dropped_ids + base)
        picture = concat_tracks(pics)
        self._picture = (float(time_s), picture)
        self._links(picture, time_s)
        return TrackerStep(picture, np.concatenate(conf), np.concatenate(drop))

    def guidance(self, tracks: TrackBatch, time_s: float) -> TrackBatch:
        """The tracks that guide rounds in flight (``network.guidance.guidance_tracks``)."""
        return guidance_tracks(tracks, self.plan, self.unit_operational(time_s),
                               self.connected(time_s), self.store.tracks.track_id,
                               self.fused.report_system_id, self.net.engage_on_remote)

    def drop(self, track_ids: NDArray[np.int64]) -> None:
        """Drop network tracks (and every other unit's track of the same system track)."""
        ids = np.asarray(track_ids, np.int64)
        if ids.size == 0:
            return
        rep, sys_of = self.store.tracks.track_id, self.fused.report_system_id
        ids = np.union1d(ids, rep[np.isin(sys_of, sys_of[np.isin(rep, ids)])])
        owner = self.plan.unit_of_track(ids)
        for u, tr in enumerate(self.trackers):
            tr.drop(ids[owner == u] - (u + 1) * TRACK_ID_STRIDE)
        keep = ~np.isin(rep, ids)
        self.store = self.store.take(keep)
        self.fused = FusedPicture(self.fused.tracks, sys_of[keep])
        t, pic = self._picture
        self._picture = (t, pic.take(~np.isin(pic.track_id, ids)))

    def picture(self, time_s: float) -> TrackBatch:
        """Every unit's live tracks predicted to ``time_s`` (network ids)."""
        if self._picture[0] == time_s:  # the step's picture, less what was dropped since
            return self._picture[1]
        return concat_tracks([replace(p, track_id=p.track_id + (u + 1) * TRACK_ID_STRIDE)
                              for u, tr in enumerate(self.trackers)
                              if len(p := tr.picture(time_s))])

    # -- links and fusion --------------------------------------------------------------------

    def _links(self, picture: TrackBatch, time_s: float) -> None:
        owner = self.plan.unit_of_track(picture.track_id)
        a_pos, a_val, a_rad = self.assets
        for u, name in enumerate(self.plan.unit_names):
            link = self.plan.uplink.get(name)
            if link is None or time_s + 1e-9 < self._next_report_s[u]:
                continue
            self._next_report_s[u] = time_s + self.net.links[link].update_period_s
            mine = picture.take((owner == u) & picture.confirmed)
            if len(mine):
                score = evaluate_threats(mine, a_pos, a_val, a_rad).score
                self.links[link].offer(Reports.of(mine, u, np.nan_to_num(score), time_s))
        delivered: list[Reports] = []
        for k in sorted(range(len(self.links)),
                        key=lambda i: -self.plan.depth.get(self.net.links[i].source, 0)):
            out = self.links[k].transmit(time_s)
            dest = self.net.links[k].destination
            if dest == self.plan.top:
                delivered.append(out)
            elif dest in self.plan.uplink and len(out):
                self.links[self.plan.uplink[dest]].offer(replace(
                    out, offered_s=np.full(len(out), time_s), deliver_s=np.full(len(out), np.inf)))
        self._inbox += delivered
        if time_s + 1e-9 >= self._next_alloc_s:  # fuse for this step's allocation
            self._receive(picture, time_s)
        on = self.connected(time_s)
        self._autonomous_from[~on & np.isnan(self._autonomous_from)] = time_s

    def _receive(self, picture: TrackBatch, time_s: float) -> None:
        """The top command takes in what was delivered since its last fusion, and fuses."""
        store = Reports.concat([self.store, *self._inbox])
        self._inbox = []
        if len(store):  # the latest report of each unit track, within the timeout
            order = np.lexsort((-store.tracks.time_s, store.tracks.track_id))
            first = np.unique(store.tracks.track_id[order], return_index=True)[1]
            store = store.take(np.sort(order[first]))
            store = store.take(time_s - store.tracks.time_s <= self.net.report_timeout_s)
            # a connected unit's track deletions reach the command at once (drop-track
            # messages); a cut-off unit's reports age out after report_timeout_s
            on = self.connected(time_s)[store.source]
            store = store.take(~on | np.isin(store.tracks.track_id, picture.track_id))
        self.store = store
        self.fused = self.fusion.fuse(store.tracks, store.source, time_s, self._remember)
        self._score_fused(time_s)

    def _score_fused(self, time_s: float) -> None:
        """GOSPA of the fused picture against the live threats, every GOSPA_EVERY_S."""
        if time_s + 1e-9 < self._next_score_s:
            return
        self._next_score_s = time_s + GOSPA_EVERY_S
        truth = self.threats.truth_at(time_s, self.world.threat_alive)
        g = gospa(truth.position_enu_m, self.fused.tracks.position_enu_m, cutoff_m=GOSPA_CUTOFF_M)
        self._gospa.append(g.gospa_m)
        self._n_fused.append(len(self.fused.tracks))

    # -- the command's side ------------------------------------------------------------------

    def assess_kills(self, res: InterceptResults, flights: InterceptorFlights,
                     world: WorldState, time_s: float) -> KillReports:
        """Each unit assesses the intercepts of its own rounds."""
        unit = self.plan.launcher_unit[flights.launcher[res.interceptor_id]] \
            if len(res.interceptor_id) else np.empty(0, np.intp)
        parts = [cmd.assess_kills(_take_results(res, unit == u), flights, world, time_s)
                 for u, cmd in enumerate(self.commands) if cmd is not None]
        return _concat_reports(parts)

    def _allocate(self, time_s: float, flights: InterceptorFlights) -> None:
        fused = self.fused.tracks
        n_units = self.plan.n_units
        fired, engaged = self._engaged_by(fused.track_id, flights, time_s)  # (n, u) each
        if len(fused) == 0:
            self._alloc_id, self._alloc = np.empty(0, np.int64), self._alloc[:0]
            return
        a_pos, a_val, a_rad = self.assets
        assess = evaluate_threats(fused, a_pos, a_val, a_rad)
        rounds_left = self.launchers.ready_rounds + self.launchers.reloads_left
        cost = unit_costs(fused.position_enu_m, fused.velocity_enu_mps, self.plan.launcher_unit,
                          self.launchers.position_enu_m,
                          np.where(rounds_left > 0, self._reach, 0.0), n_units)
        held = np.zeros((len(fused), n_units), bool)
        row = np.searchsorted(fused.track_id, self.fused.report_system_id)
        held[row, self.store.source] = True
        may = (held | self.net.engage_on_remote) & self.connected(time_s)[None, :]
        may &= self.unit_operational(time_s)[None, :]
        may &= np.array([c is not None for c in self.commands])[None, :]
        # zones of responsibility: a threat heading for an asset goes to a unit answering for
        # that asset; to any other unit only when none of those can take it
        zone = self.plan.zone[:, assess.asset].T & assess.heading_for_asset[:, None]  # (n, u)
        in_zone = may & zone & np.isfinite(cost)
        may &= np.where(in_zone.any(axis=1)[:, None], zone, True)
        # slots: the unit's fire-control channels (allocate counts the standing allocations)
        cap = np.array([len(fused) if c is None else c
                        for c in self.plan.fire_control_channels], np.int64)
        k = self.net.engagements_per_threat
        prev = self._allocation_of(fused.track_id)
        col = np.maximum(prev, 0)
        prev[~((prev >= 0) & np.take_along_axis(fired, col, axis=1))] = -1  # engagements stand
        # ... and while a round is in the air or its assessment pending, even where the unit
        # could not shoot again (no rounds, out of its zone, tearing down)
        hold = (prev >= 0) & np.take_along_axis(engaged, col, axis=1)
        # no other unit on a threat already engaged by as many units as the doctrine allows
        # (also when the standing allocation was lost, e.g. the system number changed)
        full = engaged.sum(axis=1) >= k
        may &= np.where(full[:, None], engaged, True)
        value = np.nan_to_num(assess.score, neginf=0.0)
        # the channels go to the threats a unit's launcher reaches now; the others (out of
        # reach for now) go to the best unit without a channel limit, for its picture
        dist = np.linalg.norm(fused.position_enu_m[:, None] - self.launchers.position_enu_m[
            None], axis=2) <= self._reach[None, :]
        now = np.zeros((len(fused), n_units), bool)
        for u in range(n_units):
            now[:, u] = dist[:, self.plan.launcher_unit == u].any(axis=1)
        got = allocate(cost, may & now, cap, value, prev, per_threat=k, hold=hold)
        got = allocate(cost, may, np.full(n_units, len(fused)), value, got, per_threat=k,
                       hold=hold)
        self._alloc_id, self._alloc = fused.track_id.copy(), got

    def _allocation_of(self, system_id: NDArray[np.int64]) -> NDArray[np.int64]:
        """The standing allocation (n, k) of system track ids (-1 rows for unknown ids)."""
        out = np.full((len(system_id), self._alloc.shape[1]), -1, np.int64)
        if len(self._alloc_id) == 0 or len(system_id) == 0:
            return out
        pos = np.minimum(np.searchsorted(self._alloc_id, system_id), len(self._alloc_id) - 1)
        found = self._alloc_id[pos] == system_id
        out[found] = self._alloc[pos[found]]
        return out

    def _engaged_by(self, system_id: NDArray[np.int64], flights: InterceptorFlights,
                    time_s: float) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
        """Which units (n, u) have fired on each system track (on one of its unit tracks),
        and which are engaging it now (a round in flight, a salvo rippling or an assessment
        pending). Keeps the system track ids under engagement for the next fusions, also those
        no unit reports any more (``TrackFusion.fuse``'s ``remember``)."""
        out = np.zeros((len(system_id), self.plan.n_units), bool)
        remember = [np.empty(0, np.int64)]
        fired = out.copy()
        fired_unit = self.plan.launcher_unit[flights.launcher] if len(flights) else np.empty(
            0, np.intp)
        rep, sys_of = self.store.tracks.track_id, self.fused.report_system_id
        for u, cmd in enumerate(self.commands):
            if cmd is None:
                continue
            mine = fired_unit == u
            unit_flights: Any = _UnitFlights(flights, mine)  # what the command reads of them
            busy = np.union1d(cmd.busy_tracks(unit_flights, time_s),
                              flights.track_id[mine & ~flights.resolved])
            keys = np.union1d(busy, flights.track_id[mine])
            if keys.size:
                fired[:, u] = np.isin(system_id, sys_of[np.isin(rep, keys)])
                # the system track fired on, also when the unit's track is gone since (a unit
                # tearing down stops tracking while its rounds fly)
                at_fire = np.array([self._fired_on.get(int(t), -1) for t in busy.tolist()],
                                   np.int64)
                now = np.union1d(sys_of[np.isin(rep, busy)], at_fire)
                out[:, u] = np.isin(system_id, now)
                remember.append(now[now >= 0])
        self._remember = np.unique(np.concatenate(remember))
        return fired, out

    def _tracks_for(self, u: int, tracks: TrackBatch, central: bool) -> TrackBatch:
        """Unit ``u``'s picture to engage on: its own tracks (autonomous), or its own tracks of
        the system tracks allocated to it plus, with engage-on-remote, another unit's report
        of those it does not hold."""
        own = self.plan.unit_of_track(tracks.track_id) == u
        if not central:
            return tracks.take(own)
        mine = (self._allocation_of(self.fused.report_system_id) == u).any(axis=1)
        rep = self.store.tracks
        own_rep = mine & (self.store.source == u)
        parts = [tracks.take(own & np.isin(tracks.track_id, rep.track_id[own_rep]))]
        if self.net.engage_on_remote:
            have = np.unique(self.fused.report_system_id[own_rep])
            need = mine & ~np.isin(self.fused.report_system_id, have)
            if need.any():  # the freshest report of each system track held only elsewhere
                rows = np.flatnonzero(need)
                rows = rows[np.lexsort((-rep.time_s[rows], self.fused.report_system_id[rows]))]
                first = np.unique(self.fused.report_system_id[rows], return_index=True)[1]
                parts.append(rep.take(rows[first]))
        return concat_tracks(parts)

    def pop_events(self) -> list[dict[str, object]]:
        """Every unit command's doctrine events since the last call (``reserve_release``)."""
        return [e for cmd in self.commands if cmd is not None for e in cmd.pop_events()]

    def cycle(self, time_s: float, tracks: TrackBatch, launchers: Launchers,
              flights: InterceptorFlights) -> list[EngagementOrder]:
        """Allocate (every command cycle), then every unit's command on its share (every
        step: salvoes ripple between cycles); orders in the run's launcher indices."""
        if time_s + 1e-9 >= self._next_alloc_s:
            self._next_alloc_s = time_s + self.scenario.command.cycle_s
            self._allocate(time_s, flights)
        central = self.connected(time_s)
        on = self.unit_operational(time_s)
        orders: list[EngagementOrder] = []
        lau_unit = self.plan.launcher_unit
        fired_unit = lau_unit[flights.launcher] if len(flights) else np.empty(0, np.intp)
        for u, cmd in enumerate(self.commands):
            if cmd is None:
                continue
            index = np.flatnonzero(lau_unit == u)
            view: Any = _UnitLaunchers(launchers, index, bool(on[u]))
            unit_flights: Any = _UnitFlights(flights, fired_unit == u)
            share = self._tracks_for(u, tracks, bool(central[u]))
            got = cmd.cycle(time_s, share, view, unit_flights)
            got = [replace(o, launcher=int(index[o.launcher])) for o in got]
            self._rounds[u] += len(got)
            for o in got:  # the system track each round is fired on
                sid = self.fused.report_system_id[self.store.tracks.track_id == o.track_id]
                if sid.size:
                    self._fired_on[o.track_id] = int(sid[0])
                    self._remember = np.union1d(self._remember, sid[:1])
            self._engaged[u].update(o.track_id for o in got)
            self.mobility[u].note_launches(len(got))
            orders += got
        return orders

    # -- outcomes ----------------------------------------------------------------------------

    def report_into(self, result: Any) -> Any:
        """The run's ``Result`` with the ``network`` key in its summary and, when the run
        keeps its trajectory tables, the ``sites`` table (``network.sites``)."""
        result.summary["network"] = self.report()
        if not self.keep_sites:
            return result
        return replace(result, sites=self.sites())

    def sites(self) -> pd.DataFrame:
        """Every radar's and launcher's position, velocity and status at each step time."""
        return self._site_table(np.array(self._times))

    def site_states(self, time_s: float) -> pd.DataFrame:
        """The ``sites`` table's rows at ``time_s`` (live DIS out: ``DisSession.follow_sites``)."""
        return self._site_table(np.array([float(time_s)]))

    def _site_table(self, times_s: NDArray[np.float64]) -> pd.DataFrame:
        rows = []
        for kind, i in sorted(self._scenario_sites):
            u = int(self.plan.sensor_unit[i] if kind == "sensor" else self.plan.launcher_unit[i])
            spec = self.scenario.sensors[i] if kind == "sensor" else self.scenario.launchers[i]
            if u < 0:
                continue
            lat, lon, alt = self._scenario_sites[(kind, i)]
            rows.append((spec.name, "radar" if kind == "sensor" else "launcher", u, lat, lon,
                         alt))
        starts = [self._start_ref[u] for u in range(self.plan.n_units)]
        return site_table([m.moves for m in self.mobility], starts, rows, times_s, self.origin,
                          step_s=self.scenario.simulation.step_s)

    def report(self) -> dict[str, Any]:
        """Per-unit rounds and moves, link load and latency, fused picture quality."""
        duration = self.scenario.simulation.duration_s
        units = {}
        for u, name in enumerate(self.plan.unit_names):
            units[name] = {
                "rounds": int(self._rounds[u]), "tracks_engaged": len(self._engaged[u]),
                "time_not_operational_s": self.mobility[u].down_s,
                "autonomous_from_s": None if np.isnan(self._autonomous_from[u])
                else float(self._autonomous_from[u]),
                "moves": self.mobility[u].report(),
            }
        links = {f"{s.source}->{s.destination}": {
            **self.links[k].stats.as_dict(duration, s.capacity_reports_per_s),
            "failed_at_s": None if np.isinf(self.links[k].fail_time_s)
            else self.links[k].fail_time_s} for k, s in enumerate(self.net.links)}
        g = np.array(self._gospa) if self._gospa else np.array([np.nan])
        return {"units": units, "links": links,
                "fused_picture": {"mean_gospa_m": float(np.mean(g)),
                                  "mean_system_tracks": float(np.mean(self._n_fused or [0]))}}


class _Centralised:
    """No network: the run's one tracker and command centre, untouched (pass-through hooks)."""

    def operational(self, detections: DetectionBatch, time_s: float) -> DetectionBatch:
        return detections

    def guidance(self, tracks: TrackBatch, time_s: float) -> TrackBatch:
        return tracks

    def report_into(self, result: Any) -> Any:
        return result

    def site_states(self, time_s: float) -> None:
        return None  # no unit moves


def networked(scenario: Scenario, tracker: Tracker, command: CommandCentre,
              radars: list[RadarSite], classes: InterceptorClasses, origin: Origin,
              assets: tuple[NDArray[np.float64], ...], launchers: Launchers,
              threats: ThreatSet, world: WorldState, *,
              seed: int | np.random.SeedSequence, keep_sites: bool = False
              ) -> tuple[Any, Any, Any]:
    """``(tracker, command, network)`` for ``simulation.run``: with ``network.units`` the
    networked defence in all three roles; without (or with one unit that never moves and has
    no links), the given tracker and command and a pass-through network: the run is then
    exactly the centralised battalion's. ``keep_sites``: build the ``sites`` table (the run
    keeps its trajectory tables)."""
    net_spec = scenario.network
    if not net_spec.units or (len(net_spec.units) == 1 and not net_spec.links
                              and not net_spec.units[0].relocations
                              and net_spec.units[0].shoot_and_scoot is None):
        return tracker, command, _Centralised()  # one fixed unit on its own: today's battalion
    net = NetworkedDefence(scenario, radars, classes, origin, assets, launchers, threats,
                           world, seed=seed, keep_sites=keep_sites)
    return net, net, net
