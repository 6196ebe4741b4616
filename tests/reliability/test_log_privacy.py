"""Logs and error reports never contain names, phone numbers, e-mail addresses or the
owner's text (issue 8): a failing update, in process (caplog) and in the real bot process
(its stderr), with the owner's personal data in every field that could leak."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot import texts
from bot.engine import Engine
from nlp.taxonomy import Taxonomy
from storage.database import Database
from tests.fakes.telegram_api import OWNER, FakeTelegram
from tests.reliability.conftest import TOKEN, Attempts, InProcessBot, channel_for, next_action
from tests.support import ServeProcess

NAME, PHONE, EMAIL, COMPANY = "山田太郎", "090-1234-5678", "taro.yamada@example.jp", "山田精工"
SECRET_WORDS = "息子が継がないので"
PROBLEM = (f"{COMPANY}です。松本市で町工場をやってます。{SECRET_WORDS}、店をどうするか悩んでいます。"
           f"電話は{PHONE}、メールは{EMAIL}")
PERSONAL = (NAME, PHONE, "09012345678", EMAIL, COMPANY, SECRET_WORDS, "町工場")


def owner_text(fake: FakeTelegram, chat: int, body: str) -> None:
    """A message from an owner whose profile carries a real-looking name."""
    fake.push({"message": {"message_id": int(time.time() * 1000) % 10**9, "date": int(time.time()),
                           "chat": {"id": chat, "type": "private", "first_name": NAME},
                           "from": {**OWNER, "id": chat, "first_name": NAME, "last_name": "山田"}, "text": body}})


def fail_lead_inserts(db: Database) -> Any:
    """Make storing a lead fail the way a broken database does (the driver's own error,
    wrapped by SQLAlchemy with the statement's parameters: the owner's words)."""

    def fail(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO LEAD "):
            raise conn.dialect.loaded_dbapi.OperationalError("disk I/O error")

    sa.event.listen(db.engine, "before_cursor_execute", fail)
    return fail


def play_until_trouble(fake: FakeTelegram, chat: int, timeout: float = 60) -> None:
    owner_text(fake, chat, PROBLEM)
    seen = 0
    deadline = time.monotonic() + timeout
    while True:
        assert time.monotonic() < deadline, [s.text[:30] for s in fake.sent]
        sent = [s for s in fake.sent if s.method == "sendMessage"]
        if any(s.text == texts.TROUBLE for s in sent):
            return
        if len(sent) > seen:
            seen = len(sent)
            time.sleep(0.1)
            if len([s for s in fake.sent if s.method == "sendMessage"]) == seen:
                next_action(fake, chat, sent[-1], PROBLEM)
        time.sleep(0.05)


def test_a_failing_update_logs_ids_and_types_never_personal_data(
    engine: Engine, db: Database, fake: Attempts, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # the production level of `madoguchi serve`
    fail = fail_lead_inserts(db)
    bot = InProcessBot(channel_for(engine, db), fake).start()
    try:
        play_until_trouble(fake, 9301)
    finally:
        bot.stop()
        sa.event.remove(db.engine, "before_cursor_execute", fail)
    logged = "\n".join(f"{r.getMessage()}\n{r.exc_text or ''}" for r in caplog.records)
    assert "OperationalError" in logged  # the failure is reported: its type, with ids
    for word in PERSONAL:
        assert word not in logged, word


def test_bot_process_stderr_keeps_personal_data_out(
    db: Database, engine: Engine, taxonomy: Taxonomy, shared_home: Path, tmp_path: Path, telegram: FakeTelegram
) -> None:
    """The real process: an update the library cannot parse, and the database failing."""
    fake = telegram
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
        "MADOGUCHI_HOME": str(shared_home),
        "MADOGUCHI_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url, "TELEGRAM_MAX_RATE": "1000",
    }
    bot = ServeProcess(["telegram"], env, tmp_path / "bot.log")
    bot.launch()
    try:
        fake.wait_for(lambda: fake.calls.get("getUpdates", 0) > 0 or not bot.alive(), timeout=90)
        assert bot.alive(), bot.log_tail()
        with db.write_engine.begin() as connection:  # the database loses the lead table
            connection.exec_driver_sql("ALTER TABLE lead RENAME TO lead_away")
        try:
            play_until_trouble(fake, 9302)
        finally:
            with db.write_engine.begin() as connection:
                connection.exec_driver_sql("ALTER TABLE lead_away RENAME TO lead")
        # An update python-telegram-bot cannot parse (an entity without its length).
        fake.push({"message": {"message_id": 1, "date": int(time.time()), "text": PROBLEM,
                               "chat": {"id": 9303, "type": "private"}, "from": {**OWNER, "first_name": NAME},
                               "entities": [{"type": "bold", "offset": 0}]}})
        deadline = time.monotonic() + 30
        while "details withheld" not in bot.log.read_text("utf-8", errors="replace"):
            assert time.monotonic() < deadline, bot.log_tail()
            time.sleep(0.1)
    finally:
        bot.stop()
    written = bot.log.read_text("utf-8", errors="replace")
    assert "failed" in written  # the engine failure is reported (ids and type)
    for word in PERSONAL:
        assert word not in written, word
