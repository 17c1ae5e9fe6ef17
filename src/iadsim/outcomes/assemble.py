"""What a run records as it goes (fates, events, trajectories) and the ``Result`` built from it.

``RunRecord`` is the outcomes stage's view of a run: the simulation tells it what each stage
produced; it never reaches back into a stage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from iadsim.command.kill_assessment import KillReports
from iadsim.engagement.interceptors import InterceptorFlights, InterceptResults
from iadsim.engagement.launch import Launches
from iadsim.engagement.launchers import InterceptorClasses, Launchers
from iadsim.outcomes.engagement_measures import engagement_measures
from iadsim.outcomes.events import EventLog
from iadsim.outcomes.fates import FLYING, FateBook
from iadsim.outcomes.recorder import TrajectoryRecorder
from iadsim.outcomes.result import Result, build_summary
from iadsim.scenario.model import Scenario
from iadsim.sensors.batch import DetectionBatch
from iadsim.sensors.radar import RadarSite, budget_summary
from iadsim.tracking.batch import TrackBatch
from iadsim.tracking.ghosts import ghost_summary
from iadsim.tracking.metrics import tracking_metrics
from iadsim.tracking.timing import with_track_timing
from iadsim.tracking.tracker import TrackerStep
from iadsim.world.frames import Origin, enu_to_geodetic, geodetic_to_enu
from iadsim.world.state import Arrivals, WorldState
from iadsim.world.threats import ThreatSet


class RunRecord:
    """Fates, the event log and the trajectory tables of one run."""

    def __init__(self, scenario: Scenario, origin: Origin, threats: ThreatSet,
                 radars: list[RadarSite], classes: InterceptorClasses, launchers: Launchers,
                 keep_trajectories: bool = True) -> None:
        self.scenario, self.origin, self.threats = scenario, origin, threats
        self.radars, self.classes, self.launchers = radars, classes, launchers
        self._reloading = np.zeros(len(launchers), bool)  # reload events (``_reloads``)
        self.asset_names = tuple(a.name for a in scenario.defended_assets)
        self.events = EventLog()
        self.fates = FateBook(threats, self.asset_names, self.events)
        self.recorder = TrajectoryRecorder()
        self.keep_trajectories = keep_trajectories
        self.interceptor_target = np.empty(0, np.int64)  # truth id of each round's track
        self.interceptor_on_dead = np.empty(0, bool)  # a round on a dead threat's track
        a = scenario.defended_assets
        self._asset_enu = np.array(
            [geodetic_to_enu(x.position.lat_deg, x.position.lon_deg, 0.0, origin) for x in a]
        ).reshape(-1, 3)
        self._asset_value = np.array([x.value for x in a], float)
        self._asset_radius = np.array([x.radius_m for x in a], float)

    def asset_arrays(self) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Asset positions (a, 3) in ENU, values (a,) and radii (a,)."""
        return self._asset_enu, self._asset_value, self._asset_radius

    def scans(self, detections: DetectionBatch) -> None:
        """Log one ``scan`` event per radar look with its detection count."""
        self.fates.detected(detections.truth_id, detections.time_s)
        if len(detections) == 0:
            return
        order = np.lexsort((detections.sensor_id, detections.time_s))  # looks in time order
        t, sid = detections.time_s[order], detections.sensor_id[order]
        starts = np.flatnonzero(np.r_[True, (t[1:] != t[:-1]) | (sid[1:] != sid[:-1])])
        counts = np.diff(np.r_[starts, len(t)])
        for ts, s, c in zip(t[starts].tolist(), sid[starts].tolist(), counts.tolist(),
                            strict=True):
            self.events.add(ts, "scan", sensor=self.radars[int(s)].name, count=c)

    def tracks(self, step: TrackerStep, time_s: float) -> None:
        """Log confirmations and drops; note first confirmed track per threat."""
        tr = step.tracks
        truth_of = dict(zip(tr.track_id.tolist(), tr.truth_id.tolist(), strict=True))
        for tid in step.confirmed_ids.tolist():
            self.events.add(time_s, "track_confirmed", track_id=tid,
                            threat_id=truth_of.get(tid, -1))
        for tid in step.dropped_ids.tolist():
            self.events.add(time_s, "track_dropped", track_id=tid)
        self.fates.tracked(tr.truth_id, tr.confirmed, time_s)

    def end_game(self, res: InterceptResults, killed: NDArray[np.bool_],
                 flights: InterceptorFlights) -> None:
        """Record the engagement stage's end games; ``killed``: which destroyed their threat."""
        self.fates.intercepts(res, killed, flights, self.launchers, self.classes)

    def kill_reports(self, reports: KillReports, flights: InterceptorFlights) -> None:
        """Log one ``kill_assessment`` event per report: what the command was told (``kill`` /
        ``no kill``) and, from truth the command never sees, whether that was correct."""
        for k in range(len(reports)):
            iid = int(reports.interceptor_id[k])
            tgt = int(self.interceptor_target[iid]) if iid >= 0 else -1
            hit_s = float(reports.intercept_time_s[k])  # what was assessed: gone by then?
            gone = tgt < 0 or bool(self.fates.fate[tgt] != FLYING
                                   and self.fates.fate_time_s[tgt] <= hit_s + 1e-9)
            said = bool(reports.kill[k])
            lau = int(flights.launcher[iid]) if iid >= 0 else -1
            self.events.add(
                float(reports.time_s[k]), "kill_assessment", threat_id=tgt,
                track_id=int(reports.track_id[k]), interceptor_id=iid,
                launcher=self.launchers.name[lau] if lau >= 0 else "",
                interceptor_class=self.classes.name[int(flights.class_index[iid])]
                if iid >= 0 else "",
                detail=("kill" if said else "no kill")
                + (" (correct)" if said == gone else " (wrong)"))

    def command_events(self, events: list[dict[str, object]]) -> None:
        """Log the command's doctrine events (``reserve_release`` by default, or the event's
        ``kind``, e.g. ``class_fallback``: class, rounds, why)."""
        for e in events:
            n = dict(e)
            self.events.add(float(str(n["time_s"])), str(n.get("kind", "reserve_release")),
                            track_id=int(str(n.get("track_id", -1))),
                            interceptor_class=str(n["interceptor_class"]),
                            count=int(str(n["count"])), detail=str(n["detail"]))

    def launch(self, launches: Launches, time_s: float) -> None:
        """Log the assignment and launch events of the engagement stage's launches."""
        lau = self.launchers
        self.interceptor_target = np.concatenate([self.interceptor_target,
                                                  launches.target_threat_id])
        self.interceptor_on_dead = np.concatenate([self.interceptor_on_dead, np.zeros(
            len(launches), bool) if launches.on_dead_track is None else launches.on_dead_track])
        for o, iid, tgt in zip(launches.orders, launches.interceptor_id.tolist(),
                               launches.target_threat_id.tolist(), strict=True):
            cls = self.classes.name[int(lau.class_index[o.launcher])]
            common = dict(track_id=o.track_id, threat_id=tgt, launcher=lau.name[o.launcher],
                          interceptor_class=cls)
            self.events.add(time_s, "assignment",
                            detail=f"planned intercept at {o.intercept_time_s:.1f} s"
                            + (f"; reported {o.reported_type}, value {o.value:.3g}, "
                               f"round {o.salvo_round} of {o.salvo_size}"
                               if o.reported_type else ""), **common)
            self.events.add(time_s, "launch", interceptor_id=iid, **common)
        self._reloads(time_s)

    def _reloads(self, time_s: float) -> None:
        """Log reloads started (with the rounds still ready: the reload policy) and done."""
        lau = self.launchers
        now = np.isfinite(lau.reload_done_s)
        was = self._reloading
        for k in np.flatnonzero(now & ~was).tolist():
            self.events.add(time_s, "reload", launcher=lau.name[k],
                            interceptor_class=self.classes.name[int(lau.class_index[k])],
                            count=int(lau.ready_rounds[k]),
                            detail=f"start with {int(lau.ready_rounds[k])} ready, done at "
                                   f"{lau.reload_done_s[k]:.1f} s")
        for k in np.flatnonzero(~now & was).tolist():
            self.events.add(time_s, "reload", launcher=lau.name[k],
                            interceptor_class=self.classes.name[int(lau.class_index[k])],
                            count=int(lau.ready_rounds[k]), detail="done")
        self._reloading = now

    def step_done(self, time_s: float, arrived: Arrivals, world: WorldState,
                  flights: InterceptorFlights, tracks: TrackBatch) -> None:
        """Fates of the world stage's arrivals (impacts on assets, path ends), then the
        trajectory samples of this step."""
        self.fates.arrivals(arrived.impacted, arrived.asset, arrived.ended, world.threat_gone_s)
        pos, vel = arrived.position_enu_m, arrived.velocity_enu_mps
        ids = np.flatnonzero(world.threat_alive & self.threats.in_air(time_s))
        self.recorder.truth(time_s, ids.astype(np.int64), pos[ids], vel[ids])
        self.recorder.tracks(time_s, tracks)
        iid, ipos = flights.positions(time_s)
        self.recorder.interceptors(time_s, iid.astype(np.int64), ipos, flights.velocity_mps[iid])


def assemble_result(rec: RunRecord, flights: InterceptorFlights, *,
                    seed: int | np.random.SeedSequence, wall_time_s: float,
                    completed_s: float) -> Result:
    """Tables and summary of a finished run."""
    threats = rec.fates.frame(flights, rec.launchers, rec.classes, rec.interceptor_target)
    threats = threats[np.isfinite(threats["launch_time_s"].to_numpy())]  # unheard DIS-in slots
    events = rec.events.frame().sort_values("time_s", kind="stable").reset_index(drop=True)
    s = rec.scenario
    summary = build_summary(
        threats, events, seed=_seed_label(seed), scenario_name=s.name,
        duration_s=s.simulation.duration_s, wall_time_s=wall_time_s,
        class_names=rec.classes.name,
        class_cost=dict(zip(rec.classes.name, rec.classes.cost.tolist(), strict=True)),
        asset_names=rec.asset_names,
    )
    summary["completed_s"] = completed_s
    summary["interrupted"] = completed_s < s.simulation.duration_s
    summary["radar_budget"] = budget_summary(rec.radars)  # radar time per function (radar)
    scenario = s.model_dump(mode="json")
    scenario["origin"] = {"lat_deg": rec.origin.lat_deg, "lon_deg": rec.origin.lon_deg,
                          "alt_m": rec.origin.alt_m}
    tables: dict[str, pd.DataFrame] = {"engagements": engagement_table(rec, flights)}
    summary.update(engagement_measures(
        threats, tables["engagements"], class_names=rec.classes.name,
        class_cost=dict(zip(rec.classes.name, rec.classes.cost.tolist(), strict=True)),
        threat_cost={str(k): v for k, v in s.command.threat_cost.items()},
    ))
    truth = rec.recorder.truth_frame(rec.origin)
    tracks = rec.recorder.tracks_frame(rec.origin)
    # one definition of first detection, first track and track delay (tracking.timing), the
    # same in this table, the summary and the per-type table
    threats = with_track_timing(threats)
    metrics = tracking_metrics(truth, tracks, threats=threats)
    per_threat = metrics.per_threat[["threat_id", "track_breaks", "swaps"]]
    threats = threats.merge(per_threat, on="threat_id", how="left")
    summary["tracking"] = {k: _json_number(v) for k, v in metrics.summary.items()}
    summary["tracking"].update(ghost_summary(truth, tracks))  # radar: ghost-track rate
    summary["tracking"]["by_type"] = {  # GOSPA, continuity and timing per threat type
        str(r["type"]): {k: _json_number(v) for k, v in r.items() if k != "type"}
        for r in metrics.per_type.to_dict("records")}
    if rec.keep_trajectories:
        tables["truth"], tables["tracks"] = truth, tracks
        tables["tracking"] = metrics.per_step
        tables["interceptors"] = _interceptor_table(rec, flights)
    return Result(summary=summary, scenario=scenario, threats=threats, events=events, **tables)


def _json_number(value: float) -> float | int | None:
    """Plain JSON number (NaN becomes null)."""
    if isinstance(value, int | np.integer):
        return int(value)
    value = float(value)
    return None if not np.isfinite(value) else value


def engagement_table(rec: RunRecord, flights: InterceptorFlights) -> pd.DataFrame:
    """``engagements.parquet``: one row per interceptor fired, from plan to outcome."""
    lat, lon, alt = enu_to_geodetic(flights.planned_aim_m, rec.origin)
    launch_pos = flights.launch_position_m
    outcome = np.where(~flights.resolved, "in_flight", np.where(flights.killed, "kill", "miss"))
    return pd.DataFrame({
        "interceptor_id": np.arange(len(flights), dtype=np.int64),
        "launcher": pd.array([rec.launchers.name[i] for i in flights.launcher], dtype="string"),
        "interceptor_class": pd.array([rec.classes.name[i] for i in flights.class_index],
                                      dtype="string"),
        "track_id": flights.track_id.astype(np.int64),
        "target_threat_id": rec.interceptor_target.astype(np.int64),
        "on_dead_track": rec.interceptor_on_dead.astype(bool),
        "launch_time_s": flights.launch_time_s,
        "intercept_time_s": flights.intercept_time_s,
        "planned_east_m": flights.planned_aim_m[:, 0],
        "planned_north_m": flights.planned_aim_m[:, 1],
        "planned_up_m": flights.planned_aim_m[:, 2],
        "planned_lat_deg": lat, "planned_lon_deg": lon, "planned_alt_m": alt,
        "planned_range_m": np.linalg.norm(flights.planned_aim_m - launch_pos, axis=1),
        "miss_distance_m": flights.miss_distance_m,
        "closing_speed_mps": flights.closing_speed_mps,
        "end_game_pk": flights.pk,
        "outcome": pd.array(outcome, dtype="string"),
    })


def _interceptor_table(rec: RunRecord, flights: InterceptorFlights) -> pd.DataFrame:
    df = rec.recorder.interceptors_frame(rec.origin)
    iid = df["interceptor_id"].to_numpy()
    lau = flights.launcher[iid] if len(flights) else np.empty(0, np.int64)
    cls = flights.class_index[iid] if len(flights) else np.empty(0, np.int64)
    df.insert(2, "launcher", pd.array([rec.launchers.name[i] for i in lau], dtype="string"))
    df.insert(3, "interceptor_class", pd.array([rec.classes.name[i] for i in cls], dtype="string"))
    df.insert(4, "target_threat_id", rec.interceptor_target[iid] if len(flights) else iid)
    return df


def _seed_label(seed: int | np.random.SeedSequence) -> int | str:
    if isinstance(seed, np.random.SeedSequence):
        return f"{seed.entropy}:{','.join(map(str, seed.spawn_key))}"
    return int(seed)
