"""``iadsim run --dis-out`` and ``iadsim dis replay / export / info`` from the command line."""

from __future__ import annotations

import time
from pathlib import Path

import yaml
from opendis.PduFactory import createPdu
from typer.testing import CliRunner

from iadsim.cli import app
from iadsim.interop.dis.stream import UdpAddress, UdpPduReceiver, iter_pdu_file
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
