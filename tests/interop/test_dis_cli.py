"""``iadsim run --dis-out`` and ``iadsim dis replay / export / info`` from the command line."""

from __future__ import annotations

import time
from pathlib import Path

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
    assert "Skipped 1 records with a non-finite time" in res.output
