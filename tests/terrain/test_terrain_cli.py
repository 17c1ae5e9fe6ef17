"""tests/terrain: the command line's terrain parts (example --name, siting's bad input)."""

from __future__ import annotations

import yaml
from typer.testing import CliRunner

from iadsim.cli import app
from iadsim.scenario.load import EXAMPLES_DIR


def test_example_name_terrain_prints_the_bundled_terrain_scenario() -> None:
    res = CliRunner().invoke(app, ["example", "--name", "terrain"])
    assert res.exit_code == 0
    assert yaml.safe_load(res.stdout)["terrain"]["synthetic"]["spacing_m"] == 90
    assert res.stdout == (EXAMPLES_DIR / "terrain.yaml").read_text(encoding="utf-8")


def test_example_unknown_name_exits_2_naming_the_choices() -> None:
    res = CliRunner().invoke(app, ["example", "--name", "nope"])
    assert res.exit_code == 2
    # the bundled examples, sorted (other packages add theirs): default and terrain among them
    line = res.output.strip()
    assert line.startswith("--name must be one of default, ") and line.endswith("(got 'nope')")
    assert "terrain" in line.split("one of ")[1]


def test_siting_bad_site_exits_2() -> None:
    res = CliRunner().invoke(app, ["siting", str(EXAMPLES_DIR / "terrain.yaml"),
                                   "--site", "44.5;8.7"])
    assert res.exit_code == 2
    assert "--site must be LAT,LON" in res.output


def test_siting_bad_numbers_exit_2_naming_each_option() -> None:
    res = CliRunner().invoke(app, ["siting", str(EXAMPLES_DIR / "terrain.yaml"),
                                   "--site", "95,8.7", "--pd", "1.5", "--rcs-m2", "-1",
                                   "--height-m", "-10"])
    assert res.exit_code == 2
    for text in ("--site 0 must have lat_deg in [-90, 90]", "--pd must be in (sensors[0].pfa, 1)",
                 "--rcs-m2 must be > 0 (got -1.0)", "--height-m must be >= 0 (got -10.0)"):
        assert text in res.output
    assert "Traceback" not in res.output
