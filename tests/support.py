"""Paths and small helpers shared by several test packages."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

from madoguchi.settings import REPO_ROOT

EXAMPLE_DIRECTORY = REPO_ROOT / "data" / "directory" / "example.yaml"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(
    port: int, process: subprocess.Popen[bytes] | None = None, log: Path | None = None, timeout: float = 60
) -> None:
    """Wait until ``port`` accepts connections; fail early (with the log) if ``process`` died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None:
            tail = log.read_text("utf-8")[-3000:] if log is not None and log.exists() else ""
            assert process.poll() is None, tail
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"port {port} never opened")
