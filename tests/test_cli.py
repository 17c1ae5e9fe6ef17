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


def test_validate_runs_the_boost_solve_that_run_does(tmp_path: Path,
                                                     default_data: dict[str, Any]) -> None:
    """A flight time the boost cannot fly passes the closed-form load checks; validate solves
    the shot as run does and names the field, the limit with its unit and the value."""
    data = copy.deepcopy(default_data)
    i = next(k for k, g in enumerate(data["threats"]) if g["type"] == "ballistic_missile")
    data["threats"][i].pop("apogee_m")
    data["threats"][i]["flight_time_s"] = 50.0
    path = tmp_path / "short-flight.yaml"
    path.write_text(yaml.safe_dump(data))
    res = CliRunner().invoke(app, ["validate", str(path)])
    assert res.exit_code == 2, res.output
    assert (f"{path}: threats[{i}].flight_time_s must be >= " in res.output
            and " s for this range (" in res.output and "(got 50.0)" in res.output), res.output
    assert "Traceback" not in res.output and "valid (" not in res.output


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


@pytest.mark.parametrize(("args", "message"), [
    (["--dis-udp", "nohost.invalid:3000"],
     "--dis-udp: DIS address nohost.invalid:3000: cannot resolve the host"),
    (["--dis-udp", "999.1.1.1:5"], "--dis-udp: DIS address 999.1.1.1:5: cannot resolve"),
    (["--dis-in", "udp://nohost.invalid:4000"], "--dis-in: DIS address nohost.invalid"),
    (["--dis-udp", "127.0.0.1:39999", "--dis-speed", "1e-300"],
     "--dis-speed must be in [0.001, 1e+06] or inf (got 1e-300)"),
    (["--dis-udp", "127.0.0.1:39999", "--dis-speed", "nan"], "--dis-speed must be in"),
])
def test_bad_dis_options_are_one_line_user_errors(tmp_path: Path, args: list[str],
                                                  message: str) -> None:
    res = CliRunner().invoke(app, ["run", "-q", "--out", str(tmp_path / "o"), *args])
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"iadsim run: {message}"), lines


def test_version() -> None:
    import iadsim

    res = CliRunner().invoke(app, ["--version"])
    assert res.exit_code == 0 and res.output == f"iadsim {iadsim.__version__}\n"


def test_help_does_not_import_the_pipeline() -> None:
    import subprocess
    import sys

    code = ("import sys; from iadsim.cli import app; "
            "print(sorted(m for m in ('iadsim.simulation', 'iadsim.tracking', 'scipy') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip() == "[]"


def test_cli_import_leaves_heavy_libraries_unloaded() -> None:
    """`iadsim --help` pays for typer and rich only: the DIS commands register lazily."""
    import subprocess
    import sys

    heavy = ("plotly", "dask", "pyarrow", "pandas", "numpy", "scipy", "pydantic",
             "iadsim.interop.dis.export", "iadsim.scenario")
    code = ("import sys; import iadsim.cli; "
            f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("command", "target"),
    [(["run", "--seed", "5"], "iadsim.simulation.run"),
     (["mc", "--runs", "2", "--backend", "serial"], "iadsim.montecarlo.sweep.run_sweep"),
     (["sweep", "--set", "threats[0].count=1,2", "--runs", "2"],
      "iadsim.montecarlo.sweep.run_sweep"),
     (["coverage"], "iadsim.sensors.coverage_views.write_coverage")],
)
def test_internal_error_is_a_bug_report_not_a_user_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, default_data: dict[str, Any],
        command: list[str], target: str) -> None:
    import tempfile

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("float division by zero in the guts")

    import sys

    monkeypatch.setattr(target, broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    path = write_short(tmp_path, default_data)
    args = [command[0], str(path), *command[1:], "--out", str(tmp_path / "out")]
    monkeypatch.setattr(sys, "argv", ["iadsim", *args])
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    lines = res.output.strip().splitlines()
    assert len(lines) <= 6
    assert f"iadsim {command[0]}: internal error (ZeroDivisionError: float division" in lines[0]
    assert "bug in iadsim" in res.output
    seed = 5 if "--seed" in command else default_data["simulation"]["seed"]
    if command[0] == "coverage":  # no randomness: no seed to give
        assert f"(input: {path})" in res.output
    else:
        assert f"(scenario: {path}, seed {seed})" in res.output
    [crash] = tmp_path.glob("iadsim-error-*.txt")
    assert f"Full traceback: {crash}" in res.output
    text = crash.read_text()
    assert "Traceback (most recent call last)" in text and "in broken" in text
    assert f"scenario: {path}" in text
    assert f"seed: {seed}" in text or command[0] == "coverage"
    typed = f"command: iadsim {command[0]} {path}"
    assert text.splitlines()[1].startswith(typed)  # the command line, to rerun it
    if command[0] == "run":
        assert "Reproduce with: iadsim run" in res.output and "--seed 5" in res.output
    if command[0] == "mc":
        assert res.output.count(f"--seed {seed}") == 1


def test_user_errors_still_exit_2(tmp_path: Path, default_data: dict[str, Any]) -> None:
    data = copy.deepcopy(default_data)
    data["threats"][0]["speed_mps"] = -5.0
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    for command in (["run", "-q"], ["mc", "--runs", "2", "-q"], ["coverage"]):
        res = CliRunner().invoke(app, [*command, str(path), "--out", str(tmp_path / "o")])
        assert res.exit_code == 2, res.output
        assert "threats[0].speed_mps" in res.output and "internal error" not in res.output


HOSTILE_TERMINAL = "[bold red]x[/] \x1b[31mred\x1b[0m \x1b]0;title\x07 \u202eevil"


def _terminal_hostile(data: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data["name"] = HOSTILE_TERMINAL
    old = data["defended_assets"][0]["name"]
    data["defended_assets"][0]["name"] = f"{old}{HOSTILE_TERMINAL}"
    for group in data["threats"]:
        if group.get("aim") == old:
            group["aim"] = f"{old}{HOSTILE_TERMINAL}"
    return data


def test_user_text_reaches_the_terminal_literally(tmp_path: Path,
                                                   default_data: dict[str, Any]) -> None:
    from rich.console import Console

    import iadsim.cli as cli

    path = write_short(tmp_path, _terminal_hostile(default_data))
    # a real colour terminal: rich would turn markup into escape codes here
    term = Console(force_terminal=True, color_system="truecolor", width=200, highlight=False)
    with term.capture() as captured:
        old = cli.console
        cli.console = term
        try:
            res = CliRunner().invoke(app, ["run", str(path), "-q", "--out", str(tmp_path / "o")])
        finally:
            cli.console = old
    assert res.exit_code == 0, res.output
    shown = captured.get()
    assert shown.count("[bold red]x[/]") == 2  # the table title and the leakers line
    assert "\\x1b[31mred\\x1b[0m" in shown and "\\x1b]0;title\\x07" in shown
    assert "\\u202eevil" in shown
    assert "\x1b]" not in shown and "\x07" not in shown and "\u202e" not in shown
    assert "\x1b[31mred" not in shown
    # ... and in one-line error messages quoting the name
    data = _terminal_hostile(default_data)
    data["threats"][0]["aim"] = HOSTILE_TERMINAL
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))
    res = CliRunner().invoke(app, ["validate", str(bad)])
    assert res.exit_code == 2
    assert "[bold red]x[/]" in res.output and "\x1b" not in res.output


def test_run_refuses_a_non_empty_folder_unless_overwrite(tmp_path: Path,
                                                          default_data: dict[str, Any]) -> None:
    path = write_short(tmp_path, default_data, duration_s=30.0)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(path), "-q", "--seed", "1", "--out", str(out),
                                   "--report"])
    assert res.exit_code == 0, res.output
    (out / "report_png").mkdir()
    (out / "report_png" / "threats.png").write_bytes(b"stale")
    (out / "notes.txt").write_text("mine")
    before = {p.name for p in out.iterdir()}
    res = CliRunner().invoke(app, ["run", str(path), "-q", "--seed", "2", "--out", str(out)])
    assert res.exit_code == 2
    assert len(res.output.strip().splitlines()) == 1 and "--overwrite" in res.output
    assert {p.name for p in out.iterdir()} == before  # nothing touched
    res = CliRunner().invoke(app, ["run", str(path), "-q", "--seed", "2", "--out", str(out),
                                   "--overwrite"])
    assert res.exit_code == 0, res.output
    assert json.loads((out / "summary.json").read_text())["seed"] == 2
    assert not (out / "report.html").exists() and not (out / "report_png").exists()
    assert (out / "notes.txt").read_text() == "mine"  # not ours: kept
    # an empty folder is fine without --overwrite
    (tmp_path / "empty").mkdir()
    res = CliRunner().invoke(app, ["run", str(path), "-q", "--out", str(tmp_path / "empty")])
    assert res.exit_code == 0, res.output


def test_mc_seed_is_the_scenario_seed(tmp_path: Path, default_data: dict[str, Any]) -> None:
    path = write_short(tmp_path, default_data, duration_s=30.0)
    common = ["--runs", "2", "--backend", "serial", "-q"]
    res = CliRunner().invoke(app, ["mc", str(path), *common, "--seed", "11",
                                   "--out", str(tmp_path / "a")])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(app, ["mc", str(path), *common, "--set", "simulation.seed=11",
                                   "--out", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    import pandas as pd

    a = pd.read_parquet(tmp_path / "a" / "replications")
    b = pd.read_parquet(tmp_path / "b" / "replications")
    assert (a.seed == 11).all()
    assert a.drop(columns="wall_time_s").equals(b.drop(columns="wall_time_s"))
    res = CliRunner().invoke(app, ["sweep", str(path), *common, "--seed", "3", "--set",
                                   "simulation.seed=4,5", "--out", str(tmp_path / "c")])
    assert res.exit_code == 2 and "give the seed once" in res.output


def _listening(pid: int) -> set[tuple[str, int]]:
    """Listening TCP sockets of a process and its children, as (address, port)."""
    psutil = pytest.importorskip("psutil")
    out: set[tuple[str, int]] = set()
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return out
    for proc in procs:
        try:
            conns = proc.net_connections(kind="inet")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        out |= {(c.laddr.ip, c.laddr.port) for c in conns if c.status == psutil.CONN_LISTEN}
    return out


def test_dask_listens_on_loopback_only(tmp_path: Path, default_data: dict[str, Any]) -> None:
    import ipaddress
    import subprocess
    import sys
    import time

    pytest.importorskip("distributed")
    path = write_short(tmp_path, default_data, duration_s=120.0)
    proc = subprocess.Popen(
        [sys.executable, "-m", "iadsim", "mc", str(path), "--runs", "6", "--workers", "2",
         "--chunk-size", "1", "-q", "--out", str(tmp_path / "mc")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: set[tuple[str, int]] = set()
    deadline = time.monotonic() + 600
    while proc.poll() is None and time.monotonic() < deadline:
        seen |= _listening(proc.pid)
        time.sleep(0.2)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    # the scheduler, each worker and its nanny (and the dashboard when bokeh is installed)
    assert len(seen) >= 5, seen
    assert all(ipaddress.ip_address(ip).is_loopback for ip, _ in seen), seen
    assert "Dask: scheduler tcp://127.0.0.1:" in stderr
    try:
        import bokeh  # noqa: F401
    except ImportError:
        return
    assert "dashboard http://127.0.0.1:" in stderr
    port = int(stderr.split("dashboard http://127.0.0.1:")[1].split("/")[0])
    assert ("127.0.0.1", port) in seen


def test_listen_options_need_a_local_dask_cluster(tmp_path: Path) -> None:
    for extra in (["--backend", "processes"], ["--scheduler", "tcp://127.0.0.1:1"]):
        res = CliRunner().invoke(app, ["mc", "--runs", "1", "-q", "--listen", "127.0.0.1",
                                       *extra, "--out", str(tmp_path / "o")])
        assert res.exit_code == 2 and "--listen and --dashboard-address" in res.output
    assert not (tmp_path / "o").exists()


def test_local_cluster_listens_where_asked() -> None:
    pytest.importorskip("distributed")
    from iadsim.montecarlo.backends import local_cluster

    with local_cluster(1, dashboard_address="127.0.0.1:0") as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        assert cluster.dashboard_link.startswith("http://127.0.0.1:")
        assert not cluster.dashboard_link.startswith("http://127.0.0.1:8787/")  # a free port
        assert all(w.startswith("tcp://127.0.0.1:") for w in cluster.scheduler.workers)


def test_progress_description_is_not_markup() -> None:
    from rich.console import Console
    from rich.progress import Progress, TextColumn

    from iadsim.cli import _markup_free

    console = Console(force_terminal=True, color_system="truecolor", width=120)
    with console.capture() as cap:
        with Progress(TextColumn("[bold]{task.description}"), console=console,
                      auto_refresh=False) as bar:
            bar.add_task(_markup_free(HOSTILE_TERMINAL), total=1)
            bar.refresh()
    out = cap.get()
    assert "[bold red]x[/]" in out and "\\x1b[31mred" in out and "\x1b[31mred" not in out


def test_run_cost_warning_is_one_literal_line(tmp_path: Path,
                                              default_data: dict[str, Any]) -> None:
    data = copy.deepcopy(default_data)
    data["sensors"][0]["pfa"] = 0.002  # about 2,700 false alarms per simulated second
    data["sensors"][0]["name"] = "radar\x1b[31m"
    res = CliRunner().invoke(app, ["run", str(write_short(tmp_path, data, 2.0)), "-q",
                                   "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    lines = [line for line in res.output.splitlines() if "false alarms" in line]
    assert len(lines) == 1, res.output
    assert lines[0].startswith("warning: the radars make 2,")
    assert "'radar\\x1b[31m'" in lines[0] and "\x1b" not in res.output
    assert "RunCostWarning" not in res.output and "warnings.warn" not in res.output


def test_show_warning_prints_one_escaped_line(capsys: pytest.CaptureFixture[str]) -> None:
    from iadsim.cli import _show_warning

    _show_warning(UserWarning("Glyph 27 (\x1b) missing\n  from font"), UserWarning, "x.py", 3,
                  line="source line")
    err = capsys.readouterr().err
    assert err == "warning: Glyph 27 (\\x1b) missing from font\n"


def test_pipeline_import_leaves_scipy_stats_unloaded() -> None:
    """scipy.stats (about 0.4 s per process) is imported only where a rare path needs it."""
    import subprocess
    import sys

    code = ("import sys; import iadsim.simulation, iadsim.montecarlo.sweep; "
            "print(sorted(m for m in ('scipy.stats', 'plotly', 'dask') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip() == "[]"
