"""Firing doctrine and the command cycle: which tracks may be engaged now, and with what.

Every ``cycle_s`` the command centre

1. picks the tracks it may engage: the threat confirmed ``reaction_time_s`` ago, not already
   engaged (an interceptor in flight, a salvo still rippling, or an outcome not yet assessed:
   shoot-look-shoot; engagement state follows the threat across re-formed tracks, see
   ``command.continuity``), of fire-control quality (updated by a fire-control radar within
   ``fire_control.max_update_age_s`` and after the last intercept on it, position and velocity
   sigmas under the requirements, speed credible for its reported type), valued at least
   ``hold_fire_below_value``, and under weapons tight only those heading for a defended asset;
2. classifies them from their kinematics (with the optional confusion matrix) and values them:
   threat evaluation score (asset value over time to reach it, from the closest point of
   approach) x the type's ``threat_value`` weight x its ``threat_lethality``;
3. plans every (ready launcher, track) pair: intercept point with the class's boost/coast
   profile (a ballistic classification adds gravity to the track's motion; any other holds
   its height above the earth, its noisy vertical velocity not extrapolated), inside the
   envelope, before the threat reaches its asset (a launcher short of a full salvo fires what
   it has) and, for threats other than ballistic missiles, the class's ballistic reserve left
   untouched;
   layered defence keeps only the longest-reaching class that can engage each threat;
4. solves the weapon-target assignment (``exact``, ``fast`` or ``auto``; or ``greedy``) with one
   salvo per launcher and at most one salvo per threat per cycle (the doctrine looks before it
   shoots again), and the fire-control channels as a limit;
5. fires the first round of each salvo now and ripples the rest as the launcher's launch
   interval allows, while the guidance channels (interceptors in flight) permit.

A missed threat is re-engaged after its kill assessment (``command.kill_assessment``), while the
envelope and time allow; a threat reported killed is no longer engaged and its tracks are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from iadsim.command.assignment import Method, make_problem, solve
from iadsim.command.continuity import TrackContinuity
from iadsim.command.greedy import assign_greedy
from iadsim.command.kill_assessment import KillAssessment, KillReports
from iadsim.command.lookahead import early_types, plan_pairs
from iadsim.command.discrimination import Discrimination
from iadsim.command.plausibility import credible_motion
from iadsim.command.reserves import ReserveState, keep_within_reserve, reserve_pairs
from iadsim.command.threat_evaluation import (classify_tracks, diving_on_radar,
                                              evaluate_threats, radar_positions_enu_m,
                                              track_altitude_m, value_arms_by_radar)
from iadsim.engagement.intercept import inside_envelope, intercept_boost_coast
from iadsim.engagement.interceptors import EngagementOrder, InterceptorFlights, InterceptResults
from iadsim.engagement.launchers import InterceptorClasses, Launchers
from iadsim.scenario.command_spec import CommandSpec, channel_limits, fire_control_sensors
from iadsim.scenario.model import THREAT_TYPES, Scenario
from iadsim.tracking.batch import TrackBatch
from iadsim.world.frames import GRAVITY_MPS2, Origin
from iadsim.world.state import WorldState

BALLISTIC = THREAT_TYPES.index("ballistic_missile")
WTA_TIME_LIMIT_S = 2.0
"""Wall-clock budget of one command cycle's assignment."""
LOOK_GATE_SIGMA = 5.0
LOOK_GATE_MIN_M = 1_000.0
"""An intercept within this distance (and 5 position sigmas) of a coasting track's predicted
position counts as an intercept on it: the track needs a fire-control update after it."""


@dataclass
class _Ripple:
    """Rounds of a salvo still to fire: launcher, track, rounds left."""

    launcher: int
    track_id: int
    rounds_left: int
    salvo_size: int = 1
    reported_type: str = ""
    value: float = float("nan")


class CommandCentre:
    """Threat evaluation and weapon assignment every ``cycle_s``, under the doctrine."""

    def __init__(
        self,
        spec: CommandSpec,
        classes: InterceptorClasses,
        origin: Origin,
        asset_position_enu_m: NDArray[np.float64],
        asset_value: NDArray[np.float64],
        asset_radius_m: NDArray[np.float64],
        *,
        channels: tuple[int | None, int | None] = (None, None),
        fire_control_sensor: Sequence[bool] | None = None,
        rng: np.random.Generator,
        radar_enu_m: NDArray[np.float64] | None = None,
    ) -> None:
        self.spec = spec
        self.radar_enu_m = radar_enu_m  # ew: the radars anti-radiation missiles dive on
        self.classes = classes
        self.origin = origin
        self.asset_position_enu_m = asset_position_enu_m
        self.asset_value = asset_value
        self.asset_radius_m = asset_radius_m
        self.fire_control_channels, self.guidance_channels = channels
        self.fire_control_sensor = (
            None if fire_control_sensor is None else np.asarray(fire_control_sensor, bool)
        )
        self.rng, assess_rng = rng.spawn(2)  # classification and assessment draws apart
        self.kill_assessment = KillAssessment(
            spec.kill_assessment_s, spec.kill_assessment_pc, rng=assess_rng
        )
        self.continuity = TrackContinuity()
        fc = spec.fire_control
        self._fc_sigma_m = np.array(
            [fc.max_track_sigma_m.get(c, spec.max_track_sigma_m) for c in classes.name]
        )
        self._last_intercept_s: dict[int, float] = {}  # per engagement key
        self._burst_s = np.empty(0)  # every intercept the command has seen: time and point
        self._burst_m = np.empty((0, 3))
        self._profile = classes.profile()
        self._envelope = classes.envelope()
        self._salvo = np.array(
            [[spec.salvo_size(c, t) for t in THREAT_TYPES] for c in classes.name], dtype=np.int64
        ).reshape(len(classes.name), len(THREAT_TYPES))
        self._reserve = np.array([spec.ballistic_reserve.get(c, 0) for c in classes.name])
        weight: dict[str, float] = {str(k): v for k, v in spec.threat_value.items()}
        lethality: dict[str, float] = {str(k): v for k, v in spec.threat_lethality.items()}
        self._type_weight = np.array([weight.get(t, 1.0) for t in THREAT_TYPES])
        self._lethality = np.array([lethality.get(t, 1.0) for t in THREAT_TYPES])
        self._confirmed_at: dict[int, float] = {}
        self._draw: dict[int, float] = {}
        self.discrimination: Discrimination | None = None  # decoys (#19), set by the wiring
        self._ripples: list[_Ripple] = []
        self._next_cycle_s = 0.0
        self.reserves = ReserveState()  # release events: ``pop_events``
        self._ballistic_in_view = False

    @classmethod
    def from_scenario(
        cls, scenario: Scenario, classes: InterceptorClasses, origin: Origin,
        assets: tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]], *,
        rng: np.random.Generator,
    ) -> CommandCentre:
        """The command centre of ``scenario``: its doctrine, channel limits and fire-control
        radars; ``assets`` are the asset positions (a, 3) in ENU, values and radii."""
        return cls(scenario.command, classes, origin, *assets, channels=channel_limits(scenario),
                   fire_control_sensor=fire_control_sensors(scenario), rng=rng,
                   radar_enu_m=radar_positions_enu_m(scenario.sensors, origin))

    def note_confirmed(self, track_ids: NDArray[np.int64], time_s: float) -> None:
        """Start the reaction clock of newly confirmed tracks (by engagement key)."""
        for key in self.continuity.key_of(np.asarray(track_ids, np.int64)).tolist():
            self._confirmed_at.setdefault(int(key), time_s)

    def assess_kills(
        self, res: InterceptResults, flights: InterceptorFlights, world: WorldState,
        time_s: float,
    ) -> KillReports:
        """Queue this step's intercepts for assessment; the reports due by now.

        Whether each engaged threat is in fact gone comes from the world state (what the
        assessment observes, right with probability ``kill_assessment_pc``); every track
        carrying a reported-killed threat's key is in ``drop_track_id``, for the tracker to drop.
        """
        tid = res.threat_id
        gone = (tid < 0) | ~world.threat_alive[np.maximum(tid, 0)] if len(world.threat_alive) \
            else np.ones(len(tid), bool)
        track = flights.track_id[res.interceptor_id]
        self.kill_assessment.add(track, res.time_s, gone, interceptor_id=res.interceptor_id)
        for key, t in zip(self.continuity.key_of(track).tolist(), res.time_s.tolist(),
                          strict=True):
            self._last_intercept_s[key] = max(t, self._last_intercept_s.get(key, -np.inf))
        point = flights.detonation_m[res.interceptor_id]  # its own rounds: no truth
        seen = np.isfinite(point).all(axis=1)
        self._burst_s = np.concatenate([self._burst_s, res.time_s[seen]])
        self._burst_m = np.vstack([self._burst_m, point[seen]])
        due = self.kill_assessment.due(time_s)
        keys = self.continuity.retire(self.continuity.key_of(due.track_id[due.kill]))
        self._ripples = [r for r in self._ripples
                         if not np.isin(self.continuity.key_of(np.array([r.track_id])), keys)[0]]
        return replace(due, drop_track_id=self.continuity.tracks_of(keys))

    def busy_tracks(self, flights: InterceptorFlights, time_s: float) -> NDArray[np.int64]:
        """Engagement keys with an interceptor in flight, a salvo rippling or an outcome not
        assessed (a track's key is its own id unless it continues an older track)."""
        rippling = np.array([r.track_id for r in self._ripples], dtype=np.int64)
        busy = np.concatenate([flights.track_id[~flights.resolved], rippling,
                               self.kill_assessment.pending_track_id])
        return np.unique(self.continuity.key_of(busy))

    def fire_control_quality(
        self, tracks: TrackBatch, key: NDArray[np.int64], kind: NDArray[np.int64],
        time_s: float,
    ) -> NDArray[np.bool_]:
        """Tracks a round may be launched on, before the per-class sigma requirement (n,).

        Updated by a fire-control radar within ``max_update_age_s`` and after the last intercept
        on the threat (the look of shoot-look-shoot), velocity sigma under the requirement,
        speed credible for the reported type at its height above the earth
        (``command.plausibility.credible_motion``: top speed, dynamic pressure for air
        breathers; specific energy and the apogee floor for ballistic missiles).
        """
        fc = self.spec.fire_control
        ok = np.ones(len(tracks), bool)
        if tracks.last_hit_s is not None:
            hits = tracks.last_hit_s
            if self.fire_control_sensor is not None:
                hits = np.where(self.fire_control_sensor[None, :], hits, -np.inf)
            last_fc = hits.max(axis=1, initial=-np.inf)
            looked = np.array([self._last_intercept_s.get(int(k), -np.inf)
                               for k in key.tolist()])
            looked = np.maximum(looked, self._burst_near(tracks, last_fc))
            ok &= (time_s - last_fc <= fc.max_update_age_s) & (last_fc > looked)
        vel_sigma = np.sqrt(np.trace(tracks.covariance[:, 3:, 3:], axis1=1, axis2=2) / 3.0)
        ok &= vel_sigma <= fc.max_velocity_sigma_mps
        # speed credible for the reported type at the track's height (command.plausibility)
        return ok & credible_motion(tracks.position_enu_m, tracks.velocity_enu_mps, kind, fc,
                                    self.origin)

    def _burst_near(self, tracks: TrackBatch, last_fc_s: NDArray[np.float64]
                    ) -> NDArray[np.float64]:
        """Latest intercept (any round's, on any track) after each track's last fire-control
        update ``last_fc_s`` (n,) and within ``LOOK_GATE_SIGMA`` position sigmas (at least
        ``LOOK_GATE_MIN_M``) of where the track was then, ``(n,)`` (-inf: none). A track
        coasting through an intercept may have lost its threat there: look before shooting."""
        out = np.full(len(tracks), -np.inf)
        recent = self._burst_s > last_fc_s.min(initial=np.inf)
        if not recent.any() or len(tracks) == 0:
            return out
        t_b, p_b = self._burst_s[recent], self._burst_m[recent]  # (b,), (b, 3)
        back = (t_b[None, :] - tracks.time_s[:, None])[..., None]  # (n, b, 1)
        then = tracks.position_enu_m[:, None, :] + tracks.velocity_enu_mps[:, None, :] * back
        gate = np.maximum(LOOK_GATE_SIGMA * tracks.position_sigma_m(), LOOK_GATE_MIN_M)
        near = (np.linalg.norm(then - p_b[None], axis=2) <= gate[:, None]) \
            & (t_b[None, :] > last_fc_s[:, None])
        return np.where(near, t_b[None, :], -np.inf).max(axis=1, initial=-np.inf)

    def cycle(
        self,
        time_s: float,
        tracks: TrackBatch,
        launchers: Launchers,
        flights: InterceptorFlights,
    ) -> list[EngagementOrder]:
        """Orders for this time: rippled salvo rounds, and new engagements on cycle times."""
        key = self.continuity.keys(tracks, time_s)
        self.note_confirmed(tracks.track_id[tracks.confirmed], time_s)
        in_flight = int(np.sum(~flights.resolved))
        orders = self._ripple(time_s, tracks, key, launchers, in_flight)
        if time_s + 1e-9 < self._next_cycle_s or len(tracks) == 0:
            return orders
        self._next_cycle_s = time_s + self.spec.cycle_s
        confirmed_at = np.array([self._confirmed_at.get(int(k), np.inf) for k in key.tolist()])
        kind = classify_tracks(tracks, self.spec.classification, self._draws(key), self.origin,
                               self.spec.fire_control, self.radar_enu_m)
        self._ballistic_in_view = bool(np.any(kind[tracks.confirmed] == BALLISTIC))
        eligible = (
            tracks.confirmed
            & (tracks.position_sigma_m() <= self._fc_sigma_m.max(initial=0.0))
            & (time_s - confirmed_at >= self.spec.reaction_time_s)
            & ~np.isin(key, self.busy_tracks(flights, time_s))
            & ~self.continuity.retired(key)
            & self.fire_control_quality(tracks, key, kind, time_s)
        )
        if self.discrimination is not None:  # decoys, debris, boosters recognised (#19)
            eligible &= ~self.discrimination.step(tracks, key, time_s)
        if len(np.unique(key[eligible])) < int(eligible.sum()):  # one track per threat
            first = np.zeros(len(tracks), bool)
            rows = np.flatnonzero(eligible)
            first[rows[np.unique(key[rows], return_index=True)[1]]] = True
            eligible &= first
        if not eligible.any():
            return orders
        available = launchers.available(time_s)
        available[[o.launcher for o in orders]] = False
        engaged = np.unique(flights.track_id[~flights.resolved]).size + len(self._ripples)
        if self.spec.assignment == "greedy":
            assessment = evaluate_threats(
                tracks, self.asset_position_enu_m, self.asset_value, self.asset_radius_m
            )
            room = len(tracks)
            if self.fire_control_channels is not None:
                room = min(room, max(self.fire_control_channels - engaged, 0))
            if self.guidance_channels is not None:
                room = min(room, max(self.guidance_channels - in_flight - len(orders), 0))
            return (
                orders
                + assign_greedy(
                    tracks,
                    assessment,
                    eligible,
                    available,
                    launchers.position_enu_m,
                    launchers.class_index,
                    self.classes,
                    time_s,
                    max_track_sigma_m=self._fc_sigma_m,
                    hold_height=kind != BALLISTIC,
                )[:room]
            )
        rows = np.flatnonzero(eligible)
        return orders + self._assign(
            time_s,
            tracks.take(rows),
            key[rows],
            launchers,
            available,
            engaged,
            in_flight + len(orders),
        )

    def pop_events(self) -> list[dict[str, object]]:
        """Doctrine events since the last call (``reserve_release``), for the event log."""
        out, self.reserves.events = self.reserves.events, []
        return out

    # ------------------------------------------------------------------ helpers

    def _draws(self, key: NDArray[np.int64]) -> NDArray[np.float64]:
        """One persistent uniform draw per engagement key (drawn in key order when first seen)."""
        for k in np.unique(key).tolist():
            if k not in self._draw:
                self._draw[k] = float(self.rng.random())
        return np.array([self._draw[k] for k in key.tolist()], dtype=float)

    def _now_state(
        self, tracks: TrackBatch, kind: NDArray[np.int64], time_s: float
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Track position, velocity and assumed acceleration brought to ``time_s``."""
        acc = np.zeros((len(tracks), 3))
        acc[kind == BALLISTIC, 2] = -GRAVITY_MPS2
        lead = (time_s - tracks.time_s)[:, None]
        pos = tracks.position_enu_m + tracks.velocity_enu_mps * lead + 0.5 * acc * lead**2
        vel = tracks.velocity_enu_mps + acc * lead
        return pos, vel, acc

    def _diving_arm(self, tracks: TrackBatch, kind: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Tracks (n,) reported as ARMs and diving on a radar: their straight dive is the
        prediction (held at their height, the plan would aim kilometres above them)."""
        arm = kind == THREAT_TYPES.index("anti_radiation_missile")
        if self.radar_enu_m is None or not arm.any():
            return np.zeros(len(tracks), bool)
        dive = diving_on_radar(tracks, self.spec.classification,
                               track_altitude_m(tracks, self.origin), self.radar_enu_m)
        return arm & np.isfinite(dive)

    def _assign(
        self,
        time_s: float,
        tracks: TrackBatch,
        key: NDArray[np.int64],
        launchers: Launchers,
        available: NDArray[np.bool_],
        engaged: int,
        in_flight: int,
    ) -> list[EngagementOrder]:
        spec = self.spec
        assess = evaluate_threats(
            tracks, self.asset_position_enu_m, self.asset_value, self.asset_radius_m
        )
        kind = classify_tracks(tracks, spec.classification, self._draws(key), self.origin,
                               spec.fire_control, self.radar_enu_m)
        if self.radar_enu_m is not None:  # an ARM is worth the radar it flies at
            radar_value = (spec.radar_value if spec.radar_value is not None
                           else float(np.max(self.asset_value, initial=1.0)))
            assess = value_arms_by_radar(assess, tracks, kind, spec.classification,
                                         self.origin, self.radar_enu_m, radar_value)
        value = assess.score * self._type_weight[kind] * self._lethality[kind]
        keep = (value > 0.0) & (value >= spec.hold_fire_below_value)
        if spec.weapons_control == "tight":
            keep &= assess.heading_for_asset
        lau = np.flatnonzero(available)
        tgt = np.flatnonzero(keep)
        if lau.size == 0 or tgt.size == 0:
            return []
        pos, vel, acc = self._now_state(tracks, kind, time_s)
        li = np.repeat(lau, tgt.size)
        tj = np.tile(tgt, lau.size)
        cls = launchers.class_index[li]
        site = launchers.position_enu_m[li]
        tof, point = intercept_boost_coast(
            pos[tj], vel[tj], site, self._profile, cls, target_accel_mps2=acc[tj],
            hold_height=(kind[tj] != BALLISTIC) & ~self._diving_arm(tracks, kind)[tj],
        )
        # a launcher down to its last rounds fires what it has (else they would never be used:
        # reloads start only on an empty launcher)
        salvo = np.minimum(self._salvo[cls, kind[tj]], launchers.ready_rounds[li])
        ok = inside_envelope(tof, point, site, self._envelope, cls)
        ok &= self.classes.pk[cls, kind[tj]] > 0.0  # a class that cannot kill the type
        ok &= tof <= assess.time_to_asset_s[tj]
        ok &= tracks.position_sigma_m()[tj] <= self._fc_sigma_m[cls]
        reserve = None
        if self._reserve.any():  # the reserve and its release rules (command/reserves.py)
            held = self._free_rounds(launchers)
            near = self.asset_value[assess.asset]
            ok_r, exempt, live = reserve_pairs(spec, self.reserves, time_s, self._reserve, held,
                                               self.classes.name, (tj, cls, salvo),
                                               (kind == BALLISTIC, assess.time_to_asset_s,
                                                near, tracks.track_id), self._ballistic_in_view)
            ok &= ok_r
            reserve = (held, exempt, live)
        if spec.layered:  # cheapest_in_time: longest reach only for the engage_early types
            reach = np.where(ok, self.classes.max_range_m[cls], -np.inf)
            best = np.full(len(tracks), -np.inf)
            np.maximum.at(best, tj, reach)
            ok &= (self.classes.max_range_m[cls] >= best[tj]) | ~early_types(spec, kind)[tj]
        shape = (lau.size, tgt.size)
        pk = 1.0 - (1.0 - self.classes.pk[cls, kind[tj]]) ** salvo
        if spec.lookahead or (spec.layered and spec.class_preference == "cheapest_in_time"):
            # cost, class choice and the two-stage look-ahead (command/lookahead.py)
            ready_in = ready_in_s(launchers, time_s)  # a reloading launcher: not before
            ok, pk = plan_pairs(spec, self.classes, self.origin, (pos, vel, acc),
                                assess.time_to_asset_s, kind, value,
                                (launchers.position_enu_m, launchers.class_index, ready_in),
                                (tj, cls, salvo), ok, pk,
                                (launchers.ready_rounds, launchers.reload_rounds_left,
                                 launchers.reload_time_s))
        # only threats some launcher can engage now take part (an asset-based objective would
        # otherwise count every threat out of reach this cycle as a certain leaker)
        col = np.flatnonzero(ok.reshape(shape).any(axis=0))
        if col.size == 0:
            return []
        pair_index = (np.arange(lau.size)[:, None] * tgt.size + col[None, :]).ravel()
        tof, point, salvo = tof[pair_index], point[pair_index], salvo[pair_index]
        cls = cls[pair_index]
        if reserve is not None:
            reserve = (reserve[0], reserve[1][pair_index], reserve[2])
        ok, pk = ok[pair_index], pk[pair_index]
        tgt = tgt[col]
        shape = (lau.size, tgt.size)
        group = cap = None
        if self.fire_control_channels is not None:
            group = np.zeros(lau.size, dtype=np.int64)
            cap = [max(self.fire_control_channels - engaged, 0)]
        extra = {}
        if spec.objective == "asset":
            extra = dict(
                asset=assess.asset[tgt],
                asset_value=self.asset_value,
                lethality=self._lethality[kind[tgt]],
            )
        problem = make_problem(
            value[tgt],
            pk.reshape(shape),
            feasible=ok.reshape(shape),
            group=group,
            group_capacity=cap,
            target_capacity=np.ones(tgt.size, dtype=np.int64),  # one salvo, then look
            **extra,
        )
        method: Method = "fast" if spec.assignment == "fast" else "exact"
        if spec.assignment == "auto":
            method = "auto"
        sol = solve(problem, method=method, time_limit_s=WTA_TIME_LIMIT_S)
        a, b = np.nonzero(sol.x)
        order = np.argsort(-value[tgt[b]], kind="stable")
        if reserve is not None:  # the cycle's launches together keep the reserve
            k_pair = a[order] * tgt.size + b[order]
            order = order[keep_within_reserve(cls[k_pair], salvo[k_pair], reserve[1][k_pair],
                                              reserve[0], reserve[2])]
        out: list[EngagementOrder] = []
        for k in order.tolist():
            if self.guidance_channels is not None and in_flight >= self.guidance_channels:
                break
            pair = a[k] * tgt.size + b[k]
            launcher, row = int(lau[a[k]]), int(tgt[b[k]])
            reported = THREAT_TYPES[int(kind[row])]
            out.append(
                EngagementOrder(
                    launcher=launcher,
                    track_id=int(tracks.track_id[row]),
                    intercept_time_s=float(time_s + tof[pair]),
                    aim_point_enu_m=point[pair].copy(),
                    reported_type=reported,
                    value=float(value[row]),
                    salvo_round=1,
                    salvo_size=int(salvo[pair]),
                )
            )
            in_flight += 1
            self._note_fallback(time_s, int(cls[pair]), int(kind[row]), int(salvo[pair]),
                                int(tracks.track_id[row]), float(assess.time_to_asset_s[row]))
            if salvo[pair] > 1:
                self._ripples.append(
                    _Ripple(
                        launcher,
                        int(tracks.track_id[row]),
                        int(salvo[pair]) - 1,
                        int(salvo[pair]),
                        reported,
                        float(value[row]),
                    )
                )
        return out

    def _note_fallback(self, time_s: float, c: int, kind: int, salvo: int, track_id: int,
                       time_to_asset_s: float) -> None:
        """Log a ``class_fallback`` event when ``cheapest_in_time`` let a class fire at a type
        outside ``engage_early`` although a cheaper class could kill that type (single-shot Pk
        at least ``required_pk``, else above 0): no launcher of
        a cheaper class can engage it before it reaches its asset (``lookahead.later_pk``),
        the one exception to the cheapest class (e.g. a long-range round at a drone)."""
        spec, cl = self.spec, self.classes
        if not (spec.layered and spec.class_preference == "cheapest_in_time") \
                or THREAT_TYPES[kind] in spec.engage_early:
            return
        need = max(spec.required_pk.get(THREAT_TYPES[kind], 0.0), 1e-300)  # type: ignore[call-overload]
        cheaper = [n for k, n in enumerate(cl.name)
                   if cl.cost[k] < cl.cost[c] and cl.pk[k, kind] >= need]
        if not cheaper:
            return
        self.reserves.events.append(dict(
            kind="class_fallback", time_s=time_s, interceptor_class=cl.name[c],
            track_id=track_id, count=salvo,
            detail=(f"{cl.name[c]} at a reported {THREAT_TYPES[kind]}: no cheaper class "
                    f"({', '.join(cheaper)}) can engage it before it reaches its asset "
                    f"(in {time_to_asset_s:.0f} s)")))

    def _free_rounds(self, launchers: Launchers) -> NDArray[np.float64]:
        """Ready rounds per class not yet committed to a rippling salvo."""
        n = len(self.classes.name)
        held = np.bincount(launchers.class_index, weights=launchers.ready_rounds, minlength=n)
        for r in self._ripples:
            held[launchers.class_index[r.launcher]] -= r.rounds_left
        return held

    def _ripple(
        self, time_s: float, tracks: TrackBatch, key: NDArray[np.int64], launchers: Launchers,
        in_flight: int,
    ) -> list[EngagementOrder]:
        """Fire the next round of each rippling salvo whose launcher is ready again (on the
        salvo's track, or the track that continues it)."""
        out: list[EngagementOrder] = []
        if not self._ripples:
            return out
        available = launchers.available(time_s)
        still: list[_Ripple] = []
        for r in self._ripples:
            row = np.flatnonzero(tracks.track_id == r.track_id)
            if row.size == 0:
                row = np.flatnonzero(key == self.continuity.key_of(np.array([r.track_id]))[0])
                row = row[tracks.confirmed[row]]
            if row.size == 0:
                continue  # the threat's track is gone: the rest of the salvo is not fired
            r.track_id = int(tracks.track_id[row[0]])
            if not available[r.launcher] or (
                self.guidance_channels is not None and in_flight >= self.guidance_channels
            ):
                still.append(r)
                continue
            one = tracks.take(row[:1])
            kind = classify_tracks(one, self.spec.classification, self._draws(key[row[:1]]),
                                   self.origin, self.spec.fire_control, self.radar_enu_m)
            if not self.fire_control_quality(one, key[row[:1]], kind, time_s)[0]:
                still.append(r)  # hold the round until a fire-control radar updates the track
                continue
            pos, vel, acc = self._now_state(one, kind, time_s)
            cls = launchers.class_index[[r.launcher]]
            site = launchers.position_enu_m[[r.launcher]]
            tof, point = intercept_boost_coast(
                pos, vel, site, self._profile, cls, target_accel_mps2=acc,
                hold_height=(kind != BALLISTIC) & ~self._diving_arm(one, kind),
            )
            if not inside_envelope(tof, point, site, self._envelope, cls)[0]:
                continue
            out.append(
                EngagementOrder(
                    r.launcher,
                    r.track_id,
                    float(time_s + tof[0]),
                    point[0],
                    reported_type=r.reported_type,
                    value=r.value,
                    salvo_round=r.salvo_size - r.rounds_left + 1,
                    salvo_size=r.salvo_size,
                )
            )
            available[r.launcher] = False
            in_flight += 1
            if r.rounds_left > 1:
                still.append(
                    _Ripple(
                        r.launcher,
                        r.track_id,
                        r.rounds_left - 1,
                        r.salvo_size,
                        r.reported_type,
                        r.value,
                    )
                )
        self._ripples = still
        return out


def ready_in_s(launchers: Launchers, time_s: float) -> NDArray[np.float64]:
    """Seconds until each launcher can fire ``(L,)``: 0 with rounds ready and no reload under
    way, the reload's remaining time while it reloads, its reload time when empty with stock
    left, inf with no rounds and no stock (a later shot is counted only from then on)."""
    reloading = np.isfinite(launchers.reload_done_s)
    return np.where(reloading, np.maximum(launchers.reload_done_s - time_s, 0.0),
                    np.where(launchers.ready_rounds > 0, 0.0,
                             np.where(launchers.reloads_left > 0, launchers.reload_time_s,
                                      np.inf)))
