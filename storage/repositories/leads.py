"""Leads: create, find, and move along the allowed status transitions."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from models import Lead, LeadBase, LeadStatus
from storage.repositories import audit


def create_lead(session: Session, *, data: LeadBase, actor: str, idempotency_key: str | None = None) -> Lead:
    """Store a new lead in status ``new`` and audit it (without personal data).

    With an ``idempotency_key`` already used, the unique constraint makes the unit of work
    fail; call `get_lead_by_key` first when a redelivery is expected.
    """
    lead = Lead.model_validate(data, update={"idempotency_key": idempotency_key})
    session.add(lead)
    session.flush()
    assert lead.id is not None
    audit.record(
        session,
        actor=actor,
        action="lead.created",
        entity="lead",
        entity_id=lead.id,
        changes={"label": [None, lead.label], "prefecture": [None, lead.prefecture]},
    )
    return lead


def get_lead(session: Session, *, lead_id: int, for_update: bool = False) -> Lead | None:
    """One lead; ``for_update`` locks its row on PostgreSQL until the unit of work ends."""
    statement = select(Lead).where(Lead.id == lead_id)
    if for_update:
        statement = statement.with_for_update()
    return session.exec(statement).first()


def get_lead_by_key(session: Session, *, idempotency_key: str) -> Lead | None:
    """The lead created for this idempotency key, if any."""
    return session.exec(select(Lead).where(Lead.idempotency_key == idempotency_key)).first()


def leads_for_chat(session: Session, *, channel: str, chat_id: str) -> list[Lead]:
    """An owner's leads on one channel, oldest first (for /status)."""
    statement = select(Lead).where(Lead.channel == channel, Lead.chat_id == chat_id).order_by(col(Lead.id))
    return list(session.exec(statement))


def open_leads_for_coordinator(session: Session, *, coordinator_id: str) -> list[Lead]:
    """A coordinator's assigned or accepted leads, oldest first."""
    statement = (
        select(Lead)
        .where(
            Lead.coordinator_id == coordinator_id,
            col(Lead.status).in_((LeadStatus.ASSIGNED, LeadStatus.ACCEPTED)),
        )
        .order_by(col(Lead.id))
    )
    return list(session.exec(statement))


def change_status(
    session: Session, *, lead: Lead, status: LeadStatus, actor: str, at: datetime | None = None
) -> Lead:
    """Move ``lead`` to ``status`` (raises `models.InvalidStatusTransition`) and audit it."""
    before = lead.status
    lead.move_to(status, at)
    session.add(lead)
    assert lead.id is not None, "flush the lead before changing its status"
    audit.record(
        session,
        actor=actor,
        action="lead.status",
        entity="lead",
        entity_id=lead.id,
        changes={"status": [str(before), str(status)]},
    )
    return lead
