"""``iadsim run --dis-out`` and ``iadsim dis replay / export / info`` from the command line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from opendis.PduFactory import createPdu
from typer.testing import CliRunner

from iadsim.cli import app
from iadsim.interop.dis.stream import UdpAddress, UdpPduReceiver, iter_pdu_file, write_pdu_file
from iadsim.scenario.load import DEFAULT_SCENARIO

runner = CliRunner()


def test_run_dis_out_then_export_replay_and_info(tmp_path: Path) -> None:
    data = yaml.safe_load(DEFAULT_SCENARIO.read_text())
    data["simulation"]["duration_s"] = 90
    for g in data["threats"]:
        g["launch_time_s"] = 0.0
    scenario = tmp_path / "short.yaml"
    scenario.write_text(yaml.safe_dump(data))
    pdu = tmp_path / "run.pdu"
    res = runner.invoke(app, ["run", str(scenario), "--out", str(tmp_path / "out"), "-q",
                              "--dis-out", str(pdu)])
    assert res.exit_code == 0, res.output
    records = list(iter_pdu_file(pdu))
    assert f"DIS: {len(records)} PDUs written" in res.output
    assert all(createPdu(d) is not None for _, d in records)

    again = tmp_path / "again.pdu"
    res = runner.invoke(app, ["dis", "export", str(tmp_path / "out"), "--to", str(again)])
    assert res.exit_code == 0, res.output
    assert again.read_bytes() == pdu.read_bytes()  # the output folder gives the same PDUs

    res = runner.invoke(app, ["dis", "info", str(pdu)])
    assert res.exit_code == 0 and "EntityStatePdu" in res.output

    with UdpPduReceiver(UdpAddress("127.0.0.1", 0)) as rx:
        res = runner.invoke(app, ["dis", "replay", str(pdu), "--to",
                                  f"udp://127.0.0.1:{rx.address.port}", "--speed", "inf"])
        assert res.exit_code == 0, res.output
        assert f"Sending to udp://127.0.0.1:{rx.address.port} from 127.0.0.1:" in res.output
        assert f"Sent {len(records)} PDUs" in res.output
        got: list[bytes] = []
        deadline = time.monotonic() + 5.0
        while len(got) < len(records) and time.monotonic() < deadline:  # bounded wait
            got += [d for _, d in rx.drain()]
            time.sleep(0.01)
    assert got == [d for _, d in records]


def test_bad_pdu_file_exits_2_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdu"
    bad.write_bytes(b"hello")
    for cmd in (["dis", "replay", str(bad), "--to", "udp://127.0.0.1:9"],
                ["dis", "info", str(bad)]):
        res = runner.invoke(app, cmd)
        assert res.exit_code == 2
        assert "bad.pdu: not an iadsim PDU file" in res.output


def test_info_and_replay_count_records_with_a_non_finite_time(tmp_path: Path) -> None:
    import struct

    path = tmp_path / "odd.pdu"
    write_pdu_file(path, [(0.0, b"\x07" * 20)])
    with open(path, "ab") as f:
        f.write(struct.pack(">dI", float("nan"), 3) + b"abc")
    res = runner.invoke(app, ["dis", "info", str(path)])
    assert res.exit_code == 0 and "malformed (bad_time)" in res.output
    with UdpPduReceiver(UdpAddress("127.0.0.1", 0)) as rx:
        res = runner.invoke(app, ["dis", "replay", str(path), "--to",
                                  f"udp://127.0.0.1:{rx.address.port}", "--speed", "inf", "-q"])
    assert res.exit_code == 0, res.output
    assert "Sent 1 PDUs" in res.output
    assert "Skipped 1 records with a bad time (not finite, negative, beyond 10 days, or " \
        "earlier than the record before)" in res.output


@pytest.mark.parametrize(("args", "message"), [
    (["--speed", "1e-300"], "--speed must be in [0.001, 1e+06] or inf (got 1e-300)"),
    (["--speed", "inf", "--max-rate", "1e-300"],
     "--max-rate must be >= 1 PDUs per second or inf (got 1e-300)"),
    (["--speed", "0"], "--speed must be in [0.001, 1e+06] or inf (got 0.0)"),
    (["--speed", "-1"], "--speed must be in [0.001, 1e+06] or inf (got -1.0)"),
    (["--speed", "nan"], "--speed must be in [0.001, 1e+06] or inf (got nan)"),
    (["--max-rate", "nan"], "--max-rate must be >= 1 PDUs per second or inf (got nan)"),
    (["--to", "nohost.invalid:3000"], "DIS address nohost.invalid:3000: cannot resolve"),
])
def test_replay_refuses_bad_options_before_any_output(tmp_path: Path, args: list[str],
                                                      message: str) -> None:
    path = tmp_path / "base.pdu"
    write_pdu_file(path, [(0.0, b"\x07" * 20), (1.0, b"\x07" * 20)])
    res = runner.invoke(app, ["dis", "replay", str(path), *args, "-q"])
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()  # one line, nothing sent ("Sending to ...")
    assert len(lines) == 1 and lines[0].startswith(f"iadsim dis replay: {message}"), lines


def test_replay_skips_a_record_time_far_in_the_future(tmp_path: Path) -> None:
    """Record 5 at 1e9 s (the writer refuses it, the reader skips it): the replay of the other
    records at --speed 100 ends in a fraction of a second instead of waiting for ever."""
    from iadsim.interop.dis.stream import FILE_HEADER, RECORD_HEADER

    path = tmp_path / "dec.pdu"
    write_pdu_file(path, [(0.1 * k, b"\x07" * 20) for k in range(10)])
    raw = bytearray(path.read_bytes())
    RECORD_HEADER.pack_into(raw, FILE_HEADER.size + 5 * (RECORD_HEADER.size + 20), 1e9, 20)
    path.write_bytes(bytes(raw))
    with UdpPduReceiver(UdpAddress("127.0.0.1", 0)) as rx:
        res = runner.invoke(app, ["dis", "replay", str(path), "--to",
                                  f"udp://127.0.0.1:{rx.address.port}", "--speed", "100", "-q"])
    assert res.exit_code == 0, res.output
    assert "Sent 9 PDUs" in res.output and "Skipped 1 records with a bad time" in res.output
