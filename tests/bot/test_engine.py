"""The engine over the real database (SQLite and PostgreSQL): leads stored and routed,
redeliveries ignored, state surviving a restart, /status and /delete."""

from __future__ import annotations

import itertools

import pytest
from sqlmodel import select

from bot import texts
from bot.engine import Engine
from bot.messages import Inbound, InboundKind
from madoguchi.settings import REPO_ROOT, Settings
from madoguchi.wiring import build_engine
from models import Assignment, AuditLog, Conversation, Lead, LeadStatus, OutboxEvent
from nlp.taxonomy import Taxonomy
from nlp.understand import Understander
from storage.database import Database
from storage.directory.importer import import_directory
from storage.directory.validate import load_directory
from storage.repositories.privacy import ERASED_TEXT

_ids = itertools.count(1)
EXAMPLE = REPO_ROOT / "data" / "directory" / "example.yaml"


def msg(chat: str, body: str = "", *, choice: str | None = None, command: str | None = None,
        message_id: str | None = None) -> Inbound:
    kind = InboundKind.COMMAND if command else InboundKind.CHOICE if choice else InboundKind.TEXT
    return Inbound("test", chat, message_id or str(next(_ids)), kind, user_id="u1", text=body,
                   choice=choice, command=command)


@pytest.fixture
def engine(db: Database, understander: Understander, taxonomy: Taxonomy) -> Engine:
    with db.unit_of_work() as session:
        import_directory(session, directory=load_directory(EXAMPLE, categories=taxonomy.ids), actor="test")
    return build_engine(Settings(), db, understander, taxonomy)


INTAKE = [
    msg("", "松本市で町工場をやってます。息子が継がないので、店をどうするか悩んでいます"),
    msg("", choice="skip"),  # company
    msg("", "8人"),
    msg("", choice="contact:chat"),
    msg("", choice="consent:yes"),
    msg("", choice="confirm:yes"),
]


def play(engine: Engine, chat: str) -> list[str]:
    said: list[str] = []
    for template in INTAKE:
        message = msg(chat, template.text, choice=template.choice, command=template.command)
        said += [r.text for r in engine.handle(message).replies]
    return said


def test_whole_intake_stores_and_routes_one_lead(engine: Engine, db: Database) -> None:
    said = play(engine, "chat-a")
    assert "受付番号" in said[-1] and "松本みらい商工会議所" in said[-1]
    with db.session() as session:
        lead = session.exec(select(Lead)).one()
        assert (lead.label, lead.prefecture, lead.municipality, lead.employees) == (
            "succession", "長野県", "松本市", 8)
        assert lead.status is LeadStatus.ASSIGNED
        assert lead.hub_id == "hub-nagano-01" and lead.coordinator_id is not None
        assert lead.consent_version == texts.CONSENT_VERSION and lead.consented_at is not None
        assignment = session.exec(select(Assignment)).one()
        assert any("事業承継支援センター" in r for r in assignment.reasons)
        assert assignment.due_at is not None
        event = session.exec(select(OutboxEvent)).one()
        assert event.lead_id == lead.id and event.topic == "lead.assigned"
        conversation = session.exec(select(Conversation)).one()
        assert conversation.state == "idle" and conversation.lead_id == lead.id
        assert conversation.data["problem"] is None  # nothing of the finished intake lingers


def test_redelivered_message_is_processed_once(engine: Engine, db: Database) -> None:
    for template in INTAKE[:-1]:
        engine.handle(msg("chat-b", template.text, choice=template.choice))
    final = msg("chat-b", choice="confirm:yes", message_id="final")
    first = engine.handle(final)
    again = engine.handle(final)
    assert first.submitted is not None and again.duplicate and again.replies == ()
    with db.session() as session:
        assert len(session.exec(select(Lead)).all()) == 1


def test_a_restarted_engine_carries_on(engine: Engine, db: Database, understander: Understander,
                                       taxonomy: Taxonomy) -> None:
    for template in INTAKE[:3]:
        engine.handle(msg("chat-c", template.text, choice=template.choice))
    restarted = build_engine(Settings(), db, understander, taxonomy)  # a new worker, same database
    for template in INTAKE[3:]:
        result = restarted.handle(msg("chat-c", template.text, choice=template.choice))
    assert result.submitted is not None


def test_second_case_and_status(engine: Engine, db: Database) -> None:
    play(engine, "chat-d")
    engine.handle(msg("chat-d", "東京で雑貨店をしています。ネットでも売ってみたい"))
    status = engine.handle(msg("chat-d", command="status")).replies
    assert "受付番号" in status[0].text and "事業承継" in status[0].text
    assert status[-1].choices  # the open question is put again after the status
    empty = engine.handle(msg("chat-z", command="status")).replies
    assert empty[0].text == texts.NO_CASES


def test_delete_withdraws_and_erases(engine: Engine, db: Database) -> None:
    play(engine, "chat-e")
    engine.handle(msg("chat-e", command="delete"))
    result = engine.handle(msg("chat-e", choice="delete:yes"))
    assert result.replies[-1].text == texts.DELETED
    with db.session() as session:
        lead = session.exec(select(Lead)).one()
        assert lead.status is LeadStatus.WITHDRAWN
        assert lead.text == ERASED_TEXT and lead.company_name is None and lead.user_id is None
        assert "chat-e" not in lead.chat_id
        # card events carry only the lead id; one more asks the dispatcher to edit the card
        events = session.exec(select(OutboxEvent).order_by(OutboxEvent.id)).all()
        assert [e.topic for e in events] == ["lead.assigned", "lead.updated"]
        assert all(e.payload == {"lead_id": lead.id} for e in events)
        actions = [row.action for row in session.exec(select(AuditLog))]
        assert "lead.erased" in actions
        assert all("息子" not in str(row.changes) for row in session.exec(select(AuditLog)))
        conversation = session.exec(select(Conversation)).one()
        assert conversation.data["problem"] is None


def test_nothing_is_routed_without_consent(engine: Engine, db: Database) -> None:
    for template in INTAKE[:4]:
        engine.handle(msg("chat-f", template.text, choice=template.choice))
    engine.handle(msg("chat-f", choice="consent:no"))
    engine.handle(msg("chat-f", choice="confirm:yes"))  # not offered: refused as stale
    with db.session() as session:
        assert session.exec(select(Lead)).all() == []


def test_skipping_every_optional_question(engine: Engine, db: Database) -> None:
    """Regression: answers mutated in place must still be saved (the row must see a change)."""
    steps = [msg("chat-g", "松本市で町工場をやってます。息子が継がないので、店をどうするか悩んでいます"),
             msg("chat-g", choice="skip"), msg("chat-g", choice="skip")]
    replies = [engine.handle(m).replies for m in steps]
    assert "ご連絡" in replies[-1][-1].text
    with db.session() as session:
        conversation = session.exec(select(Conversation)).one()
        assert conversation.state == "contact"
        assert {"company", "employees", "contact"} <= set(conversation.data["asked"])
