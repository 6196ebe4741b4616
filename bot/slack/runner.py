"""Running the bolt app: HTTP (`BoltHTTPServer` in a thread) or Socket Mode."""

from __future__ import annotations

import threading

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.slack.http import BoltHTTPServer


class SlackRunner:
    """Starts and stops one transport; ``listen`` for HTTP, ``app_token`` for Socket Mode."""

    def __init__(
        self, app: App, *, listen: tuple[str, int] | None = None, app_token: str | None = None
    ) -> None:
        if (listen is None) == (app_token is None):
            raise ValueError("give either listen (HTTP) or app_token (Socket Mode)")
        self.app = app
        self.listen = listen
        self.app_token = app_token
        self._server: BoltHTTPServer | None = None
        self._socket: SocketModeHandler | None = None

    def start(self) -> None:
        """Begin receiving requests (returns at once)."""
        if self.listen is not None:
            host, port = self.listen
            self._server = BoltHTTPServer(self.app, host, port)
            threading.Thread(target=self._server.serve_forever, name="slack-http", daemon=True).start()
        else:
            self._socket = SocketModeHandler(self.app, self.app_token, web_client=self.app.client)
            self._socket.connect()  # type: ignore[no-untyped-call]

    def stop(self) -> None:
        """Stop receiving and close the transport."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._socket is not None:
            self._socket.close()  # type: ignore[no-untyped-call]
