"""The command line: run, validate, example; errors exit 2 without a traceback."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from iadsim.cli import app
from iadsim.errors import RunInterrupted
from iadsim.scenario.load import scenario_from_dict
from iadsim.simulation import run


def write_short(tmp_path: Path, data: dict[str, Any], duration_s: float = 60.0) -> Path:
    data = copy.deepcopy(data)
    data["simulation"]["duration_s"] = duration_s
    path = tmp_path / "short.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_run_writes_outputs_and_prints_summary(tmp_path: Path,
                                               default_data: dict[str, Any]) -> None:
    path = write_short(tmp_path, default_data)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(path), "--seed", "3", "--out", str(out), "-q"])
    assert res.exit_code == 0, res.output
    assert "Interceptors spent" in res.output and "Leakers per asset" in res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 3 and summary["duration_s"] == 60.0
    assert (out / "threats.parquet").exists() and (out / "events.parquet").exists()


def test_run_bad_scenario_exits_2(tmp_path: Path, default_data: dict[str, Any]) -> None:
    data = copy.deepcopy(default_data)
    data["launchers"][0]["interceptor"] = "medium"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    res = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "launchers[0].interceptor names an unknown interceptor class" in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "o").exists()


def test_help_explains_every_command() -> None:
    res = CliRunner().invoke(app, ["--help"])
    assert res.exit_code == 0
    for cmd in ("run", "validate", "example"):
        assert cmd in res.output
    res = CliRunner().invoke(app, ["run", "--help"])
    assert "--seed" in res.output and "--out" in res.output


def test_interrupted_run_keeps_partial_results(tmp_path: Path,
                                               default_data: dict[str, Any]) -> None:
    data = copy.deepcopy(default_data)
    data["simulation"]["duration_s"] = 300.0
    sc = scenario_from_dict(data)

    def stop_at_100(t: float, _d: float) -> None:
        if t >= 100.0:
            raise KeyboardInterrupt

    with pytest.raises(RunInterrupted) as info:
        run(sc, out_dir=tmp_path, progress=stop_at_100)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["interrupted"] is True
    assert 99.0 <= summary["completed_s"] < 100.0
    assert info.value.result.summary == summary  # type: ignore[attr-defined]


def test_backend_choice_follows_the_options() -> None:
    from iadsim.cli import Backend, _backend

    assert _backend(None, None, None) == "processes"  # default: local processes, no server
    assert _backend(None, 2, None) == "dask"  # --workers N starts a LocalCluster
    assert _backend(None, None, "tcp://127.0.0.1:8786") == "dask"
    assert _backend(Backend.processes, 2, None) == "processes"
    assert _backend(Backend.serial, None, None) == "serial"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dis-in", "{tmp}/none.pdu"], "No such file or directory"),
        (["--dis-in", "udp://127.0.0.1:notaport"], "port must be 0-65535"),
        (["--dis-out", "{tmp}/missing/x.pdu"], "does not exist"),
        (["--out", "{tmp}/afile"], "is a file, not a folder"),
        (["--seed", "-1"], "greater than or equal to 0"),
    ],
)
def test_run_bad_options_exit_2_without_traceback(tmp_path: Path, args: list[str],
                                                  message: str) -> None:
    (tmp_path / "afile").write_text("x")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    out = ["--out", str(tmp_path / "o")] if "--out" not in args else []
    res = CliRunner().invoke(app, ["run", "-q", *out, *args])
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert "Traceback" not in res.output
