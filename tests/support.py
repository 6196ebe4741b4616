"""Paths and small helpers shared by several test packages."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
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


class ServeProcess:
    """`madoguchi serve ARGS` as an operating-system process, its output appended to ``log``."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args, self.env, self.log = args, env, log
        self.process: subprocess.Popen[bytes] | None = None

    def launch(self) -> subprocess.Popen[bytes]:
        command = [str(Path(sys.executable).parent / "madoguchi"), "serve", *self.args]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        return self.process

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self) -> str:
        return self.log.read_text("utf-8")[-3000:] if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no chance to clean up, as in a crash."""
        assert self.process is not None, "never started"
        if self.alive():
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not stopped within 20 s."""
        if self.process is not None and self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
