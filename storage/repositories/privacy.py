"""Erasing an owner's personal data on request (APPI), leaving an audit row without it.

Everywhere the owner's words, name, contact or company facts went is cleaned in the
caller's unit of work: the leads (withdrawn when open), the conversation's collected
answers, stored update payloads, the outbox (owner messages not yet sent are cancelled,
sent ones lose their text), training candidates of those leads (deleted), survey comments.
A ``lead.updated`` event is queued per lead so the dispatcher edits its Slack cards to
say the case was withdrawn, without the owner's words.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from models import (
    Conversation,
    LabelFeedback,
    Lead,
    LeadStatus,
    OutboxEvent,
    OutboxStatus,
    ProcessedUpdate,
    SatisfactionSurvey,
    is_open,
)
from storage.repositories import audit, leads, outbox

ERASED_TEXT = "（ご本人の依頼により削除）"
CARD_TOPIC = "lead.updated"  # the topic the Slack desk uses for a card update


def erase_chat(session: Session, *, channel: str, chat_id: str, actor: str) -> int:
    """Withdraw the chat's open leads and erase the owner's personal data everywhere;
    returns how many leads were touched."""
    touched = 0
    for lead in leads.leads_for_chat(session, channel=channel, chat_id=chat_id):
        assert lead.id is not None
        if is_open(lead.status):
            leads.change_status(session, lead=lead, status=LeadStatus.WITHDRAWN, actor=actor)
        _blank_lead(lead)
        session.add(lead)
        _clean_outbox(session, lead.id)
        for candidate in session.exec(select(LabelFeedback).where(LabelFeedback.lead_id == lead.id)):
            session.delete(candidate)  # a training candidate of the owner's words
        for survey in session.exec(select(SatisfactionSurvey).where(SatisfactionSurvey.lead_id == lead.id)):
            survey.comment = None
            session.add(survey)
        if lead.hub_id is not None:  # its cards (if any) now say it was withdrawn
            outbox.enqueue(session, topic=CARD_TOPIC, payload={"lead_id": lead.id}, lead_id=lead.id,
                           hub_id=lead.hub_id)
        audit.record(session, actor=actor, action="lead.erased", entity="lead", entity_id=lead.id, changes={})
        touched += 1
    _clean_chat(session, channel=channel, chat_id=chat_id)
    return touched


def _blank_lead(lead: Lead) -> None:
    lead.text = ERASED_TEXT
    lead.contact_name = lead.contact_phone = lead.contact_email = None
    lead.company_name = lead.industry = lead.municipality = None
    lead.employees = None
    lead.user_id = None
    lead.chat_id = f"erased:{lead.id}"
    lead.idempotency_key = f"erased:{lead.id}" if lead.idempotency_key else None


def _clean_outbox(session: Session, lead_id: int) -> None:
    for event in session.exec(select(OutboxEvent).where(col(OutboxEvent.lead_id) == lead_id)):
        if not event.topic.startswith("lead."):  # owner messages carry their text and chat id
            if event.status is OutboxStatus.PENDING:
                event.status, event.last_error = OutboxStatus.DEAD, "cancelled: the owner's data was erased"
            event.payload = {"lead_id": lead_id, "erased": True}
            session.add(event)


def _clean_chat(session: Session, *, channel: str, chat_id: str) -> None:
    """The chat's collected answers and the stored payloads of its handled updates."""
    for row in session.exec(
        select(Conversation).where(Conversation.channel == channel, Conversation.chat_id == chat_id)
    ):
        row.data, row.user_id = {}, None
        session.add(row)
    handled = select(ProcessedUpdate).where(
        ProcessedUpdate.channel == channel, ProcessedUpdate.chat_id == chat_id,
        col(ProcessedUpdate.processed_at).is_not(None),
    )
    for update in session.exec(handled):
        update.payload = None
        session.add(update)
