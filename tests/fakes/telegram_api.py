"""A fake Telegram Bot API on 127.0.0.1, enough for python-telegram-bot's polling and
webhook modes: getMe, getUpdates (long polling), sendMessage, editMessageText,
answerCallbackQuery, setWebhook, deleteWebhook, getWebhookInfo.

The test queues updates as an owner would cause them and reads what the bot sent.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from tests.fakes.json_api import serve_json_api

BOT_ID = 777000
OWNER = {"id": 4242, "is_bot": False, "first_name": "オーナー"}


@dataclass
class Sent:
    """One message the bot sent (or edited)."""

    method: str
    chat_id: str
    text: str
    message_id: int
    reply_markup: dict[str, Any] | None = None

    def choice_ids(self) -> list[str]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button["callback_data"] for row in rows for button in row]


@dataclass
class FakeTelegram:
    """State of the fake server; methods are safe to call from the test thread."""

    updates: list[dict[str, Any]] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    webhook: str | None = None
    lock: threading.Condition = field(default_factory=threading.Condition)
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    server: ThreadingHTTPServer | None = None
    fail_next: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)

    # ---- what the owner does --------------------------------------------------------
    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            update = {"update_id": next(self._update_ids), **update}
            self.updates.append(update)
            self.lock.notify_all()
        return update

    def text(self, chat_id: int, body: str) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids), "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"}, "from": {**OWNER, "id": chat_id}, "text": body,
        }
        if body.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(body.split()[0])}]
        return self.push({"message": message})

    def sticker(self, chat_id: int) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids), "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"}, "from": {**OWNER, "id": chat_id},
            "sticker": {"file_id": "s1", "file_unique_id": "u1", "type": "regular", "width": 512,
                        "height": 512, "is_animated": False, "is_video": False},
        }
        return self.push({"message": message})

    def press(self, chat_id: int, sent: Sent, data: str) -> dict[str, Any]:
        assert data in sent.choice_ids(), (data, sent.choice_ids())
        query = {
            "id": f"cb{next(self._message_ids)}", "chat_instance": "ci", "data": data,
            "from": {**OWNER, "id": chat_id},
            "message": {"message_id": sent.message_id, "date": int(time.time()),
                        "chat": {"id": chat_id, "type": "private"}, "text": sent.text,
                        "reply_markup": sent.reply_markup, "from": {"id": BOT_ID, "is_bot": True,
                                                                     "first_name": "madoguchi"}},
        }
        return self.push({"callback_query": query})

    # ---- what the test reads --------------------------------------------------------
    def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with self.lock:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out; sent so far: {[s.text[:40] for s in self.sent]}")
                self.lock.wait(min(left, 0.2))

    def messages_to(self, chat_id: int) -> list[Sent]:
        with self.lock:
            return [s for s in self.sent if s.chat_id == str(chat_id) and s.method == "sendMessage"]

    def wait_reply(self, chat_id: int, count_before: int, timeout: float = 30.0) -> Sent:
        """The newest message to ``chat_id`` once more than ``count_before`` exist and the bot
        is idle (all replies to one update arrive in a burst)."""
        self.wait_for(lambda: len(self.messages_to(chat_id)) > count_before, timeout)
        time.sleep(0.3)
        return self.messages_to(chat_id)[-1]

    def pending(self, offset: int) -> list[dict[str, Any]]:
        return [u for u in self.updates if u["update_id"] >= offset]

    # ---- the server -----------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeTelegram:
        self.server = serve_json_api(lambda method, params: (*self.answer(method, params), {}))
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.calls[method] = self.calls.get(method, 0) + 1
            queued = self.fail_next.get(method)
            if queued:
                return queued.pop(0)
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": f"Not Found: {method}"}
        return 200, {"ok": True, "result": handler(params)}

    def _getMe(self, params: dict[str, Any]) -> Any:
        return {"id": BOT_ID, "is_bot": True, "first_name": "madoguchi", "username": "madoguchi_test_bot",
                "can_join_groups": False, "can_read_all_group_messages": False,
                "supports_inline_queries": False}

    def _getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), 1.0)
        deadline = time.monotonic() + wait
        with self.lock:
            # Confirmed updates are gone for good, as on the real server.
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while not self.updates and time.monotonic() < deadline:
                self.lock.wait(deadline - time.monotonic())
            return list(self.updates[:100])

    def _record(self, method: str, params: dict[str, Any], message_id: int | None = None) -> dict[str, Any]:
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        with self.lock:
            number = message_id or next(self._message_ids)
            sent = Sent(method, str(params.get("chat_id")), str(params.get("text", "")), number, markup)
            self.sent.append(sent)
            self.lock.notify_all()
        message: dict[str, Any] = {
            "message_id": number, "date": int(time.time()),
            "chat": {"id": int(sent.chat_id or 0), "type": "private"}, "text": sent.text,
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "madoguchi"},
        }
        if markup:
            message["reply_markup"] = markup
        return message

    def _sendMessage(self, params: dict[str, Any]) -> Any:
        return self._record("sendMessage", params)

    def _editMessageText(self, params: dict[str, Any]) -> Any:
        return self._record("editMessageText", params, int(params.get("message_id") or 0))

    def _answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        return True

    def _setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = str(params.get("url"))
        return True

    def _deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        return True

    def _getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {"url": self.webhook or "", "has_custom_certificate": False, "pending_update_count": 0}
