"""The radar stage: specs -> sites, Pd at the reference point, physical form, noise, horizon,
false alarms, scan timing, the multifunction scheduler and the validation of nonsense specs."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from iadsim.errors import ScenarioError
from iadsim.scenario.common import GeoPosition
from iadsim.scenario.load import scenario_from_dict
from iadsim.scenario.sensor_spec import SensorSpec
from iadsim.sensors.detection import pd_swerling
from iadsim.sensors.look import false_alarm_cells, false_alarms_per_look
from iadsim.sensors.radar import build_radars, look_times, observe_truth
from iadsim.sensors.range_equation import linear_to_db, snr_per_pulse
from iadsim.world.frames import Origin, scenario_origin, surface_point_to_enu
from iadsim.world.threats import TruthBatch, build_threats

ORIGIN = Origin(44.5, 8.75, 0.0)


def radar(**kw: Any) -> SensorSpec:
    base: dict[str, Any] = dict(
        name="r",
        position=GeoPosition(lat_deg=44.5, lon_deg=8.75, alt_m=0.0),
        mast_height_m=10.0,
        scan_period_s=2.0,
        max_range_m=300_000.0,
        range_sigma_m=25.0,
        azimuth_sigma_deg=0.1,
        elevation_sigma_deg=0.1,
        reference_range_m=100_000.0,
        pfa=1e-6,
        false_alarms_per_scan=0.0,
    )
    base.update(kw)
    if "peak_power_w" in kw:
        base.pop("reference_range_m")
    return SensorSpec(**base)


def truth(
    pos: np.ndarray, rcs: float = 1.0, vel: np.ndarray | None = None, time_s: float = 0.0
) -> TruthBatch:
    n = len(pos)
    return TruthBatch(
        time_s,
        np.arange(n, dtype=np.int64),
        np.asarray(pos, float),
        np.zeros((n, 3)) if vel is None else vel,
        np.full(n, rcs),
        np.zeros(n, np.int8),
    )


def one_look(site: Any, t: TruthBatch, seed: int = 0) -> Any:
    """Detections of the one look that ends in (0, period]."""
    return observe_truth(site, t, 0.0, site.scan_period_s, rng=np.random.default_rng(seed))


@pytest.mark.parametrize("swerling", [0, 1, 3])
def test_empirical_pd_at_the_reference_range(swerling: int) -> None:
    site = build_radars([radar(swerling=swerling, reference_pd=0.8)], ORIGIN)[0]
    n = 4000
    # 1 m^2 targets at the reference range, spread in azimuth so none share a cell.
    az = np.linspace(0, 2 * np.pi, n, endpoint=False)
    ground = 100_000.0 + 200.0 * (np.arange(n) % 20)  # no two in one gate of one beam
    pos = np.column_stack([ground * np.sin(az), ground * np.cos(az), np.full(n, 5000.0)])
    det = one_look(site, truth(pos), seed=swerling)
    r = np.linalg.norm(pos - site.position_enu_m, axis=1)
    expected = pd_swerling(
        linear_to_db(snr_per_pulse(r, 1.0, site.snr_1m2_1m)), 1e-6, 1, swerling
    ).mean()
    at_reference = linear_to_db(snr_per_pulse(100e3, 1.0, site.snr_1m2_1m))
    assert float(pd_swerling(at_reference, 1e-6, 1, swerling)) == pytest.approx(0.8, abs=1e-6)
    assert abs(len(det) / n - expected) < 4 * np.sqrt(0.16 / n)


def test_physical_form_against_the_hand_budget() -> None:
    # The dB budget of tests/sensors/test_range_equation.py: 16.340 dB on 0.1 m^2 at 75 km.
    spec = radar(
        peak_power_w=1.5e6,
        frequency_hz=5.6e9,
        antenna_gain_db=45.0,
        bandwidth_hz=5e6,
        noise_figure_db=3.0,
        system_losses_db=6.0,
    )
    site = build_radars([spec], ORIGIN)[0]
    assert float(linear_to_db(snr_per_pulse(75e3, 0.1, site.snr_1m2_1m))) == pytest.approx(
        16.340, abs=0.01
    )
    assert site.range_resolution_m == pytest.approx(29.979, abs=1e-3)  # c / 2B
    aperture = build_radars(
        [radar(peak_power_w=1e3, frequency_hz=3e9, effective_aperture_m2=1.0, pulse_width_s=1e-6)],
        ORIGIN,
    )[0]
    gain = build_radars(
        [radar(peak_power_w=1e3, frequency_hz=3e9, antenna_gain_db=30.998, pulse_width_s=1e-6)],
        ORIGIN,
    )[0]
    assert aperture.snr_1m2_1m == pytest.approx(gain.snr_1m2_1m, rel=1e-3)


def test_pulses_integrated_from_prf_and_time_on_target() -> None:
    # 1.5 deg beam, 10 s rotation: 41.7 ms on target; at 1 kHz, 41 pulses.
    site = build_radars([radar(prf_hz=1000.0, scan_period_s=10.0)], ORIGIN)[0]
    assert site.n_pulses == 41
    mfr = build_radars([radar(kind="multifunction", prf_hz=2000.0, track_dwell_s=0.01)], ORIGIN)[0]
    assert mfr.track_n_pulses == 20  # a track dwell: 2 kHz x 10 ms
    # search: 240 x 36 beam positions (72 deg / 2 deg) in a 2 s frame, under one pulse
    # each, so one pulse per beam, each listening 2 R / c to the instrumented range (longer
    # than the 0.5 ms at 2 kHz): the frame takes 8,640 x 2 R / c
    assert mfr.n_pulses == 1 and mfr.search.beam_positions == 240 * 36
    listen_s = 2.0 * mfr.max_range_m / 299_792_458.0
    assert listen_s > 1 / 2000.0
    assert mfr.scan_period_s == pytest.approx(240 * 36 * listen_s)
    assert build_radars([radar(pulses_integrated=7)], ORIGIN)[0].n_pulses == 7


def test_noise_at_high_snr_is_the_floor() -> None:
    site = build_radars([radar(reference_range_m=1e7, swerling=0)], ORIGIN)[0]
    az = np.linspace(0.3, 0.9, 2000)
    ground = 36e3 + 300.0 * (np.arange(2000) % 100)  # no two in one resolution cell
    pos = np.column_stack([ground * np.sin(az), ground * np.cos(az), np.full(2000, 3000.0)])
    det = one_look(site, truth(pos), seed=3)
    true_r = np.linalg.norm(pos - site.position_enu_m, axis=1)[det.truth_id]
    assert len(det) == 2000
    assert np.std(det.range_m - true_r) == pytest.approx(25.0, rel=0.06)
    assert np.all(det.range_sigma_m == pytest.approx(25.0, rel=1e-3))


def test_low_target_hidden_behind_horizon() -> None:
    """10 m mast, 30 m target: seen inside 35.6 km, never beyond (4/3 earth)."""
    site = build_radars([radar(reference_range_m=1e7)], ORIGIN)[0]
    ranges = np.array([30_000.0, 34_500.0, 36_700.0, 45_000.0])
    pos = surface_point_to_enu(np.zeros(4), ranges, np.full(4, 30.0), ORIGIN)
    seen = np.zeros(4, int)
    for k in range(20):
        seen[np.unique(one_look(site, truth(pos), seed=k).truth_id)] += 1
    assert seen[:2].tolist() == [20, 20]
    assert seen[2:].tolist() == [0, 0]


def test_blind_range_and_sectors() -> None:
    site = build_radars(
        [
            radar(
                reference_range_m=1e8,
                min_range_m=5000.0,
                sectors_deg=[{"start_deg": 300.0, "end_deg": 60.0}],
            )
        ],
        ORIGIN,
    )[0]
    pos = np.array([[0.0, 3000.0, 500.0], [0.0, 50e3, 5e3], [50e3, 0.0, 5e3], [-40e3, 40e3, 5e3]])
    det = one_look(site, truth(pos))
    np.testing.assert_array_equal(np.sort(det.truth_id), [1, 3])


def test_false_alarms_from_pfa_and_cells() -> None:
    spec = radar(false_alarms_per_scan=None, pfa=1e-5, elevation_beamwidth_deg=None)
    site = build_radars([spec], ORIGIN)[0]
    cells = false_alarm_cells(site)
    assert cells == pytest.approx((300e3 / 150.0) * 240.0)  # fan beam: one elevation cell
    lam = false_alarms_per_look(site)
    counts = [len(one_look(site, truth(np.zeros((0, 3))), seed=k)) for k in range(300)]
    assert abs(np.mean(counts) - lam) < 4 * np.sqrt(lam / 300)
    override = build_radars([radar(false_alarms_per_scan=3.0)], ORIGIN)[0]
    assert false_alarms_per_look(override) == 3.0


def test_look_times_and_look_timing() -> None:
    site = build_radars([radar()], ORIGIN)[0]
    np.testing.assert_allclose(look_times(site, 0.0, 1.0), [])
    np.testing.assert_allclose(look_times(site, 1.0, 2.0), [2.0])
    np.testing.assert_allclose(look_times(site, 0.0, 6.0), [2.0, 4.0, 6.0])
    pos = np.array([[50e3, 0.0, 5e3], [0.0, -50e3, 5e3]])
    assert site.scan_timing == "beam"  # the surveillance default
    det = observe_truth(
        build_radars([radar(reference_range_m=1e7, scan_timing="look")], ORIGIN)[0],
        truth(pos),
        0.0,
        2.0,
        rng=np.random.default_rng(0),
    )
    np.testing.assert_allclose(det.time_s, 2.0)


def test_beam_timing_depends_on_azimuth() -> None:
    site = build_radars(
        [radar(reference_range_m=1e7, scan_period_s=8.0, scan_timing="beam")], ORIGIN
    )[0]
    az = np.radians([90.3, 180.3, 270.3])
    pos = np.column_stack([50e3 * np.sin(az), 50e3 * np.cos(az), np.full(3, 5e3)])
    rng = np.random.default_rng(0)
    det = [observe_truth(site, truth(pos), t, t + 1.0, rng=rng) for t in range(8)]
    times = {int(i): float(t) for d in det for i, t in zip(d.truth_id, d.time_s, strict=True)}
    # Stamped at the centre of the 1.5 deg beam position: 90.75, 180.75, 270.75 deg.
    assert times == pytest.approx({0: 2.0167, 1: 4.0167, 2: 6.0167}, abs=1e-3)
    for k, d in enumerate(det):  # every detection inside its own step
        assert np.all((d.time_s > k) & (d.time_s <= k + 1))


def _raid(n: int, ground_m: float = 60e3) -> TruthBatch:
    az = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    pos = np.column_stack([ground_m * np.sin(az), ground_m * np.cos(az), np.full(n, 3000.0)])
    vel = -250.0 * np.column_stack([np.sin(az), np.cos(az), np.zeros(n)])  # inbound
    return truth(pos, rcs=10.0, vel=vel)


def test_multifunction_track_capacity_never_exceeded() -> None:
    spec = radar(kind="multifunction", reference_range_m=1e6, track_capacity=8, scan_period_s=2.0)
    site = build_radars([spec], ORIGIN)[0]
    rng = np.random.default_rng(5)
    raid = _raid(30)
    for k in range(20):
        observe_truth(site, raid, float(k), float(k + 1), rng=rng)
        assert len(site.scheduler) <= 8
    assert site.scheduler.max_held == 8


def test_multifunction_revisits_by_priority_and_search_slows() -> None:
    spec = radar(
        kind="multifunction",
        reference_range_m=1e6,
        track_capacity=50,
        scan_period_s=2.0,
        track_dwell_s=0.02,
        max_track_fraction=0.5,
        revisit_high_s=0.5,
        revisit_medium_s=1.0,
        revisit_low_s=4.0,
    )
    site = build_radars([spec], ORIGIN)[0]
    sched = site.scheduler
    rng = np.random.default_rng(1)
    raid = _raid(40)
    dwell_counts = np.zeros(40)
    for k in range(12):
        det = observe_truth(site, raid, float(k), float(k + 1), rng=rng)
        dwell_counts += np.bincount(det.truth_id[det.truth_id >= 0], minlength=40)
    assert len(sched) == 40
    # 60 km at 250 m/s: 240 s to go -> low priority, dwell every 4 s. Force some to high.
    sched.set_priority(np.arange(10), 0)
    before = sched.track_time_total_s
    hits = np.zeros(40)
    for k in range(12, 20):
        det = observe_truth(site, raid, float(k), float(k + 1), rng=rng)
        hits += np.bincount(det.truth_id[det.truth_id >= 0], minlength=40)
    assert hits[:10].mean() > 2.5 * hits[10:].mean()
    # Track time never exceeds its share of the budget.
    assert sched.track_time_total_s - before <= 0.5 * 8 + 1e-9


def test_multifunction_budget_split() -> None:
    spec = radar(
        kind="multifunction",
        reference_range_m=1e6,
        track_capacity=100,
        scan_period_s=2.0,
        track_dwell_s=0.05,
        max_track_fraction=0.4,
        revisit_low_s=0.5,
        revisit_medium_s=0.5,
        revisit_high_s=0.5,
    )
    site = build_radars([spec], ORIGIN)[0]
    sched = site.scheduler
    sched.ids = np.arange(30, dtype=np.int64)
    sched.last_dwell_s = np.zeros(30)
    sched.misses = np.zeros(30, np.int64)
    sched.priority = np.full(30, 2, np.int8)
    sched.forced = np.zeros(30, bool)
    sched.confirming = np.zeros(30, bool)
    plan = sched.plan(10.0, 11.0)
    assert plan.dwell_ids.size == 8  # 0.4 s / 0.05 s
    assert plan.deferred == 30 * 2 - 8  # each track due at 10+ and 10.5+
    assert plan.search_time_s == pytest.approx(0.6)
    assert plan.search_width_rad == pytest.approx(2 * np.pi * 0.3)
    assert np.all((plan.dwell_time_s > 10.0) & (plan.dwell_time_s <= 11.0))


def _scenario_with(scenario_data: dict[str, Any], **change: Any) -> None:
    data = copy.deepcopy(scenario_data)
    data["sensors"][1].update(change)
    scenario_from_dict(data, "scenario.yaml")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"peak_power_w": -5.0, "reference_range_m": None},
            r"sensors\[0\]\.peak_power_w must be > 0",
        ),
        ({"pfa": 1.5}, r"sensors\[0\]\.pfa must be < 1"),
        ({"pfa": 0.0}, r"sensors\[0\]\.pfa must be > 0"),
        (
            {"min_elevation_deg": 85.0},
            r"sensors\[0\]\.min_elevation_deg must be < sensors\[0\]\.max_elevation_deg",
        ),
        ({"swerling": 6}, r"sensors\[0\]\.swerling must be one of"),
        ({"peak_power_w": 1e6}, r"sensors\[0\]\.reference_range_m must be left out"),
        ({"reference_range_m": None}, r"sensors\[0\]\.reference_range_m is required"),
        (
            {"reference_range_m": None, "peak_power_w": 1e6},
            r"sensors\[0\]\.reference_range_m is not given, so .* needs frequency_hz",
        ),
        ({"azimuth_beamwidth_deg": 0.0}, r"sensors\[0\]\.azimuth_beamwidth_deg must be > 0"),
        ({"noise_figure_db": -1.0}, r"sensors\[0\]\.noise_figure_db must be >= 0"),
        ({"track_capacity": -1}, r"sensors\[0\]\.track_capacity must be >= 0"),
    ],
)
def test_nonsense_parameters_name_the_field(
    scenario_data: dict[str, Any], change: dict[str, Any], message: str
) -> None:
    data = copy.deepcopy(scenario_data)
    for key, value in change.items():
        if value is None:
            data["sensors"][0].pop(key, None)
        else:
            data["sensors"][0][key] = value
    with pytest.raises(ScenarioError, match=message):
        scenario_from_dict(data, "scenario.yaml")


@pytest.mark.parametrize("n", [0, 1, 50])
def test_zero_one_many_targets(n: int) -> None:
    site = build_radars([radar(reference_range_m=1e7)], ORIGIN)[0]
    az = np.linspace(0, 6, n)
    pos = np.column_stack([30e3 * np.sin(az), 30e3 * np.cos(az), np.full(n, 2e3)])
    assert len(one_look(site, truth(pos.reshape(-1, 3)))) == n


@pytest.mark.parametrize("timing", ["look", "beam"])
def test_multifunction_with_no_time_left_for_search(timing: str) -> None:
    spec = radar(
        kind="multifunction",
        reference_range_m=1e6,
        track_capacity=100,
        track_dwell_s=0.1,
        max_track_fraction=1.0,
        revisit_high_s=0.1,
        revisit_medium_s=0.1,
        revisit_low_s=0.1,
        scan_timing=timing,
    )
    site = build_radars([spec], ORIGIN)[0]
    rng = np.random.default_rng(2)
    raid = _raid(20)
    for k in range(6):
        det = observe_truth(site, raid, float(k), float(k + 1), rng=rng)
        assert np.all((det.time_s > k) & (det.time_s <= k + 1))
    # The first step's search found some (all, reported whole, with "look" timing); their
    # dwells then fill every step and the search stops.
    assert len(site.scheduler) == (20 if timing == "look" else 9)
    assert site.scheduler.plan(6.0, 7.0).search_width_rad == 0.0
    empty = observe_truth(site, truth(np.zeros((0, 3))), 7.0, 8.0, rng=rng)
    assert len(empty) == 0


@pytest.mark.parametrize("timing", ["look", "beam"])
def test_multifunction_measures_targets_where_they_are_at_the_time_stamp(timing: str) -> None:
    spec = radar(
        kind="multifunction",
        reference_range_m=1e7,
        range_sigma_m=1e-3,
        azimuth_sigma_deg=1e-6,
        elevation_sigma_deg=1e-6,
        scan_timing=timing,
        revisit_low_s=0.3,
        revisit_medium_s=0.3,
        revisit_high_s=0.3,
    )
    site = build_radars([spec], ORIGIN)[0]
    start = np.array([[20e3, 40e3, 3e3]])
    vel = np.array([[-200.0, -250.0, 0.0]])
    rng = np.random.default_rng(0)
    stamps = 0
    for k in range(8):
        t = truth(start + vel * k, vel=vel, time_s=float(k))
        det = observe_truth(site, t, float(k), k + 1.0, rng=rng)
        for time_s, r in zip(det.time_s, det.range_m, strict=True):
            where = start[0] + vel[0] * time_s
            assert r == pytest.approx(np.linalg.norm(where - site.position_enu_m), abs=0.5)
            stamps += 1
    assert stamps >= 8


@pytest.mark.parametrize(
    "change",
    [
        {"range_sigma_m": 30_000.0},  # noise gave negative ranges that aborted the tracker
        {"range_sigma_m": 1e12},  # ... and singular innovation covariances
        {"reference_range_m": 1e80},  # reference_range_m ** 4 raised OverflowError
        {"range_sigma_m": 1e12, "azimuth_sigma_deg": 1e-6, "elevation_sigma_deg": 1e-6},
    ],
)
def test_extreme_valid_accuracies_and_reference_points_run(
    scenario_data: dict[str, Any], change: dict[str, Any]
) -> None:
    from iadsim.simulation import run

    d = copy.deepcopy(scenario_data)
    d["simulation"]["duration_s"] = 20.0
    sc = scenario_from_dict(d)
    d["sensors"][0].update(change)
    with pytest.raises(ScenarioError, match=r"sensors\[0\]\.(range_sigma_m|reference_range_m)"):
        scenario_from_dict(d)  # validation refuses these values now (the 1% and 1e12 rules) ...
    extreme = sc.sensors[0].model_copy(update=change)  # ... and the run-time code stays robust
    sc = sc.model_copy(update={"sensors": [extreme, *sc.sensors[1:]]})
    result = run(sc, keep_trajectories=False)  # used to raise
    # every object in the world: the groups' members plus what the raid adds (boosters, weapons)
    assert result.summary["threat_count"] == len(build_threats(sc, scenario_origin(sc)))


def test_radars_whose_false_alarms_dominate_the_run_warn_up_front() -> None:
    from iadsim.sensors.radar import RunCostWarning

    quiet = radar(reference_range_m=1e5, false_alarms_per_scan=50.0, scan_period_s=10.0)
    assert len(build_radars([quiet], ORIGIN)) == 1  # no warning (warnings are errors here)
    noisy = radar(reference_range_m=1e5, false_alarms_per_scan=20_000.0, scan_period_s=10.0,
                  timestamp_sector_deg=90.0)
    with pytest.warns(RunCostWarning, match=r"make 2,005 false alarms per simulated second "
                      r"\('r' 2,000, 'r' 5\), about 0\.2 ms each: .* about 0\.4 s of wall"):
        build_radars([noisy, quiet], ORIGIN)


def test_radars_stamping_many_scans_per_second_warn_up_front() -> None:
    from iadsim.sensors.radar import RunCostWarning

    # a 0.1-s rotation stamped per 1.5-degree beam: 240 stamps per rotation, but only as many
    # as there are echoes (about 50 false alarms + targets)
    fast = radar(reference_range_m=1e5, false_alarms_per_scan=50.0, scan_period_s=0.1,
                 scan_timing="beam")
    with pytest.warns(RunCostWarning, match=r"make 510 tracker scans per simulated second"):
        build_radars([fast], ORIGIN)
