"""tests/montecarlo: a sweep builds a point's terrain once and every replication reuses it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import iadsim.terrain.site_view as site_view
from iadsim.montecarlo.grid import SweepPoint
from iadsim.montecarlo.replication import replicate
from iadsim.montecarlo.sweep import run_sweep
from iadsim.scenario.load import EXAMPLES_DIR, load_scenario


def _coarse_example(tmp_path: Path) -> Path:
    data = yaml.safe_load((EXAMPLES_DIR / "terrain.yaml").read_text(encoding="utf-8"))
    data["terrain"]["synthetic"]["spacing_m"] = 3000.0  # cheap grid, same code paths
    data["simulation"]["duration_s"] = 20.0
    path = tmp_path / "terrain.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_sweep_builds_each_points_terrain_once(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = _coarse_example(tmp_path)
    built: list[int] = []
    real = site_view.build_terrain
    monkeypatch.setattr(site_view, "build_terrain",
                        lambda *a, **k: built.append(1) or real(*a, **k))
    seen: list[Any] = []

    def fake(point: SweepPoint, replication: int) -> dict[str, Any]:
        seen.append(point.terrain)
        n = sum(g.count for g in point.scenario.threats)
        return {"n_threats": n, "leakers": 0, "any_leaker": False, "kills": n,
                "track_rms_m": 1.0}

    run_sweep(path, runs=3, out_dir=tmp_path / "out", sets=["threats[0].count=1,2"],
              backend="serial", replicate=fake)
    assert len(built) == 2  # one per point, not one per replication
    assert len(seen) == 6 and all(t is not None for t in seen)


def test_a_replication_with_the_prebuilt_terrain_equals_one_building_it(tmp_path: Path) -> None:
    from iadsim.montecarlo.sweep import _terrain

    scenario = load_scenario(_coarse_example(tmp_path))
    plain = replicate(SweepPoint(index=0, values={}, scenario=scenario), 1)
    prebuilt = replicate(SweepPoint(index=0, values={}, scenario=scenario,
                                    terrain=_terrain(scenario)), 1)
    plain.pop("wall_time_s", None)
    prebuilt.pop("wall_time_s", None)
    assert prebuilt == plain
