"""Shared setup of the reliability suite: the example directory, the engine, raw Telegram
updates, and the real python-telegram-bot application run in process against the fake
Bot API (the process-level tests start `madoguchi serve telegram` instead)."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from telegram import Update

from bot.engine import Engine
from bot.telegram.inbox import Inbox
from bot.telegram.runner import TelegramChannel, TelegramConfig, build_application
from bot.throttle import Throttle
from madoguchi.settings import Settings
from madoguchi.wiring import build_engine
from nlp.taxonomy import Taxonomy
from nlp.understand import Understander
from storage.database import Database
from storage.directory.importer import import_directory
from storage.directory.validate import load_directory
from tests.fakes.telegram_api import BOT_ID, OWNER, FakeTelegram, Sent
from tests.support import EXAMPLE_DIRECTORY, wait_port

TOKEN = "123456:TEST-token"
SECRET = "s3cret-token"
PROBLEM = "松本市で町工場をやってます。息子が継がないので、店をどうするか悩んでいます"
# One whole intake, as the e2e tests play it: (kind, text or choice id).
INTAKE: tuple[tuple[str, str], ...] = (
    ("text", "/start"), ("text", PROBLEM), ("press", "skip"), ("text", "8人"),
    ("press", "contact:chat"), ("press", "consent:yes"), ("press", "confirm:yes"),
)
_ids = itertools.count(50_000)


def text_update(chat: int, body: str, update_id: int | None = None) -> dict[str, Any]:
    """A raw update: the owner of ``chat`` wrote ``body`` in a private chat."""
    message: dict[str, Any] = {
        "message_id": next(_ids), "date": int(time.time()), "chat": {"id": chat, "type": "private"},
        "from": {**OWNER, "id": chat}, "text": body,
    }
    if body.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(body.split()[0])}]
    return {"update_id": update_id or next(_ids), "message": message}


def press_update(chat: int, data: str, update_id: int | None = None) -> dict[str, Any]:
    """A raw update: the owner of ``chat`` pressed the button carrying ``data``."""
    query = {
        "id": f"cb{next(_ids)}", "chat_instance": "ci", "data": data, "from": {**OWNER, "id": chat},
        "message": {"message_id": next(_ids), "date": int(time.time()), "chat": {"id": chat, "type": "private"},
                    "text": "質問", "from": {"id": BOT_ID, "is_bot": True, "first_name": "madoguchi"}},
    }
    return {"update_id": update_id or next(_ids), "callback_query": query}


def intake_updates(chat: int) -> list[dict[str, Any]]:
    """The raw updates of one whole intake of ``chat``, in order."""
    return [text_update(chat, value) if kind == "text" else press_update(chat, value) for kind, value in INTAKE]


def store(inbox: Inbox, raw: dict[str, Any]) -> str | None:
    """Store a raw update as the receiving side does before acknowledging it."""
    update = Update.de_json(raw, None)
    assert update is not None
    return inbox.store(update)


class Attempts(FakeTelegram):
    """The fake Bot API, also remembering every call attempted, failed ones included."""

    def __init__(self) -> None:
        super().__init__()
        self.attempts: list[tuple[str, str]] = []

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.attempts.append((method, str(params.get("chat_id", ""))))
        return super().answer(method, params)

    def texts_to(self, chat: int) -> list[str]:
        return [sent.text for sent in self.messages_to(chat)]


@pytest.fixture
def fake() -> Iterator[Attempts]:
    server = Attempts()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def engine(db: Database, understander: Understander, taxonomy: Taxonomy) -> Engine:
    """The shared engine over ``db`` with the example directory imported."""
    with db.unit_of_work() as session:
        import_directory(session, directory=load_directory(EXAMPLE_DIRECTORY, categories=taxonomy.ids),
                         actor="test")
    return build_engine(Settings(), db, understander, taxonomy)


class InProcessBot:
    """The real python-telegram-bot application with our channel, in a thread of its own."""

    def __init__(self, channel: TelegramChannel, fake: FakeTelegram, *, webhook_port: int | None = None) -> None:
        self.channel, self.fake, self.webhook_port = channel, fake, webhook_port
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, daemon=True)

    def start(self) -> InProcessBot:
        self._thread.start()
        assert self._ready.wait(60), "the bot never started"
        if self._error is not None:
            raise self._error
        if self.webhook_port is not None:
            wait_port(self.webhook_port)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(60)

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # surfaced by start()
            self._error = exc
            self._ready.set()

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        config = TelegramConfig(token=TOKEN, base_url=self.fake.base_url, max_rate=100_000)
        application = build_application(config, self.channel)
        async with application:
            await self.channel.recover(application)  # run_polling calls it as post_init
            assert application.updater is not None
            if self.webhook_port is None:
                await application.updater.start_polling(poll_interval=0.0, timeout=1,
                                                        allowed_updates=Update.ALL_TYPES)
            else:
                await application.updater.start_webhook(
                    listen="127.0.0.1", port=self.webhook_port, url_path="telegram",
                    webhook_url=f"http://127.0.0.1:{self.webhook_port}/telegram", secret_token=SECRET,
                )
            await application.start()
            self._ready.set()
            await self._stop.wait()
            await application.updater.stop()
            await application.stop()


def channel_for(engine: Engine, db: Database, *, flood_limit: int = 20) -> TelegramChannel:
    """The Telegram channel as `madoguchi serve telegram` wires it."""
    return TelegramChannel(Inbox(engine, db, Throttle(limit=flood_limit)), network_backoff=0.05)


def next_action(fake: FakeTelegram, chat: int, reply: Sent, problem: str = PROBLEM) -> None:
    """What a scripted owner does after ``reply``: the simplest answer that moves on."""
    ids = reply.choice_ids()
    for wanted in ("confirm:yes", "consent:yes", "contact:chat", "skip"):
        if wanted in ids:
            fake.press(chat, reply, wanted)
            return
    if ids:
        fake.press(chat, reply, ids[0])
    elif "従業員" in reply.text:
        fake.text(chat, "8人")
    else:
        fake.text(chat, problem)


def play_intakes(fake: FakeTelegram, problems: dict[int, str], timeout: float = 120) -> None:
    """Every chat writes its problem and answers until its case is received."""
    done: set[int] = set()
    seen = 0
    for chat, problem in problems.items():
        fake.text(chat, problem)
    deadline = time.monotonic() + timeout
    while len(done) < len(problems):
        assert time.monotonic() < deadline, f"{len(problems) - len(done)} intakes never finished"
        with fake.lock:
            fresh, seen = fake.sent[seen:], len(fake.sent)
        newest: dict[int, Sent] = {}
        for sent in fresh:
            if sent.method == "sendMessage" and sent.chat_id.isdigit():
                newest[int(sent.chat_id)] = sent
                if "受付番号" in sent.text:
                    done.add(int(sent.chat_id))
        for chat, reply in newest.items():
            if chat not in done and chat in problems:
                next_action(fake, chat, reply)
        time.sleep(0.05)
