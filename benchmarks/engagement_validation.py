"""Figures of docs/validation.md for the engagement models, from the tests' own references.

Prints, for the USSA76 atmosphere, the point-mass fly-out, the PN end game and the lethality
function, the figure each validation test checks (the reference code is imported from the
tests, not written twice). Ends with one JSON line.

Usage: ``python benchmarks/engagement_validation.py``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from scipy.stats import binomtest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "engagement"))

import test_atmosphere as ta
import test_endgame as te
import test_flyout as tf

from iadsim.engagement.atmosphere import atmosphere
from iadsim.engagement.flyout import fly_to
from iadsim.engagement.launchers import InterceptorClasses, flyout_params
from iadsim.engagement.lethality import calibrated_pk0, kill_probability
from iadsim.scenario.load import DEFAULT_SCENARIO, load_scenario


def main() -> None:
    out: dict[str, object] = {}
    z, t_k, rho, a = (np.array(c) for c in zip(*ta.USSA76, strict=True))
    temp, _, dens, sound = atmosphere(z)
    out["ussa76_max_density_rel_err"] = float(np.max(np.abs(dens / rho - 1)))
    out["ussa76_max_temperature_err_k"] = float(np.max(np.abs(temp - t_k)))
    out["ussa76_max_sound_err_mps"] = float(np.max(np.abs(sound - a)))

    scenario = load_scenario(DEFAULT_SCENARIO)
    params = flyout_params(scenario)
    rows = []
    for c, x, h in tf.CELLS:
        res = fly_to(params, [c], [x], [h])
        tof, speed = tf.reference_flight(params, c, x, h)
        rows.append((c, x, h, res.tof_s[0], tof, res.end_speed_mps[0], speed))
    arr = np.array(rows)
    out["flyout_max_tof_rel_err"] = float(np.max(np.abs(arr[:, 3] / arr[:, 4] - 1)))
    out["flyout_max_end_speed_rel_err"] = float(np.max(np.abs(arr[:, 5] / arr[:, 6] - 1)))
    print("fly-out cell (class, ground m, height m): tof s (RK4 table / solve_ivp), "
          "end speed m/s (table / solve_ivp)")
    for c, x, h, t1, t2, v1, v2 in rows:
        print(f"  {scenario_class(int(c))} {x:8.0f} {h:6.0f}: {t1:7.2f} / {t2:7.2f}   "
              f"{v1:7.1f} / {v2:7.1f}")

    base = InterceptorClasses.from_scenario(scenario)
    flyout = te.dataclasses.replace(base.flyout, beta_kg_m2=np.full(3, np.inf),
                                    max_accel_mps2=np.full(3, 30 * te.G))
    classes = te.dataclasses.replace(base, flyout=flyout)
    th, pm, vm, _ = te.crossing(heading_error_deg=4.0)
    out["pn_miss_non_manoeuvring_m"] = float(
        te.engage(te.tuned(classes), th, 0, pm, vm, 5.0)[0].miss_distance_m[0])
    worst = 0.0
    for hd, acc, tgo, lag in [(4.0, 0.0, 5.0, 0.2), (0.0, 60.0, 5.0, 0.3), (10.0, 30.0, 2.0, 0.4),
                              (2.0, 80.0, 3.0, 0.5)]:
        th, pm, vm, _ = te.crossing(hd, acc, tgo)
        got = te.engage(te.tuned(classes, 4.0, lag), th, 0, pm, vm, tgo)[0].miss_distance_m[0]
        want = te.reference_miss(th, pm, vm, 4.0, lag, 30 * te.G)
        print(f"  PN HE {hd:4.1f} deg, a_t {acc:4.0f} m/s2, tgo {tgo} s, lag {lag} s: "
              f"miss {got:8.3f} m (reference {want:8.3f} m)")
        worst = max(worst, abs(got - want) / max(want, 1.0))
    out["pn_vs_reference_max_rel_err"] = worst
    misses = []
    for acc in (0.0, 20.0, 40.0, 60.0, 80.0):
        th, pm, vm, _ = te.crossing(0.0, acc, 2.0)
        misses.append(float(te.engage(te.tuned(classes, 4.0, 0.4, 10 * te.G), th, 0, pm, vm,
                                      2.0)[0].miss_distance_m[0]))
    out["pn_miss_vs_target_accel_0_20_40_60_80_m"] = misses
    misses = []
    for tgo in (6.0, 3.0, 1.5, 0.8):
        th, pm, vm, _ = te.crossing(5.0, 0.0, tgo)
        misses.append(float(te.engage(te.tuned(classes, 4.0, 0.3), th, 0, pm, vm,
                                      tgo)[0].miss_distance_m[0]))
    out["pn_miss_vs_handover_6_3_1.5_0.8s_m"] = misses

    n, pk = 100_000, 0.75
    p = kill_probability(np.full(n, 8.0), np.full(n, 1500.0), calibrated_pk0(pk, 8.0, 20.0),
                         20.0, 400.0)
    kills = int((np.random.default_rng(11).random(n) < p).sum())
    ci = binomtest(kills, n, pk).proportion_ci(0.99)
    out["lethality_design_point_rate"] = kills / n
    out["lethality_99ci"] = [ci.low, ci.high]
    for k, v in out.items():
        print(f"{k}: {v}")
    print(json.dumps(out))


def scenario_class(c: int) -> str:
    return ("short", "long", "very_long")[c]


if __name__ == "__main__":
    main()
