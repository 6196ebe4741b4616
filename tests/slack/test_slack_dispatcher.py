"""The outbox dispatcher in process (both backends): a Slack outage with 500 and 429, two
dispatchers over 1,000 events, update in place, and the plain-text fallback."""

from __future__ import annotations

import io
import threading
import time
from collections import Counter
from typing import Any

import pytest
from sqlmodel import select

from bot.slack.app import web_client
from bot.slack.desk import CaseDesk
from bot.slack.dispatcher import Dispatcher, backoff
from bot.slack.sinks import PrintSink, SlackCardSink
from models import OutboxEvent, OutboxStatus
from nlp.taxonomy import Taxonomy
from storage.database import Database
from storage.repositories import outbox
from tests.fakes.slack_api import FakeSlack
from tests.slack.slack_world import assigner, load_example, routed_lead


@pytest.fixture
def fake() -> Any:
    server = FakeSlack().start()
    yield server
    server.stop()


def drain(dispatcher: Dispatcher, db: Database, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with db.session() as session:
            left = session.exec(select(OutboxEvent.id).where(OutboxEvent.status == OutboxStatus.PENDING)).all()
        if not left:
            return
        assert time.monotonic() < deadline, f"{len(left)} events never delivered"
        if not dispatcher.run_once():
            time.sleep(0.05)


def statuses(db: Database) -> Counter[str]:
    with db.session() as session:
        return Counter(str(e.status) for e in session.exec(select(OutboxEvent)))


def test_backoff_doubles_and_honours_retry_after() -> None:
    assert [backoff(n, 2.0) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]
    assert backoff(30, 2.0) == 600.0 and backoff(3, 2.0, retry_after=7) == 7.0


def test_outage_then_recovery_delivers_every_lead_once_in_order(
    db: Database, taxonomy: Taxonomy, fake: FakeSlack
) -> None:
    load_example(db, taxonomy)
    labels = ["succession", "technology", "management", "technology", "financing", "succession"]
    lead_ids = [routed_lead(db, taxonomy, label=label, chat_id=str(100 + n)) for n, label in enumerate(labels)]
    tokyo = routed_lead(db, taxonomy, label="financing", prefecture="東京都", municipality="八王子市")
    fake.fail_next["chat.postMessage"] = [
        (500, {"ok": False, "error": "internal_error"}, {}),
        (500, {"ok": False, "error": "internal_error"}, {}),
        (429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}),
        (503, {"ok": False, "error": "service_unavailable"}, {}),
    ]
    dispatcher = Dispatcher(database=db, taxonomy=taxonomy, cards=SlackCardSink(web_client("xoxb-t", fake.base_url)),
                            owners={}, base_backoff=0.05)
    drain(dispatcher, db)
    posted = [m.lead_id() for m in fake.posted]
    assert sorted(posted) == lead_ids  # each exactly once; the Tokyo hub has no channel
    for channel in {m.channel for m in fake.posted}:
        per_hub = [m.lead_id() or 0 for m in fake.posted if m.channel == channel]
        assert per_hub == sorted(per_hub)  # in order of creation per hub
    limited = next(t for method, t, status in fake.call_log if status == 429)
    after = next(t for method, t, status in fake.call_log if method == "chat.postMessage" and t > limited)
    assert after - limited >= 0.9  # Retry-After: 1 was honoured
    assert statuses(db) == Counter({"sent": len(lead_ids), "dead": 1})
    with db.session() as session:
        dead = session.exec(select(OutboxEvent).where(OutboxEvent.lead_id == tokyo)).one()
        assert dead.last_error and "channel" in dead.last_error


def test_card_is_updated_in_place_as_the_case_moves(db: Database, taxonomy: Taxonomy, fake: FakeSlack) -> None:
    load_example(db, taxonomy)
    lead_id = routed_lead(db, taxonomy)
    desk = CaseDesk(database=db, assigner=assigner(taxonomy), taxonomy=taxonomy)
    dispatcher = Dispatcher(database=db, taxonomy=taxonomy, cards=SlackCardSink(web_client("xoxb-t", fake.base_url)),
                            owners={"telegram": PrintSink(io.StringIO())}, base_backoff=0.05)
    drain(dispatcher, db)
    desk.accept(lead_id, "UEXAMPLE01")
    drain(dispatcher, db)
    [card] = fake.cards_of(lead_id)
    assert card.versions == 2 and "受付済み" in card.all_text() and card.action_ids() == ["lead.correct", "lead.close"]
    desk.correct(lead_id, "UEXAMPLE01", label="technology")  # another hub fits: a new card there
    drain(dispatcher, db)
    cards = fake.cards_of(lead_id)
    assert {c.channel for c in cards} == {"CEXAMPLE01", "CEXAMPLE02"} and fake.calls["chat.postMessage"] == 2
    old = next(c for c in cards if c.channel == "CEXAMPLE01")
    assert "引き継がれました" in old.all_text() and old.action_ids() == []


def test_without_slack_the_announcement_is_printed(db: Database, taxonomy: Taxonomy) -> None:
    load_example(db, taxonomy)
    lead_id = routed_lead(db, taxonomy, channel="console", chat_id="local")
    out = io.StringIO()
    printer = PrintSink(out)
    dispatcher = Dispatcher(database=db, taxonomy=taxonomy, cards=printer, owners={"console": printer})
    drain(dispatcher, db)
    CaseDesk(database=db, assigner=assigner(taxonomy), taxonomy=taxonomy).accept(lead_id, "UEXAMPLE01")
    drain(dispatcher, db)
    text = out.getvalue()
    assert f"ご相談 #{lead_id}：受付待ち" in text and "CEXAMPLE01" in text and "受付済み" in text
    assert "相談者 local" in text and "担当が決まりました" in text


class MemoryOwners:
    """An owner sink in memory: every message in the order it was sent (thread-safe)."""

    def __init__(self, log: list[str], lock: threading.Lock) -> None:
        self.log, self.lock = log, lock

    def send(self, chat_id: str, text: str, choices: object = ()) -> None:
        with self.lock:
            self.log.append(chat_id)


def test_two_dispatchers_deliver_a_thousand_events_exactly_once(db: Database, database_url: str) -> None:
    hubs = ("hub-a", "hub-b", "hub-c", None)
    with db.unit_of_work() as session:
        for n in range(1000):
            outbox.enqueue(session, topic="owner.message", hub_id=hubs[n % 4],
                           payload={"channel": "memory", "chat_id": str(n), "text": "t"})
    sent: list[str] = []
    lock = threading.Lock()
    databases = [Database.connect(database_url) for _ in range(2)]
    dispatchers = [Dispatcher(database=d, taxonomy=Taxonomy(()), cards=PrintSink(io.StringIO()),
                              owners={"memory": MemoryOwners(sent, lock)}, batch=25) for d in databases]
    stop = threading.Event()
    threads = [threading.Thread(target=d.run, args=(stop, 0.01)) for d in dispatchers]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 40
        while len(sent) < 1000 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        for database in databases:
            database.dispose()
    assert statuses(db) == Counter({"sent": 1000})
    assert sorted(map(int, sent)) == list(range(1000))  # each exactly once
    for hub in range(3):
        per_hub = [int(c) for c in sent if int(c) % 4 == hub]
        assert per_hub == sorted(per_hub)  # in order of creation per hub
