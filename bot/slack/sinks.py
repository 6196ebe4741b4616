"""Where cards and owner messages go: Slack's Web API, Telegram's Bot API, or stdout.

Each sink turns the receiver's failures into `RetryLater` (with Slack's or Telegram's
``Retry-After``) or `Undeliverable`; the dispatcher decides what happens next.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Protocol, TextIO

import httpx
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.slack.errors import RetryLater, Undeliverable

TELEGRAM_API = "https://api.telegram.org"


CARD_EVENT = "madoguchi_lead"  # the Slack message metadata type every card carries
HISTORY_PAGES = 10  # how far back (pages of 200 messages) a lost card is looked for


class CardSink(Protocol):
    """Posts and edits the card messages in a hub's channel."""

    plain: bool

    def post(
        self, channel: str | None, text: str, blocks: list[dict[str, Any]], tag: dict[str, Any] | None = None
    ) -> str:
        """Post a new card (``tag`` travels as message metadata); returns its Slack ``ts``."""
        ...

    def find(self, channel: str, lead_id: int, since: float) -> str | None:
        """The ``ts`` of the newest card of ``lead_id`` posted in ``channel`` since ``since``
        (a Unix time), found by its metadata, or None."""
        ...

    def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        """Edit the card in place; raises `LookupError` when the message is gone."""
        ...


class OwnerSink(Protocol):
    """Sends a message to an owner in the chat their lead came from."""

    def send(self, chat_id: str, text: str, choices: Sequence[tuple[str, str]] = ()) -> None:
        """Deliver ``text`` with optional (id, label) choices (buttons where the chat has them)."""
        ...


def _retry_after(headers: Any) -> float | None:
    try:
        value = headers.get("Retry-After") or headers.get("retry-after")
        return float(value) if value is not None else None
    except (AttributeError, TypeError, ValueError):
        return None


class SlackCardSink:
    """Cards through slack_sdk's `WebClient` (its ``base_url`` may point anywhere)."""

    plain = False

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post(
        self, channel: str | None, text: str, blocks: list[dict[str, Any]], tag: dict[str, Any] | None = None
    ) -> str:
        if not channel:
            raise Undeliverable("the hub has no Slack channel")
        metadata = {"event_type": CARD_EVENT, "event_payload": tag} if tag else None
        response = self._call(
            "chat_postMessage", channel=channel, text=text, blocks=blocks, unfurl_links=False,
            metadata=metadata,
        )
        return str(response["ts"])

    def find(self, channel: str, lead_id: int, since: float) -> str | None:
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            response = self._call("conversations_history", channel=channel, oldest=f"{since:.6f}", limit=200,
                                  include_all_metadata=True, cursor=cursor)
            for message in response.get("messages") or []:  # newest first
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == CARD_EVENT and payload.get("lead_id") == lead_id:
                    return str(message["ts"])
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not response.get("has_more") or not cursor:
                return None
        return None

    def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        self._call("chat_update", channel=channel, ts=ts, text=text, blocks=blocks)

    def _call(self, method: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, method)(**kwargs)
        except SlackApiError as exc:
            status = exc.response.status_code
            error = str(exc.response.get("error") or f"HTTP {status}")
            if error == "message_not_found":
                raise LookupError(error) from exc
            retry_after = _retry_after(exc.response.headers) if status == 429 else None
            raise RetryLater(f"slack {method}: {error}", retry_after) from exc
        except (SlackClientError, OSError) as exc:
            raise RetryLater(f"slack {method}: {type(exc).__name__}") from exc


class PrintSink:
    """No Slack configured: every announcement is printed as plain text."""

    plain = True

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.lock = threading.Lock()

    def post(
        self, channel: str | None, text: str, blocks: list[dict[str, Any]], tag: dict[str, Any] | None = None
    ) -> str:
        with self.lock:
            self.out.write(text + "\n\n")
            self.out.flush()
        return "print"

    def find(self, channel: str, lead_id: int, since: float) -> str | None:
        return None  # printed announcements cannot be found again

    def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        self.post(channel, text, blocks)

    def send(self, chat_id: str, text: str, choices: Sequence[tuple[str, str]] = ()) -> None:
        """Owner messages of the console channel are shown here too (choices numbered)."""
        lines = [f"【まどぐち → 相談者 {chat_id}】", text]
        lines += [f"  {number}. {label}" for number, (_, label) in enumerate(choices, start=1)]
        self.post(None, "\n".join(lines), [])


class TelegramOwnerSink:
    """Owner messages through the Telegram Bot API (``TELEGRAM_API_BASE_URL`` honoured)."""

    def __init__(self, token: str, base_url: str | None = None, timeout: float = 10.0) -> None:
        self.url = f"{(base_url or TELEGRAM_API).rstrip('/')}/bot{token}/sendMessage"
        self.client = httpx.Client(timeout=timeout)

    def send(self, chat_id: str, text: str, choices: Sequence[tuple[str, str]] = ()) -> None:
        body: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if choices:
            rows = [[{"text": label, "callback_data": choice_id}] for choice_id, label in choices]
            body["reply_markup"] = {"inline_keyboard": rows}
        try:
            response = self.client.post(self.url, json=body)
        except httpx.HTTPError as exc:
            raise RetryLater(f"telegram sendMessage: {type(exc).__name__}") from exc
        if response.status_code == 200:
            return
        try:
            body = response.json()
        except ValueError:
            body = {}
        parameters = body.get("parameters") or {}
        if response.status_code == 429 or response.status_code >= 500:
            retry = parameters.get("retry_after")
            raise RetryLater(f"telegram sendMessage: HTTP {response.status_code}",
                             float(retry) if retry is not None else None)
        raise Undeliverable(f"telegram sendMessage: HTTP {response.status_code}")
