"""The default fight over seeds: leakers by type, rounds by class, cost, rounds at the dead.

Usage: ``python benchmarks/default_fight.py 1,2,3,4,5,6,7,8``. One full run per seed
(``simulation.run(seed=k)``, the bundled default scenario), one JSON line per seed (with the
ghost-sample rate and CPU seconds), the means with 95% t intervals, then one JSON line of every
row. The README's "default fight" figures.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from scipy import stats

from iadsim.scenario.load import DEFAULT_SCENARIO, load_scenario
from iadsim.simulation import run


def one_run(scenario, seed: int) -> dict[str, object]:
    """Outcomes of one replication of the default scenario."""
    c0 = time.process_time()
    r = run(scenario, seed=seed, keep_trajectories=True)
    s, th, e = r.summary, r.threats, r.engagements
    leaked = th[th["fate"] == "leaked"]
    return dict(
        seed=seed, leakers=int(s["leakers"]), kills=int(s["kills"]),
        rounds=int(s["rounds_total"]), cost=float(s.get("interceptor_cost") or 0.0),
        cpu_s=round(time.process_time() - c0, 1),
        leaked_types=leaked["type"].value_counts().to_dict(),
        by_class=e["interceptor_class"].value_counts().to_dict(),
        on_dead_track=int(e["on_dead_track"].sum()) if "on_dead_track" in e else None,
        ghost=round(s["tracking"].get("ghost_sample_rate", float("nan")), 4),
        ghost_tracks=s["tracking"].get("ghost_tracks"))


def interval(values: list[float]) -> str:
    """Mean [95% t interval]."""
    x = np.asarray(values, float)
    h = stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size) if x.size > 1 else np.nan
    return f"{x.mean():.2f} [{x.mean() - h:.2f}, {x.mean() + h:.2f}]"


def main() -> None:
    seeds = [int(k) for k in (sys.argv[1] if len(sys.argv) > 1 else "1,2,3,4").split(",")]
    scenario = load_scenario(DEFAULT_SCENARIO)
    rows = []
    for k in seeds:
        rows.append(one_run(scenario, k))
        print(json.dumps(rows[-1], default=str), flush=True)
    leaking = sum(r["leakers"] > 0 for r in rows)
    print("leakers", interval([r["leakers"] for r in rows]), f"runs leaking {leaking}/{len(rows)}")
    print("rounds", interval([r["rounds"] for r in rows]), "cost",
          interval([r["cost"] for r in rows]))
    print("cpu_s", interval([r["cpu_s"] for r in rows]))
    print(json.dumps({"rows": rows}, default=str))


if __name__ == "__main__":
    main()
