"""What the networked defence costs: one replication of the networked example against the
default scenario, and what the network does to its outcome.

Runs the bundled default scenario and the bundled networked example (three fire units, two
surveillance radars, 150 threats, 900 s) once each, seed 1, without trajectory tables, in this
process (the fly-out envelope tables are built before the clock starts), and the networked
example with its ``network`` section removed (the same radars and launchers as one centralised
battalion). Prints CPU (``time.process_time``) and wall time, the load average, the CPU ratio
networked / default (the target is under 3), kills and leakers of the networked and
centralised runs, rounds per unit, link loads and latencies and the fused picture's GOSPA.
Ends with one JSON line.

Usage: ``python benchmarks/network_cost.py``
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from iadsim.engagement.launchers import envelope_table
from iadsim.scenario.load import DEFAULT_SCENARIO, EXAMPLES_DIR, load_scenario
from iadsim.scenario.model import Scenario
from iadsim.scenario.network_spec import NetworkSpec
from iadsim.simulation import run


def _timed(scenario: Scenario) -> tuple[float, float, dict[str, Any]]:
    table = envelope_table(scenario)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    res = run(scenario, seed=1, keep_trajectories=False, envelopes=table)
    return time.process_time() - cpu0, time.perf_counter() - wall0, res.summary


def main() -> None:
    default = load_scenario(DEFAULT_SCENARIO)
    network = load_scenario(EXAMPLES_DIR / "network.yaml")
    central = network.model_copy(update={"network": NetworkSpec()})
    out: dict[str, Any] = {"load_before": os.getloadavg()}
    for name, sc in (("default", default), ("network", network), ("central", central)):
        cpu, wall, summary = _timed(sc)
        out[name] = {"cpu_s": round(cpu, 2), "wall_s": round(wall, 2),
                     "kills": summary["kills"], "leakers": summary["leakers"],
                     "rounds": summary.get("rounds_total"), "load": os.getloadavg()}
        if "network" in summary:
            net = summary["network"]
            out[name]["rounds_per_unit"] = {u: v["rounds"] for u, v in net["units"].items()}
            out[name]["not_operational_s"] = {u: v["time_not_operational_s"]
                                              for u, v in net["units"].items()}
            out[name]["links"] = {k: {"load": round(v["load"], 4),
                                      "mean_latency_s": round(v["mean_latency_s"], 3),
                                      "dropped": v["dropped"], "lost": v["lost"]}
                                  for k, v in net["links"].items()}
            out[name]["fused_gospa_m"] = round(net["fused_picture"]["mean_gospa_m"], 1)
        print(f"{name:8s} cpu {cpu:7.2f} s  wall {wall:7.2f} s  kills {summary['kills']:3d}  "
              f"leakers {summary['leakers']:3d}  load {os.getloadavg()[0]:.2f}")
    out["cpu_ratio_network_over_default"] = round(out["network"]["cpu_s"]
                                                  / out["default"]["cpu_s"], 2)
    print(f"CPU ratio networked / default: {out['cpu_ratio_network_over_default']} (target < 3)")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
