"""End to end: the real `madoguchi serve telegram` process against a fake Bot API.

A whole intake is played through getUpdates (polling) or POSTs (webhook), including button
presses; the bot is killed with SIGKILL mid-conversation and restarted, and the intake
finishes with exactly one lead, stored and routed, whose hub the owner was told.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from models import Lead, LeadStatus
from nlp.taxonomy import Taxonomy
from storage.database import Database
from storage.directory.importer import import_directory
from storage.directory.validate import load_directory
from tests.fakes.telegram_api import FakeTelegram, Sent
from tests.support import EXAMPLE_DIRECTORY, ServeProcess, free_port, wait_port

TOKEN = "123456:TEST-token"
CHAT = 4242
SECRET = "s3cret-token"


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    server = FakeTelegram().start()
    yield server
    server.stop()




class Bot(ServeProcess):
    """The bot as an operating-system process."""

    def __init__(self, env: dict[str, str], log: Path, webhook: bool) -> None:
        super().__init__(["telegram", "--webhook"] if webhook else ["telegram"], env, log)
        self.webhook = webhook

    def start(self, fake: FakeTelegram) -> None:
        before = fake.calls.get("setWebhook" if self.webhook else "getUpdates", 0)
        process = self.launch()
        fake.wait_for(lambda: fake.calls.get("setWebhook" if self.webhook else "getUpdates", 0) > before
                      or process.poll() is not None, timeout=90)
        assert process.poll() is None, self.log_tail()
        if self.webhook:
            wait_port(int(self.env["TELEGRAM_WEBHOOK_PORT"]))


def _post_update(port: int, update: dict[str, object], secret: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/telegram", data=json.dumps(update).encode(), method="POST",
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@pytest.fixture
def bot_env(db: Database, shared_home: Path, tmp_path: Path, taxonomy: Taxonomy, fake: FakeTelegram) -> dict[str, str]:
    with db.unit_of_work() as session:
        import_directory(session, directory=load_directory(EXAMPLE_DIRECTORY, categories=taxonomy.ids),
                         actor="test")
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "MADOGUCHI_HOME": str(shared_home),
        "MADOGUCHI_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
    }


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
def test_whole_intake_survives_sigkill(webhook: bool, bot_env: dict[str, str], fake: FakeTelegram,
                                       db: Database, tmp_path: Path) -> None:
    env = dict(bot_env)
    port = free_port()
    if webhook:
        env |= {"TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
                "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_WEBHOOK_PORT": str(port)}
    bot = Bot(env, tmp_path / "bot.log", webhook)

    def send(update: dict[str, object]) -> None:
        if webhook:
            with fake.lock:  # delivered by POST, not by getUpdates
                fake.updates.remove(update)
            assert _post_update(port, update, SECRET) == 200

    def say(text: str) -> Sent:
        before = len(fake.messages_to(CHAT))
        send(fake.text(CHAT, text))
        return fake.wait_reply(CHAT, before)

    def press(sent: Sent, choice: str) -> Sent:
        before = len(fake.messages_to(CHAT))
        send(fake.press(CHAT, sent, choice))
        return fake.wait_reply(CHAT, before)

    try:
        bot.start(fake)
        if webhook:
            assert fake.webhook == env["TELEGRAM_WEBHOOK_URL"]
            wrong = fake.text(CHAT, "/start")
            with fake.lock:
                fake.updates.remove(wrong)
            assert _post_update(port, wrong, "wrong-secret") == 403
            assert _post_update(port, wrong, "") == 403
            time.sleep(0.5)
            assert fake.messages_to(CHAT) == []  # refused requests had no effect
        greeting = say("/start")
        assert "まどぐち" in greeting.text
        reply = say("松本市で町工場をやってます。息子が継がないので、店をどうするか悩んでいます")
        assert "会社名" in reply.text and "skip" in reply.choice_ids()
        reply = press(reply, "skip")
        assert "従業員" in reply.text
        before_sticker = len(fake.messages_to(CHAT))
        send(fake.sticker(CHAT))
        assert "文字で" in fake.wait_reply(CHAT, before_sticker).text

        bot.kill()  # mid-conversation, without any chance to clean up
        bot.start(fake)

        reply = say("8人")
        assert "ご連絡" in reply.text and "contact:chat" in reply.choice_ids()
        reply = press(reply, "contact:chat")
        assert "共有" in reply.text
        reply = press(reply, "consent:yes")
        assert "松本市" in reply.text and "confirm:yes" in reply.choice_ids()
        final = press(reply, "confirm:yes")
        assert "受付番号" in final.text and "松本みらい商工会議所" in final.text
        assert fake.calls.get("answerCallbackQuery", 0) >= 4
        assert any(s.method == "editMessageText" and "→" in s.text for s in fake.sent)
    finally:
        bot.stop()
    with db.session() as session:
        leads = session.exec(select(Lead)).all()
        assert len(leads) == 1
        assert leads[0].status is LeadStatus.ASSIGNED and leads[0].hub_id == "hub-nagano-01"
    finals = [s for s in fake.messages_to(CHAT) if "受付番号" in s.text]
    assert len(finals) == 1  # no double replies across the restart
