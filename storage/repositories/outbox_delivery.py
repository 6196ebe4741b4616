"""Outbox queries of the card dispatcher: where a lead's cards went, and handing back an
event it claimed but did not try (claiming itself is `outbox.claim_due`)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from models import OutboxEvent, OutboxStatus


def delivery_refs_for_lead(session: Session, *, lead_id: int, topic_prefix: str = "lead.") -> list[str]:
    """Distinct ``delivery_ref`` values of a lead's delivered events, by their latest use."""
    statement = (
        select(OutboxEvent.delivery_ref)
        .where(
            OutboxEvent.lead_id == lead_id,
            OutboxEvent.status == OutboxStatus.SENT,
            col(OutboxEvent.delivery_ref).is_not(None),
            col(OutboxEvent.topic).startswith(topic_prefix),
        )
        .order_by(col(OutboxEvent.id))
    )
    seen: dict[str, None] = {}
    for ref in session.exec(statement):
        if ref:
            seen.pop(ref, None)
            seen[ref] = None
    return list(seen)


def release(session: Session, *, event_id: int, at: datetime) -> None:
    """Give a leased event back untried (it waited behind another one), due at ``at``."""
    event = session.get(OutboxEvent, event_id)
    if event is not None and event.status == OutboxStatus.PENDING:
        event.attempts = max(event.attempts - 1, 0)
        event.available_at = at
        session.add(event)
