"""Erasing an owner's personal data on request (APPI), leaving an audit row without it."""

from __future__ import annotations

from sqlmodel import Session, col, select

from models import LeadStatus, OutboxEvent, is_open
from storage.repositories import audit, leads

ERASED_TEXT = "（ご本人の依頼により削除）"


def erase_chat(session: Session, *, channel: str, chat_id: str, actor: str) -> int:
    """Withdraw the chat's open leads and blank their personal fields; returns how many
    leads were touched. Queued announcements of those leads lose their payloads too."""
    touched = 0
    for lead in leads.leads_for_chat(session, channel=channel, chat_id=chat_id):
        assert lead.id is not None
        if is_open(lead.status):
            leads.change_status(session, lead=lead, status=LeadStatus.WITHDRAWN, actor=actor)
        lead.text = ERASED_TEXT
        lead.contact_name = lead.contact_phone = lead.contact_email = None
        lead.company_name = None
        lead.user_id = None
        lead.chat_id = f"erased:{lead.id}"
        session.add(lead)
        for event in session.exec(select(OutboxEvent).where(col(OutboxEvent.lead_id) == lead.id)):
            event.payload = {"lead_id": lead.id, "erased": True}
            session.add(event)
        audit.record(session, actor=actor, action="lead.erased", entity="lead", entity_id=lead.id, changes={})
        touched += 1
    return touched
