"""``iadsim example --name network`` prints the bundled networked scenario."""

from __future__ import annotations

from typer.testing import CliRunner

from iadsim.cli import app
from iadsim.scenario.load import DEFAULT_SCENARIO, EXAMPLES_DIR, scenario_from_yaml


def test_example_names() -> None:
    res = CliRunner().invoke(app, ["example", "--name", "network"])
    assert res.exit_code == 0
    assert res.output == (EXAMPLES_DIR / "network.yaml").read_text(encoding="utf-8")
    assert len(scenario_from_yaml(res.output).network.units) == 5
    assert CliRunner().invoke(app, ["example"]).output == DEFAULT_SCENARIO.read_text("utf-8")
    bad = CliRunner().invoke(app, ["example", "--name", "nope"])
    assert bad.exit_code == 2
