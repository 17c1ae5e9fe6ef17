"""Point defence against one ARM on a clean sky: the multifunction radar keeps emitting, one
short-range launcher beside it. Every run engages the ARM with short-range rounds; a round
launched at the ARM in its straight dive is guided on the dive (not held at the track's height:
a miss of kilometres) and its seeker acquires; the ARM's fate is killed about as often as the
short class's Pk against ARMs (0.6 per acquired round) says."""

from __future__ import annotations

import copy

import numpy as np
import yaml
from scipy.stats import binom

from iadsim.ew.arms import with_arm_strikes
from iadsim.scenario.load import EXAMPLES_DIR, scenario_from_dict
from iadsim.simulation import run
from iadsim.world.frames import scenario_origin
from iadsim.world.threats import build_threats

SEAD = yaml.safe_load((EXAMPLES_DIR / "sead.yaml").read_text(encoding="utf-8"))
SEEDS = range(1, 7)


def _one_arm() -> dict:
    d = copy.deepcopy(SEAD)
    d["simulation"]["duration_s"] = 240
    # a far-off aircraft that arrives after the end: the scenario needs one threat group
    d["threats"] = [dict(SEAD["threats"][0], count=1, launch_time_s=235,
                         start={"lat_deg": 41.0, "lon_deg": 8.4, "alt_m": 8000})]
    d["launchers"] = [la for la in d["launchers"] if la["name"] == "short-1"]
    d["command"].pop("ballistic_reserve")
    ew = d["ew"]
    ew.pop("jammers")
    ew.pop("decoys")
    for r in ew["radars"]:
        r["emission"] = "always"
    ew["arm_strikes"] = [dict(a, count=1) for a in ew["arm_strikes"]
                         if a["target_radar"] == "multifunction-radar"]
    return d


def test_a_battery_engages_one_arm_with_short_range_rounds() -> None:
    scenario = scenario_from_dict(_one_arm())
    threats = build_threats(with_arm_strikes(scenario), scenario_origin(scenario))
    row = len(threats) - 1
    t = np.arange(float(threats.launch_time_s[row]), float(threats.end_time_s[row]), 0.5)
    vz = np.array([threats.state(s)[1][row, 2] for s in t])
    dive_from_s = float(t[np.argmax(vz < 0.99 * vz.min())])  # the pull is over: straight dive
    killed, acquired_pk, dive_rounds = 0, [], 0
    for seed in SEEDS:
        r = run(scenario, seed=seed, keep_trajectories=False)
        eng = r.engagements[r.engagements["target_threat_id"] == row]
        assert len(eng) >= 1 and (eng["interceptor_class"] == "short").all(), seed
        dive = eng[eng["launch_time_s"] >= dive_from_s]
        dive_rounds += len(dive)
        assert (dive["miss_distance_m"] < 150.0).all(), dive  # the seeker's basket
        acquired_pk += eng.loc[eng["miss_distance_m"] < 150.0, "end_game_pk"].tolist()
        killed += int(r.threats.loc[r.threats["threat_id"] == row, "fate"].iloc[0] == "killed")
    assert dive_rounds >= 1  # the dive's guidance was exercised
    # each acquired round kills with its end-game Pk (about the class's 0.6): the kills over
    # the seeds inside the central 99% of a binomial with their mean Pk
    n, p = len(acquired_pk), float(np.mean(acquired_pk))
    assert 0.55 <= p <= 0.61
    assert binom.ppf(0.005, n, p) <= killed <= binom.ppf(0.995, n, p)
    assert killed >= binom.ppf(0.01, len(SEEDS), 0.6)  # at least one acquired shot a run
