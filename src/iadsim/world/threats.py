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

from iadsim.scenario.model import THREAT_TYPES, Scenario
from iadsim.world.frames import Origin, geodetic_to_enu, surface_point_to_enu
from iadsim.world.recorded import RecordedTracks, concat_tracks, read_trajectory_file, take_tracks
from iadsim.world.trajectories import (
    BallisticPaths,
    WaypointPaths,
    ballistic_paths,
    build_waypoint_paths,
)

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
    evaluated by ``waypoint_paths``; ballistic ones are ``ballistic_rows``.
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
    ballistic: BallisticPaths
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
        rows = self.ballistic_rows
        if rows.size:
            st = self.ballistic.evaluate(t[rows] - self.launch_time_s[rows])
            out[rows] = surface_point_to_enu(
                st.east_north_m[:, 0], st.east_north_m[:, 1], st.height_m, self.origin
            )
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

    def state(self, time_s: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Positions and velocities (central difference) of all threats, each (n, 3)."""
        pos = self.positions(time_s)
        ahead = self.positions(time_s + _FD_STEP_S)
        behind = self.positions(time_s - _FD_STEP_S)
        return pos, (ahead - behind) / (2.0 * _FD_STEP_S)


def build_threats(scenario: Scenario, origin: Origin) -> ThreatSet:
    """Expand the scenario's threat groups into one ``ThreatSet`` (deterministic, no rng)."""
    assets = {a.name: i for i, a in enumerate(scenario.defended_assets)}
    radius = {a.name: a.radius_m for a in scenario.defended_assets}
    asset_enu = {
        a.name: geodetic_to_enu(a.position.lat_deg, a.position.lon_deg, 0.0, origin)
        for a in scenario.defended_assets
    }
    names, groups, types, rcs, launch, aim = [], [], [], [], [], []
    wp_rows, wp_points, wp_heights, wp_speed, wp_turn = [], [], [], [], []
    bm_rows, bm_start, bm_aim, bm_apogee, bm_time = [], [], [], [], []
    rec_rows: list[int] = []
    rec_parts: list[RecordedTracks] = []
    rec_shift: list[NDArray[np.float64]] = []
    row = 0
    for g_index, g in enumerate(scenario.threats):
        label = g.name or f"{g.type}-{g_index}"
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
        for k in range(g.count):
            names.append(f"{label}-{k + 1}")
            groups.append(label)
            types.append(THREAT_CODE[g.type])
            rcs.append(g.rcs_m2)
            launch.append(g.launch_time_s + k * g.spacing_s)
            aim.append(assets[g.aim] if g.aim is not None else -1)
            offset = (k - (g.count - 1) / 2.0) * g.lateral_spacing_m * abreast
            if g.type == "ballistic_missile":
                bm_rows.append(row)
                bm_start.append(start)
                bm_aim.append(route[-1])
                bm_apogee.append(np.nan if g.apogee_m is None else g.apogee_m)
                bm_time.append(np.nan if g.flight_time_s is None else g.flight_time_s)
            else:
                assert g.speed_mps is not None and level is not None  # model-validated
                wp_rows.append(row)
                points = np.vstack([start, *route]) + offset
                if g.aim is not None:  # abreast, but every member still ends over the asset
                    points[-1] = route[-1] + offset * min(
                        1.0, 0.5 * radius[g.aim] / max(float(np.linalg.norm(offset)), 1e-9))
                wp_points.append(points)
                heights = [level] + [w.alt_m if w.alt_m is not None else level for w in g.route]
                if g.aim is not None:
                    heights.append(heights[-1])
                wp_heights.append(np.asarray(heights, float))
                wp_speed.append(g.speed_mps)
                wp_turn.append(np.radians(g.turn_rate_deg_s))
            row += 1
    wp = build_waypoint_paths(wp_points, wp_heights, np.asarray(wp_speed, float),
                              np.asarray(wp_turn, float))
    bm = ballistic_paths(
        np.asarray(bm_start, float).reshape(-1, 2), np.asarray(bm_aim, float).reshape(-1, 2),
        np.asarray(bm_apogee, float), np.asarray(bm_time, float),
    )
    launch_arr = np.asarray(launch, float)
    end = launch_arr.copy()
    wp_idx, bm_idx = np.asarray(wp_rows, np.intp), np.asarray(bm_rows, np.intp)
    end[wp_idx] += wp.length_m / np.maximum(wp.speed_mps, 1e-9)
    end[bm_idx] += bm.flight_time_s
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
    )
