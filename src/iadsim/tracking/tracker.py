"""Tracking stage: detections from any radars in, one fused track picture out.

``Tracker.step(detections, time_s)`` takes every detection with time in
``(previous time_s, time_s]`` and processes them one radar scan (same time, same radar) at a
time, in time order, the way a textbook tracker loop reads::

    predict all tracks to the scan time          (filters: NCV, ballistic or IMM)
    gate and associate, confirmed tracks first   (association: GNN per cluster, or JPDA)
    update the tracks that got detections        (Joseph form, per-detection R)
    book hits and misses, confirm, delete        (management: M-of-N, misses, coast, sigma)
    start tentative tracks on the leftovers      (management: two-point initiation)

and returns every live track predicted to ``time_s``. All radars feed the one picture; each
detection is converted with its own radar's position, rotation and sigmas.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from iadsim.errors import InputDataError
from iadsim.scenario.tracking_spec import TrackingSpec
from iadsim.sensors.batch import DetectionBatch, SensorGeometry
from iadsim.tracking.association import GatedPairs, chi2_ppf, gate, gnn, jpda_probabilities
from iadsim.tracking.ballistic_filter import DragBank, kappa_estimates
from iadsim.tracking.batch import TrackBatch
from iadsim.tracking.filters import (
    MotionModels,
    convert_measurements,
    covariance_at,
    imm_combine,
    imm_mix,
    imm_position,
    imm_position_sigma,
    imm_probabilities,
    kf_update,
    symmetrise,
)
from iadsim.tracking.management import (
    RevisitEstimator,
    TrackTable,
    confirm_and_delete,
    duplicates,
    initiate,
    quality,
    record_hits,
)
from iadsim.tracking.plausibility import SpeedEnvelope
from iadsim.world.frames import Origin

Array = NDArray[np.float64]
Ids = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class TrackerStep:
    """What one ``Tracker.step`` returns.

    ``tracks`` holds every live track (confirmed and tentative) predicted to the step time;
    ``confirmed_ids`` the tracks confirmed during the step; ``dropped_ids`` the confirmed tracks
    deleted during the step (tentative tracks that die are not reported).
    """

    tracks: TrackBatch
    confirmed_ids: Ids
    dropped_ids: Ids


def motion_models(spec: TrackingSpec) -> MotionModels:
    """The filter's model set for ``spec.motion_model``."""
    common = {
        "turn_accel_mps2": spec.turn_accel_mps2,
        "switch_rate_per_s": spec.imm_switch_rate_per_s,
    }
    if spec.motion_model == "ncv":
        return MotionModels(("cv",), (spec.process_noise_accel_mps2,), **common)
    if spec.motion_model == "ballistic":
        return MotionModels(("ballistic",), (spec.ballistic_process_noise_accel_mps2,), **common)
    kinds = ["cv", "ct_left", "ct_right"]
    accel = [spec.imm_cv_process_noise_accel_mps2] + [spec.turn_process_noise_accel_mps2] * 2
    if spec.imm_ballistic:
        kinds.append("ballistic")
        accel.append(spec.ballistic_process_noise_accel_mps2)
    return MotionModels(tuple(kinds), tuple(accel), **common)


def check_detections(
    detections: DetectionBatch, n_sensors: int, after_s: float, until_s: float
) -> None:
    """Raise ``InputDataError`` naming every bad row (non-finite, out of window, bad sensor)."""
    if _all_good(detections, n_sensors, after_s, until_s):
        return
    problems: list[str] = []
    bad = np.zeros(len(detections), dtype=bool)
    for name in (
        "time_s", "range_m", "azimuth_rad", "elevation_rad",
        "range_sigma_m", "azimuth_sigma_rad", "elevation_sigma_rad",
    ):
        values = getattr(detections, name)
        rows = np.flatnonzero(~np.isfinite(values))
        for i in rows[:20]:
            problems.append(f"detections[{i}].{name} must be finite (got {values[i]})")
        bad[rows] = True
    for name in ("range_m", "range_sigma_m", "azimuth_sigma_rad", "elevation_sigma_rad"):
        values = getattr(detections, name)
        rows = np.flatnonzero(np.isfinite(values) & (values <= 0.0))
        for i in rows[:20]:
            problems.append(f"detections[{i}].{name} must be > 0 (got {values[i]})")
        bad[rows] = True
    t = detections.time_s
    back = np.flatnonzero(np.isfinite(t) & (t <= after_s))
    for i in back[:20]:
        problems.append(
            f"detections[{i}].time_s goes backwards: must be > {after_s} "
            f"(the previous step) (got {t[i]})"
        )
    ahead = np.flatnonzero(np.isfinite(t) & (t > until_s))
    for i in ahead[:20]:
        problems.append(f"detections[{i}].time_s must be <= the step time {until_s} (got {t[i]})")
    sid = detections.sensor_id
    wrong = np.flatnonzero((sid < 0) | (sid >= n_sensors))
    for i in wrong[:20]:
        problems.append(
            f"detections[{i}].sensor_id must be in [0, {n_sensors}) (got {sid[i]})"
        )
    bad[back] = bad[ahead] = bad[wrong] = True
    if bad.any():
        rows = np.flatnonzero(bad)
        more = "" if len(problems) <= 20 else f"\n... ({len(rows)} bad rows in all)"
        raise InputDataError("\n".join(problems[:20]) + more, rows=rows.tolist())


def _all_good(detections: DetectionBatch, n_sensors: int, after_s: float, until_s: float) -> bool:
    """A few reductions that clear a batch with no bad row (the usual case); False sends the
    batch to the row-by-row checks (which also decide any batch this cannot clear)."""
    if len(detections) == 0:
        return True
    t, sid = detections.time_s, detections.sensor_id
    positive = (detections.range_m, detections.range_sigma_m, detections.azimuth_sigma_rad,
                detections.elevation_sigma_rad)
    total = float(t.sum() + detections.azimuth_rad.sum() + detections.elevation_rad.sum())
    total += sum(float(v.sum()) for v in positive)  # NaN or inf in any column: not finite
    return bool(
        np.isfinite(total)
        and min(float(v.min()) for v in positive) > 0.0
        and float(t.min()) > after_s and float(t.max()) <= until_s
        and int(sid.min()) >= 0 and int(sid.max()) < n_sensors
    )


class Tracker:
    """Multi-radar, multi-target tracker (see the module docstring).

    Parameters
    ----------
    spec
        Tracker settings.
    geometry
        Where the radars stand; ``sensor_id`` in the detections indexes its rows.
    """

    def __init__(self, spec: TrackingSpec, geometry: SensorGeometry,
                 envelope: SpeedEnvelope | None = None, origin: Origin | None = None) -> None:
        self.spec = spec
        self.origin = origin  # the drag filter's atmosphere (None: no drag filter)
        self._drag = DragBank.empty()  # re-entering tracks' drag filters (ballistic_filter)
        self.envelope = envelope  # threats' speed by altitude band (None: max_speed_mps only)
        self.geometry = geometry
        self.models = motion_models(spec)
        self._first_model = replace(
            self.models, kinds=self.models.kinds[:1], accel_mps2=self.models.accel_mps2[:1]
        )
        self._n_sensors = int(geometry.position_enu_m.shape[0])
        self._gate = chi2_ppf(spec.gate_probability, df=3)  # chi2.ppf without scipy.stats
        self._same_target = chi2_ppf(spec.merge_probability, df=6)
        self._table = TrackTable.empty(self.models.count, self._n_sensors)
        self._revisit = RevisitEstimator(self._n_sensors, spec.default_revisit_s,
                                         known_s=geometry.revisit_s)
        self._time_s: float | None = None  # time of the table's states
        self._last_step_s = -np.inf
        self._next_id = 0
        # the last picture's predicted arrays, for the table and time they were computed at
        self._picture_key: tuple[TrackTable, float, float | None] | None = None
        self._picture_arrays: tuple[Array, Array, Array] | None = None
        self._switch: dict[float, Array] = {}  # model-switch matrices by interval
        self.rejected: list[InputDataError] = []  # bad rows skipped (on_bad_detections="drop")

    # -- public ---------------------------------------------------------------------------

    def step(self, detections: DetectionBatch, time_s: float) -> TrackerStep:
        """Process all detections with time in (previous ``time_s``, ``time_s``]; the picture.

        A row that is non-finite, out of the time window or from an unknown radar raises
        ``InputDataError`` (with ``.rows``) before any state changes, so the caller can drop
        those rows and call again; with ``spec.on_bad_detections == "drop"`` the bad rows are
        skipped instead, the rest processed, and the error kept in ``self.rejected``.
        """
        try:
            check_detections(detections, self._n_sensors, self._last_step_s, time_s)
        except InputDataError as err:
            if self.spec.on_bad_detections == "raise":
                raise
            self.rejected.append(err)
            keep = np.ones(len(detections), dtype=bool)
            keep[err.rows] = False
            detections = detections.take(keep)
        confirmed: list[Ids] = []
        dropped: list[Ids] = []
        if len(detections):
            order = np.lexsort((detections.sensor_id, detections.time_s))
            det = detections.take(order)
            key_change = np.flatnonzero(
                (np.diff(det.time_s) != 0) | (np.diff(det.sensor_id) != 0)
            ) + 1
            starts = np.concatenate([[0], key_change])
            ends = np.append(key_change, len(det))
            for a, b in zip(starts, ends, strict=True):
                scan = det.take(np.arange(a, b))
                c, d = self._scan(scan, float(scan.time_s[0]), int(scan.sensor_id[0]))
                confirmed.append(c)
                dropped.append(d)
            dropped.append(self._merge_duplicates())
        dropped.append(self._expire(float(time_s)))
        self._last_step_s = float(time_s)
        return TrackerStep(
            tracks=self.picture(time_s),
            confirmed_ids=_cat(confirmed),
            dropped_ids=_cat(dropped),
        )

    def drop(self, track_ids: NDArray[np.int64]) -> None:
        """Delete tracks by id (e.g. after kill assessment); unknown ids are ignored."""
        keep = ~np.isin(self._table.track_id, np.asarray(track_ids, dtype=np.int64))
        if not keep.all():  # nothing to drop keeps the table (and the cached picture)
            self._table = self._table.take(keep)

    def picture(self, time_s: float) -> TrackBatch:
        """Every live track predicted to ``time_s`` (the tracker's state is not changed).

        The predicted state, covariance and quality of the last call are reused while the track
        table and the time are the same (a step's picture and the one after a kill assessment
        that dropped nothing); each call still returns arrays of its own.
        """
        table = self._table
        if len(table) == 0:
            return TrackBatch.empty()
        drag = self._drag.keep(table.track_id)
        kappa, kappa_sigma = kappa_estimates(drag, table.track_id)  # as of the last scan
        trusted = drag.take(drag.trusted())
        key = (table, float(time_s), self._time_s)
        cached = self._picture_key
        if (cached is not None and self._picture_arrays is not None and cached[0] is table
                and cached[1:] == key[1:]):
            x, p, q = self._picture_arrays
        else:
            now = table
            if self._time_s is not None and time_s > self._time_s:
                now = self._predicted(table, time_s - self._time_s)
            x, p = self._combined(now)
            q = quality(now, time_s, self._revisit.revisit_s, self.spec)
            self._picture_key, self._picture_arrays = key, (x, p, q)
            table = now
        if len(trusted):  # a consistent drag filter's state stands for the re-entering track
            if self._time_s is not None and time_s > self._time_s:
                trusted = trusted.predicted(time_s - self._time_s, self.origin)
            rows = np.flatnonzero(np.isin(table.track_id, trusted.track_id))
            x, p = x.copy(), p.copy()
            x[rows], p[rows] = trusted.x[:, :6], trusted.p[:, :6, :6]
        return TrackBatch(
            time_s=np.full(len(table), float(time_s)),
            track_id=table.track_id.copy(),
            position_enu_m=x[:, :3].copy(),
            velocity_enu_mps=x[:, 3:].copy(),
            covariance=p.copy(),
            confirmed=table.confirmed.copy(),
            quality=q.copy(),
            truth_id=table.vote_id.copy(),
            recent_truth_id=table.recent_id.copy(),
            last_hit_s=table.last_hit_by.copy(),
            kappa_m2_per_t=kappa,
            kappa_sigma_m2_per_t=kappa_sigma,
        )

    # -- one radar scan ---------------------------------------------------------------------

    def _expire(self, time_s: float) -> Ids:
        """Delete the tracks whose misses or coasting have run out by ``time_s`` (even when no
        radar reported anything); the ids of the confirmed ones."""
        table = self._table
        if len(table) == 0:
            return np.empty(0, dtype=np.int64)
        _, delete = confirm_and_delete(table, self._position_sigma(table), time_s=time_s,
                                       revisit_s=self._revisit.revisit_s, spec=self.spec,
                                       implausible=self._implausible(table))
        self._table = table.take(~delete)
        return table.track_id[delete & table.confirmed]

    def _merge_duplicates(self) -> Ids:
        """Delete confirmed tracks that follow the same target as an older one; their ids."""
        table = self._table
        if int(table.confirmed.sum()) < 2:
            return np.empty(0, dtype=np.int64)
        x, p = self._combined(table)
        dup = duplicates(table, x, p, threshold=self._same_target,
                         max_distance_m=self.spec.merge_distance_m)
        steps = np.where(dup, table.duplicate_steps + 1, 0)
        gone = steps >= self.spec.merge_after_steps
        self._table = replace(table, duplicate_steps=steps).take(~gone)
        return table.track_id[gone]

    def _combined(self, table: TrackTable) -> tuple[Array, Array]:
        """Each track's state ``(n, 6)`` and covariance: the IMM's mixture for confirmed tracks.

        Tentative tracks run the first (constant-velocity) model alone, every model row holding
        the same copy, and start the full IMM when they are confirmed.
        """
        if self.models.count == 1:
            return table.x[0], table.p[0]
        x, p = table.x[0].copy(), table.p[0].copy()
        c = np.flatnonzero(table.confirmed)
        if len(c):
            x[c], p[c] = imm_combine(table.x[:, c], table.p[:, c], table.mu[c])
        return x, p

    def _combined_position(self, table: TrackTable) -> tuple[Array, Array]:
        """``_combined`` for the position block only: ``(n, 3)``, ``(n, 3, 3)``."""
        x, p = table.x[0, :, :3].copy(), table.p[0, :, :3, :3].copy()
        c = np.flatnonzero(table.confirmed)
        if self.models.count > 1 and len(c):
            x[c], p[c] = imm_position(table.x[:, c], table.p[:, c], table.mu[c])
        return x, p

    def _implausible(self, table: TrackTable) -> NDArray[np.bool_] | None:
        """Tracks no threat of the scenario could be (None without an envelope)."""
        if self.envelope is None:
            return None
        x = np.einsum("nm,mni->ni", table.mu, table.x[:, :, :6])  # model mixture
        return self.envelope.implausible(x[:, :3], x[:, 3:6])

    def _position_sigma(self, table: TrackTable) -> Array:
        """RMS position sigma ``(n,)`` of each track (IMM mixture for confirmed tracks)."""
        sigma = np.sqrt(np.trace(table.p[0, :, :3, :3], axis1=1, axis2=2) / 3.0)
        c = np.flatnonzero(table.confirmed)
        if self.models.count > 1 and len(c):
            sigma[c] = imm_position_sigma(table.x[:, c], table.p[:, c], table.mu[c])
        return sigma

    def _predicted(self, table: TrackTable, dt_s: float) -> TrackTable:
        if dt_s <= 0.0 or len(table) == 0:
            return table
        if self.models.count == 1:
            x, p = self.models.predict(table.x, table.p, dt_s)
            return replace(table, x=x, p=p)
        c = np.flatnonzero(table.confirmed)
        t = np.flatnonzero(~table.confirmed)
        x, p, mu = np.empty_like(table.x), np.empty_like(table.p), table.mu.copy()
        if len(c):
            xc, pc, mu[c] = imm_mix(table.x[:, c], table.p[:, c], table.mu[c],
                                    self._switch_matrix(dt_s))
            x[:, c], p[:, c] = self.models.predict(xc, pc, dt_s)
        if len(t):
            xt, pt = self._first_model.predict(table.x[:1, t], table.p[:1, t], dt_s)
            x[:, t], p[:, t] = xt, pt
        return replace(table, x=x, p=p, mu=mu)

    def _switch_matrix(self, dt_s: float) -> Array:
        """``models.transition_probabilities(dt_s)``, kept per interval (scan periods repeat)."""
        pi = self._switch.get(dt_s)
        if pi is None:
            if len(self._switch) >= 256:
                self._switch.clear()
            pi = self._switch[dt_s] = self.models.transition_probabilities(dt_s)
            pi.flags.writeable = False
        return pi

    def _scan(self, det: DetectionBatch, time_s: float, sensor: int) -> tuple[Ids, Ids]:
        spec = self.spec
        # a prediction makes new state arrays, which this scan may then update in place
        owned = self._time_s is not None and time_s > self._time_s and len(self._table) > 0
        if self._time_s is not None:
            self._table = self._predicted(self._table, time_s - self._time_s)
            if len(self._drag):
                self._drag = self._drag.keep(self._table.track_id).predicted(
                    time_s - self._time_s, self.origin)
                self._table = self._with_drag(self._table)
        self._time_s = time_s
        table = self._table
        n, k = len(table), len(det)
        z, r = convert_measurements(det, self.geometry, debias=spec.debias_measurements)
        xc, pc = self._combined_position(table)
        reach = self._reach(table, r, time_s)
        pairs = gate(xc, pc, z, r, self._gate, max_radius_m=reach)
        pairs = self._velocity_gate(pairs, table, xc, z, r, time_s)

        is_conf = table.confirmed[pairs.track]
        conf_pairs = pairs.take(is_conf)
        claimed = np.zeros(k, dtype=bool)  # detections that confirmed tracks may own
        claimed[conf_pairs.detection] = True
        hit = np.zeros(n, dtype=bool)
        hit_truth = np.full(n, -1, dtype=np.int64)
        if owned:
            x, p, mu = table.x, table.p, table.mu
        else:
            x, p, mu = table.x.copy(), table.p.copy(), table.mu.copy()

        if spec.association == "jpda":
            self._jpda_update(conf_pairs, n, k, z, r, det, xc, x, p, mu, hit, hit_truth)
        else:
            won = gnn(conf_pairs, n, k, miss_cost=self._gate)
            self._gnn_update(won, z, r, det, xc, x, p, mu, hit, hit_truth, tentative=False)
            self._drag_update(table.track_id, won, z, r, det, xc, x, p, mu)
        tent_pairs = pairs.take(~is_conf & ~claimed[pairs.detection])
        won_t = self._assign_tentative(tent_pairs, n, k)
        self._gnn_update(won_t, z, r, det, xc, x, p, mu, hit, hit_truth, tentative=True)
        claimed[won_t.detection] = True

        table = replace(table, x=x, p=p, mu=mu)
        revisit = self._revisit.revisit_s
        table, intervals = record_hits(table, hit, hit_truth, sensor_id=sensor, time_s=time_s,
                                       revisit_s=revisit, spec=spec)
        self._revisit.add(sensor, intervals)
        sigma = self._position_sigma(table)
        newly, delete = confirm_and_delete(table, sigma, time_s=time_s, revisit_s=revisit,
                                           spec=spec, implausible=self._implausible(table))
        confirmed_ids = table.track_id[newly & ~delete]
        dropped_ids = table.track_id[delete & table.confirmed]
        table = replace(table, confirmed=table.confirmed | newly).take(~delete)

        fresh = np.flatnonzero(~claimed)
        if len(fresh) == 0:
            self._table = table
            return confirmed_ids, dropped_ids
        born = initiate(
            z[fresh], r[fresh], det.truth_id[fresh], sensor_id=sensor,
            n_sensors=self._n_sensors, time_s=time_s, first_id=self._next_id,
            n_models=self.models.count, spec=spec,
        )
        self._next_id += len(fresh)
        self._table = TrackTable.concatenate(table, born)
        return confirmed_ids, dropped_ids

    def _with_drag(self, table: TrackTable) -> TrackTable:
        """Every model of a track whose drag filter is trusted takes that filter's predicted
        state, so that gating and the update start from a prediction with drag in it."""
        trusted = self._drag.take(self._drag.trusted())
        rows = np.flatnonzero(np.isin(table.track_id, trusted.track_id))
        if len(rows) == 0:
            return table
        x, p = table.x.copy(), table.p.copy()
        x[:, rows], p[:, rows] = trusted.x[None, :, :6], trusted.p[None, :, :6, :6]
        return replace(table, x=x, p=p)

    def _drag_update(self, track_id: Ids, won: GatedPairs, z: Array, r: Array,
                     det: DetectionBatch, xc: Array, x: Array, p: Array, mu: Array) -> None:
        """The drag filters of the confirmed tracks updated by the detections they won; a fast,
        descending track starts one (``ballistic_filter.DragBank.updated``)."""
        if self.origin is None or len(won) == 0:
            return
        ti, dj = won.track, won.detection
        if self.models.count == 1:
            x6, p6 = x[0, ti], p[0, ti]
        else:
            x6, p6 = imm_combine(x[:, ti], p[:, ti], mu[ti])
        rr = self._update_covariance(ti, dj, r, det, xc)
        self._drag = self._drag.updated(track_id[ti], z[dj], rr, x6, p6)

    def _assign_tentative(self, pairs: GatedPairs, n: int, k: int) -> GatedPairs:
        """GNN for tentative tracks on the negative log-likelihood ``d2 + ln det S``.

        Tentative covariances differ by orders of magnitude (a one-detection track's grows with
        its unknown velocity), so the likelihood, not the bare distance, picks the partner;
        every gated pair is still preferred to leaving the track unassigned.
        """
        if len(pairs) == 0:
            return pairs
        nll = -2.0 * pairs.loglik
        nll = nll - nll.min() + 1e-3
        scored = GatedPairs(pairs.track, pairs.detection, nll, pairs.loglik)
        won = gnn(scored, n, k, miss_cost=float(nll.max()) + 1.0)
        return GatedPairs(won.track, won.detection, -2.0 * won.loglik, won.loglik)

    def _reach(self, table: TrackTable, r: Array, time_s: float) -> Array | None:
        """How far a one-detection track's next detection can be: speed x time + noise."""
        if len(table) == 0 or len(r) == 0:
            return None
        slack = 3.0 * np.sqrt(2.0 * float(np.max(np.trace(r, axis1=1, axis2=2))))
        reach = self.spec.max_speed_mps * (time_s - table.last_hit_s) + slack
        return np.where(table.hits == 1, reach, np.inf)

    def _velocity_gate(
        self, pairs: GatedPairs, table: TrackTable, xc: Array, z: Array, r: Array, time_s: float
    ) -> GatedPairs:
        """Two-point initiation: a one-detection track's next detection must be reachable."""
        one = table.hits[pairs.track] == 1
        if not one.any():
            return pairs
        ti, dj = pairs.track, pairs.detection
        dt = time_s - table.last_hit_s[ti]
        dist = np.linalg.norm(z[dj] - xc[ti, :3], axis=1)
        slack = 3.0 * np.sqrt(2.0 * np.trace(r[dj], axis1=1, axis2=2))
        return pairs.take(~one | (dist <= self.spec.max_speed_mps * dt + slack))

    def _update_covariance(
        self, ti: NDArray[np.intp], dj: NDArray[np.intp], r: Array, det: DetectionBatch,
        xc: Array,
    ) -> Array:
        """Measurement covariances of the pairs: at the prediction, or at the measured point."""
        if not self.spec.covariance_at_prediction:
            return r[dj]
        return covariance_at(xc[ti, :3], det.take(dj), self.geometry)

    def _gnn_update(
        self, won: GatedPairs, z: Array, r: Array, det: DetectionBatch, xc: Array,
        x: Array, p: Array, mu: Array, hit: NDArray[np.bool_], hit_truth: NDArray[np.int64],
        *, tentative: bool,
    ) -> None:
        """Kalman-update the assigned tracks in place (every model of a confirmed track's IMM)."""
        if len(won) == 0:
            return
        ti, dj = won.track, won.detection
        truth = det.truth_id
        rr = self._update_covariance(ti, dj, r, det, xc)
        if self.models.count == 1 or tentative:
            # one model, or tentative tracks: update the first model, copy it to the others
            x0, p0, _ = kf_update(x[0, ti], p[0, ti], z[dj], rr)
            x[:, ti], p[:, ti] = x0, p0
        else:
            loglik = np.empty((len(ti), self.models.count))
            for m in range(self.models.count):
                x[m, ti], p[m, ti], loglik[:, m] = kf_update(x[m, ti], p[m, ti], z[dj], rr)
            mu[ti] = imm_probabilities(mu[ti], loglik)
        hit[ti] = True
        hit_truth[ti] = truth[dj]

    def _jpda_update(
        self, pairs: GatedPairs, n: int, k: int, z: Array, r: Array, det: DetectionBatch,
        xc: Array, x: Array, p: Array, mu: Array, hit: NDArray[np.bool_],
        hit_truth: NDArray[np.int64],
    ) -> None:
        """PDA update of the confirmed tracks in place: a beta-weighted mixture of updates."""
        if len(pairs) == 0:
            return
        spec = self.spec
        beta, beta_miss = jpda_probabilities(
            pairs, n, k,
            detection_probability=spec.detection_probability,
            gate_probability=spec.gate_probability,
            clutter_density_per_m3=spec.clutter_density_per_m3,
        )
        ti, dj = pairs.track, pairs.detection
        truth = det.truth_id
        rr = self._update_covariance(ti, dj, r, det, xc)
        tracks = np.unique(ti)
        miss_w = 1.0 - spec.detection_probability * spec.gate_probability
        lam = np.empty((n, self.models.count))
        for m in range(self.models.count):
            xu, pu, ll = kf_update(x[m, ti], p[m, ti], z[dj], rr)
            x0, p0 = x[m], p[m]
            xm = beta_miss[:, None] * x0
            np.add.at(xm, ti, beta[:, None] * xu)
            d0 = x0 - xm
            pm = beta_miss[:, None, None] * (p0 + d0[:, :, None] * d0[:, None, :])
            du = xu - xm[ti]
            np.add.at(pm, ti, beta[:, None, None] * (pu + du[:, :, None] * du[:, None, :]))
            x[m, tracks], p[m, tracks] = xm[tracks], symmetrise(pm[tracks])
            w = spec.detection_probability * np.exp(ll - np.log(spec.clutter_density_per_m3))
            lam[:, m] = miss_w + np.bincount(ti, weights=w, minlength=n)
        if self.models.count > 1:
            mu[tracks] = imm_probabilities(mu[tracks], np.log(lam[tracks]))
        best = np.lexsort((-beta, ti))
        first = np.ones(len(best), dtype=bool)
        first[1:] = ti[best[1:]] != ti[best[:-1]]
        lead = best[first]
        detected = beta[lead] > beta_miss[ti[lead]]
        hit[ti[lead[detected]]] = True
        hit_truth[ti[lead[detected]]] = truth[dj[lead[detected]]]


def _cat(parts: list[Ids]) -> Ids:
    return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, dtype=np.int64)
