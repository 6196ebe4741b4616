"""Issue 8, the Slack promises, each a named test on SQLite and PostgreSQL:

- forged, stale or altered requests are refused and change nothing;
- a valid request replayed, and Slack's own retries (``X-Slack-Retry-Num``), are no-ops;
- two coordinators pressing 受付 at the same moment: one wins, the other is told who;
- a dispatcher killed after Slack accepted a card, before it marked the event: no second card;
- Slack down (500, 503, connection refused) while hundreds of leads arrive: none lost,
  none duplicated, and the backlog drains.

The Slack app is the real slack-bolt `App` behind our `BoltHTTPServer`; the dispatcher is
the real one (in process, or as a `madoguchi serve dispatcher` process), against `FakeSlack`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from slack_sdk.signature import SignatureVerifier
from sqlmodel import col, func, select

from bot.slack.app import SlackActions, build_app, web_client
from bot.slack.desk import CaseDesk
from bot.slack.dispatcher import Dispatcher
from bot.slack.http import BoltHTTPServer
from bot.slack.sinks import SlackCardSink
from bot.storable import storable
from models import Assignment, AssignmentOutcome, AuditLog, Hub, Lead, LeadStatus, OutboxEvent, OutboxStatus
from nlp.taxonomy import Taxonomy
from storage.database import Database
from tests.fakes.slack_api import FakeSlack, Message, button, interaction, signed_post, submission
from tests.reliability.hostile import FRAGMENTS, LIVE_SLACK
from tests.slack.slack_world import assigner, get, load_example, routed_lead

SECRET = "reliability-signing-secret"
FORM = "application/x-www-form-urlencoded"


@dataclass
class Desk:
    """The Slack app served on a free port, and a dispatcher that posts to the fake."""

    url: str
    dispatcher: Dispatcher
    db: Database
    slack: FakeSlack

    def deliver(self) -> None:
        """Deliver everything due now (cards and owner messages)."""
        deadline = time.monotonic() + 30
        while _pending(self.db):
            assert time.monotonic() < deadline, "the outbox never drained"
            if not self.dispatcher.run_once():
                time.sleep(0.02)

    def card(self, lead_id: int) -> Message:
        self.slack.wait_for(lambda: bool(self.slack.cards_of(lead_id)))
        return self.slack.cards_of(lead_id)[0]

    def press_body(self, action_id: str, lead_id: int, user: str) -> str:
        card = self.card(lead_id)
        return interaction(button(action_id, lead_id, user, card.channel, card.ts))

    def told(self, user: str, count: int) -> list[str]:
        """The first ``count`` ephemeral messages to ``user`` (waits for them)."""
        self.slack.wait_for(lambda: len([e for e in self.slack.ephemeral if e["user"] == user]) >= count)
        with self.slack.lock:
            return [str(e["text"]) for e in self.slack.ephemeral if e["user"] == user]


class Owners:
    """Owner messages are not the subject here: accepted and counted."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, chat_id: str, text: str, choices: object = ()) -> None:
        self.sent.append(chat_id)


@pytest.fixture
def desk(db: Database, taxonomy: Taxonomy, slack: FakeSlack) -> Iterator[Desk]:
    load_example(db, taxonomy)
    actions = SlackActions(CaseDesk(database=db, assigner=assigner(taxonomy), taxonomy=taxonomy), taxonomy)
    app = build_app(actions=actions, token="xoxb-test", signing_secret=SECRET, api_url=slack.base_url)
    server = BoltHTTPServer(app, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    dispatcher = Dispatcher(database=db, taxonomy=taxonomy, cards=SlackCardSink(web_client("xoxb-t", slack.base_url)),
                            owners={"telegram": Owners()}, base_backoff=0.05)
    yield Desk(f"http://127.0.0.1:{port}/slack/events", dispatcher, db, slack)
    server.shutdown()
    server.server_close()


def _pending(db: Database) -> int:
    with db.session() as session:
        statement = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.status == OutboxStatus.PENDING)
        return int(session.exec(statement).one())


def footprint(db: Database, lead_id: int) -> tuple[object, ...]:
    """Everything an action could change: the lead, its decisions, the outbox, the audit log."""
    with db.session() as session:
        lead = get(db, lead_id)
        decisions = [(a.id, a.coordinator_id, str(a.outcome)) for a in
                     session.exec(select(Assignment).where(Assignment.lead_id == lead_id))]
        events = [(e.id, e.topic, str(e.status)) for e in session.exec(select(OutboxEvent))]
        audits = int(session.exec(select(func.count()).select_from(AuditLog)).one())
    return lead.status, lead.coordinator_id, lead.label, decisions, events, audits


def test_forged_stale_or_altered_requests_are_refused_without_effect(desk: Desk, taxonomy: Taxonomy) -> None:
    lead_id = routed_lead(desk.db, taxonomy)
    desk.deliver()
    before = footprint(desk.db, lead_id)
    body = desk.press_body("lead.accept", lead_id, "UEXAMPLE01")
    now = int(time.time())
    good = SignatureVerifier(SECRET).generate_signature(timestamp=str(now), body=body)
    # one byte changed after signing: the first digit of the lead id in the button's value
    at = body.index("%22value%22%3A+%22") + len("%22value%22%3A+%22")
    altered = body[:at] + str((int(body[at]) + 1) % 10) + body[at + 1:]
    assert len(altered) == len(body) and sum(a != b for a, b in zip(altered, body, strict=True)) == 1
    flipped = body[:-1] + ("A" if body[-1] != "A" else "B")

    refused = [
        signed_post(desk.url, SECRET, body, content_type=FORM, signature="v0=" + "0" * 64),  # bad signature
        signed_post(desk.url, "another-secret", body, content_type=FORM),  # signed with the wrong secret
        signed_post(desk.url, SECRET, body, content_type=FORM, timestamp=now - 6 * 60),  # stale: 6 minutes old
        signed_post(desk.url, SECRET, body, content_type=FORM, timestamp=now + 6 * 60),  # from the future
        signed_post(desk.url, SECRET, flipped, content_type=FORM, timestamp=now, signature=good),
        signed_post(desk.url, SECRET, altered, content_type=FORM, timestamp=now, signature=good),
    ]
    # 401 for a signature that does not fit; 400 for a body no longer readable as JSON
    assert [status for status, _ in refused] == [401, 401, 401, 401, 400, 401]
    # a valid request afterwards is the marker: its answer is the only thing that happened
    assert signed_post(desk.url, SECRET, desk.press_body("lead.close", lead_id, "UEXAMPLE01"),
                       content_type=FORM)[0] == 200
    assert desk.told("UEXAMPLE01", 1) == ["完了にする前に、まず「受付」を押してください。"]
    assert footprint(desk.db, lead_id) == before
    assert desk.slack.views_opened == [] and len(desk.slack.ephemeral) == 1


def test_replayed_request_and_slack_retries_are_no_ops(desk: Desk, taxonomy: Taxonomy) -> None:
    lead_id = routed_lead(desk.db, taxonomy)
    other = routed_lead(desk.db, taxonomy, chat_id="5151", label="management", text="売上が落ちています")
    desk.deliver()
    body = desk.press_body("lead.accept", lead_id, "UEXAMPLE01")
    stamp = int(time.time())
    assert signed_post(desk.url, SECRET, body, content_type=FORM, timestamp=stamp)[0] == 200
    desk.told("UEXAMPLE01", 1)
    after_first = footprint(desk.db, lead_id)
    assert after_first[0] is LeadStatus.ACCEPTED
    # the very same signed request again (a replay), then as Slack's retries
    retries = [{}, {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
               {"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_error"}]
    for headers in retries:
        assert signed_post(desk.url, SECRET, body, content_type=FORM, timestamp=stamp, headers=headers)[0] == 200
    told = desk.told("UEXAMPLE01", 4)
    assert told[0] == "受付しました。相談者に、担当者からご連絡することをお伝えしました。"
    assert told[1:] == ["このご相談はすでに受付済みです。"] * 3
    assert footprint(desk.db, lead_id) == after_first

    # a decline modal submitted, then replayed and retried: one decline, one re-route
    assert signed_post(desk.url, SECRET, desk.press_body("lead.decline", other, "UEXAMPLE01"),
                       content_type=FORM)[0] == 200
    desk.slack.wait_for(lambda: len(desk.slack.views_opened) == 1)
    values = {"reason": {"reason_input": {"type": "plain_text_input", "value": "手一杯です"}}}
    body = interaction(submission(desk.slack.views_opened[0]["view"], "UEXAMPLE01", values))
    stamp = int(time.time())
    assert signed_post(desk.url, SECRET, body, content_type=FORM, timestamp=stamp)[0] == 200
    desk.told("UEXAMPLE01", 5)
    declined = footprint(desk.db, other)
    assert get(desk.db, other).coordinator_id != "co-nagano-01"
    for headers in retries:
        assert signed_post(desk.url, SECRET, body, content_type=FORM, timestamp=stamp, headers=headers)[0] == 200
    assert desk.told("UEXAMPLE01", 8)[5:] == ["この操作はすでに反映されています。"] * 3
    assert footprint(desk.db, other) == declined


def test_two_coordinators_press_accept_at_once_one_wins_the_other_is_told_who(
    desk: Desk, taxonomy: Taxonomy
) -> None:
    names = {"UEXAMPLE01": get_name(desk.db, "co-nagano-01"), "UEXAMPLE02": get_name(desk.db, "co-nagano-02")}
    leads = [routed_lead(desk.db, taxonomy, chat_id=str(7000 + n)) for n in range(4)]
    desk.deliver()
    for round_number, lead_id in enumerate(leads, start=1):
        bodies = {user: desk.press_body("lead.accept", lead_id, user) for user in names}
        start = threading.Barrier(len(bodies))
        statuses: list[int] = []
        threads = [threading.Thread(target=press_together, args=(start, desk.url, body, statuses))
                   for body in bodies.values()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses == [200, 200]
        answers = {user: desk.told(user, round_number)[-1] for user in names}
        winners = [user for user, text in answers.items() if text.startswith("受付しました")]
        assert len(winners) == 1, answers
        [loser] = [user for user in names if user not in winners]
        assert answers[loser] == f"このご相談は、すでに{names[winners[0]]}さんが受付済みです。"
        lead = get(desk.db, lead_id)
        assert lead.status is LeadStatus.ACCEPTED
        with desk.db.session() as session:
            accepted = [a.coordinator_id for a in session.exec(select(Assignment).where(
                Assignment.lead_id == lead_id, Assignment.outcome == AssignmentOutcome.ACCEPTED))]
            told_owner = session.exec(select(OutboxEvent).where(OutboxEvent.lead_id == lead_id,
                                                                OutboxEvent.topic == "owner.message")).all()
        assert len(accepted) == 1 and len(told_owner) == 1
        assert get_slack_user(desk.db, accepted[0]) == winners[0]


def press_together(start: threading.Barrier, url: str, body: str, statuses: list[int]) -> None:
    start.wait()  # both requests leave at the same moment
    statuses.append(signed_post(url, SECRET, body, content_type=FORM)[0])


def get_name(db: Database, coordinator_id: str) -> str:
    from storage.repositories import directory

    with db.session() as session:
        found = directory.get_coordinator(session, coordinator_id=coordinator_id)
        assert found is not None
        return found.name


def get_slack_user(db: Database, coordinator_id: str | None) -> str | None:
    from storage.repositories import directory

    with db.session() as session:
        found = directory.get_coordinator(session, coordinator_id=coordinator_id or "")
        return found.slack_user_id if found else None


def test_dispatcher_killed_after_slack_accepted_the_card_posts_no_second_card(
    db: Database, taxonomy: Taxonomy, slack: FakeSlack, tmp_path: Path
) -> None:
    load_example(db, taxonomy)
    first = routed_lead(db, taxonomy, chat_id="8001")
    second = routed_lead(db, taxonomy, chat_id="8002", label="technology", text="試作品の品質が安定しません")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
        "MADOGUCHI_HOME": str(tmp_path / "home"),
        "MADOGUCHI_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": slack.base_url,
        "MADOGUCHI_DISPATCH_INTERVAL": "0.1", "MADOGUCHI_DISPATCH_BACKOFF": "0.1",
        "MADOGUCHI_DISPATCH_LEASE": "1",  # a dead dispatcher's events come back after a second
    }
    command = [str(Path(sys.executable).parent / "madoguchi"), "serve", "dispatcher"]
    log = (tmp_path / "dispatcher.log").open("ab")
    killed: list[Message] = []
    current: list[subprocess.Popen[bytes]] = []

    def die_after_accepting(message: Message) -> None:
        if not killed:  # Slack has the card; the dispatcher dies before it hears back
            killed.append(message)
            current[0].send_signal(signal.SIGKILL)
            current[0].wait(timeout=20)

    slack.on_post = die_after_accepting
    try:
        current.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT))
        slack.wait_for(lambda: bool(killed), timeout=60)
        assert current[0].wait(timeout=20) == -signal.SIGKILL
        with db.session() as session:
            unmarked = set(session.exec(select(OutboxEvent.lead_id).where(OutboxEvent.status == OutboxStatus.PENDING)))
        assert killed[0].lead_id() in unmarked  # the post was never marked
        current[0] = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while _pending(db):
            assert current[0].poll() is None and time.monotonic() < deadline, "the restarted dispatcher stalled"
            time.sleep(0.1)
    finally:
        for process in current:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=20)
        log.close()
    posted = Counter(m.lead_id() for m in slack.posted)
    assert posted == Counter({first: 1, second: 1})  # no second card for either lead
    lost = killed[0]
    assert lost.versions == 2  # the restarted dispatcher found it by its metadata and edited it
    with db.session() as session:
        refs = {e.lead_id: e.delivery_ref for e in session.exec(select(OutboxEvent))}
    assert refs[lost.lead_id()] == f"{lost.channel}/{lost.ts}"
    assert lost.metadata is not None and lost.metadata["event_payload"]["lead_id"] == lost.lead_id()


def test_long_slack_outage_loses_and_duplicates_nothing_and_the_backlog_drains(
    db: Database, taxonomy: Taxonomy, slack: FakeSlack, database_url: str
) -> None:
    load_example(db, taxonomy)
    labels = ("succession", "technology", "management")
    databases = [Database.connect(database_url) for _ in range(2)]
    sink = SlackCardSink(web_client("xoxb-t", slack.base_url))
    dispatchers = [Dispatcher(database=d, taxonomy=taxonomy, cards=sink, owners={}, base_backoff=0.005,
                              max_backoff=0.5, batch=50) for d in databases]
    stop = threading.Event()
    threads = [threading.Thread(target=d.run, args=(stop, 0.01)) for d in dispatchers]
    slack.outage = True  # every call answered 500 or 503
    leads: list[int] = []
    try:
        for thread in threads:
            thread.start()
        for n in range(150):
            leads.append(routed_lead(db, taxonomy, label=labels[n % 3], chat_id=str(10_000 + n)))
        slack.wait_for(lambda: sum(1 for _, _, status in slack.call_log if status >= 500) >= 20)
        slack.go_dark()  # then nobody answers at all: connection refused
        for n in range(150, 300):
            leads.append(routed_lead(db, taxonomy, label=labels[n % 3], chat_id=str(10_000 + n)))
        wait_until(lambda: refused_seen(db), "no dispatcher met the closed port")
        assert slack.posted == []
        slack.outage = False
        slack.come_back()
        wait_until(lambda: _pending(db) == 0, "the backlog never drained", timeout=120)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        for database in databases:
            database.dispose()
    # full hubs send some cases to other regions; a hub without a Slack channel cannot get a card
    with db.session() as session:
        rows = session.exec(select(Lead.id, Hub.slack_channel).join(Hub, col(Lead.hub_id) == Hub.id)).all()
        dead = session.exec(select(OutboxEvent.lead_id, OutboxEvent.last_error)
                            .where(OutboxEvent.status == OutboxStatus.DEAD)).all()
        statuses = Counter(str(e.status) for e in session.exec(select(OutboxEvent)))
    expected = sorted(lead_id for lead_id, channel in rows if channel)
    posted = Counter(m.lead_id() for m in slack.posted)
    assert len(leads) == len(rows) == 300 and len(expected) > 250
    assert sorted(posted) == expected and set(posted.values()) == {1}  # none lost, none twice
    assert sorted(lead_id for lead_id, _ in dead) == sorted(set(leads) - set(expected))
    assert all(error and "no Slack channel" in error for _, error in dead)
    assert statuses == Counter({"sent": len(expected), "dead": 300 - len(expected)})
    for channel in {m.channel for m in slack.posted}:
        per_hub = [m.lead_id() or 0 for m in slack.posted if m.channel == channel]
        assert per_hub == sorted(per_hub)  # still in order of arrival per hub


def refused_seen(db: Database) -> bool:
    with db.session() as session:
        errors = session.exec(select(OutboxEvent.last_error).where(OutboxEvent.status == OutboxStatus.PENDING))
        return any(e and "URLError" in e for e in errors)


def wait_until(condition: object, message: str, timeout: float = 60.0) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.05)


def test_hostile_text_through_the_slack_modals_is_kept_and_never_live(desk: Desk, taxonomy: Taxonomy) -> None:
    """A decline reason holding the whole hostile corpus is stored as written (NUL removed,
    lone surrogates replaced, as everywhere), and a forged category is refused politely."""
    lead_id = routed_lead(desk.db, taxonomy, chat_id="6161", label="management", text="売上が落ちています")
    fixed = routed_lead(desk.db, taxonomy, chat_id="6262", label="management", text="資金繰りが苦しい")
    desk.deliver()
    reason = "\n".join(fragment for _, fragment in FRAGMENTS)
    assert signed_post(desk.url, SECRET, desk.press_body("lead.decline", lead_id, "UEXAMPLE01"),
                       content_type=FORM)[0] == 200
    desk.slack.wait_for(lambda: len(desk.slack.views_opened) == 1)
    values = {"reason": {"reason_input": {"type": "plain_text_input", "value": reason}}}
    body = interaction(submission(desk.slack.views_opened[0]["view"], "UEXAMPLE01", values))
    assert signed_post(desk.url, SECRET, body, content_type=FORM)[0] == 200
    desk.told("UEXAMPLE01", 1)
    with desk.db.session() as session:
        declined = session.exec(select(Assignment).where(
            Assignment.lead_id == lead_id, Assignment.outcome == AssignmentOutcome.DECLINED)).one()
        assert declined.decline_reason == storable(reason.strip())
    desk.deliver()
    for message in desk.slack.cards_of(lead_id):
        assert not any(live in message.all_text() for live in LIVE_SLACK), message.all_text()

    # 分類を修正 with a category value no modal offers: refused, nothing changes
    before = footprint(desk.db, fixed)
    assert signed_post(desk.url, SECRET, desk.press_body("lead.correct", fixed, "UEXAMPLE01"),
                       content_type=FORM)[0] == 200
    desk.slack.wait_for(lambda: len(desk.slack.views_opened) == 2)
    forged = {"label": {"label_select": {"type": "static_select", "selected_option": {"value": "<!channel>\x00"}}}}
    body = interaction(submission(desk.slack.views_opened[1]["view"], "UEXAMPLE01", forged))
    assert signed_post(desk.url, SECRET, body, content_type=FORM)[0] == 200
    assert desk.told("UEXAMPLE01", 2)[1] == "選ばれた分類が見つかりませんでした。"
    assert footprint(desk.db, fixed) == before
