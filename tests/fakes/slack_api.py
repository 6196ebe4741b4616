"""A fake Slack Web API on 127.0.0.1 for slack_sdk's `WebClient` (``base_url``): auth.test,
chat.postMessage, chat.update, chat.postEphemeral, conversations.history (with message
``metadata``), views.open, views.publish.

Messages are kept per (channel, ts) with their history; ``fail_next`` queues failures
(status, body, headers) per method to play an outage or rate limiting, ``outage`` answers
every call with 500/503 while set, `FakeSlack.go_dark` closes the port (connection
refused) until `FakeSlack.come_back`, and ``on_post`` runs after a post was accepted but
before the answer leaves (a test kills the poster there). Also builds signed requests for
the app with slack_sdk's `SignatureVerifier`.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from slack_sdk.signature import SignatureVerifier

from tests.fakes.json_api import serve_json_api

TEAM, BOT_USER = "TEXAMPLE", "UBOT"


@dataclass
class Message:
    """A message in a channel, with every version it had."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    versions: int = 1
    metadata: dict[str, Any] | None = None

    def action_ids(self) -> list[str]:
        return [e["action_id"] for b in self.blocks if b.get("type") == "actions" for e in b["elements"]]

    def lead_id(self) -> int | None:
        for block in self.blocks:
            if block.get("type") == "header":
                text = block["text"]["text"]
                return int(text.split("#", 1)[1].split("：", 1)[0])
        return None

    def all_text(self) -> str:
        return json.dumps(self.blocks, ensure_ascii=False) + self.text


@dataclass
class FakeSlack:
    """State of the fake Web API; safe to read from the test thread under ``lock``."""

    messages: dict[tuple[str, str], Message] = field(default_factory=dict)
    posted: list[Message] = field(default_factory=list)  # accepted chat.postMessage, in order
    ephemeral: list[dict[str, Any]] = field(default_factory=list)
    views_opened: list[dict[str, Any]] = field(default_factory=list)
    views_published: list[dict[str, Any]] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    call_log: list[tuple[str, float, int]] = field(default_factory=list)  # method, monotonic, status
    fail_next: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = field(default_factory=dict)
    lock: threading.Condition = field(default_factory=threading.Condition)
    server: ThreadingHTTPServer | None = None
    outage: bool = False
    on_post: Callable[[Message], None] | None = None
    port: int = 0
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _outage_calls: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api/"

    def start(self) -> FakeSlack:
        self.server = serve_json_api(self._answer_form, self.port)
        self.port = int(self.server.server_address[1])
        return self

    def _answer_form(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        # slack_sdk sends blocks and views as JSON strings inside a form
        for key in ("blocks", "view"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return self.answer(method, params)

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def go_dark(self) -> None:
        """Close the port: calls get "connection refused" until `come_back`."""
        self.stop()

    def come_back(self) -> None:
        """Listen again on the same port, with every message kept."""
        self.start()

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with self.lock:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out; calls so far: {self.calls}")
                self.lock.wait(min(left, 0.2))

    def cards_of(self, lead_id: int) -> list[Message]:
        with self.lock:
            return [m for m in self.messages.values() if m.lead_id() == lead_id]

    # ---- the API ----------------------------------------------------------------------
    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self.lock:
            self.calls[method] = self.calls.get(method, 0) + 1
            queued = self.fail_next.get(method)
            if queued:
                self.call_log.append((method, time.monotonic(), queued[0][0]))
                return queued.pop(0)
            if self.outage:
                status = (500, 503)[next(self._outage_calls) % 2]
                self.call_log.append((method, time.monotonic(), status))
                return status, {"ok": False, "error": "service_unavailable"}, {}
            self.call_log.append((method, time.monotonic(), 200))
            handler = getattr(self, "_" + method.replace(".", "_"), None)
            if handler is None:
                return 404, {"ok": False, "error": "unknown_method"}, {}
            result = handler(params)
            self.lock.notify_all()
            accepted = self.posted[-1] if method == "chat.postMessage" and result is not None else None
        if accepted is not None and self.on_post is not None:
            self.on_post(accepted)  # accepted, the answer not yet sent
        with self.lock:
            if result is None:
                return 200, {"ok": False, "error": "message_not_found"}, {}
            return 200, {"ok": True, **result}, {}

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": "https://example.slack.com/", "team": "example", "user": "madoguchi",
                "team_id": TEAM, "user_id": BOT_USER, "bot_id": "BEXAMPLE"}

    def _chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        ts = f"{int(time.time())}.{next(self._ts):06d}"  # Slack's clock, unique
        metadata = params.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        message = Message(str(params["channel"]), ts, str(params.get("text", "")), list(params.get("blocks") or []),
                          metadata=metadata)
        self.messages[(message.channel, ts)] = message
        self.posted.append(message)
        return {"channel": message.channel, "ts": ts, "message": {"text": message.text}}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any] | None:
        key = (str(params["channel"]), str(params["ts"]))
        message = self.messages.get(key)
        if message is None:
            return None
        message.text, message.blocks = str(params.get("text", "")), list(params.get("blocks") or [])
        message.versions += 1
        return {"channel": key[0], "ts": key[1]}

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        """Newest first; ``oldest``, ``limit`` and a numeric ``cursor`` as Slack pages them."""
        channel, oldest = str(params["channel"]), float(params.get("oldest") or 0)
        limit, start = int(params.get("limit") or 100), int(params.get("cursor") or 0)
        found = sorted((m for m in self.messages.values() if m.channel == channel and float(m.ts) >= oldest),
                       key=lambda m: float(m.ts), reverse=True)
        page = found[start:start + limit]
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        items = [{"type": "message", "ts": m.ts, "text": m.text,
                  **({"metadata": m.metadata} if with_metadata and m.metadata else {})} for m in page]
        more = start + limit < len(found)
        return {"messages": items, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        self.ephemeral.append(params)
        return {"message_ts": "1.1"}

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        self.views_opened.append(params)
        return {"view": {"id": f"V{len(self.views_opened)}", **params["view"]}}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        self.views_published.append(params)
        return {"view": {"id": "VHOME", **params["view"]}}


def signed_post(url: str, secret: str, body: str, *, content_type: str, timestamp: int | None = None,
                signature: str | None = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """POST ``body`` to the app, signed as Slack signs it (or with ``signature``)."""
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    sign = signature or SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    request = urllib.request.Request(url, data=body.encode(), method="POST", headers={
        "Content-Type": content_type, "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": sign,
        **(headers or {}),
    })
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read().decode()


def interaction(payload: dict[str, Any]) -> str:
    """The form body Slack posts for an interaction."""
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


def button(action_id: str, lead_id: int, user: str, channel: str, ts: str) -> dict[str, Any]:
    """A ``block_actions`` payload for one card button."""
    return {
        "type": "block_actions", "team": {"id": TEAM}, "user": {"id": user, "team_id": TEAM},
        "api_app_id": "AEXAMPLE", "token": "legacy", "trigger_id": f"trigger-{time.monotonic_ns()}",
        "container": {"type": "message", "message_ts": ts, "channel_id": channel},
        "channel": {"id": channel}, "message": {"ts": ts},
        "actions": [{"type": "button", "action_id": action_id, "block_id": f"lead:{lead_id}",
                     "value": str(lead_id), "action_ts": str(time.time())}],
    }


def submission(view: dict[str, Any], user: str, values: dict[str, Any]) -> dict[str, Any]:
    """A ``view_submission`` payload for a modal the app opened."""
    return {
        "type": "view_submission", "team": {"id": TEAM}, "user": {"id": user, "team_id": TEAM},
        "api_app_id": "AEXAMPLE", "token": "legacy", "trigger_id": "trigger-submit",
        "view": {**view, "id": "VMODAL", "team_id": TEAM, "state": {"values": values}},
    }
