"""Outbox queries for delivery in order: per hub, an event waits for every earlier one.

`claim_in_order` is `outbox.claim_due` plus one rule: an event whose hub still has an
earlier undelivered event (pending, even if leased or waiting for a retry) is not taken,
so a hub's cards arrive in the order their leads were created, even with several
dispatchers (on PostgreSQL the rows are taken with ``FOR UPDATE SKIP LOCKED``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from models import OutboxEvent, OutboxStatus, utcnow


def claim_in_order(
    session: Session,
    *,
    topics: tuple[str, ...] | None = None,
    limit: int = 20,
    lease: timedelta = timedelta(minutes=2),
    now: datetime | None = None,
) -> list[OutboxEvent]:
    """Lease up to ``limit`` due events, oldest first, none behind an earlier one of its hub."""
    now = now or utcnow()
    earlier = aliased(OutboxEvent)
    blocked = (
        select(earlier.id)
        .where(
            earlier.hub_id == OutboxEvent.hub_id,
            earlier.status == OutboxStatus.PENDING,
            col(earlier.id) < OutboxEvent.id,
        )
        .exists()
    )
    statement = select(OutboxEvent).where(
        OutboxEvent.status == OutboxStatus.PENDING, col(OutboxEvent.available_at) <= now, ~blocked
    )
    if topics is not None:
        statement = statement.where(col(OutboxEvent.topic).in_(topics))
    statement = statement.order_by(col(OutboxEvent.id)).limit(limit).with_for_update(skip_locked=True)
    events = list(session.exec(statement))
    for event in events:
        event.attempts += 1
        event.available_at = now + lease
        session.add(event)
    return events


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
