"""World stage: the raid. Scenario threat groups -> one ``ThreatSet`` -> ``TruthBatch`` per time.

In: the validated scenario and the scenario origin. Out: for any time, every threat's true
position and velocity in scenario ENU, whether it is in the air, and its static attributes.
Everything is evaluated for all threats at once (see ``iadsim.world.trajectories``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.scenario.model import THREAT_TYPES, Scenario, ThreatGroup
from iadsim.scenario.threat_spec import ROLES
from iadsim.world.ballistic_tables import BallisticTables
from iadsim.world.ballistic_tables import flat_rows as flat_table_rows
from iadsim.world.ballistic_tables import tables as ballistic_tables
from iadsim.world.evasion import Evasion, EvasionParams
from iadsim.world.frames import GRAVITY_MPS2, Origin, geodetic_to_enu, surface_point_to_enu
from iadsim.world.raid import (
    arrival_times_s,
    check_launch_times,
    popup_path,
    solve_ballistic_group,
    standoff_path,
    weapon_path,
)
from iadsim.world.recorded import RecordedTracks, concat_tracks, read_trajectory_file, take_tracks
from iadsim.world.trajectories import WaypointPaths, ballistic_paths, build_waypoint_paths

THREAT_CODE = {name: code for code, name in enumerate(THREAT_TYPES)}

_FD_STEP_S = 0.05  # central-difference step for velocities


@dataclass(frozen=True, slots=True)
class TruthBatch:
    """True state of the threats in the air at one time, one row per threat."""

    time_s: float
    threat_id: NDArray[np.int64]  # (n,)
    position_enu_m: NDArray[np.float64]  # (n, 3)
    velocity_enu_mps: NDArray[np.float64]  # (n, 3)
    rcs_m2: NDArray[np.float64]  # (n,)
    threat_type: NDArray[np.int8]  # (n,) index into THREAT_TYPES

    def __len__(self) -> int:
        return int(self.threat_id.shape[0])


@dataclass(frozen=True, slots=True)
class ThreatSet:
    """Every threat of a scenario: static attributes plus closed-form paths.

    Threat ``i`` has ``threat_id == i``. Waypoint threats are rows ``waypoint_rows`` of the set,
    evaluated by ``waypoint_paths``; ballistic ones (and their boosters and debris) are
    ``ballistic_rows``, sampled from the precomputed ``ballistic`` tables.
    """

    name: Sequence[str]  # a list when DIS in names its slots during the run
    group: Sequence[str]
    threat_type: NDArray[np.int8]
    rcs_m2: NDArray[np.float64]
    launch_time_s: NDArray[np.float64]
    end_time_s: NDArray[np.float64]  # launch + time to fly the whole path
    aim_asset: NDArray[np.int64]  # index of the asset flown at, -1 for none
    origin: Origin
    waypoint_rows: NDArray[np.intp]
    waypoint_paths: WaypointPaths
    ballistic_rows: NDArray[np.intp]
    ballistic: BallisticTables
    recorded_rows: NDArray[np.intp] = field(default_factory=lambda: np.empty(0, np.intp))
    recorded: RecordedTracks = field(default_factory=lambda: concat_tracks([]))
    recorded_track: NDArray[np.intp] = field(default_factory=lambda: np.empty(0, np.intp))
    recorded_shift_s: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    """Recorded threats (``trajectory_file``): row ``recorded_rows[k]`` flies track
    ``recorded_track[k]`` of ``recorded`` at file time = run time + ``recorded_shift_s[k]``."""
    external_rows: NDArray[np.intp] = field(default_factory=lambda: np.empty(0, np.intp))
    external: Any = None
    """DIS-in threats (``iadsim.interop.dis.session``): ``external.positions_enu(t)`` gives
    the dead-reckoned positions of rows ``external_rows`` at run times ``t``."""
    evasion: Evasion | None = None
    """Aircraft that may break when a missile is inbound (``world.evasion``; mutable state)."""
    role: NDArray[np.int8] | None = None
    """Index into ``ROLES`` per row (None: every row a threat)."""
    ballistic_coefficient_kg_m2: NDArray[np.float64] | None = None
    """Per row: a ballistic object's own beta (re-entry vehicle or glider, booster, debris,
    decoy); NaN for the others and the flat-vacuum model (None: not known)."""
    weapon_rows: NDArray[np.intp] = field(default_factory=lambda: np.empty(0, np.intp))
    weapon_carrier: NDArray[np.intp] = field(default_factory=lambda: np.empty(0, np.intp))
    """Stand-off weapons: row ``weapon_rows[k]`` is released by ``weapon_carrier[k]`` (it never
    flies if its carrier is gone before the release: ``WorldState.destroy_threats``)."""

    def __len__(self) -> int:
        return int(self.threat_type.shape[0])

    def in_air(self, time_s: float) -> NDArray[np.bool_]:
        """Launched and not yet at the end of the path, (n,)."""
        return (self.launch_time_s <= time_s) & (time_s < self.end_time_s)

    def positions(self, time_s: float | NDArray[np.float64]) -> NDArray[np.float64]:
        """ENU positions of all threats at ``time_s`` (scalar or (n,)), clipped to their path."""
        n = len(self)
        t = np.broadcast_to(np.asarray(time_s, dtype=float), (n,))
        out = np.empty((n, 3))
        rows = self.waypoint_rows
        if rows.size:
            speed = self.waypoint_paths.speed_mps
            st = self.waypoint_paths.evaluate((t[rows] - self.launch_time_s[rows]) * speed)
            out[rows] = surface_point_to_enu(
                st.east_north_m[:, 0], st.east_north_m[:, 1], st.height_m, self.origin
            )
        ev = self.evasion
        if ev is not None and np.isfinite(ev.start_s).any():  # breaking aircraft leave the path
            on, plane, height = ev.plane_state(t[ev.rows])
            out[ev.rows[on]] = surface_point_to_enu(plane[:, 0], plane[:, 1], height, self.origin)
        rows = self.ballistic_rows
        if rows.size:
            out[rows] = self.ballistic.positions_enu(t[rows] - self.launch_time_s[rows])
        rows = self.recorded_rows
        if rows.size:
            out[rows] = self.recorded.positions_enu(self.recorded_track,
                                                    t[rows] + self.recorded_shift_s, self.origin)
        if self.external is not None and self.external_rows.size:
            out[self.external_rows] = self.external.positions_enu(t[self.external_rows])
        return out

    def truth_at(self, time_s: float, alive: NDArray[np.bool_] | None = None) -> TruthBatch:
        """True state of the threats in the air (and ``alive``, if given) at ``time_s``."""
        mask = self.in_air(time_s)
        if alive is not None:
            mask &= alive
        ids = np.flatnonzero(mask)
        pos, vel = self.state(time_s)
        return TruthBatch(
            time_s=float(time_s),
            threat_id=ids.astype(np.int64),
            position_enu_m=pos[ids],
            velocity_enu_mps=vel[ids],
            rcs_m2=self.rcs_m2[ids],
            threat_type=self.threat_type[ids],
        )

    def start_evasion(self, idx: NDArray[np.intp], time_s: float) -> None:
        """Rows ``evasion.rows[idx]`` break at ``time_s``: keep their planned state there."""
        assert self.evasion is not None
        rows = self.evasion.rows[idx]
        wp = self.waypoint_paths
        st = wp.evaluate((time_s - self.launch_time_s[self.waypoint_rows]) * wp.speed_mps)
        at = np.searchsorted(self.waypoint_rows, rows)
        self.evasion.begin(idx, st.east_north_m[at], st.direction[at], st.height_m[at],
                           wp.speed_mps[at])

    def state(self, time_s: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Positions and velocities (central difference) of all threats, each (n, 3)."""
        pos = self.positions(time_s)
        ahead = self.positions(time_s + _FD_STEP_S)
        behind = self.positions(time_s - _FD_STEP_S)
        return pos, (ahead - behind) / (2.0 * _FD_STEP_S)


def build_threats(scenario: Scenario, origin: Origin) -> ThreatSet:
    """Expand the scenario's threat groups into one ``ThreatSet`` (deterministic, no rng).

    Rows are the groups' members in order, then the objects a raid adds: separated boosters and
    debris of ballistic groups, and the stand-off weapons of strike aircraft (each weapon's
    carrier in ``weapon_carrier``).
    """
    assets = {a.name: i for i, a in enumerate(scenario.defended_assets)}
    radius = {a.name: a.radius_m for a in scenario.defended_assets}
    asset_enu = {
        a.name: geodetic_to_enu(a.position.lat_deg, a.position.lon_deg, 0.0, origin)
        for a in scenario.defended_assets
    }
    names, groups, types, rcs, launch, aim = [], [], [], [], [], []
    wp_rows, wp_points, wp_heights, wp_speed, wp_turn = [], [], [], [], []
    bm_rows, bm_table = [], []
    flat_rows_, flat_start, flat_aim, flat_apogee, flat_time = [], [], [], [], []
    rec_rows: list[int] = []
    rec_parts: list[RecordedTracks] = []
    rec_shift: list[NDArray[np.float64]] = []
    tot_rows: list[tuple[str, ThreatGroup, list[int]]] = []  # time-on-target waves
    evade: list[tuple[int, Any]] = []  # (row, EvasionSpec)
    extras: list[dict[str, Any]] = []  # rows appended after the groups
    row = 0
    for g_index, g in enumerate(scenario.threats):
        label = g.name or f"{g.type}-{g_index}"
        where = f"threats[{g_index}]"
        if g.trajectory_file is not None:  # one threat per recorded id, checked at load
            tracks = take_tracks(read_trajectory_file(g.trajectory_file), g.count)
            t0_file = float(tracks.time_s.min())
            for k, track_id in enumerate(tracks.track_id):
                names.append(f"{label}-{track_id}")
                groups.append(label)
                types.append(THREAT_CODE[g.type])
                rcs.append(g.rcs_m2)
                launch.append(g.launch_time_s + float(tracks.start_time_s[k]) - t0_file)
                aim.append(-1)
                rec_rows.append(row)
                row += 1
            rec_parts.append(tracks)
            rec_shift.append(np.full(len(tracks), t0_file - g.launch_time_s))
            continue
        assert g.start is not None  # model-validated
        start = geodetic_to_enu(g.start.lat_deg, g.start.lon_deg, 0.0, origin)[:2]
        route = [geodetic_to_enu(w.lat_deg, w.lon_deg, 0.0, origin)[:2] for w in g.route]
        if g.aim is not None:
            route.append(asset_enu[g.aim][:2])
        level = g.height_m if g.type == "cruise_missile" else g.altitude_m
        first_dir = route[0] - start
        first_dir = first_dir / max(float(np.linalg.norm(first_dir)), 1e-9)
        abreast = np.array([-first_dir[1], first_dir[0]])
        solved = None
        if g.type == "ballistic_missile" and g.ballistic.model == "rotating_earth":
            assert g.aim is not None  # model-validated
            pos = scenario.defended_assets[assets[g.aim]].position
            solved = solve_ballistic_group(
                where, g, pos.lat_deg, pos.lon_deg, origin,
                speed_limit_mps=scenario.command.fire_control.speed_limit_mps("ballistic_missile"))
        members = []
        for k in range(g.count):
            names.append(f"{label}-{k + 1}")
            groups.append(label)
            types.append(THREAT_CODE[g.type])
            rcs.append(g.rcs_m2)
            launch.append(g.launch_time_s + k * g.spacing_s)
            aim.append(assets[g.aim] if g.aim is not None else -1)
            members.append(row)
            if g.evasion is not None:
                evade.append((row, g.evasion))
            offset = (k - (g.count - 1) / 2.0) * g.lateral_spacing_m * abreast
            if solved is not None:
                bm_rows.append(row)
                bm_table.append(solved.vehicle)
                extras += [dict(kind="separated", carrier=row, row_data=r, after_s=t_c, rcs=c,
                                name=f"{label}-{k + 1}-{what}", group=label,
                                role=ROLES.index(what.split("-")[0]),
                                beta=_piece_beta(g, what))
                           for r, t_c, c, what in solved.separated]
            elif g.type == "ballistic_missile":
                flat_rows_.append(row)
                flat_start.append(start)
                flat_aim.append(route[-1])
                flat_apogee.append(np.nan if g.apogee_m is None else g.apogee_m)
                flat_time.append(np.nan if g.flight_time_s is None else g.flight_time_s)
            else:
                assert g.speed_mps is not None and level is not None  # model-validated
                wp_rows.append(row)
                points = np.vstack([start, *route]) + offset
                if g.aim is not None:  # abreast, but every member still ends over the asset
                    points[-1] = route[-1] + offset * min(
                        1.0, 0.5 * radius[g.aim] / max(float(np.linalg.norm(offset)), 1e-9))
                heights = [level] + [w.alt_m if w.alt_m is not None else level for w in g.route]
                if g.aim is not None:
                    heights.append(heights[-1])
                hts = np.asarray(heights, float)
                if g.popup_range_m is not None:
                    points, hts = popup_path(g, points, hts)
                if g.standoff is not None:
                    rel = standoff_path(g, points, hts)
                    for m in range(g.standoff.count):
                        extras.append(dict(
                            kind="weapon", carrier=row, name=f"{label}-{k + 1}-weapon-{m + 1}",
                            group=f"{label}-weapons", rcs=g.standoff.rcs_m2,
                            after_s=rel.release_distance_m / g.speed_mps
                            + m * g.standoff.release_interval_s,
                            path=weapon_path(g, rel.release_m, float(hts[-1]), points[-1]),
                            speed=g.standoff.speed_mps, turn=g.turn_rate_deg_s,
                            aim=assets[g.aim] if g.aim is not None else -1))
                    points, hts = rel.points_m, rel.heights_m
                wp_points.append(points)
                wp_heights.append(hts)
                wp_speed.append(g.speed_mps)
                wp_turn.append(np.radians(g.turn_rate_deg_s))
            row += 1
        if g.time_on_target_s is not None:
            tot_rows.append((where, g, members))
            if solved is not None:  # ballistic: the flight time is known now
                for m, r in enumerate(members):
                    launch[r] = float(arrival_times_s(g)[m]) - solved.flight_time_s
    weapon_rows, weapon_carrier = [], []
    roles = [0] * row
    betas = [_vehicle_beta(scenario.threats, groups, r) for r in range(row)]
    for x in extras:
        roles.append(x.get("role", 0))
        betas.append(x.get("beta", np.nan))
        names.append(x["name"])
        groups.append(x["group"])
        rcs.append(x["rcs"])
        launch.append(launch[x["carrier"]] + x["after_s"])
        if x["kind"] == "separated":
            types.append(THREAT_CODE["ballistic_missile"])
            aim.append(-1)
            bm_rows.append(row)
            bm_table.append(x["row_data"])
        else:
            types.append(THREAT_CODE["cruise_missile"])
            aim.append(x["aim"])
            wp_rows.append(row)
            wp_points.append(x["path"][0])
            wp_heights.append(x["path"][1])
            wp_speed.append(x["speed"])
            wp_turn.append(np.radians(x["turn"]))
            weapon_rows.append(row)
            weapon_carrier.append(x["carrier"])
        row += 1
    wp = build_waypoint_paths(wp_points, wp_heights, np.asarray(wp_speed, float),
                              np.asarray(wp_turn, float))
    launch_arr = np.asarray(launch, float)
    wp_idx = np.asarray(wp_rows, np.intp)
    wp_time = wp.length_m / np.maximum(wp.speed_mps, 1e-9)
    for where, g, members in tot_rows:  # time on target: launch = arrival - time to fly
        if g.type == "ballistic_missile":
            check_launch_times(where, g, launch_arr[members])
            continue
        at = np.searchsorted(wp_idx, members)  # waypoint rows are in row order
        launch_arr[members] = arrival_times_s(g) - wp_time[at]
        check_launch_times(where, g, launch_arr[members])
    if flat_rows_:
        flat = ballistic_paths(
            np.asarray(flat_start, float).reshape(-1, 2),
            np.asarray(flat_aim, float).reshape(-1, 2),
            np.asarray(flat_apogee, float), np.asarray(flat_time, float))
        bm_rows, bm_table = [*flat_rows_, *bm_rows], [*flat_table_rows(flat, origin), *bm_table]
    order = np.argsort(np.asarray(bm_rows, np.intp), kind="stable")
    bm_idx = np.asarray(bm_rows, np.intp)[order]
    bm = ballistic_tables([bm_table[i] for i in order])
    end = launch_arr.copy()
    end[wp_idx] += wp_time
    end[bm_idx] += bm.duration_s
    recorded = concat_tracks(rec_parts)
    rec_idx = np.asarray(rec_rows, np.intp)
    end[rec_idx] += recorded.end_time_s - recorded.start_time_s
    return ThreatSet(
        name=tuple(names), group=tuple(groups), threat_type=np.asarray(types, np.int8),
        rcs_m2=np.asarray(rcs, float), launch_time_s=launch_arr, end_time_s=end,
        aim_asset=np.asarray(aim, np.int64), origin=origin,
        waypoint_rows=wp_idx, waypoint_paths=wp, ballistic_rows=bm_idx, ballistic=bm,
        recorded_rows=rec_idx, recorded=recorded,
        recorded_track=np.arange(len(recorded), dtype=np.intp),
        recorded_shift_s=np.concatenate(rec_shift) if rec_shift else np.empty(0),
        evasion=_evasion(evade),
        role=np.asarray(roles, np.int8),
        ballistic_coefficient_kg_m2=np.asarray(betas, float),
        weapon_rows=np.asarray(weapon_rows, np.intp),
        weapon_carrier=np.asarray(weapon_carrier, np.intp),
    )


def _piece_beta(g: ThreatGroup, what: str) -> float:
    """Ballistic coefficient of a separated ``booster``, ``debris-k`` or ``decoy-k``."""
    b = g.ballistic
    return {"booster": b.booster_ballistic_coefficient_kg_m2,
            "debris": b.debris_ballistic_coefficient_kg_m2,
            "decoy": b.decoy_ballistic_coefficient_kg_m2}[what.split("-")[0]]


def _vehicle_beta(groups_spec: Sequence[ThreatGroup], labels: list[str], row: int) -> float:
    """Ballistic coefficient of a group member (NaN: not a rotating-earth ballistic one)."""
    for k, g in enumerate(groups_spec):
        if (g.name or f"{g.type}-{k}") == labels[row]:
            if g.type != "ballistic_missile" or g.ballistic.model != "rotating_earth":
                return float("nan")
            return (g.glide.ballistic_coefficient_kg_m2 if g.glide is not None
                    else g.ballistic.ballistic_coefficient_kg_m2)
    return float("nan")


def _evasion(evade: list[tuple[int, Any]]) -> Evasion | None:
    """The evasion state of the rows whose group has an ``evasion`` spec (None: no such row)."""
    if not evade:
        return None
    specs = [e for _r, e in evade]
    return Evasion(EvasionParams(
        rows=np.array([r for r, _e in evade], np.intp),
        probability=np.array([e.probability for e in specs], float),
        max_load_factor_g=np.array([e.max_load_factor_g for e in specs], float),
        turn_rad=np.radians([e.turn_deg for e in specs]),
        descent_rate_mps=np.array([e.descent_rate_mps for e in specs], float),
        floor_altitude_m=np.array([e.floor_altitude_m for e in specs], float),
        vertical_accel_mps2=GRAVITY_MPS2 * np.array([e.vertical_accel_g for e in specs], float),
    ))
