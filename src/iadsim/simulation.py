"""``run``: the one place the stages are wired, top to bottom.

scenario -> threats (truth) and world state (who is alive) -> radars (detections) -> tracker
(tracks) -> end game of the interceptors due (kills, into the world state and the flights) ->
command (kill assessment, then orders on the picture that follows it) -> engagement (launches)
-> world (impacts on assets, path ends) -> outcomes (record fates, events, tables: no
decisions) -> ``Result``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from iadsim.command.discrimination import Discrimination
from iadsim.command.doctrine import CommandCentre
from iadsim.engagement.endgame import advance_flights
from iadsim.engagement.flyout import EnvelopeTable
from iadsim.engagement.interceptors import InterceptorFlights
from iadsim.engagement.launch import launch_orders
from iadsim.engagement.launchers import InterceptorClasses, Launchers
from iadsim.errors import RunInterrupted
from iadsim.ew.arms import with_arm_strikes
from iadsim.ew.contested import CleanSky, ContestedSky
from iadsim.interop.dis.session import DisOptions, DisSession
from iadsim.network.defence import networked
from iadsim.outcomes.assemble import RunRecord, assemble_result
from iadsim.outcomes.result import Result
from iadsim.scenario.model import Scenario
from iadsim.sensors.radar import (
    RadarSite,
    build_radars,
    cue_radars,
    observe,
    sensor_geometry,
    set_guidance_load,
)
from iadsim.terrain.launcher_sight import with_launcher_sight
from iadsim.terrain.site_view import TerrainModel, apply_terrain
from iadsim.tracking.batch import TrackBatch
from iadsim.tracking.jammer_tracks import JammerTracker
from iadsim.tracking.plausibility import class_envelope
from iadsim.tracking.tracker import Tracker
from iadsim.world.cache import scenario_threats
from iadsim.world.frames import Origin, scenario_origin
from iadsim.world.state import WorldState
from iadsim.world.threats import ThreatSet

STAGES = ("threats", "sensors", "tracking", "command", "engagement")
"""Order in which per-stage generators are spawned from the run's SeedSequence."""

Progress = Callable[[float, float], None]


def stage_generators(seed: int | np.random.SeedSequence) -> dict[str, np.random.Generator]:
    """One independent generator per stage, spawned in the fixed order of ``STAGES``."""
    seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    children = seq.spawn(len(STAGES))
    return {name: np.random.default_rng(c) for name, c in zip(STAGES, children, strict=True)}


def step_times(step_s: float, duration_s: float) -> list[float]:
    """End times of the pipeline steps: step_s, 2 step_s, ..., duration_s."""
    n = int(np.ceil(duration_s / step_s - 1e-9))
    return [float(min(k * step_s, duration_s)) for k in range(1, n + 1)]


def run(scenario: Scenario, *, seed: int | np.random.SeedSequence | None = None,
        out_dir: str | Path | None = None, progress: Progress | None = None,
        keep_trajectories: bool = True, dis: DisOptions | None = None,
        envelopes: EnvelopeTable | None = None, terrain: TerrainModel | None = None) -> Result:
    """Run one engagement and return its ``Result`` (also written to ``out_dir`` if given).

    ``seed`` overrides ``scenario.simulation.seed``; ``progress(time_s, duration_s)`` is called
    every step; ``keep_trajectories=False`` skips the truth/track/interceptor tables (Monte Carlo);
    ``dis`` joins a DIS federation (``interop.dis``); ``envelopes`` and ``terrain`` are the
    scenario's fly-out table and terrain if built (``envelope_table``, ``build_terrain``)."""
    wall0 = time.perf_counter()
    seed = scenario.simulation.seed if seed is None else seed
    rng, scenario = stage_generators(seed), with_arm_strikes(scenario)  # ew: ARMs are threats
    origin = scenario_origin(scenario)
    session = DisSession(scenario, origin, dis) if dis is not None else _NoDis()
    threats, radars, tracker = _sensing(scenario, origin, session, terrain)
    contested = _contested(scenario, origin, radars, threats, seed)  # ew (or a clean sky)
    classes, launchers, flights = _engagement(scenario, origin, envelopes, terrain)
    rec = RunRecord(scenario, origin, threats, radars, classes, launchers, keep_trajectories)
    world = WorldState(threats, assets=rec.asset_arrays(), not_at_assets=contested.arm_rows)
    tracker, command, network = _command(scenario, tracker, radars, classes, origin, rec,
                                         launchers, world, session, rng=rng["command"], seed=seed)
    duration_s, done_s, interrupted = scenario.simulation.duration_s, 0.0, False
    try:
        for t in step_times(scenario.simulation.step_s, duration_s):
            session.before_step(t)
            ended = advance_flights(flights, threats, world.threat_alive, classes, origin, t,
                                    rng=rng["engagement"])  # the end games first, then the looks
            killed = world.destroy_threats(ended.threat_id, ended.time_s, ended.killed)
            flights.credit_kills(ended.interceptor_id, killed)
            rec.end_game(ended, killed, flights)
            detections = network.operational(observe(  # network: moving units see nothing
                radars, threats, world.present_after(done_s), done_s, t, rng=rng["sensors"],
                contested=contested).seen_before(world.threat_gone_s), t)  # none of the dead
            rec.scans(detections)
            picture = tracker.step(detections, t)
            rec.tracks(picture, t)
            _handover(radars, picture.tracks, t)  # radar: the picture cues the MFRs
            flights.guide(network.guidance(picture.tracks, t), origin)  # for the next step's flight
            reports = command.assess_kills(ended, flights, world, t)
            tracker.drop(reports.drop_track_id)
            rec.kill_reports(reports, flights)
            tracks = tracker.picture(t)  # the picture after this step's kill assessments
            launchers.advance(t)
            orders = command.cycle(t, contested.picture(tracks, t), launchers, flights)  # ew
            rec.command_events(command.pop_events())  # doctrine: reserve releases
            rec.launch(launch_orders(orders, launchers, flights, tracks, t, world), t)
            set_guidance_load(radars, int(np.count_nonzero(~flights.resolved)))  # radar: uplinks
            world.evade(t, flights.target_threat_id[~flights.resolved], rng=rng["threats"])  # #19
            rec.step_done(t, world.advance(t), world, flights, tracks)
            contested.end_step(t, world)  # ew: ARM impacts on radars
            session.after_step(t, threats, world.threat_alive, flights, rec.events)
            done_s = _report_progress(progress, t, duration_s)
    except KeyboardInterrupt:  # keep what was computed: save it, then say so
        interrupted = True
    finally:
        session.close()
    result = assemble_result(rec, flights, seed=seed, wall_time_s=time.perf_counter() - wall0,
                             completed_s=done_s)
    return _finish(result, session, contested, network, out_dir, interrupted)


def _sensing(scenario: Scenario, origin: Origin, session: DisSession | _NoDis,
             terrain: TerrainModel | None) -> tuple[ThreatSet, list[RadarSite], Tracker]:
    """The truth (the scenario's threats, with a DIS federation's joined in), the radars (on
    the terrain, if the scenario has one) and the tracker fed by them."""
    threats = session.attach(scenario_threats(scenario, origin))  # truth built once per scenario
    radars = build_radars(list(scenario.sensors), origin)
    threats, radars = apply_terrain(scenario, origin, threats, radars, terrain)  # none: no-op
    envelope = class_envelope(scenario.command.fire_control)  # speed-by-height gate
    return threats, radars, Tracker(scenario.tracking, sensor_geometry(radars), envelope,
                                    origin)


def _contested(scenario: Scenario, origin: Origin, radars: list[RadarSite], threats: ThreatSet,
               seed: int | np.random.SeedSequence) -> ContestedSky | CleanSky:
    """The contested sky (jammers, EMCON, ARMs, decoys; a ``CleanSky`` without ``ew``), its
    strobes tracked by the jammer tracker (angle-only tracks, triangulated positions)."""
    return ContestedSky.build(scenario, origin, radars, threats, seed,
                              JammerTracker.for_radars(radars))


def _engagement(scenario: Scenario, origin: Origin, envelopes: EnvelopeTable | None,
                terrain: TerrainModel | None = None
                ) -> tuple[InterceptorClasses, Launchers, InterceptorFlights]:
    """Interceptor classes (with the fly-out table, built unless given; with the launchers'
    sight over the terrain, if any), launchers, and the (empty) interceptors in flight."""
    classes = InterceptorClasses.from_scenario(scenario, table=envelopes)
    classes = with_launcher_sight(classes, scenario, origin, terrain)  # terrain: launcher LOS
    return classes, Launchers(scenario, origin), InterceptorFlights()


def _command(scenario: Scenario, tracker: Tracker, radars: list[RadarSite],
             classes: InterceptorClasses, origin: Origin, rec: RunRecord, launchers: Launchers,
             world: WorldState, session: DisSession | _NoDis, *, rng: np.random.Generator,
             seed: int | np.random.SeedSequence) -> tuple[Any, Any, Any]:
    """``(tracker, command, network)``: the command centre on the tracker's picture, or, with a
    ``network`` section, the networked defence in all three roles (``network.defence``); live
    DIS out follows the network's mobile sites."""
    command = CommandCentre.from_scenario(scenario, classes, origin, rec.asset_arrays(), rng=rng)
    command.discrimination = Discrimination(  # decoys and debris (#19): its own stream
        scenario.command.classification.discrimination, origin, rng=rng.spawn(1)[0])
    roles = networked(scenario, tracker, command, radars, classes, origin, rec.asset_arrays(),
                      launchers, world.threats, world, seed=seed,
                      keep_sites=rec.keep_trajectories)
    session.follow_sites(roles[2].site_states)  # DIS out: the mobile sites where they are
    return roles


def _handover(radars: list[RadarSite], tracks: TrackBatch, time_s: float) -> None:
    """The confirmed tracks of the picture at ``time_s`` cue the multifunction radars."""
    held = tracks.take(tracks.confirmed)
    cue_radars(radars, time_s, held.position_enu_m, held.velocity_enu_mps, held.covariance)


def _report_progress(progress: Progress | None, time_s: float, duration_s: float) -> float:
    """Tell ``progress`` (if any) that the step ending at ``time_s`` is done; ``time_s``."""
    if progress is not None:
        progress(time_s, duration_s)
    return time_s


def _finish(result: Result, session: DisSession | _NoDis, contested: ContestedSky | CleanSky,
            network: Any, out_dir: str | Path | None, interrupted: bool) -> Result:
    """The DIS, electronic-warfare and network reports into the summary, the result saved if
    asked; an interrupted run raises ``RunInterrupted`` carrying it."""
    result = network.report_into(result)  # network: its summary key and sites table
    if isinstance(session, DisSession):
        result.summary["dis"] = session.report()
    if (ew := contested.report(result.threats, result.engagements)) is not None:
        result.summary["ew"] = ew
        result = dataclasses.replace(result, ew=contested.table())  # the replay's EW layers
    if out_dir is not None:
        result.save(out_dir)
    if interrupted:
        raise RunInterrupted(result)
    return result


class _NoDis:
    """Stands in for a ``DisSession`` when the run joins no DIS federation: does nothing."""

    def attach(self, threats: ThreatSet) -> ThreatSet:
        return threats

    def before_step(self, time_s: float) -> None:
        pass

    def follow_sites(self, states: object) -> None:
        pass

    def after_step(self, *args: object) -> None:
        pass

    def close(self) -> None:
        pass
