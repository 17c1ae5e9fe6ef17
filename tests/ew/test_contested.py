"""EW in a run: the jammed RCS each radar sees is the textbook S / (N + J), jammed radars
strobe the jammers, and the strobes triangulate them as well as their sigmas predict."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml

from iadsim.ew.contested import ContestedSky
from iadsim.scenario.load import EXAMPLES_DIR, scenario_from_dict
from iadsim.sensors.radar import build_radars
from iadsim.simulation import run
from iadsim.world.frames import scenario_origin
from iadsim.world.threats import build_threats

SEAD = yaml.safe_load((EXAMPLES_DIR / "sead.yaml").read_text(encoding="utf-8"))
K_B, T0, C = 1.380649e-23, 290.0, 299_792_458.0


def test_the_self_screening_carrier_is_seen_through_the_textbook_s_over_n_plus_j() -> None:
    d = copy.deepcopy(SEAD)
    d["ew"] = {"jammers": [j for j in SEAD["ew"]["jammers"] if j["name"] == "ssj"]}
    sc = scenario_from_dict(d)
    origin = scenario_origin(sc)
    radars, threats = build_radars(list(sc.sensors), origin), build_threats(sc, origin)
    sky = ContestedSky.build(sc, origin, radars, threats, 1)
    assert sky is not None
    truth = threats.truth_at(30.0)
    seen = [t for _, t in sky.screen_all(radars, truth, 30.0, 31.0)]
    j = d["ew"]["jammers"][0]
    erp = j["power_w"] * 10 ** (j["antenna_gain_db"] / 10)
    fighters = np.flatnonzero(np.isin(truth.threat_id, [0, 1]))
    assert fighters.size == 2
    for site, sensor, screened in zip(radars, sc.sensors, seen, strict=True):
        # the textbook receive side: the sensor's gain, else 26000 / (az x el beamwidth)
        g_db = sensor.antenna_gain_db or 10 * np.log10(26_000 / (
            sensor.azimuth_beamwidth_deg * sensor.elevation_beamwidth_deg))
        b_r = sensor.bandwidth_hz or C / (2 * sensor.range_resolution_m)
        lam = C / (sensor.frequency_hz or 3e9)
        off = truth.position_enu_m[fighters] - site.position_enu_m
        r = np.linalg.norm(off, axis=1)
        jnr = (erp * 10 ** (g_db / 10) * lam**2 / ((4 * np.pi) ** 2 * r**2)
               * min(1, b_r / j["bandwidth_hz"]) / (K_B * T0 * 10 ** (sensor.noise_figure_db / 10)
                                                    * b_r))
        az = np.degrees(np.arctan2(off[:, 0], off[:, 1]))
        el = np.degrees(np.arctan2(off[:, 2], np.hypot(off[:, 0], off[:, 1])))
        for k in range(2):  # the beam on fighter k: the other's jammer in the main lobe or not
            main = (np.abs(az - az[k]) <= sensor.azimuth_beamwidth_deg / 2) & (
                np.abs(el - el[k]) <= sensor.elevation_beamwidth_deg / 2)
            total = np.sum(np.where(main, 1.0, 10 ** (-30 / 10)) * jnr)
            assert screened.rcs_m2[fighters[k]] == pytest.approx(3.0 / (1 + total), rel=1e-6)
        assert screened.rcs_m2[fighters].max() < 3.0 / 10  # jammed by more than 10 dB


@pytest.fixture(scope="module")
def short_sead() -> dict:
    d = copy.deepcopy(SEAD)
    d["simulation"]["duration_s"] = 60
    return run(scenario_from_dict(d), seed=2, keep_trajectories=False).summary["ew"]


def test_jammed_radars_strobe_and_triangulate_the_jammers(short_sead: dict) -> None:
    assert short_sead["strobes"] > 0
    soj = short_sead["strobe_fixes"]["soj"]
    assert soj["fixes"] > 10
    # the median error of a 2-D Gaussian fix is ~1.18 sigma per axis: within 3x the sigma
    assert soj["median_error_m"] < 3 * soj["median_predicted_sigma_m"]
    assert set(short_sead["burn_through_m"]) == {"surveillance-radar", "multifunction-radar"}
    for row in short_sead["burn_through_m"].values():
        assert 0 < row["ssj"] < row["soj"] < 400_000


def test_two_drfm_repeaters_each_show_their_false_targets() -> None:
    # review: the second repeater's carriers were looked up in the truth already extended by
    # the first one's false targets (ids -1 at the end: not sorted), so they were lost.
    d = copy.deepcopy(SEAD)
    drfm = next(j for j in SEAD["ew"]["jammers"] if j["kind"] == "drfm")
    d["ew"] = {"jammers": [dict(drfm, name="drfm-a", carrier_group="fighters"),
                           dict(drfm, name="drfm-b", carrier_group="decoys")]}
    sc = scenario_from_dict(d)
    origin = scenario_origin(sc)
    radars, threats = build_radars(list(sc.sensors), origin), build_threats(sc, origin)
    sky = ContestedSky.build(sc, origin, radars, threats, 1)
    truth = threats.truth_at(200.0)
    carriers = np.isin(np.asarray(threats.group)[truth.threat_id],
                       ["fighters", "decoys"]).sum()
    assert carriers > 2
    for site in radars:
        seen = sky._deceive(site, truth)
        assert (seen.threat_id < 0).sum() == carriers * len(drfm["range_offsets_m"])
