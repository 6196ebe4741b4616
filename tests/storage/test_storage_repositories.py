"""Repositories on both databases: leads, assignments, conversations, updates, outbox, feedback."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from models import (
    AssignmentOutcome,
    AuditLog,
    Coordinator,
    CoordinatorKind,
    FeedbackSource,
    FeedbackStatus,
    Hub,
    InstitutionType,
    Lead,
    LeadBase,
    LeadStatus,
    ModelVersion,
    OutboxEvent,
    OutboxStatus,
    SatisfactionSurvey,
    utcnow,
)
from storage.database import Database
from storage.repositories import (
    assignments,
    audit,
    conversations,
    directory,
    feedback,
    leads,
    model_versions,
    outbox,
    updates,
)


def lead_data(chat_id: str = "chat-1", **overrides: object) -> LeadBase:
    values: dict[str, object] = {
        "channel": "telegram",
        "chat_id": chat_id,
        "text": "父の代からの町工場ですが、息子は継がないと言っています。",
        "label": "succession",
        "secondary_labels": ["financing"],
        "confidence": 0.82,
        "prefecture": "長野県",
        "contact_name": "山田 太郎",
        "contact_phone": "090-0000-0000",
    }
    return LeadBase.model_validate({**values, **overrides})


def add_directory(session: Session) -> None:
    session.add(
        Hub(
            id="h1",
            name="【サンプル】松本みらい商工会議所",
            institution_type=InstitutionType.CHAMBER_OF_COMMERCE,
            prefecture="長野県",
            region="関東",
            succession_center=True,
        )
    )
    session.add(Hub(id="h2", name="【サンプル】旧", institution_type=InstitutionType.OTHER, prefecture="長野県",
                    region="関東", active=False))  # fmt: skip
    session.flush()
    for cid, slack in (("c1", "UEXAMPLE01"), ("c2", "UEXAMPLE02"), ("c3", "UEXAMPLE01")):
        session.add(Coordinator(id=cid, hub_id="h1", name=cid, kind=CoordinatorKind.EXTERNAL, capacity=3,
                                slack_user_id=slack, active=cid != "c3"))  # fmt: skip
    session.flush()


def test_create_and_find_leads(db: Database) -> None:
    with db.unit_of_work() as session:
        first = leads.create_lead(session, data=lead_data(), actor="telegram", idempotency_key="telegram:1")
        leads.create_lead(session, data=lead_data(chat_id="chat-2"), actor="telegram")
        leads.create_lead(session, data=lead_data(), actor="telegram", idempotency_key="telegram:3")
    with db.session() as session:
        found = leads.get_lead_by_key(session, idempotency_key="telegram:1")
        assert found is not None and found.id == first.id and found.status == LeadStatus.NEW
        assert found.secondary_labels == ["financing"] and found.confidence == pytest.approx(0.82)
        assert [lead.id for lead in leads.leads_for_chat(session, channel="telegram", chat_id="chat-1")] == [
            1,
            3,
        ]
        history = audit.history(session, entity="lead", entity_id=first.id or 0)
        assert [row.action for row in history] == ["lead.created"]
        assert "山田" not in str(history[0].changes) and "090" not in str(history[0].changes)


def test_an_idempotency_key_creates_one_lead_only(db: Database) -> None:
    with db.unit_of_work() as session:
        leads.create_lead(session, data=lead_data(), actor="telegram", idempotency_key="telegram:7")
    with pytest.raises(sa.exc.IntegrityError), db.unit_of_work() as session:
        leads.create_lead(session, data=lead_data(), actor="telegram", idempotency_key="telegram:7")
    with db.session() as session:
        assert len(list(session.exec(select(Lead)))) == 1
        assert len(list(session.exec(select(AuditLog)))) == 1


def test_assign_decline_reassign_accept_close(db: Database) -> None:
    with db.unit_of_work() as session:
        add_directory(session)
        lead = leads.create_lead(session, data=lead_data(), actor="telegram")
        due = utcnow() + timedelta(days=2)
        assignments.record_assignment(
            session,
            lead=lead,
            hub_id="h1",
            coordinator_id="c1",
            reasons=["長野県内の事業承継支援センター"],
            due_at=due,
        )
        assert (lead.status, lead.coordinator_id) == (LeadStatus.ASSIGNED, "c1")
        assert directory.open_case_counts(session) == {"c1": 1}
        with pytest.raises(assignments.AssignmentError):
            assignments.accept(session, lead=lead, coordinator_id="c2", actor="slack:UEXAMPLE02")
        assignments.decline(
            session, lead=lead, coordinator_id="c1", reason="担当が多いため", actor="slack:UEXAMPLE01"
        )
        assert assignments.declined_coordinator_ids(session, lead_id=lead.id or 0) == {"c1"}
        assignments.record_assignment(
            session, lead=lead, hub_id="h1", coordinator_id="c2", reasons=["担当件数 0/3"]
        )
        assignments.accept(session, lead=lead, coordinator_id="c2", actor="slack:UEXAMPLE02")
        assert directory.open_case_counts(session) == {"c2": 1}
        leads.change_status(session, lead=lead, status=LeadStatus.CLOSED, actor="slack:UEXAMPLE02")
        assert directory.open_case_counts(session) == {}
    with db.session() as session:
        rows = assignments.assignments_for_lead(session, lead_id=lead.id or 0)
        assert [(a.coordinator_id, a.outcome) for a in rows] == [
            ("c1", AssignmentOutcome.DECLINED),
            ("c2", AssignmentOutcome.ACCEPTED),
        ]
        assert rows[0].decline_reason == "担当が多いため" and rows[0].due_at == due
        assert rows[0].reasons == ["長野県内の事業承継支援センター"]
        moves = [row.changes for row in audit.history(session, entity="lead", entity_id=lead.id or 0)][1:]
        assert moves == [{"status": pair} for pair in (["new", "assigned"], ["assigned", "assigned"],
                                                         ["assigned", "accepted"], ["accepted", "closed"])]  # fmt: skip


def test_escalation_and_overdue_decisions(db: Database) -> None:
    with db.unit_of_work() as session:
        add_directory(session)
        late = leads.create_lead(session, data=lead_data(), actor="t")
        assignments.record_assignment(session, lead=late, hub_id="h1", coordinator_id="c1", reasons=[],
                                      due_at=utcnow() - timedelta(hours=1))  # fmt: skip
        on_time = leads.create_lead(session, data=lead_data(chat_id="chat-2"), actor="t")
        assignments.record_assignment(session, lead=on_time, hub_id="h1", coordinator_id="c2", reasons=[],
                                      due_at=utcnow() + timedelta(days=1))  # fmt: skip
        assert [a.lead_id for a in assignments.overdue(session)] == [late.id]
        escalation = assignments.record_escalation(
            session,
            lead=late,
            scope="region",
            region="関東",
            reasons=["期限内に受付がありません"],
            expired=True,
        )
        assert late.status == LeadStatus.ESCALATED and late.coordinator_id is None and late.escalated_at
        assert escalation.escalation_scope == "region" and escalation.outcome == AssignmentOutcome.PENDING
        assert assignments.overdue(session) == []
        with pytest.raises(ValueError, match="unknown escalation scope"):
            assignments.record_escalation(session, lead=on_time, scope="planet", reasons=[])
    with db.session() as session:
        outcomes = [a.outcome for a in assignments.assignments_for_lead(session, lead_id=late.id or 0)]
        assert outcomes == [AssignmentOutcome.EXPIRED, AssignmentOutcome.PENDING]


def test_directory_queries(db: Database) -> None:
    with db.unit_of_work() as session:
        assert directory.is_empty(session)
        add_directory(session)
    with db.session() as session:
        assert not directory.is_empty(session)
        assert [h.id for h in directory.list_hubs(session)] == ["h1"]
        assert [h.id for h in directory.list_hubs(session, active_only=False, prefecture="長野県")] == [
            "h1",
            "h2",
        ]
        assert [c.id for c in directory.list_coordinators(session, hub_id="h1")] == ["c1", "c2"]
        assert [c.id for c in directory.coordinators_by_slack_user(session, slack_user_id="UEXAMPLE01")] == [
            "c1"
        ]
        assert directory.get_hub(session, hub_id="h2") is not None
        assert directory.get_coordinator(session, coordinator_id="zz") is None


def test_conversations_are_created_once_and_versioned(db: Database) -> None:
    with db.unit_of_work() as session:
        conversation = conversations.get_or_create_conversation(session, channel="telegram", chat_id="42")
        again = conversations.get_or_create_conversation(session, channel="telegram", chat_id="42")
        assert again.id == conversation.id and conversation.state == "start" and conversation.version == 0
        conversations.save_conversation(session, conversation=conversation, state="ask_prefecture",
                                        data={"text": "相談", "label": "it"})  # fmt: skip
    with db.unit_of_work() as session:
        stored = conversations.get_conversation(session, channel="telegram", chat_id="42", for_update=True)
        assert stored is not None and stored.version == 1 and stored.data == {"text": "相談", "label": "it"}
        lead = leads.create_lead(session, data=lead_data(chat_id="42"), actor="t")
        conversations.save_conversation(session, conversation=stored, state="done", data={}, lead_id=lead.id)
    with db.session() as session:
        final = conversations.get_conversation(session, channel="telegram", chat_id="42")
        assert final is not None and (final.state, final.version, final.lead_id) == ("done", 2, lead.id)
        assert conversations.get_conversation(session, channel="slack", chat_id="42") is None


def test_an_update_is_recorded_once(db: Database) -> None:
    with db.unit_of_work() as session:
        assert updates.record_update(
            session, channel="telegram", update_id=1001, chat_id="42", payload={"a": 1}
        )
        assert not updates.record_update(session, channel="telegram", update_id=1001, chat_id="42")
        assert updates.record_update(session, channel="telegram", update_id=1002, chat_id="42")
        assert updates.record_update(session, channel="slack", update_id=1001)
    with db.unit_of_work() as session:
        assert not updates.record_update(session, channel="telegram", update_id="1001")
        updates.mark_processed(session, channel="telegram", update_id=1001)
        with pytest.raises(KeyError):
            updates.mark_processed(session, channel="telegram", update_id=9)
    with db.session() as session:
        assert [u.update_id for u in updates.pending_updates(session, channel="telegram")] == ["1002"]


def test_outbox_claims_leases_and_marks(db: Database) -> None:
    with db.unit_of_work() as session:
        for number in range(5):
            outbox.enqueue(
                session, topic="lead.routed", payload={"n": number}, hub_id="h1", dedupe_key=f"k{number}"
            )
    now = utcnow()
    with db.unit_of_work() as session:
        first = outbox.claim_due(session, limit=3, now=now)
        assert [e.payload["n"] for e in first] == [0, 1, 2] and all(e.attempts == 1 for e in first)
        ids = [e.id or 0 for e in first]
    with db.unit_of_work() as session:
        second = outbox.claim_due(session, limit=10, now=now)
        assert [e.payload["n"] for e in second] == [3, 4]  # the first three are leased
    with db.unit_of_work() as session:
        outbox.mark_sent(session, event_id=ids[0], delivery_ref="CSAMPLE001:1700000000.000100")
        outbox.mark_failed(session, event_id=ids[1], error="HTTP 500", retry_at=now + timedelta(seconds=30))
        outbox.mark_failed(session, event_id=ids[2], error="channel_not_found", retry_at=None)
    with db.unit_of_work() as session:
        later = outbox.claim_due(session, limit=10, now=now + timedelta(minutes=5))
        assert sorted(e.payload["n"] for e in later) == [1, 3, 4]  # retried and expired leases
        assert outbox.pending_count(session) == 3
    with db.session() as session:
        sent, dead = session.get(OutboxEvent, ids[0]), session.get(OutboxEvent, ids[2])
        assert sent is not None and sent.status == OutboxStatus.SENT and sent.delivery_ref
        assert (
            dead is not None and dead.status == OutboxStatus.DEAD and dead.last_error == "channel_not_found"
        )


def test_two_dispatchers_never_claim_the_same_event(db: Database) -> None:
    with db.unit_of_work() as session:
        for number in range(6):
            outbox.enqueue(session, topic="lead.routed", payload={"n": number})
    if db.dialect == "postgresql":  # both transactions open at once: SKIP LOCKED
        with db.unit_of_work() as one, db.unit_of_work() as two:
            a = [e.id for e in outbox.claim_due(one, limit=4)]
            b = [e.id for e in outbox.claim_due(two, limit=4)]
    else:  # SQLite runs one writer at a time; the lease keeps the second away
        with db.unit_of_work() as one:
            a = [e.id for e in outbox.claim_due(one, limit=4)]
        with db.unit_of_work() as two:
            b = [e.id for e in outbox.claim_due(two, limit=4)]
    assert len(a) == 4 and len(b) == 2 and not set(a) & set(b)


def test_feedback_surveys_and_model_versions(db: Database) -> None:
    with db.unit_of_work() as session:
        add_directory(session)
        lead = leads.create_lead(session, data=lead_data(), actor="t")
        row = feedback.add_label_feedback(session, text="[名前]です。後継者の相談", label="succession",
                                          predicted_label="management", source=FeedbackSource.COORDINATOR,
                                          actor="slack:UEXAMPLE01", lead_id=lead.id)  # fmt: skip
        session.flush()
        feedback.review_feedback(session, feedback_id=row.id or 0, status=FeedbackStatus.APPROVED)
        feedback.open_survey(session, lead_id=lead.id or 0, hub_id="h1", coordinator_id="c1")
        feedback.open_survey(session, lead_id=lead.id or 0, hub_id="h1", coordinator_id="c1")
        session.flush()
        feedback.answer_survey(session, lead_id=lead.id or 0, score=5, comment="助かりました")
        with pytest.raises(ValueError):
            feedback.answer_survey(session, lead_id=lead.id or 0, score=6)
        model_versions.record_model_version(session, version="v1", sha256="a" * 64, examples=900,
                                            metrics={"macro_f1": 0.91})  # fmt: skip
        model_versions.record_model_version(session, version="v2", sha256="b" * 64, examples=950, metrics={})
        session.flush()
        model_versions.mark_current(session, version="v1")
        session.flush()
        model_versions.mark_current(session, version="v2")
    with db.session() as session:
        approved = feedback.feedback_with_status(session, status=FeedbackStatus.APPROVED)
        assert [(f.label, f.predicted_label) for f in approved] == [("succession", "management")]
        survey = session.exec(select(SatisfactionSurvey)).one()
        assert (survey.score, survey.comment, survey.hub_id) == (5, "助かりました", "h1")
        current = model_versions.current_version(session)
        assert current is not None and current.version == "v2"
        v1 = session.get(ModelVersion, "v1")
        assert v1 is not None and not v1.current and v1.macro_f1 == pytest.approx(0.91)


def test_the_database_refuses_a_score_out_of_range(db: Database) -> None:
    with db.unit_of_work() as session:
        lead = leads.create_lead(session, data=lead_data(), actor="t")
    with pytest.raises(sa.exc.IntegrityError), db.unit_of_work() as session:
        session.add(SatisfactionSurvey(lead_id=lead.id or 0, score=9))
