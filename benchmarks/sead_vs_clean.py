"""The contested fight: the bundled ``sead`` example against the same raid without EW.

Variants, same seeds:

* ``sead``: the example as bundled (stand-off and self-screening jammers, DRFM false targets,
  decoys, ARMs at both radars, the multifunction radar shutting down on ARM warning);
* ``sead_no_emcon``: the same, both radars emitting always;
* ``sead_ideal_warning``: the same, the multifunction radar warned of ARMs by the truth (an
  ideal warning receiver) rather than by its own picture;
* ``sead_no_noise_jamming``: the same without the stand-off and self-screening jammers (DRFM,
  decoys, ARMs and EMCON kept);
* ``no_ea``: the same raid without electronic attack: no ``ew`` section, no ARMs, no decoys.

Prints per variant the means over the seeds of the real threats killed and leaked (decoys and
ARMs left out), the rounds fired (and those at decoys and at tracks following no threat:
DRFM false targets and false alarms) and the radars lost. Ends with one JSON line.

Usage: ``python benchmarks/sead_vs_clean.py [--seeds 8] [--variants sead,no_ea]``
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import time
from typing import Any

import numpy as np
import yaml

from iadsim.scenario.load import EXAMPLES_DIR, scenario_from_dict
from iadsim.simulation import run

SEAD = yaml.safe_load((EXAMPLES_DIR / "sead.yaml").read_text(encoding="utf-8"))
FAKE = ("decoys",)


def variants() -> dict[str, dict[str, Any]]:
    """The variants' scenario dicts."""
    no_emcon = copy.deepcopy(SEAD)
    for r in no_emcon["ew"]["radars"]:
        r["emission"] = "always"
    ideal = copy.deepcopy(SEAD)
    for r in ideal["ew"]["radars"]:
        r["arm_warning"] = "ideal"
    no_noise = copy.deepcopy(SEAD)
    no_noise["ew"]["jammers"] = [j for j in SEAD["ew"]["jammers"] if j["kind"] == "drfm"]
    clean = copy.deepcopy(SEAD)
    clean.pop("ew")
    clean["threats"] = [g for g in clean["threats"] if g["name"] not in FAKE]
    return {"sead": SEAD, "no_ea": clean, "sead_no_emcon": no_emcon,
            "sead_ideal_warning": ideal, "sead_no_noise_jamming": no_noise}


def measures(result: Any) -> dict[str, float]:
    """Per-run figures of one result."""
    th = result.threats
    real = ~th["group"].isin(FAKE) & ~th["group"].str.startswith("arm:")
    eng = result.engagements
    target = eng["target_threat_id"] if "target_threat_id" in eng.columns else np.empty(0)
    group = dict(zip(th["threat_id"], th["group"], strict=True))
    at = [group.get(int(t), "") for t in target]
    ew = result.summary.get("ew", {})
    return {
        "real_threats": float(real.sum()),
        "killed": float(((th["fate"] == "killed") & real).sum()),
        "leaked": float(((th["fate"] == "leaked") & real).sum()),
        "rounds": float(len(target)),
        "rounds_at_decoys": float(sum(g in FAKE for g in at)),
        "rounds_at_arms": float(sum(g.startswith("arm:") for g in at)),
        "rounds_at_false_tracks": float(np.sum(np.asarray(target) < 0)),
        "radars_lost": float(ew.get("radars_lost", 0)),
        "arms_intercepted": float(ew.get("arms", {}).get("intercepted", 0)),
        "jammer_tracks": float(sum(t["jammer"] != "ghost" for t in
                                   ew.get("jammer_tracks", {}).get("position_tracks", []))),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--variants",
                        default="sead,no_ea,sead_no_emcon,sead_ideal_warning,sead_no_noise_jamming",
                        help="comma-separated subset of the variants")
    args = parser.parse_args()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    out: dict[str, dict[str, float]] = {}
    for name, data in variants().items():
        if name not in args.variants.split(","):
            continue
        sc = scenario_from_dict(data)
        rows = [measures(run(sc, seed=s, keep_trajectories=False))
                for s in range(1, args.seeds + 1)]
        out[name] = {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}
        print(f"{name:>14}: " + ", ".join(f"{k} {v:.2f}" for k, v in out[name].items()))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(f"CPU {cpu:.1f} s, wall {wall:.1f} s, load average {os.getloadavg()}")
    print(json.dumps({"benchmark": "sead_vs_clean", "seeds": args.seeds, "variants": out,
                      "cpu_s": cpu, "wall_s": wall}))


if __name__ == "__main__":
    main()
