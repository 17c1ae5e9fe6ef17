"""PDU streams: the .pdu file, UDP on loopback, timed replay."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from iadsim.errors import DisError, InputDataError
from iadsim.interop.dis.stream import (
    FILE_HEADER,
    MAX_RECORD_TIME_S,
    MAX_SLEEP_S,
    RECORD_HEADER,
    PduFileReport,
    UdpAddress,
    UdpPduReceiver,
    UdpPduSender,
    check_rate,
    check_resolvable,
    check_speed,
    iter_pdu_file,
    parse_udp_address,
    replay,
    sleep_until,
    write_pdu_file,
)

LOOPBACK = UdpAddress("127.0.0.1", 0)


def _records(n: int) -> list[tuple[float, bytes]]:
    return [(0.5 * k, bytes([k % 256]) * (12 + k)) for k in range(n)]


@pytest.mark.parametrize("n", [0, 1, 25])
def test_file_round_trip_and_layout(tmp_path: Path, n: int) -> None:
    path = tmp_path / "run.pdu"
    assert write_pdu_file(path, _records(n)) == n
    raw = path.read_bytes()
    assert raw[:8] == b"IADSDIS\x00"
    assert len(raw) == FILE_HEADER.size + sum(RECORD_HEADER.size + len(d) for _, d in
                                              _records(n))
    assert list(iter_pdu_file(path)) == _records(n)


def test_file_errors_and_truncated_tail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdu"
    bad.write_bytes(b"not a pdu file at all")
    with pytest.raises(InputDataError, match=r"bad\.pdu: not an iadsim PDU file"):
        list(iter_pdu_file(bad))
    path = tmp_path / "cut.pdu"
    write_pdu_file(path, _records(3))
    path.write_bytes(path.read_bytes()[:-5])
    report = PduFileReport()
    assert len(list(iter_pdu_file(path, report))) == 2
    assert report.records == 2 and report.truncated_tail_bytes == RECORD_HEADER.size + 14 - 5
    with pytest.raises(DisError, match="must not decrease"):
        write_pdu_file(tmp_path / "x.pdu", [(1.0, b"a"), (0.5, b"b")])
    for bad in (-1.0, MAX_RECORD_TIME_S * 1.001, 1e9):
        with pytest.raises(DisError, match=r"record 1 time_s must be a finite number in"):
            write_pdu_file(tmp_path / "x.pdu", [(0.0, b"a"), (bad, b"b")])


@pytest.mark.parametrize(("text", "host", "port"), [
    ("udp://127.0.0.1:3000", "127.0.0.1", 3000),
    ("127.0.0.1:3001", "127.0.0.1", 3001),
    ("udp://[::1]:3002", "::1", 3002),
    (":3003", "127.0.0.1", 3003),
    ("3004", "127.0.0.1", 3004),
    ("localhost", "localhost", 3000),
])
def test_parse_udp_address(text: str, host: str, port: int) -> None:
    a = parse_udp_address(text)
    assert (a.host, a.port) == (host, port) and a.is_loopback


def test_parse_udp_address_rejects_other_schemes() -> None:
    with pytest.raises(ValueError, match="scheme must be udp"):
        parse_udp_address("tcp://127.0.0.1:3000")
    assert not parse_udp_address("192.0.2.1:3000").is_loopback
    assert check_resolvable(parse_udp_address("3005")) == UdpAddress("127.0.0.1", 3005)


def _fake_clock() -> tuple[list[float], list[float], Callable[[float], None]]:
    """A wall clock starting at 100 s that only sleeping advances; records every wait."""
    now: list[float] = [100.0]
    waits: list[float] = []

    def sleep(s: float) -> None:
        waits.append(s)
        now[0] += s

    return now, waits, sleep


def _receive(receiver: UdpPduReceiver, n: int, timeout_s: float = 5.0) -> list[bytes]:
    got: list[bytes] = []
    deadline = time.monotonic() + timeout_s
    while len(got) < n and time.monotonic() < deadline:  # bounded wait
        got += [d for _, d in receiver.drain()]
        time.sleep(0.01)
    return got


def test_udp_loopback_delivers_every_datagram() -> None:
    payloads = [d for _, d in _records(40)]
    with UdpPduReceiver(LOOPBACK) as rx, UdpPduSender(rx.address) as tx:
        for p in payloads:
            tx.send(p)
            time.sleep(0.001)
        got = _receive(rx, len(payloads))
    assert tx.sent == 40
    assert got == payloads


def test_replay_keeps_the_original_spacing_divided_by_speed() -> None:
    now, waits, sleep = _fake_clock()
    sent: list[bytes] = []
    recs = [(10.0, b"a"), (10.0, b"b"), (12.5, b"c"), (20.0, b"d")]
    assert replay(recs, sent.append, speed=2.0, clock=lambda: now[0], sleep=sleep) == 4
    assert sent == [b"a", b"b", b"c", b"d"]
    assert waits == pytest.approx([1.25, 3.75])
    with pytest.raises(DisError, match=r"speed must be in \[0.001, 1e\+06\] or inf \(got 0.0\)"):
        replay(recs, sent.append, speed=0.0)


def test_replay_over_udp_to_loopback(tmp_path: Path) -> None:
    path = tmp_path / "run.pdu"
    write_pdu_file(path, _records(10))
    with UdpPduReceiver(LOOPBACK) as rx, UdpPduSender(rx.address) as tx:
        replay(iter_pdu_file(path), tx.send, speed=float("inf"))
        got = _receive(rx, 10)
    assert got == [d for _, d in _records(10)]


def _ipv6_loopback() -> bool:
    import socket

    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback here")
def test_udp_over_ipv6_loopback() -> None:
    with UdpPduReceiver(UdpAddress("::1", 0)) as rx:
        assert rx.address.host == "::1"
        with UdpPduSender(parse_udp_address(f"udp://[::1]:{rx.address.port}")) as tx:
            tx.send(b"hello-v6")
        assert _receive(rx, 1) == [b"hello-v6"]


def test_a_live_session_is_paced_to_the_wall_clock() -> None:
    from iadsim.interop.dis.session import DisOptions, DisSession
    from iadsim.scenario.load import DEFAULT_SCENARIO, load_scenario
    from iadsim.world.frames import scenario_origin

    sc = load_scenario(DEFAULT_SCENARIO)
    now = [50.0]
    waits: list[float] = []

    def sleep(s: float) -> None:
        waits.append(s)
        now[0] += s

    session = DisSession(sc, scenario_origin(sc), DisOptions(udp_out="127.0.0.1:9", speed=4.0),
                         clock=lambda: now[0], sleep=sleep)
    try:
        for t in (1.0, 2.0, 3.0):
            session.before_step(t)
            now[0] += 0.1  # the step's own work
    finally:
        session.close()
    assert waits == pytest.approx([0.25, 0.15, 0.15])  # t / speed on the wall clock


def test_replay_never_exceeds_the_rate_ceiling() -> None:
    now, waits, sleep = _fake_clock()
    sent: list[bytes] = []
    recs = [(5.0, bytes([k % 256])) for k in range(200)]  # one instant: a burst of 200
    n = replay(recs, sent.append, speed=float("inf"), max_rate_pps=1000.0, burst=64,
               clock=lambda: now[0], sleep=sleep)
    assert n == 200 and len(sent) == 200
    assert waits == pytest.approx([0.064] * 3)  # after 64, 128 and 192 PDUs: 64 / 1000 s each
    # a slow original timing is not slowed further by the ceiling
    now[0], waits[:] = 0.0, []
    replay([(float(k), b"x") for k in range(130)], sent.append, speed=1.0, max_rate_pps=1000.0,
           burst=64, clock=lambda: now[0], sleep=sleep)
    assert waits == pytest.approx([1.0] * 129)
    for bad in ({"max_rate_pps": 0.0}, {"burst": 0}):
        with pytest.raises(ValueError, match="must be"):
            replay(recs, sent.append, **bad)


def test_unpaced_replay_reaches_a_plain_loopback_listener_whole(tmp_path: Path) -> None:
    """``--speed inf`` of 3,000 PDUs to a listener with the system's default receive buffer (no
    enlarged SO_RCVBUF) on its own thread: every datagram arrives (bounded in count and time)."""
    import socket
    import threading

    n = 3000
    path = tmp_path / "burst.pdu"
    write_pdu_file(path, [(1.0, bytes([k % 256]) * 144) for k in range(n)])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.5)
    got: list[int] = []

    def listen() -> None:
        deadline = time.monotonic() + 20.0
        while len(got) < n and time.monotonic() < deadline:
            try:
                got.append(len(sock.recv(2048)))
            except TimeoutError:
                continue

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    try:
        from iadsim.interop.dis.stream import replay_file

        sent = replay_file(path, f"udp://127.0.0.1:{sock.getsockname()[1]}",
                           speed=float("inf"))
        listener.join(timeout=25.0)
    finally:
        sock.close()
    assert sent == n
    assert len(got) == n and set(got) == {144}


def test_a_sender_binds_to_loopback_not_to_every_interface() -> None:
    with UdpPduReceiver(LOOPBACK) as rx, UdpPduSender(rx.address) as tx:
        assert tx.local_address.host == "127.0.0.1" and tx.local_address.port > 0
        assert tx._sock.getsockname()[0] == "127.0.0.1"
        assert rx._sock is not None and rx._sock.getsockname()[0] == "127.0.0.1"
    # "udp://:port" and a bare port mean loopback too
    assert parse_udp_address("udp://:3001").host == parse_udp_address("3001").host == "127.0.0.1"
    # another destination: the one interface that routes there (or loopback), never 0.0.0.0
    with UdpPduSender(UdpAddress("192.0.2.1", 3000)) as tx:  # TEST-NET-1: nothing is sent
        assert tx.local_address.host not in ("0.0.0.0", "")
    # an explicit bind is honoured
    with UdpPduSender(UdpAddress("127.0.0.1", 9), bind=UdpAddress("127.0.0.1", 0)) as tx:
        assert tx.local_address.host == "127.0.0.1"


def test_records_with_a_non_finite_time_are_counted_and_skipped(tmp_path: Path) -> None:
    import struct

    path = tmp_path / "bad-times.pdu"
    write_pdu_file(path, _records(3))
    with open(path, "ab") as f:
        for t in (float("nan"), float("-inf"), float("inf")):
            f.write(struct.pack(">dI", t, 4) + b"abcd")
        f.write(struct.pack(">dI", 9.0, 2) + b"ok")
    report = PduFileReport()
    got = list(iter_pdu_file(path, report))
    assert [t for t, _ in got] == [0.0, 0.5, 1.0, 9.0]
    assert report.bad_time_records == 3 and report.records == 4
    with pytest.raises(DisError, match="must be a finite number"):
        write_pdu_file(tmp_path / "x.pdu", [(float("nan"), b"abc")])


def _with_time(path: Path, record: int, time_s: float) -> None:
    """Overwrite the time of one record of a .pdu file in place (what the writer refuses)."""
    raw = bytearray(path.read_bytes())
    offset = FILE_HEADER.size
    for _ in range(record):
        offset += RECORD_HEADER.size + RECORD_HEADER.unpack_from(raw, offset)[1]
    RECORD_HEADER.pack_into(raw, offset, time_s, RECORD_HEADER.unpack_from(raw, offset)[1])
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize(("record", "time_s", "kept"), [
    (5, 1e9, [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 3.5]),            # beyond 10 days
    (5, MAX_RECORD_TIME_S + 1.0, [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 3.5]),
    (5, 0.25, [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 3.5]),           # earlier than the record before
    (0, -1.0, [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5]),           # negative
])
def test_a_bad_record_time_is_malformed_and_skipped(tmp_path: Path, record: int, time_s: float,
                                                    kept: list[float]) -> None:
    path = tmp_path / "dec.pdu"
    write_pdu_file(path, _records(8))
    _with_time(path, record, time_s)
    report = PduFileReport()
    assert [t for t, _ in iter_pdu_file(path, report)] == kept
    assert report.bad_time_records == 1 and report.records == 7
    # a replay of it waits only for the good records: 3.5 s of file time at speed 100
    now, waits = [0.0], []

    def sleep(s: float) -> None:
        waits.append(s)
        now[0] += s

    assert replay(iter_pdu_file(path), lambda d: None, speed=100.0, clock=lambda: now[0],
                  sleep=sleep) == 7
    assert sum(waits) == pytest.approx((kept[-1] - kept[0]) / 100.0)


def test_a_record_at_the_bound_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "edge.pdu"
    write_pdu_file(path, [(0.0, b"a"), (MAX_RECORD_TIME_S, b"b")])
    assert [t for t, _ in iter_pdu_file(path)] == [0.0, MAX_RECORD_TIME_S]


@pytest.mark.parametrize("speed", [1e-300, 0.0, -1.0, float("nan"), float("-inf"), 1e-4, 1e7])
def test_replay_speeds_out_of_bounds_are_refused(speed: float) -> None:
    with pytest.raises(DisError, match=r"--speed must be in \[0.001, 1e\+06\] or inf"):
        check_speed(speed, "--speed")
    with pytest.raises(DisError, match="speed must be in"):
        replay([(0.0, b"a")], lambda d: None, speed=speed)


@pytest.mark.parametrize("speed", [1e-3, 1.0, 1e6, float("inf")])
def test_replay_speeds_in_bounds_are_kept(speed: float) -> None:
    assert check_speed(speed) == speed


@pytest.mark.parametrize("rate", [1e-300, 0.0, 0.5, -1.0, float("nan"), float("-inf")])
def test_replay_rates_out_of_bounds_are_refused(rate: float) -> None:
    with pytest.raises(DisError, match=r"--max-rate must be >= 1 PDUs per second or inf"):
        check_rate(rate, "--max-rate")
    with pytest.raises(DisError, match="max_rate_pps must be"):
        replay([(0.0, b"a")], lambda d: None, speed=float("inf"), max_rate_pps=rate)
    assert check_rate(1.0) == 1.0 and check_rate(float("inf")) == float("inf")


def test_long_waits_are_slept_in_bounded_pieces() -> None:
    """The slowest speed over the longest file: every single sleep stays <= MAX_SLEEP_S (an
    unbounded sleep(6.4e301) raised OverflowError) and the pieces add up to the wait."""
    now, waits = [0.0], []

    def sleep(s: float) -> None:
        waits.append(s)
        now[0] += s

    replay([(0.0, b"a"), (20.0, b"b")], lambda d: None, speed=1e-3, clock=lambda: now[0],
           sleep=sleep)
    assert max(waits) <= MAX_SLEEP_S and sum(waits) == pytest.approx(20.0 / 1e-3)
    assert len(waits) == pytest.approx(20.0 / 1e-3 / MAX_SLEEP_S, abs=1)
    waits.clear()
    sleep_until(now[0] + 1e300, lambda: now[0], lambda s: (waits.append(s), now.__setitem__(
        0, now[0] + 1e299)))  # a clock that jumps: still pieces, never one huge sleep
    assert len(waits) == 10 and max(waits) == MAX_SLEEP_S


def test_an_unresolvable_host_is_a_dis_error() -> None:
    with pytest.raises(DisError, match=r"DIS address nohost\.invalid:3000: cannot resolve"):
        check_resolvable(parse_udp_address("nohost.invalid:3000"))


def test_a_session_binds_its_sockets_to_loopback_and_says_where() -> None:
    from iadsim.interop.dis.session import DisOptions, DisSession
    from iadsim.scenario.load import DEFAULT_SCENARIO, load_scenario
    from iadsim.world.frames import scenario_origin

    sc = load_scenario(DEFAULT_SCENARIO)
    said: list[str] = []
    with UdpPduReceiver(LOOPBACK) as rx:
        rx_port = rx.address.port
        session = DisSession(sc, scenario_origin(sc), DisOptions(
            dis_in="udp://:0", udp_out=f"127.0.0.1:{rx_port}", announce=said.append))
        try:
            assert session.sender is not None and session.source is not None
            out_host, out_port = session.sender._sock.getsockname()[:2]
            in_sock = session.source.receiver._sock
            assert in_sock is not None
            in_host, in_port = in_sock.getsockname()[:2]
        finally:
            session.close()
    assert out_host == in_host == "127.0.0.1"
    assert said == [f"DIS in: listening on udp://127.0.0.1:{in_port}",
                    f"DIS out: sending to udp://127.0.0.1:{rx_port} from "
                    f"127.0.0.1:{out_port}"]
