"""Telegram intake promises (issue 8), each a named test, on SQLite and PostgreSQL.

The real python-telegram-bot application runs against the fake Bot API: in process for
most promises, as the real `madoguchi serve telegram` process for the SIGKILL storm.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from random import Random
from typing import Any

import pytest
from sqlmodel import col, select

from bot import texts
from bot.engine import Engine
from bot.slack.app import web_client
from bot.slack.dispatcher import Dispatcher
from bot.slack.sinks import SlackCardSink
from bot.telegram.inbox import Inbox, Outgoing
from madoguchi.settings import Settings
from madoguchi.wiring import build_engine
from models import Conversation, Lead, LeadStatus, OutboxEvent, ProcessedUpdate
from nlp.taxonomy import Taxonomy
from nlp.understand import Understander
from storage.database import Database
from storage.repositories import updates
from tests.fakes.slack_api import FakeSlack
from tests.fakes.telegram_api import FakeTelegram, Sent
from tests.reliability.conftest import (
    INTAKE,
    PROBLEM,
    SECRET,
    TOKEN,
    Attempts,
    InProcessBot,
    channel_for,
    intake_updates,
    next_action,
    store,
    text_update,
)
from tests.support import ServeProcess, free_port

RECEIVED = "受付番号"


def post(port: int, update: dict[str, Any], secret: str = SECRET) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/telegram", data=json.dumps(update).encode(), method="POST",
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def stored_keys(db: Database) -> dict[str, ProcessedUpdate]:
    with db.session() as session:
        rows = {row.update_id: row for row in session.exec(select(ProcessedUpdate))}
        session.expunge_all()
        return rows


def wait_idle(db: Database, timeout: float = 60) -> None:
    """Until nothing is left to handle or to send."""
    deadline = time.monotonic() + timeout
    while True:
        with db.session() as session:
            busy = updates.pending_updates(session, channel="telegram") or updates.unsent_replies(
                session, channel="telegram")
        if not busy:
            return
        assert time.monotonic() < deadline, f"{len(busy)} updates still busy"
        time.sleep(0.05)


def leads_of(db: Database, chat: int) -> list[Lead]:
    with db.session() as session:
        found = list(session.exec(select(Lead).where(Lead.chat_id == str(chat))))
        for lead in found:
            session.expunge(lead)  # keep its values after the read session rolls back
        return found


def key(raw: dict[str, Any]) -> str:
    chat = (raw.get("message") or raw["callback_query"]["message"])["chat"]["id"]
    return f"{chat}:{raw['update_id']}"


# ---- stored before acknowledged ----------------------------------------------------------

def test_polling_stores_every_update_before_confirming_it(engine: Engine, db: Database, fake: Attempts) -> None:
    """When getUpdates confirms an offset, every update below it is already in the database."""
    delivered: dict[int, str] = {}
    unstored: list[int] = []
    confirmations: list[int] = []
    original = fake._getUpdates

    def checking_get_updates(params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        confirmed = [uid for uid in delivered if uid < offset]
        if confirmed:
            stored = stored_keys(db)
            unstored.extend(uid for uid in confirmed if delivered[uid] not in stored)
            confirmations.extend(confirmed)
            for uid in confirmed:
                del delivered[uid]
        batch: list[dict[str, Any]] = original(params)
        delivered.update({u["update_id"]: key(u) for u in batch})
        return batch

    fake._getUpdates = checking_get_updates  # type: ignore[method-assign]
    bot = InProcessBot(channel_for(engine, db), fake).start()
    try:
        for chat in range(7001, 7006):
            for raw in intake_updates(chat):
                fake.push(raw)
        for chat in range(7001, 7006):
            fake.wait_for(lambda c=chat: any(RECEIVED in t for t in fake.texts_to(c)), timeout=60)
    finally:
        bot.stop()
    assert len(confirmations) == 35 and unstored == []
    assert all(len(leads_of(db, chat)) == 1 for chat in range(7001, 7006))


def test_webhook_answers_only_after_storing_and_refuses_when_it_cannot(
    engine: Engine, db: Database, fake: Attempts
) -> None:
    port = free_port()
    down = threading.Event()

    def fail_writes(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if down.is_set() and "processed_update" in statement:
            raise ConnectionError("database unreachable")

    import sqlalchemy as sa
    sa.event.listen(db.engine, "before_cursor_execute", fail_writes)
    bot = InProcessBot(channel_for(engine, db), fake, webhook_port=port).start()
    try:
        first = text_update(7101, "/start")
        down.set()
        assert post(port, first) >= 500  # not acknowledged: Telegram will deliver it again
        down.clear()
        assert key(first) not in stored_keys(db)
        for raw in [first, *intake_updates(7101)[1:]]:
            assert post(port, raw) == 200
            assert key(raw) in stored_keys(db)  # stored when the 200 went out
        fake.wait_for(lambda: any(RECEIVED in t for t in fake.texts_to(7101)), timeout=60)
        wait_idle(db)
    finally:
        bot.stop()
        sa.event.remove(db.engine, "before_cursor_execute", fail_writes)
    assert len(leads_of(db, 7101)) == 1
    assert sum(t == fake.texts_to(7101)[0] for t in fake.texts_to(7101)) == 1  # the greeting once


# ---- redelivery --------------------------------------------------------------------------

def test_same_update_three_times_gives_one_lead_one_reply_one_card(
    engine: Engine, db: Database, fake: Attempts, taxonomy: Taxonomy
) -> None:
    port = free_port()
    bot = InProcessBot(channel_for(engine, db), fake, webhook_port=port).start()
    raws = intake_updates(7201)
    try:
        for raw in raws[:-1]:
            assert post(port, raw) == 200
        final = raws[-1]
        codes: list[int] = []
        threads = [threading.Thread(target=lambda: codes.append(post(port, final))) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert codes == [200, 200, 200]
        fake.wait_for(lambda: any(RECEIVED in t for t in fake.texts_to(7201)), timeout=60)
        wait_idle(db)
    finally:
        bot.stop()
    assert len(leads_of(db, 7201)) == 1
    assert sum(RECEIVED in t for t in fake.texts_to(7201)) == 1
    with db.session() as session:
        events = session.exec(select(OutboxEvent).where(col(OutboxEvent.topic) == "lead.assigned")).all()
    assert len(events) == 1
    slack = FakeSlack().start()
    try:
        dispatcher = Dispatcher(database=db, taxonomy=taxonomy, owners={}, base_backoff=0.05,
                                cards=SlackCardSink(web_client("xoxb-t", slack.base_url)))
        while dispatcher.run_once():
            pass
        lead = leads_of(db, 7201)[0]
        assert lead.id is not None and len(slack.cards_of(lead.id)) == 1
    finally:
        slack.stop()


def test_a_batch_delivering_one_update_three_times_is_handled_once(
    engine: Engine, db: Database, fake: Attempts
) -> None:
    """Polling after a lost confirmation: the same update comes back in the next batch."""
    raws = intake_updates(7202)
    with fake.lock:
        fake.updates.extend([*raws, raws[-1], raws[-1]])
    bot = InProcessBot(channel_for(engine, db), fake).start()
    try:
        fake.wait_for(lambda: any(RECEIVED in t for t in fake.texts_to(7202)), timeout=60)
        wait_idle(db)
    finally:
        bot.stop()
    assert len(leads_of(db, 7202)) == 1
    assert sum(RECEIVED in t for t in fake.texts_to(7202)) == 1


# ---- restart -----------------------------------------------------------------------------

def test_restart_with_50_pending_updates_handles_all_in_order(
    engine: Engine, db: Database, fake: Attempts
) -> None:
    """25 updates were stored and acknowledged before a crash, 25 more wait at Telegram."""
    chats = range(7301, 7306)
    inbox = Inbox(engine, db)
    order: dict[int, list[str]] = {}
    for chat in chats:
        raws = [*intake_updates(chat), text_update(chat, "/status"), text_update(chat, "/help"),
                text_update(chat, "/status")]
        order[chat] = [key(raw) for raw in raws]
        for raw in raws[:5]:
            assert store(inbox, raw) == str(chat)
        with fake.lock:
            fake.updates.extend(raws[5:])
    with db.session() as session:
        assert len(updates.pending_updates(session, channel="telegram")) == 25
    bot = InProcessBot(channel_for(engine, db), fake).start()
    try:
        for chat in chats:
            fake.wait_for(lambda c=chat: len(fake.texts_to(c)) >= 10 and "まどぐち" in fake.texts_to(c)[-2],
                          timeout=60)
        wait_idle(db)
    finally:
        bot.stop()
    rows = stored_keys(db)
    for chat in chats:
        handled = [rows[k] for k in order[chat]]
        assert all(row.processed_at is not None for row in handled)
        times = [row.processed_at for row in handled]
        assert times == sorted(times), f"chat {chat} handled out of order"
        assert len(leads_of(db, chat)) == 1
        said = fake.texts_to(chat)
        assert len(said) == 10 and sum(RECEIVED in t for t in said) == 3  # the submission, two /status


# ---- two workers -------------------------------------------------------------------------

def test_two_workers_advance_one_chat_once_per_message_in_order(
    db: Database, understander: Understander, taxonomy: Taxonomy, engine: Engine
) -> None:
    """Consecutive messages of a chat reach two workers (two engines, two connection pools)."""
    url = db.engine.url.render_as_string(hide_password=False)
    workers = [Database.connect(url), Database.connect(url)]
    inboxes = [Inbox(build_engine(Settings(), w, understander, taxonomy), w) for w in workers]
    chats = list(range(7401, 7405))
    script = {chat: intake_updates(chat) for chat in chats}
    stored_before = {(chat, n): threading.Event() for chat in chats for n in range(len(INTAKE_LEN))}
    handled: list[list[Outgoing]] = [[], []]
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            for chat in chats:
                for n, raw in enumerate(script[chat]):
                    if n % 2 != index:
                        continue
                    if n > 0:
                        assert stored_before[(chat, n - 1)].wait(60)
                    store(inboxes[index], raw)
                    stored_before[(chat, n)].set()
                    handled[index] += inboxes[index].drain(str(chat))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for worker_db in workers:
        worker_db.dispose()
    assert errors == []
    done = Counter(item.update_id for items in handled for item in items)
    expected = [key(raw) for chat in chats for raw in script[chat]]
    assert sorted(done) == sorted(expected) and set(done.values()) == {1}  # each exactly once
    rows = stored_keys(db)
    with db.session() as session:
        for chat in chats:
            times = [rows[key(raw)].processed_at for raw in script[chat]]
            assert times == sorted(times), f"chat {chat} handled out of order"
            conversation = session.exec(select(Conversation).where(Conversation.chat_id == str(chat))).one()
            assert conversation.version == len(script[chat])  # the state moved once per message
            assert len(leads_of(db, chat)) == 1


INTAKE_LEN = intake_updates(1)


# ---- sending trouble ---------------------------------------------------------------------

def test_429_retry_after_delays_the_reply_and_never_drops_it(engine: Engine, db: Database, fake: Attempts) -> None:
    too_many = (429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                      "parameters": {"retry_after": 1}})
    fake.fail_next["sendMessage"] = [too_many, too_many]
    bot = InProcessBot(channel_for(engine, db), fake).start()
    try:
        fake.push(text_update(7501, "/start"))
        fake.wait_for(lambda: len(fake.texts_to(7501)) == 1, timeout=30)
        wait_idle(db)
    finally:
        bot.stop()
    assert "まどぐち" in fake.texts_to(7501)[0]
    assert fake.attempts.count(("sendMessage", "7501")) == 3


def test_blocked_owner_lead_is_stored_and_routed_without_retrying(
    engine: Engine, db: Database, fake: Attempts
) -> None:
    blocked = (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"})
    bot = InProcessBot(channel_for(engine, db), fake).start()
    raws = intake_updates(7601)
    try:
        for n, raw in enumerate(raws[:-1]):
            fake.push(raw)
            fake.wait_for(lambda n=n: len(fake.texts_to(7601)) > n, timeout=60)
        fake.fail_next["sendMessage"] = [blocked, blocked, blocked]
        fake.push(raws[-1])
        fake.wait_for(lambda: fake.attempts.count(("sendMessage", "7601")) == len(raws), timeout=60)
        wait_idle(db)
        fake.fail_next["sendMessage"] = []
        fake.push(text_update(7602, "/help"))  # the bot is idle and well after this reply
        fake.wait_for(lambda: len(fake.texts_to(7602)) == 1, timeout=60)
    finally:
        bot.stop()
    assert fake.attempts.count(("sendMessage", "7601")) == len(raws)  # one try for the last reply
    assert not any(RECEIVED in t for t in fake.texts_to(7601))
    [lead] = leads_of(db, 7601)
    assert lead.status is LeadStatus.ASSIGNED and lead.hub_id is not None
    with db.session() as session:
        assert updates.unsent_replies(session, channel="telegram") == []  # no retry at restart either
        assert session.exec(select(OutboxEvent).where(OutboxEvent.lead_id == lead.id)).all()


# ---- flood -------------------------------------------------------------------------------

def test_flood_of_100_messages_is_throttled_politely_other_chats_not_slowed(
    engine: Engine, db: Database, fake: Attempts
) -> None:
    bot = InProcessBot(channel_for(engine, db, flood_limit=20), fake).start()
    try:
        for n in range(100):
            fake.push(text_update(7701, "/help"))
            if n % 20 == 10:
                fake.push(text_update(7702, "/help"))
        fake.wait_for(lambda: len(fake.texts_to(7702)) == 5, timeout=60)
        wait_idle(db)
    finally:
        bot.stop()
    flooded = fake.texts_to(7701)
    assert flooded.count(texts.SLOW_DOWN) == 1
    assert len(flooded) == 21  # 20 answered within the limit, one polite notice, the rest dropped
    other = fake.texts_to(7702)
    assert len(other) == 5 and texts.SLOW_DOWN not in other


# ---- SIGKILL storm -----------------------------------------------------------------------

class BotProcess(ServeProcess):
    """`madoguchi serve telegram` as an operating-system process."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        super().__init__(["telegram"], env, log)

    def start(self, fake: FakeTelegram) -> None:
        before = fake.calls.get("getUpdates", 0)
        process = self.launch()
        fake.wait_for(lambda: fake.calls.get("getUpdates", 0) > before or process.poll() is not None, timeout=90)
        assert process.poll() is None, self.log_tail()


@pytest.fixture
def bot_env(db: Database, engine: Engine, shared_home: Path, tmp_path: Path,
            telegram: FakeTelegram) -> dict[str, str]:
    """The environment of a bot process on ``db`` (the example directory is imported)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "MADOGUCHI_HOME": str(shared_home),
        "MADOGUCHI_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "TELEGRAM_MAX_RATE": "100000",  # the fake server has no broadcast limit to respect
    }


STORM_CHATS = 200
STORM_KILLS = int(os.environ.get("STORM_KILLS", "3"))


def test_sigkill_during_200_concurrent_intakes_loses_and_duplicates_nothing(
    bot_env: dict[str, str], telegram: FakeTelegram, db: Database, tmp_path: Path
) -> None:
    """200 owners at once; the bot is SIGKILLed at random moments and restarted."""
    fake = telegram
    bot = BotProcess(bot_env, tmp_path / "bot.log")
    chats = list(range(800_001, 800_001 + STORM_CHATS))
    done: set[int] = set()
    random = Random(8)
    bot.start(fake)
    try:
        for chat in chats:
            fake.text(chat, PROBLEM)
        seen = 0
        expected = STORM_CHATS * (len(INTAKE) - 1)  # replies of a whole intake without /start
        kills_at = sorted(int(random.uniform(0.1, 0.8) * expected) for _ in range(STORM_KILLS))
        kills = 0
        deadline = time.monotonic() + 240
        while len(done) < len(chats):
            assert time.monotonic() < deadline, f"{len(chats) - len(done)} intakes never finished"
            if kills < STORM_KILLS and seen >= kills_at[kills]:
                bot.kill()  # wherever it is: storing, handling, sending
                kills += 1
                bot.start(fake)
            with fake.lock:
                fresh, seen = fake.sent[seen:], len(fake.sent)
            newest: dict[int, Sent] = {}
            for sent in fresh:
                # A request torn by the kill reaches the fake without its chat: not a message.
                if sent.method == "sendMessage" and sent.chat_id.isdigit():
                    newest[int(sent.chat_id)] = sent
                    if RECEIVED in sent.text:
                        done.add(int(sent.chat_id))
            for chat, reply in newest.items():
                if chat not in done:
                    next_action(fake, chat, reply)
            time.sleep(0.05)
        assert kills == STORM_KILLS
    finally:
        bot.stop()
    with db.session() as session:
        per_chat = Counter(lead.chat_id for lead in session.exec(select(Lead)))
        pending = updates.pending_updates(session, channel="telegram")
    assert sorted(per_chat) == sorted(str(chat) for chat in chats)  # no lead lost
    assert set(per_chat.values()) == {1}  # none duplicated
    assert pending == []
