"""Golden outcomes: the default scenario, run with its own seed, gives the stored outcomes.

A change that moves them is either a deliberate model change or a bug. For a deliberate one,
rewrite the file with ``python tests/test_golden.py`` and commit it on its own, saying why.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from iadsim.outcomes.result import Result

GOLDEN = Path(__file__).parent / "golden" / "default_outcomes.json"


def outcomes(result: Result) -> dict[str, Any]:
    """The pinned part of a run: counts per fate, type and class, and every threat's fate."""
    s = result.summary
    th = result.threats.sort_values("threat_id")
    eng = result.engagements.sort_values("interceptor_id")
    return {
        "seed": int(s["seed"]),
        "threat_count": int(s["threat_count"]),
        "fates": {k: int(v) for k, v in sorted(s["fates"].items())},
        "threats": {t: {f: int(n) for f, n in sorted(d.items())}
                    for t, d in sorted(s["threats"].items())},
        "kills": int(s["kills"]),
        "leakers": int(s["leakers"]),
        "leakers_per_asset": {k: int(v) for k, v in sorted(s["leakers_per_asset"].items())},
        "rounds_spent": {k: int(v) for k, v in sorted(s["rounds_spent"].items())},
        "rounds_total": int(s["rounds_total"]),
        "interceptor_cost": round(float(s["interceptor_cost"]), 6),
        "threat_fates": [f"{i}:{f}:{c}" for i, f, c in
                         zip(th["threat_id"], th["fate"], th["killer_class"], strict=True)],
        "interceptor_outcomes": [f"{i}:{t}:{o}" for i, t, o in
                                 zip(eng["interceptor_id"], eng["target_threat_id"],
                                     eng["outcome"], strict=True)],
    }


def test_default_scenario_matches_its_golden_outcomes(default_result: Result) -> None:
    expected = json.loads(GOLDEN.read_text())
    got = outcomes(default_result)
    for key in expected:  # key by key, so a failure names what moved
        assert got[key] == expected[key], f"golden outcome {key!r} moved"
    assert set(got) == set(expected)


if __name__ == "__main__":
    from iadsim.scenario.load import DEFAULT_SCENARIO, load_scenario
    from iadsim.simulation import run

    data = outcomes(run(load_scenario(DEFAULT_SCENARIO)))
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(data, indent=1, allow_nan=False) + "\n")
    print(f"wrote {GOLDEN}: {data['kills']} kills, {data['leakers']} leakers, "
          f"{data['rounds_total']} rounds")
