"""EW in a run: the contested sky between the world and the radars, and its outcomes.

In: the scenario's ``ew`` section, the radars as built, the threat set; per step the truth the
radars look at, then the world after the step. Out, per step: for each radar that emits, the
truth with every target's RCS scaled by ``1 / (1 + J/N)`` of the beam pointed at it (so the
radar's own look detects on signal-to-(noise + jamming), see ``iadsim.ew.jamming``), silent or
destroyed radars left out, the step's strobes and triangulated jammer fixes, ARM impacts; at
the end, ``report()`` for ``summary.json["ew"]``.

``ContestedSky.build`` returns a ``CleanSky`` when the section models nothing: it hands every
input back unchanged and draws nothing, so results are identical to a clean-sky run.
Randomness (strobe bearings, ARM misses, decoy draws) comes from streams of its own, spawned
after the stage streams (``ew_generators``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from iadsim.command.threat_evaluation import arm_target_radar, track_altitude_m
from iadsim.ew.arms import ArmRows, draw_arm_hits, miss_sigma_m
from iadsim.ew.deception import with_false_targets
from iadsim.ew.decoys import DecoyDiscriminator
from iadsim.ew.emcon import EmissionState
from iadsim.ew.record import ew_table, jammer_track_summary, layer_rows
from iadsim.ew.jamming import (
    DEFAULT_FREQUENCY_HZ,
    Jammers,
    RadarReceiver,
    beam_gain_db,
    burn_through_range_m,
    detection_range_with_standoff_m,
    jnr_at_1m,
    jnr_per_beam,
    receiver,
)
from iadsim.ew.strobes import (
    StrobeBatch,
    associate_pairs,
    bearing_directions_en,
    strobe_sigma_rad,
    triangulate_en,
)
from iadsim.scenario.command_spec import ClassificationSpec
from iadsim.scenario.ew_spec import RadarEwSpec
from iadsim.scenario.model import Scenario
from iadsim.scenario.sensor_spec import SensorSpec
from iadsim.sensors.detection import required_snr_db
from iadsim.sensors.range_equation import SPEED_OF_LIGHT_MPS, db_to_linear
from iadsim.world.frames import (
    EARTH_RADIUS_M,
    Origin,
    geodetic_to_enu,
    radar_horizon_m,
    surface_point_to_enu,
)
from iadsim.world.state import DESTROYED, IN_WORLD, WorldState
from iadsim.tracking.batch import TrackBatch
from iadsim.world.threats import ThreatSet, TruthBatch

_TWO_PI = 2.0 * np.pi
EW_STREAMS = ("strobes", "arms", "decoys")
EW_STREAM_OFFSET = 5
"""EW streams are children 5, 6, 7 of the run's SeedSequence, after ``simulation.STAGES`` (5)."""
BURN_THROUGH_PD = 0.5
"""Probability of detection per look at which burn-through ranges are reported."""


def ew_generators(seed: int | np.random.SeedSequence) -> dict[str, np.random.Generator]:
    """EW's generators: the children the run's SeedSequence would spawn after the stages'.

    Built from the spawn key, so the stage streams are untouched whatever EW draws.
    """
    seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return {name: np.random.default_rng(np.random.SeedSequence(
        seq.entropy, spawn_key=(*seq.spawn_key, EW_STREAM_OFFSET + k), pool_size=seq.pool_size))
        for k, name in enumerate(EW_STREAMS)}


def receiver_for(site: Any, sensor: SensorSpec, ew: RadarEwSpec) -> RadarReceiver:
    """A radar's receive side: the ``ew.radars`` entry, else the sensor's own, else defaults."""
    gain_db = ew.main_lobe_gain_db
    if gain_db is None:
        gain_db = sensor.receive_gain_db or sensor.antenna_gain_db
    if gain_db is None:
        gain_db = beam_gain_db(site.azimuth_beamwidth_rad, site.elevation_beamwidth_rad)
    bandwidth = ew.bandwidth_hz or sensor.bandwidth_hz or (
        SPEED_OF_LIGHT_MPS / (2.0 * site.range_resolution_m))
    return receiver(
        gain_db=gain_db, sidelobe_level_db=ew.sidelobe_level_db,
        frequency_hz=ew.frequency_hz or sensor.frequency_hz or DEFAULT_FREQUENCY_HZ,
        bandwidth_hz=bandwidth,
        noise_figure_db=sensor.noise_figure_db, processing_gain_db=ew.processing_gain_db,
        azimuth_beamwidth_rad=site.azimuth_beamwidth_rad,
        elevation_beamwidth_rad=site.elevation_beamwidth_rad,
    )


class CleanSky:
    """No electronic warfare: every call gives its input back, nothing is drawn or reported."""

    arm_rows = None
    """No anti-radiation missiles (threat rows aimed at radars, not at the defended assets)."""

    def screen_all(self, sites: list[Any], truth: TruthBatch, start_s: float,
                   end_s: float) -> list[tuple[Any, TruthBatch]]:
        """Every radar, with the truth as it is."""
        return [(site, truth) for site in sites]

    def picture(self, tracks: TrackBatch, time_s: float) -> TrackBatch:
        """The picture as it is."""
        return tracks

    def end_step(self, time_s: float, world: WorldState) -> None:
        """Nothing to resolve."""

    def report(self, threats: Any = None, engagements: Any = None) -> None:
        """No ``ew`` key in the summary."""
        return None

    def table(self) -> pd.DataFrame:
        """No ``ew`` table."""
        return pd.DataFrame()


class ContestedSky:
    """Jammers, emission state and ARMs of one run (mutable: one per run)."""

    def __init__(self, scenario: Scenario, origin: Origin, radars: list[Any],
                 threats: ThreatSet, rng: dict[str, np.random.Generator],
                 jammer_tracker: Any = None) -> None:
        ew = scenario.ew
        self.radars, self.rng, self.origin = radars, rng, origin
        self.jammer_tracker = jammer_tracker  # tracking.jammer_tracks.JammerTracker (or None)
        self.layers: list[dict[str, Any]] = []  # replay rows: jammers, strobes, radar states
        self.threat_group = list(threats.group)
        self.strobe_jnr = float(db_to_linear(ew.strobe_jnr_db))
        # Jammer instances: each stand-off jammer once, a self-screening one on every carrier.
        spec_row, carrier = [], []
        self._drfm = [(np.asarray([i for i, g in enumerate(threats.group)
                                   if g == spec.carrier_group], np.int64), spec)
                      for spec in ew.jammers if spec.kind == "drfm"]
        for j, spec in enumerate(ew.jammers):
            if spec.kind == "drfm":
                continue
            rows = ([-1] if spec.carrier_group is None else
                    [i for i, g in enumerate(threats.group) if g == spec.carrier_group])
            spec_row += [j] * len(rows)
            carrier += rows
        self.jammer_spec = np.asarray(spec_row, np.int64)
        self.carrier = np.asarray(carrier, np.int64)
        specs = [ew.jammers[j] for j in spec_row]
        self.jammers = Jammers(
            name=tuple(s.name for s in specs),
            erp_w=np.asarray([s.power_w * db_to_linear(s.antenna_gain_db - s.losses_db)
                              for s in specs], float),
            bandwidth_hz=np.asarray([s.bandwidth_hz for s in specs], float),
        )
        self.start_s = np.asarray([s.start_time_s for s in specs], float)
        self.end_s = np.asarray([s.end_time_s for s in specs], float)
        self._orbits = [(geodetic_to_enu(s.orbit.centre.lat_deg, s.orbit.centre.lon_deg, 0.0,
                                         origin)[:2], s.orbit) if s.orbit is not None else None
                        for s in specs]
        by_name = {r.name: r for r in ew.radars}
        self.receivers = [receiver_for(site, sensor, by_name.get(sensor.name,
                                                                 RadarEwSpec(name=sensor.name)))
                          for site, sensor in zip(radars, scenario.sensors, strict=True)]
        self.jnr_1m = [jnr_at_1m(rx, self.jammers) for rx in self.receivers]
        # each radar's strobe calibration: the J/N at 1 m of 1 W ERP over 1 GHz (dB)
        reference = Jammers(("reference",), np.ones(1), np.full(1, 1e9))
        self.strobe_reference_db = np.array([10.0 * np.log10(jnr_at_1m(rx, reference)[0])
                                             for rx in self.receivers]).reshape(-1)
        if jammer_tracker is not None:
            jammer_tracker.erp_reference_db = self.strobe_reference_db
        self.emission = EmissionState([s.name for s in scenario.sensors], list(ew.radars))
        self.cue_range_m = np.array([
            by_name[s.name].cue_range_m if s.name in by_name and by_name[s.name].cue_range_m
            else s.max_range_m for s in scenario.sensors])
        self._cues_enu_m = np.empty((0, 3))
        self.classification = scenario.command.classification
        self.radar_enu_m = np.array([s.position_enu_m for s in radars]).reshape(-1, 3)
        self.ideal_warning = np.array([by_name[s.name].arm_warning == "ideal" if s.name in by_name
                                       else False for s in scenario.sensors], bool)
        self._picture_arm_m = np.full(len(radars), np.inf)  # nearest ARM track per radar
        self.arms = ArmRows.from_threats(scenario, threats.group)
        self.arm_rows = self.arms.threat_id  # aimed at radars: never an impact on an asset
        self._arm_done = np.zeros(self.arms.threat_id.shape[0], bool)
        self.arm_outcomes: list[dict[str, Any]] = []
        self.strobes: list[StrobeBatch] = []
        self.fixes: list[dict[str, Any]] = []
        self.burn_through = self._burn_through(scenario, threats)
        self.decoy_groups = [d.group for d in ew.decoys]
        law = {d.group: (d.p_discriminate, d.discrimination_time_s) for d in ew.decoys}
        self.decoys = DecoyDiscriminator(
            np.array([g in law for g in threats.group], bool),
            np.array([law.get(g, (0.0, 1.0))[0] for g in threats.group], float),
            np.array([law.get(g, (0.0, 1.0))[1] for g in threats.group], float),
            rng=rng["decoys"])

    @classmethod
    def build(cls, scenario: Scenario, origin: Origin, radars: list[Any], threats: ThreatSet,
              seed: int | np.random.SeedSequence, jammer_tracker: Any = None
              ) -> ContestedSky | CleanSky:
        """The run's contested sky, or a ``CleanSky`` when ``scenario.ew`` models nothing;
        ``jammer_tracker`` (``tracking.jammer_tracks.JammerTracker``) tracks the strobes."""
        if not scenario.ew.active:
            return CleanSky()
        return cls(scenario, origin, radars, threats, ew_generators(seed), jammer_tracker)

    # --- per step -------------------------------------------------------------------------
    def jammer_positions(self, truth: TruthBatch) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """Every jammer instance's ENU position (k, 3) at ``truth.time_s`` and whether it jams."""
        t = truth.time_s
        pos = np.zeros((len(self.jammers), 3))
        on = (self.start_s <= t) & (t < self.end_s)
        for k, orbit in enumerate(self._orbits):
            if orbit is None:
                continue
            centre, spec = orbit
            angle = spec.speed_mps / spec.radius_m * max(t - float(self.start_s[k]), 0.0)
            en = centre + spec.radius_m * np.array([np.sin(angle), np.cos(angle)])
            pos[k] = surface_point_to_enu(en[:1], en[1:], np.array([spec.centre.alt_m]),
                                          self.origin)[0]
        ssj = np.flatnonzero(self.carrier >= 0)
        if ssj.size:
            order = np.argsort(truth.threat_id)
            at = np.searchsorted(truth.threat_id[order], self.carrier[ssj])
            at = np.clip(at, 0, max(truth.threat_id.size - 1, 0))
            present = truth.threat_id.size > 0
            found = (truth.threat_id[order][at] == self.carrier[ssj]) if present else (
                np.zeros(ssj.size, bool))
            on[ssj] &= found
            if present:
                pos[ssj[found]] = truth.position_enu_m[order[at[found]]]
        return pos, on

    def screen_all(self, sites: list[Any], truth: TruthBatch, start_s: float,
                   end_s: float) -> list[tuple[Any, TruthBatch]]:
        """The emitting radars of ``(start_s, end_s]``, each with the truth it sees (jammed
        RCS); records the step's strobes and jammer fixes."""
        warning_m = np.where(self.ideal_warning, self._arm_distances(truth), self._picture_arm_m)
        emitting = self.emission.step(start_s, end_s, warning_m, self._cued())
        pos, on = self.jammer_positions(truth)
        out, strobes = [], []
        for site in sites:
            if not emitting[site.sensor_id]:
                continue
            seen = self._deceive(site, truth)
            rx, k1 = self.receivers[site.sensor_id], self.jnr_1m[site.sensor_id]
            rng_j, az_j, el_j, heard = _directions(site, pos)
            heard &= on
            if not heard.any():
                out.append((site, seen))
                continue
            _, az_t, el_t, _ = _directions(site, seen.position_enu_m)
            jnr = jnr_per_beam(rx, k1[heard], rng_j[heard], az_j[heard], el_j[heard], az_t, el_t)
            out.append((site, dataclasses.replace(seen, rcs_m2=seen.rcs_m2 / (1.0 + jnr))))
            strobes.append(self._strobes(site, end_s, np.flatnonzero(heard),
                                         k1[heard] / np.maximum(rng_j[heard], 1.0) ** 2,
                                         az_j[heard], el_j[heard]))
        step = StrobeBatch.concatenate(strobes)
        self.strobes.append(step)
        self._fix(step, pos, end_s)
        picture = None if self.jammer_tracker is None else self.jammer_tracker.step(step, end_s)
        self.layers += layer_rows(end_s, step, pos, on, self.jammers.name, self.emission.names,
                                  emitting, ~np.isnan(self.emission.destroyed_s), picture)
        return out

    def table(self) -> pd.DataFrame:
        """The run's ``ew`` table (``ew.record.EW_COLUMNS``): the replay's EW layers."""
        return ew_table(self.layers, self.origin)

    def _deceive(self, site: Any, truth: TruthBatch) -> TruthBatch:
        """``truth`` plus the false targets the DRFM repeaters show this radar."""
        ids = truth.threat_id  # the world's truth, sorted; false targets are appended after it
        for carriers, spec in self._drfm:
            if not spec.start_time_s <= truth.time_s < spec.end_time_s or ids.size == 0:
                continue
            at = np.clip(np.searchsorted(ids, carriers), 0, ids.size - 1)
            rows = at[ids[at] == carriers]
            k = rows.size
            truth = with_false_targets(
                truth, site.position_enu_m, rows,
                np.tile(np.asarray(spec.range_offsets_m, float), (k, 1)),
                np.full(k, spec.range_pull_mps), np.full(k, db_to_linear(spec.false_target_jsr_db)),
                np.full(k, spec.start_time_s))
        return truth

    def _strobes(self, site: Any, time_s: float, jammer: NDArray[np.intp],
                 jnr: NDArray[np.float64], azimuth_rad: NDArray[np.float64],
                 elevation_rad: NDArray[np.float64]) -> StrobeBatch:
        keep = jnr >= self.strobe_jnr
        jnr, az, el, jammer = jnr[keep], azimuth_rad[keep], elevation_rad[keep], jammer[keep]
        n = az.size
        sigma = strobe_sigma_rad(site.azimuth_beamwidth_rad, site.azimuth_sigma_rad,
                                 site.n_pulses, jnr)
        draws = self.rng["strobes"].standard_normal((2, n))
        noisy = np.mod(az + sigma * draws[0], _TWO_PI)
        if np.isfinite(site.elevation_beamwidth_rad):
            el_sigma = strobe_sigma_rad(site.elevation_beamwidth_rad, site.elevation_sigma_rad,
                                        site.n_pulses, jnr)
            el_noisy = el + el_sigma * draws[1]
        else:  # a fan beam measures no elevation
            el_sigma, el_noisy = np.full(n, np.inf), np.full(n, np.nan)
        return StrobeBatch(np.full(n, time_s), np.full(n, site.sensor_id, np.int32),
                           jammer.astype(np.int64), noisy, sigma, 10.0 * np.log10(jnr),
                           el_noisy, el_sigma)

    def _fix(self, step: StrobeBatch, jammer_pos: NDArray[np.float64], time_s: float) -> None:
        """Triangulate the jammers from the strobes of the first two radars that strobe,
        associated without truth (:func:`associate_pairs`); truth only scores each fix (on the
        jammer both strobes came from, or a ghost)."""
        sensors = np.unique(step.sensor_id)
        if sensors.size < 2:
            return
        rows = np.flatnonzero(np.isin(step.sensor_id, sensors[:2]))
        sid = step.sensor_id[rows].tolist()
        rot = np.array([self.radars[i].rotation_to_local for i in sid]).reshape(-1, 3, 3)
        start = np.array([self.radars[i].position_enu_m[:2] for i in sid]).reshape(-1, 2)
        alt = np.array([self.radars[i].antenna_alt_m for i in sid], float)
        direction = bearing_directions_en(step.azimuth_rad[rows], rot)
        pairs = associate_pairs(start, direction, step.elevation_rad[rows],
                                step.elevation_sigma_rad[rows], alt,
                                step.sensor_id[rows] == sensors[0],
                                step.jnr_db[rows] - self.strobe_reference_db[sid])
        for i, j in pairs:
            both = np.array([i, j])
            fix, cov = triangulate_en(start[both], direction[both],
                                      step.azimuth_sigma_rad[rows[both]])
            ja, jb = int(step.jammer_id[rows[i]]), int(step.jammer_id[rows[j]])
            if np.all(np.isfinite(fix)):
                self.fixes.append({"time_s": time_s, "jammer": float(ja), "ghost": ja != jb,
                                   "error_m": float(np.linalg.norm(fix - jammer_pos[ja, :2])),
                                   "sigma_m": float(np.sqrt(np.trace(cov)))})

    def _arm_distances(self, truth: TruthBatch) -> NDArray[np.float64]:
        """Nearest live ARM aimed at each radar (inf where none)."""
        out = np.full(len(self.radars), np.inf)
        if self.arms.threat_id.size == 0:
            return out
        rows = np.searchsorted(truth.threat_id, self.arms.threat_id)
        rows = np.clip(rows, 0, max(truth.threat_id.size - 1, 0))
        if truth.threat_id.size == 0:
            return out
        seen = truth.threat_id[rows] == self.arms.threat_id
        for k in np.flatnonzero(seen).tolist():
            s = int(self.arms.target_sensor[k])
            d = float(np.linalg.norm(truth.position_enu_m[rows[k]] -
                                     self.radars[s].position_enu_m))
            out[s] = min(out[s], d)
        return out

    def picture(self, tracks: TrackBatch, time_s: float) -> TrackBatch:
        """The command's picture: ``tracks`` without those recognised as decoys (its confirmed
        tracks cue the ``cued`` radars, and its ARM tracks warn their radars, in the next
        step)."""
        self._cues_enu_m = tracks.position_enu_m[tracks.confirmed]
        self._picture_arm_m = arm_track_distances_m(tracks, self.classification, self.origin,
                                                    self.radar_enu_m)
        return self.decoys.screen(tracks, time_s)

    def _cued(self) -> NDArray[np.bool_]:
        """Radars with a confirmed track of the last picture within their cue range, (m,)."""
        if self._cues_enu_m.shape[0] == 0:
            return np.zeros(len(self.radars), bool)
        where = np.array([s.position_enu_m for s in self.radars]).reshape(-1, 3)
        d = np.linalg.norm(self._cues_enu_m[None, :, :] - where[:, None, :], axis=2)
        return (d <= self.cue_range_m[:, None]).any(axis=1)

    def end_step(self, time_s: float, world: WorldState) -> None:
        """Resolve the ARMs that left the world this step: hit or miss on their radar."""
        arms = self.arms
        if arms.threat_id.size == 0:
            return
        status = world.threat_status[arms.threat_id]
        new = ~self._arm_done & (status != IN_WORLD)
        if not new.any():
            return
        self._arm_done |= new
        gone = world.threat_gone_s[arms.threat_id]
        flew = new & (status != DESTROYED)
        k = np.flatnonzero(flew)
        silence = gone[k] - self.emission.last_emit_s[arms.target_sensor[k]]
        sigma = miss_sigma_m(arms.miss_sigma_m[k], arms.miss_growth_mps[k], silence)
        hit, miss = draw_arm_hits(sigma, arms.lethal_radius_m[k], rng=self.rng["arms"])
        for n, row in enumerate(k.tolist()):
            sensor = int(arms.target_sensor[row])
            if hit[n]:
                self.emission.destroy(sensor, float(gone[row]))
            self.arm_outcomes.append({
                "threat_id": int(arms.threat_id[row]), "radar": self.emission.names[sensor],
                "time_s": float(gone[row]), "silence_s": float(max(silence[n], 0.0)),
                "miss_m": float(miss[n]), "hit": bool(hit[n])})
        for row in np.flatnonzero(new & (status == DESTROYED)).tolist():
            self.arm_outcomes.append({
                "threat_id": int(arms.threat_id[row]),
                "radar": self.emission.names[int(arms.target_sensor[row])],
                "time_s": float(gone[row]), "intercepted": True})

    # --- outcomes ---------------------------------------------------------------------------
    def _burn_through(self, scenario: Scenario, threats: ThreatSet) -> dict[str, dict[str, float]]:
        """Closed-form burn-through (self-screening: the carrier's RCS, main lobe) or detection
        range of a 1 m^2 target (stand-off: the jammer in the sidelobes at its orbit centre's
        distance) per radar and jammer, at ``BURN_THROUGH_PD`` per look."""
        out: dict[str, dict[str, float]] = {}
        for site, rx, k1 in zip(self.radars, self.receivers, self.jnr_1m, strict=True):
            d = float(db_to_linear(required_snr_db(BURN_THROUGH_PD, site.pfa, site.n_pulses,
                                                   site.swerling)))
            row: dict[str, float] = {}
            for k in range(len(self.jammers)):
                name = self.jammers.name[k]
                if name in row:
                    continue
                if self.carrier[k] >= 0:
                    rcs = float(threats.rcs_m2[self.carrier[k]])
                    row[name] = burn_through_range_m(site.snr_1m2_1m, rcs, d, float(k1[k]))
                else:
                    orbit = self._orbits[k]
                    assert orbit is not None
                    centre = surface_point_to_enu(orbit[0][:1], orbit[0][1:],
                                                  np.array([orbit[1].centre.alt_m]),
                                                  self.origin)[0]
                    r_j = float(np.linalg.norm(centre - site.position_enu_m))
                    jnr = float(k1[k]) * rx.sidelobe_level / r_j**2
                    row[name] = detection_range_with_standoff_m(site.snr_1m2_1m, 1.0, d, jnr)
            out[site.name] = row
        return out

    def report(self, threats: Any = None, engagements: Any = None) -> dict[str, Any]:
        """EW outcomes for ``summary.json["ew"]``; with the run's threats and engagements
        tables, also the rounds each decoy group drew and the leakers that were not decoys."""
        e = self.emission
        strobes = StrobeBatch.concatenate(self.strobes)
        per_jammer: dict[str, dict[str, Any]] = {}
        ghosts = sum(bool(f["ghost"]) for f in self.fixes)
        for fix in self.fixes:
            if fix["ghost"]:
                continue
            name = self.jammers.name[int(fix["jammer"])]
            d = per_jammer.setdefault(name, {"fixes": 0, "first_fix_s": fix["time_s"],
                                             "error_m": [], "sigma_m": []})
            d["fixes"] += 1
            d["error_m"].append(fix["error_m"])
            d["sigma_m"].append(fix["sigma_m"])
        for d in per_jammer.values():  # the error against the fix's own predicted sigma
            d["median_error_m"] = float(np.median(d.pop("error_m")))
            d["median_predicted_sigma_m"] = float(np.median(d.pop("sigma_m")))
        flown = [a for a in self.arm_outcomes if "hit" in a]
        out = {
            "radars": {n: {"emit_time_s": float(e.emit_time_s[i]),
                           "destroyed_s": None if np.isnan(e.destroyed_s[i])
                           else float(e.destroyed_s[i])}
                       for i, n in enumerate(e.names)},
            "radars_lost": int(np.isfinite(e.destroyed_s).sum()),
            "burn_through_m": self.burn_through,
            "strobes": int(len(strobes)),
            "strobe_fixes": per_jammer,  # step by step, two radars, unfiltered
            "ghost_fixes": ghosts,
            "jammer_tracks": jammer_track_summary(self.table()),  # tracking.jammer_tracks
            "arms": {"fired": int(self.arms.threat_id.size),
                     "hits": sum(a["hit"] for a in flown),
                     "misses": sum(not a["hit"] for a in flown),
                     "intercepted": sum("intercepted" in a for a in self.arm_outcomes),
                     "outcomes": self.arm_outcomes},
        }
        if self.decoy_groups:
            out["decoys"] = self._decoy_report(threats, engagements)
        if engagements is not None and "target_threat_id" in engagements.columns:
            # tracks that follow no threat: DRFM false targets (and false alarms)
            out["rounds_at_false_tracks"] = int((engagements["target_threat_id"] < 0).sum())
        return out

    def _decoy_report(self, threats: Any, engagements: Any) -> dict[str, Any]:
        d = self.decoys
        out: dict[str, Any] = {"groups": {}}
        group = np.asarray(self.threat_group)
        for name in self.decoy_groups:
            rows = np.flatnonzero(group == name)
            out["groups"][name] = {"count": int(rows.size),
                                   "recognised": int(np.isfinite(d.recognised_s[rows]).sum())}
        if threats is not None and engagements is not None and (
                "target_threat_id" in engagements.columns):
            is_decoy = threats["group"].isin(self.decoy_groups)
            target_group = dict(zip(threats["threat_id"], threats["group"], strict=True))
            fired_at = engagements["target_threat_id"].map(target_group)
            for name in self.decoy_groups:
                out["groups"][name]["rounds_drawn"] = int((fired_at == name).sum())
            out["rounds_at_decoys"] = int(fired_at.isin(self.decoy_groups).sum())
            out["leakers_not_decoys"] = int(((threats["fate"] == "leaked") & ~is_decoy).sum())
        return out


def arm_track_distances_m(tracks: TrackBatch, spec: ClassificationSpec, origin: Origin,
                          radar_enu_m: NDArray[np.float64]) -> NDArray[np.float64]:
    """Distance (m,) from each radar to the nearest confirmed track that the classifier's ARM
    rule has diving on it or cruising at it (``command.threat_evaluation.arm_target_radar``);
    inf where none."""
    out = np.full(radar_enu_m.shape[0], np.inf)
    confirmed = tracks.take(np.flatnonzero(tracks.confirmed))
    if len(confirmed) == 0:
        return out
    target = arm_target_radar(confirmed, spec, track_altitude_m(confirmed, origin), radar_enu_m)
    rows = np.flatnonzero(np.isfinite(target))
    radar = target[rows].astype(np.intp)
    d = np.linalg.norm(confirmed.position_enu_m[rows] - radar_enu_m[radar], axis=1)
    np.minimum.at(out, radar, d)
    return out


def _directions(site: Any, position_enu_m: NDArray[np.float64]) -> tuple[
        NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Range, azimuth, elevation (radar local) of points (n, 3), and which are above the
    radar's 4/3-earth horizon (a receiver hears beyond its instrumented range)."""
    local = (np.asarray(position_enu_m, float).reshape(-1, 3) - site.position_enu_m) @ (
        site.rotation_to_local.T)
    ground2 = local[:, 0] ** 2 + local[:, 1] ** 2
    ground = np.sqrt(ground2)
    az = np.mod(np.arctan2(local[:, 0], local[:, 1]), _TWO_PI)
    el = np.arctan2(local[:, 2], ground)
    alt = site.antenna_alt_m + local[:, 2] + ground2 / (2.0 * EARTH_RADIUS_M)
    visible = ground <= radar_horizon_m(site.antenna_alt_m, np.maximum(alt, 0.0))
    return np.sqrt(ground2 + local[:, 2] ** 2), az, el, visible
