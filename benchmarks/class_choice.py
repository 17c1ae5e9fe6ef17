"""Rounds by interceptor class x true threat type on the bundled default (issue 13 item 1).

Usage: ``python benchmarks/class_choice.py [--seeds 1-8] [--set key=json ...] [--out f.json]``

For every seed, runs the default scenario (``--set`` overrides ``command.<key>`` with a JSON
value, e.g. ``--set class_preference='"longest_reach"'``) and prints the rounds launched per
(class, true type of the engaged threat; ``false`` for a round booked at no threat), leakers,
interceptor cost and the ``class_fallback`` events (a longer-range class kept for a threat
no cheaper class could meet in time). Ends with the means and 95% t intervals and one JSON line.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import yaml

from iadsim.scenario.load import DEFAULT_SCENARIO, scenario_from_dict
from iadsim.simulation import run


def seeds_of(text: str) -> list[int]:
    """``"1-8"`` -> [1, ..., 8]; ``"3,20261127"`` -> [3, 20261127]."""
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out.extend(range(int(lo), int(hi) + 1) if hi else [int(lo)])
    return out


def interval(x: np.ndarray) -> tuple[float, float]:
    """Mean and the half-width of its 95% t interval."""
    from scipy import stats

    if x.size < 2:
        return float(x.mean()), float("nan")
    return float(x.mean()), float(stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1)
                                  / np.sqrt(x.size))


def one_run(scenario, seed: int) -> dict[str, object]:
    """Rounds per class x true type, leakers, cost and fallback events of one replication."""
    r = run(scenario, seed=seed, keep_trajectories=False)
    kind = dict(zip(r.threats["threat_id"].tolist(), r.threats["type"].tolist(), strict=True))
    table: dict[str, int] = {}
    for c, t in zip(r.engagements["interceptor_class"].tolist(),
                    r.engagements["target_threat_id"].tolist(), strict=True):
        key = f"{c}@{kind.get(int(t), 'false')}"
        table[key] = table.get(key, 0) + 1
    ev = r.events
    fallback = int((ev["kind"] == "class_fallback").sum()) if "kind" in ev else 0
    s = r.summary
    return {"seed": seed, "leakers": int(s["leakers"]), "kills": int(s["kills"]),
            "rounds": int(s["rounds_total"]), "cost": float(s["interceptor_cost"] or 0.0),
            "by_class_type": table, "fallback_events": fallback}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="1-8")
    ap.add_argument("--set", action="append", default=[], help="command.KEY=JSON")
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    data = yaml.safe_load(DEFAULT_SCENARIO.read_text())
    data = copy.deepcopy(data)
    for item in args.set:
        k, _, v = item.partition("=")
        data["command"][k] = json.loads(v)
    scenario = scenario_from_dict(data, "default.yaml")
    rows = []
    c0 = time.process_time()
    for seed in seeds_of(args.seeds):
        row = one_run(scenario, seed)
        rows.append(row)
        print(json.dumps(row), flush=True)
    keys = sorted({k for r in rows for k in r["by_class_type"]})
    print(f"{'class@type':<28} {'mean rounds':>12} (seeds {args.seeds})")
    summary: dict[str, object] = {}
    for k in keys:
        m, h = interval(np.array([r["by_class_type"].get(k, 0) for r in rows], float))
        summary[k] = {"mean": m, "ci95": h}
        print(f"{k:<28} {m:>7.2f} +- {h:.2f}")
    for k in ("leakers", "kills", "rounds", "cost", "fallback_events"):
        m, h = interval(np.array([r[k] for r in rows], float))
        summary[k] = {"mean": m, "ci95": h}
        print(f"{k:<28} {m:>7.2f} +- {h:.2f}")
    print(f"CPU {time.process_time() - c0:.0f} s")
    line = json.dumps({"seeds": args.seeds, "set": args.set, "summary": summary, "raw": rows})
    print(line)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(line + "\n")


if __name__ == "__main__":
    main()
