"""PDU streams: the ``.pdu`` file format, UDP send and receive on loopback, timed replay.

Interop stage, transport layer: ``(time_s, pdu_bytes)`` pairs in and out; nothing here looks
inside a PDU except through ``pdu.split_datagram``.

The ``.pdu`` file (all integers big-endian, as on the DIS wire)::

    header   8 bytes  magic b"IADSDIS\\x00"
             2 bytes  uint16 format version (1)
             2 bytes  uint16 DIS protocol version of the PDUs (7)
             4 bytes  uint32 reserved (0)
    record   8 bytes  float64 time_s since the start of the run (non-decreasing, finite,
                      within ``MAX_RECORD_TIME_S``)
             4 bytes  uint32 n, the PDU length in bytes
             n bytes  the PDU exactly as sent on the network

A reader that does not know a PDU type skips its ``n`` bytes; a truncated last record is
reported, not fatal; a record whose time is bad (not finite, negative, beyond
``MAX_RECORD_TIME_S``, or earlier than the record read before it) is counted as malformed
(``bad_time``) and skipped, so a replay never waits on it.

Sockets: a receiver binds to the address it is given (default ``127.0.0.1``); a sender binds to
loopback when it sends to loopback, and otherwise to the one local address that routes to its
destination, never to all interfaces. ``replay`` paces bursts so a local receiver keeps up.
"""

from __future__ import annotations

import errno
import ipaddress
import math
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from iadsim.errors import DisError, InputDataError

FILE_MAGIC = b"IADSDIS\x00"
FILE_FORMAT_VERSION = 1
FILE_HEADER = struct.Struct(">8sHHI")
RECORD_HEADER = struct.Struct(">dI")
MAX_DATAGRAM_BYTES = 8192
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3000
MAX_RECORD_TIME_S = 10 * 86_400.0
"""Latest record time (10 days) a ``.pdu`` file may hold; later ones are malformed."""


TimedPdu = tuple[float, bytes]


def write_pdu_file(path: str | Path, records: Iterable[TimedPdu]) -> int:
    """Write ``(time_s, pdu_bytes)`` records to a ``.pdu`` file; returns the record count."""
    n = 0
    last_s = float("-inf")
    with open(path, "wb") as f:
        f.write(FILE_HEADER.pack(FILE_MAGIC, FILE_FORMAT_VERSION, 7, 0))
        for time_s, data in records:
            if not 0.0 <= time_s <= MAX_RECORD_TIME_S:
                raise DisError(f"{path}: record {n} time_s must be a finite number in "
                               f"[0, {MAX_RECORD_TIME_S:g}] s (got {time_s})")
            if time_s < last_s:
                raise DisError(f"{path}: record {n} time_s must not decrease "
                               f"(got {time_s} after {last_s})")
            f.write(RECORD_HEADER.pack(float(time_s), len(data)))
            f.write(data)
            last_s = time_s
            n += 1
    return n


@dataclass
class PduFileReport:
    """What reading a ``.pdu`` file found besides its records."""

    records: int = 0
    truncated_tail_bytes: int = 0
    bad_time_records: int = 0
    """Records skipped because their time is bad: not finite, negative, beyond
    ``MAX_RECORD_TIME_S``, or earlier than the last record kept."""


def iter_pdu_file(path: str | Path, report: PduFileReport | None = None) -> Iterator[TimedPdu]:
    """Yield ``(time_s, pdu_bytes)`` from a ``.pdu`` file, times non-decreasing.

    A record whose time is not finite, is negative, is beyond ``MAX_RECORD_TIME_S`` or is
    earlier than the last record yielded is skipped and counted in ``report.bad_time_records``.

    Raises
    ------
    InputDataError
        If the file does not start with the iadsim PDU-file header (naming the file).
    """
    report = report if report is not None else PduFileReport()
    with open(path, "rb") as f:
        head = f.read(FILE_HEADER.size)
        if len(head) < FILE_HEADER.size or head[:8] != FILE_MAGIC:
            raise InputDataError(f"{path}: not an iadsim PDU file (the first 8 bytes must be "
                                 f"{FILE_MAGIC!r}, got {head[:8]!r})")
        _magic, version, _dis, _ = FILE_HEADER.unpack(head)
        if version != FILE_FORMAT_VERSION:
            raise InputDataError(f"{path}: PDU file format version must be "
                                 f"{FILE_FORMAT_VERSION} (got {version})")
        last_s = 0.0
        while True:
            rec = f.read(RECORD_HEADER.size)
            if not rec:
                return
            if len(rec) < RECORD_HEADER.size:
                report.truncated_tail_bytes = len(rec)
                return
            time_s, n = RECORD_HEADER.unpack(rec)
            data = f.read(n)
            if len(data) < n:
                report.truncated_tail_bytes = RECORD_HEADER.size + len(data)
                return
            if not last_s <= time_s <= MAX_RECORD_TIME_S:  # also False for NaN
                report.bad_time_records += 1
                continue
            last_s = time_s
            report.records += 1
            yield time_s, data


# --- addresses ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UdpAddress:
    """A UDP host and port."""

    host: str
    port: int

    @property
    def family(self) -> socket.AddressFamily:
        return socket.AF_INET6 if ":" in self.host else socket.AF_INET

    @property
    def is_loopback(self) -> bool:
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return self.host == "localhost"


def parse_udp_address(text: str, *, default_port: int = DEFAULT_PORT) -> UdpAddress:
    """``udp://host:port``, ``host:port``, ``[::1]:port``, ``:port`` or ``port`` (host
    127.0.0.1: loopback unless told otherwise)."""
    raw = text.strip()
    if raw.isdigit():
        raw = f":{raw}"
    url = urlparse(raw if "://" in raw else f"udp://{raw}")
    if url.scheme != "udp":
        raise DisError(f"DIS address {text!r}: scheme must be udp (got {url.scheme!r})")
    try:
        port = url.port if url.port is not None else default_port
    except ValueError as exc:
        raise DisError(f"DIS address {text!r}: port must be 0-65535") from exc
    return UdpAddress(url.hostname or DEFAULT_HOST, port)


def check_resolvable(address: UdpAddress) -> UdpAddress:
    """Fail early, with the address in the message, if the host does not resolve."""
    try:
        socket.getaddrinfo(address.host, address.port, address.family, socket.SOCK_DGRAM)
    except (socket.gaierror, UnicodeError) as exc:
        why = exc.strerror if isinstance(exc, socket.gaierror) else exc
        raise DisError(f"DIS address {address.host}:{address.port}: cannot resolve the host "
                       f"({why})") from None
    return address


# --- UDP ---------------------------------------------------------------------------------


class UdpPduSender:
    """Send PDUs as UDP datagrams, one PDU per datagram (a context manager).

    The socket is bound before the first send: to ``bind`` if given, else to loopback for a
    loopback destination, else to the local address the system routes the destination through
    (``local_address`` says which; never the wildcard address). Broadcast destinations are
    allowed. A send the kernel refuses for lack of buffer space is retried after a short wait
    (``retries`` counts them).
    """

    def __init__(self, address: UdpAddress, *, bind: UdpAddress | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.address = address
        self.sent = 0
        self.retries = 0
        self._sleep = sleep
        self._sock = socket.socket(address.family, socket.SOCK_DGRAM)
        try:
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            self._sock.bind(_bind_address(address, bind))
        except OSError:
            self._sock.close()
            raise

    @property
    def local_address(self) -> UdpAddress:
        """Where the socket is bound (host, port)."""
        host, port = self._sock.getsockname()[:2]
        return UdpAddress(host, port)

    def send(self, data: bytes) -> None:
        for attempt in range(50):
            try:
                self._sock.sendto(data, (self.address.host, self.address.port))
                break
            except OSError as exc:  # a full send queue: wait for it to drain
                if exc.errno not in (errno.ENOBUFS, errno.EAGAIN) or attempt == 49:
                    raise
                self.retries += 1
                self._sleep(0.001 * (attempt + 1))
        self.sent += 1

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> UdpPduSender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _bind_address(to: UdpAddress, bind: UdpAddress | None) -> tuple[str, int]:
    """The (host, port) a sender to ``to`` binds to (see ``UdpPduSender``)."""
    if bind is not None:
        return (bind.host, bind.port)
    loopback = "::1" if to.family == socket.AF_INET6 else DEFAULT_HOST
    if to.is_loopback:
        return (loopback, 0)
    probe = socket.socket(to.family, socket.SOCK_DGRAM)
    try:  # connect() on UDP sends nothing: it asks the routing table for the source address
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        probe.connect((to.host, to.port or 9))
        return (str(probe.getsockname()[0]), 0)
    except OSError:
        return (loopback, 0)  # no route: loopback, and the first send says why
    finally:
        probe.close()


@dataclass
class UdpPduReceiver:
    """Collect UDP datagrams on a background thread, stamped with a monotonic clock.

    ``start()`` binds (port 0 picks a free port, see ``address``); ``drain()`` returns and
    clears what arrived as ``(receive_time_s, datagram)`` with times relative to ``start()``.
    """

    bind: UdpAddress
    poll_s: float = 0.05
    clock: Callable[[], float] = time.monotonic
    _buffer: list[TimedPdu] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _sock: socket.socket | None = None
    _t0: float = 0.0

    @property
    def address(self) -> UdpAddress:
        if self._sock is None:
            return self.bind
        host, port = self._sock.getsockname()[:2]
        return UdpAddress(host, port)

    def start(self) -> UdpPduReceiver:
        sock = socket.socket(self.bind.family, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)  # bursts of PDUs
        sock.bind((self.bind.host, self.bind.port))
        sock.settimeout(self.poll_s)
        self._sock = sock
        self._t0 = self.clock()
        self._thread = threading.Thread(target=self._run, name="dis-receiver", daemon=True)
        self._thread.start()
        return self

    def elapsed_s(self) -> float:
        """Seconds since ``start()`` on the receiver's clock."""
        return self.clock() - self._t0

    def _run(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                data = self._sock.recv(MAX_DATAGRAM_BYTES)
            except TimeoutError:
                continue
            except OSError:
                return
            stamp = self.clock() - self._t0
            with self._lock:
                self._buffer.append((stamp, data))

    def drain(self) -> list[TimedPdu]:
        with self._lock:
            out, self._buffer = self._buffer, []
        return out

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0 * self.poll_s + 1.0)
        if self._sock is not None:
            self._sock.close()

    def __enter__(self) -> UdpPduReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


MIN_SPEED = 1e-3
"""Slowest time compression a paced DIS replay or run accepts (1,000 times slower)."""
MAX_FINITE_SPEED = 1e6
"""Fastest finite time compression (``inf`` means unpaced and is also accepted)."""
MIN_RATE_PPS = 1.0
"""Lowest replay rate ceiling (PDUs per second)."""
MAX_SLEEP_S = 10.0
"""Longest single sleep while pacing: long waits are slept in pieces (never an overflow)."""


def check_speed(speed: float, option: str = "speed") -> float:
    """``speed`` if it is in [``MIN_SPEED``, ``MAX_FINITE_SPEED``] or ``inf``, else ``DisError``
    naming ``option``, the value and the rule."""
    if not (MIN_SPEED <= speed <= MAX_FINITE_SPEED or speed == math.inf):
        raise DisError(f"{option} must be in [{MIN_SPEED:g}, {MAX_FINITE_SPEED:g}] or inf "
                       f"(got {speed})")
    return speed


def check_rate(max_rate_pps: float, option: str = "max_rate_pps") -> float:
    """``max_rate_pps`` if it is >= ``MIN_RATE_PPS`` (``inf``: no ceiling), else ``DisError``."""
    if not max_rate_pps >= MIN_RATE_PPS:  # also False for NaN
        raise DisError(f"{option} must be >= {MIN_RATE_PPS:g} PDUs per second or inf "
                       f"(got {max_rate_pps})")
    return max_rate_pps


def sleep_until(due: float, clock: Callable[[], float],
                sleep: Callable[[float], None] = time.sleep) -> None:
    """Sleep until ``clock() >= due``, in pieces of at most ``MAX_SLEEP_S``."""
    wait = due - clock()
    while wait > 0.0:
        sleep(min(wait, MAX_SLEEP_S))
        wait = due - clock()


DEFAULT_BURST = 64
"""PDUs sent back to back before ``replay`` yields to the receiver."""
DEFAULT_MAX_RATE_PPS = 20_000.0
"""Replay's default ceiling (PDUs per second): well within what a Python receiver on the same
machine drains (the default run's 8,695 PDUs take about 0.6 s at ``--speed inf``)."""


def replay(
    records: Iterable[TimedPdu],
    send: Callable[[bytes], None],
    *,
    speed: float = 1.0,
    max_rate_pps: float = DEFAULT_MAX_RATE_PPS,
    burst: int = DEFAULT_BURST,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, float], None] | None = None,
) -> int:
    """Send records with their original spacing divided by ``speed`` (``inf``: no waiting).

    Returns the number of PDUs sent. The first record goes out at once; record k goes out when
    ``(time_k - time_0) / speed`` seconds have passed on ``clock``, and never sooner than the
    rate ceiling allows: after every ``burst`` PDUs sent back to back, the sender waits until
    ``burst / max_rate_pps`` seconds have passed since the burst began (``inf``: no ceiling), so
    a receiver on the same machine is not flooded. ``progress(sent, time_s)`` is called after
    each send. ``speed`` and ``max_rate_pps`` are checked by ``check_speed`` and
    ``check_rate`` (``DisError``); waits are slept in pieces of at most ``MAX_SLEEP_S``.
    """
    check_speed(speed)
    check_rate(max_rate_pps)
    if burst < 1:
        raise ValueError(f"replay burst must be >= 1 (got {burst})")
    n = 0
    start_wall = clock()
    first_s: float | None = None
    burst_start, in_burst = start_wall, 0
    min_burst_s = burst / max_rate_pps
    for time_s, data in records:
        if first_s is None:
            first_s = time_s
        due = start_wall + (time_s - first_s) / speed
        if in_burst >= burst:
            due = max(due, burst_start + min_burst_s)
        sleep_until(due, clock, sleep)
        now = clock()
        if in_burst >= burst or now - burst_start >= min_burst_s:
            burst_start, in_burst = now, 0
        send(data)
        n += 1
        in_burst += 1
        if progress is not None:
            progress(n, time_s)
    return n


def replay_file(path: str | Path, to: str, *, speed: float = 1.0,
                max_rate_pps: float = DEFAULT_MAX_RATE_PPS,
                report: PduFileReport | None = None,
                progress: Callable[[int, float], None] | None = None,
                announce: Callable[[str], None] | None = None) -> int:
    """Send a ``.pdu`` file to ``udp://host:port`` with its original timing / ``speed``
    (see ``replay``); ``announce`` is told where the socket sends from and to.

    ``speed``, ``max_rate_pps`` and ``to`` are checked before anything is sent or announced.
    """
    check_speed(speed)
    check_rate(max_rate_pps)
    address = parse_udp_address(to)
    with UdpPduSender(check_resolvable(address)) as sender:
        if announce is not None:
            src = sender.local_address
            announce(f"Sending to udp://{address.host}:{address.port} from {src.host}:{src.port}")
        return replay(iter_pdu_file(path, report), sender.send, speed=speed,
                      max_rate_pps=max_rate_pps, progress=progress)
