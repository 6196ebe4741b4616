"""Serving the bolt app over HTTP (``POST /slack/events``) with a threading server.

A framework adapter in a few dozen lines, as bolt's own: request in, `BoltRequest`,
``app.dispatch``, response out. Threads let a slow listener never hold up the next ack.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from slack_bolt import App, BoltRequest

log = logging.getLogger(__name__)
MAX_BODY = 1_000_000


class BoltHTTPServer(ThreadingHTTPServer):
    """Serves one bolt app at one path."""

    daemon_threads = True

    def __init__(self, app: App, host: str, port: int, path: str = "/slack/events") -> None:
        self.app, self.events_path = app, path
        super().__init__((host, port), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: BoltHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("slack http: " + format, *args)

    def do_GET(self) -> None:
        self._reply(404 if urlsplit(self.path).path != "/healthz" else 200, {}, "")

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if url.path != self.server.events_path or length > MAX_BODY:
            self._reply(404 if url.path != self.server.events_path else 413, {}, "")
            return
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        headers: dict[str, str | Sequence[str]] = {k.lower(): [v] for k, v in self.headers.items()}
        try:
            request = BoltRequest(body=body, query=url.query, headers=headers)
        except ValueError:  # a body that is not what it claims (e.g. broken JSON): refused unread
            log.warning("slack http: a request with an unreadable body was refused")
            self._reply(400, {}, "")
            return
        response = self.server.app.dispatch(request)
        self._reply(response.status, response.headers, response.body)

    def _reply(self, status: int, headers: dict[str, Any], body: str) -> None:
        data = body.encode("utf-8")
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(status)
            for key, values in headers.items():
                if key.lower() != "content-length":
                    for value in values if isinstance(values, list | tuple) else [values]:
                        self.send_header(key, str(value))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
