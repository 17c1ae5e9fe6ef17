"""The coverage command: files written, numbers consistent with the coverage computations."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from plotly.offline import get_plotlyjs
from typer.testing import CliRunner

from iadsim.cli import app
from iadsim.errors import ScenarioError
from iadsim.scenario.load import scenario_from_dict
from iadsim.sensors.coverage_views import coverage_of, write_coverage


def test_write_coverage_files(scenario_data: dict[str, Any], tmp_path: Path) -> None:
    data = copy.deepcopy(scenario_data)
    data["sensors"][0]["sectors_deg"] = [{"start_deg": 120.0, "end_deg": 240.0}]
    scenario = scenario_from_dict(data)
    files = write_coverage(scenario, tmp_path, rcs_m2=10.0, pd=0.5, altitude_m=50.0)
    html = files.html.read_text()
    assert "Plotly.newPlot" in html and "vertical coverage" in html
    assert html.count("<script") >= 3  # plotly.js inline once, then one call per figure
    assert len(files.pngs) == len(scenario.sensors) + 1
    assert all(p.stat().st_size > 10_000 for p in files.pngs)
    numbers = json.loads(files.data.read_text())
    assert [r["name"] for r in numbers["radars"]] == [s.name for s in scenario.sensors]
    # A 50 m sea skimmer: every radar is horizon-limited, 4.12 (sqrt(h_a) + sqrt(50)) km.
    for spec, radar in zip(scenario.sensors, numbers["radars"], strict=True):
        h_a = spec.position.alt_m + spec.mast_height_m
        expected = 4120.0 * (np.sqrt(h_a) + np.sqrt(50.0))
        assert numbers["map"]["max_ground_range_m"][spec.name] == pytest.approx(expected, rel=5e-3)
        assert radar["free_space_detection_range_m"] > expected


def test_coverage_numbers_follow_rcs(default_scenario: Any) -> None:
    _, small, _ = coverage_of(default_scenario, rcs_m2=0.01, pd=0.5, altitude_m=8000.0)
    _, large, _ = coverage_of(default_scenario, rcs_m2=1.0, pd=0.5, altitude_m=8000.0)
    for a, b in zip(small, large, strict=True):  # R^4 law in free space
        assert b.detection_range_m / a.detection_range_m == pytest.approx(100**0.25, rel=1e-6)


def test_bad_arguments(default_scenario: Any) -> None:
    with pytest.raises(ScenarioError, match=r"--pd must be in \(sensors\[0\]\.pfa, 1\)"):
        coverage_of(default_scenario, rcs_m2=1.0, pd=1.0, altitude_m=100.0)
    with pytest.raises(ScenarioError, match=r"--rcs-m2 must be > 0"):
        coverage_of(default_scenario, rcs_m2=-1.0, pd=0.5, altitude_m=100.0)


def test_cli_coverage(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "coverage",
            "--rcs-m2",
            "2",
            "--pd",
            "0.8",
            "--altitude-m",
            "3000",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "coverage.html").exists() and (tmp_path / "map_3000m.png").exists()
    bad = CliRunner().invoke(app, ["coverage", "--pd", "2", "--out", str(tmp_path)])
    assert bad.exit_code == 2


def test_coverage_page_escapes_names_and_draws_coast_and_assets(
    scenario_data: dict[str, Any], tmp_path: Path
) -> None:
    data = copy.deepcopy(scenario_data)
    evil = '<img src=x onerror=alert(1)> $\\frac{1}{0}$ $'
    data["name"] = evil
    data["sensors"][0]["name"] = f"radar {evil}"
    old = data["defended_assets"][0]["name"]
    data["defended_assets"][0]["name"] = f"{old} {evil}"
    for group in data["threats"]:
        if group.get("aim") == old:
            group["aim"] = f"{old} {evil}"
    files = write_coverage(scenario_from_dict(data), tmp_path, altitude_m=1000.0)
    page = files.html.read_text()
    assert "<img" not in page.replace(get_plotlyjs(), "")
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # the title, as text
    assert "Content-Security-Policy" in page
    figure = json.loads(re.search(r'id="fig-map-json">(.*?)</script>', page, re.S).group(1))
    traces = {t.get("name"): t for t in figure["data"]}
    assert {"coastline", "border", "defended assets"} <= set(traces)
    label = f"{old} &lt;img src=x onerror=alert(1)&gt;"
    assert label in traces["defended assets"]["hovertext"][0]
    assert label in figure["layout"]["annotations"][0]["text"]
    assert figure["layout"]["legend"]["orientation"] == "h"  # below the map, not under the bar
    assert len(files.pngs) == len(data["sensors"]) + 1  # matplotlib drew the "$" literally


def test_map_overlay_puts_assets_and_coast_where_they_are(default_scenario: Any) -> None:
    import pymap3d

    from iadsim.sensors.coverage_views import map_overlay
    from iadsim.world.frames import scenario_origin

    _, _, network = coverage_of(default_scenario, rcs_m2=1.0, pd=0.5, altitude_m=1000.0)
    overlay = map_overlay(default_scenario, network)
    o = scenario_origin(default_scenario)
    for name, e, n, asset in zip(overlay.asset_names, overlay.asset_east_km,
                                 overlay.asset_north_km, default_scenario.defended_assets,
                                 strict=True):
        ref = pymap3d.geodetic2enu(asset.position.lat_deg, asset.position.lon_deg, 0.0,
                                   o.lat_deg, o.lon_deg, o.alt_m)
        assert name == asset.name
        assert (e, n) == pytest.approx((ref[0] / 1e3, ref[1] / 1e3), abs=1e-6)
    # the Ligurian coast passes within a few km of the city (44.41 N, 8.93 E)
    coast = np.hypot(overlay.coast_east_km - overlay.asset_east_km[0],
                     overlay.coast_north_km - overlay.asset_north_km[0])
    assert np.nanmin(coast) < 5.0
    assert np.isfinite(overlay.coast_east_km).sum() > 100


def test_control_characters_and_colliding_names(scenario_data: dict[str, Any],
                                                tmp_path: Path) -> None:
    """An ESC in a radar name is drawn escaped (warnings are errors here: matplotlib's "Glyph 27
    missing" would fail the test), and ``radar/1`` and ``radar-1`` get two files."""
    data = copy.deepcopy(scenario_data)
    data["name"] = "h2 \x1b[31mred"
    data["sensors"][0]["name"] = "radar/1"
    data["sensors"][1]["name"] = "radar-1"
    data["sensors"].append({**copy.deepcopy(data["sensors"][1]), "name": "radar\x1b[31m-1"})
    files = write_coverage(scenario_from_dict(data), tmp_path, altitude_m=1000.0)
    names = [p.name for p in files.pngs]
    assert names == ["vertical_radar-1.png", "vertical_radar-1-2.png",
                     "vertical_radar-31m-1.png", "map_1000m.png"]
    res = CliRunner().invoke(app, ["coverage", str(_write(tmp_path, data)), "--out",
                                   str(tmp_path / "cli")])
    assert res.exit_code == 0, res.output
    assert "Warning" not in res.output and "\x1b" not in res.output


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    import yaml

    path = tmp_path / "h2.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path
