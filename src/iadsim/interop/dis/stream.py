"""PDU streams: the ``.pdu`` file format, UDP send and receive on loopback, timed replay.

Interop stage, transport layer: ``(time_s, pdu_bytes)`` pairs in and out; nothing here looks
inside a PDU except through ``pdu.split_datagram``.

The ``.pdu`` file (all integers big-endian, as on the DIS wire)::

    header   8 bytes  magic b"IADSDIS\\x00"
             2 bytes  uint16 format version (1)
             2 bytes  uint16 DIS protocol version of the PDUs (7)
             4 bytes  uint32 reserved (0)
    record   8 bytes  float64 time_s since the start of the run (non-decreasing)
             4 bytes  uint32 n, the PDU length in bytes
             n bytes  the PDU exactly as sent on the network

A reader that does not know a PDU type skips its ``n`` bytes; a truncated last record is
reported, not fatal.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from iadsim.errors import InputDataError

FILE_MAGIC = b"IADSDIS\x00"
FILE_FORMAT_VERSION = 1
FILE_HEADER = struct.Struct(">8sHHI")
RECORD_HEADER = struct.Struct(">dI")
MAX_DATAGRAM_BYTES = 8192
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3000


TimedPdu = tuple[float, bytes]


def write_pdu_file(path: str | Path, records: Iterable[TimedPdu]) -> int:
    """Write ``(time_s, pdu_bytes)`` records to a ``.pdu`` file; returns the record count."""
    n = 0
    last_s = float("-inf")
    with open(path, "wb") as f:
        f.write(FILE_HEADER.pack(FILE_MAGIC, FILE_FORMAT_VERSION, 7, 0))
        for time_s, data in records:
            if time_s < last_s:
                raise ValueError(f"{path}: record {n} time_s must not decrease "
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


def iter_pdu_file(path: str | Path, report: PduFileReport | None = None) -> Iterator[TimedPdu]:
    """Yield ``(time_s, pdu_bytes)`` from a ``.pdu`` file.

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
        raise ValueError(f"DIS address {text!r}: scheme must be udp (got {url.scheme!r})")
    try:
        port = url.port if url.port is not None else default_port
    except ValueError as exc:
        raise ValueError(f"DIS address {text!r}: port must be 0-65535") from exc
    return UdpAddress(url.hostname or DEFAULT_HOST, port)


def check_resolvable(address: UdpAddress) -> UdpAddress:
    """Fail early, with the address in the message, if the host does not resolve."""
    try:
        socket.getaddrinfo(address.host, address.port, address.family, socket.SOCK_DGRAM)
    except socket.gaierror as exc:
        raise ValueError(f"DIS address {address.host}:{address.port}: cannot resolve the host "
                         f"({exc.strerror})") from None
    return address


# --- UDP ---------------------------------------------------------------------------------


class UdpPduSender:
    """Send PDUs as UDP datagrams, one PDU per datagram (a context manager)."""

    def __init__(self, address: UdpAddress) -> None:
        self.address = address
        self.sent = 0
        self._sock = socket.socket(address.family, socket.SOCK_DGRAM)

    def send(self, data: bytes) -> None:
        self._sock.sendto(data, (self.address.host, self.address.port))
        self.sent += 1

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> UdpPduSender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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


def replay(
    records: Iterable[TimedPdu],
    send: Callable[[bytes], None],
    *,
    speed: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Send records with their original spacing divided by ``speed`` (``inf``: no waiting).

    Returns the number of PDUs sent. The first record goes out at once; record k goes out when
    ``(time_k - time_0) / speed`` seconds have passed on ``clock``.
    """
    if not speed > 0.0:
        raise ValueError(f"replay speed must be > 0 (got {speed})")
    n = 0
    start_wall = clock()
    first_s: float | None = None
    for time_s, data in records:
        if first_s is None:
            first_s = time_s
        due = start_wall + (time_s - first_s) / speed
        wait = due - clock()
        if wait > 0.0:
            sleep(wait)
        send(data)
        n += 1
    return n


def replay_file(path: str | Path, to: str, *, speed: float = 1.0) -> int:
    """Send a ``.pdu`` file to ``udp://host:port`` with its original timing / ``speed``."""
    address = parse_udp_address(to)
    with UdpPduSender(address) as sender:
        return replay(iter_pdu_file(path), sender.send, speed=speed)
