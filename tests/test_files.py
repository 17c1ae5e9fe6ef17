"""Input files are checked with ``os.stat`` before they are opened."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from iadsim.files import not_regular_reason


def test_a_regular_file_passes(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("a: 1\n")
    assert not_regular_reason(path) is None
    assert not_regular_reason(str(path)) is None


def test_every_other_kind_is_named(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)  # no writer: open() would block, stat() does not
    assert not_regular_reason(fifo) == "is not a regular file (a named pipe)"
    assert not_regular_reason("/dev/zero") == "is not a regular file (a character device)"
    assert not_regular_reason(tmp_path) == "is a directory"
    assert not_regular_reason(tmp_path / "none.csv") == "not found"
    assert not_regular_reason(tmp_path / "none" / "x.csv") == "not found"
    assert not_regular_reason("a\0b.csv") == "cannot be read (embedded null byte)"
    assert not_regular_reason("x" * 5_000) == "cannot be read (File name too long)"


def test_a_socket_and_a_file_used_as_a_folder(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("a: 1\n")
    assert not_regular_reason(path / "x.csv") == "not found"
    sock_path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        assert not_regular_reason(sock_path) == "is not a regular file (a socket)"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_a_folder_without_permission(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.csv").write_text("x")
    locked.chmod(0)
    try:
        assert not_regular_reason(locked / "a.csv") == "cannot be read (Permission denied)"
    finally:
        locked.chmod(0o700)
