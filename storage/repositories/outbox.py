"""The outbox: events written in the same unit of work as the change that caused them.

A dispatcher claims due events (a lease: ``available_at`` moves ahead, so a crashed
dispatcher's events come back), delivers them outside the transaction, then marks them
sent or failed. On PostgreSQL claiming uses ``FOR UPDATE SKIP LOCKED``, so several
dispatchers never claim the same event. With ``in_hub_order`` an event whose hub still has
an earlier undelivered event (pending, even if leased or waiting for a retry) is not taken,
so a hub's cards arrive in the order their leads were created, even with several
dispatchers.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from models import OutboxEvent, OutboxStatus, utcnow


def enqueue(
    session: Session,
    *,
    topic: str,
    payload: dict[str, Any],
    lead_id: int | None = None,
    hub_id: str | None = None,
    dedupe_key: str | None = None,
) -> OutboxEvent:
    """Add an event to deliver once the surrounding unit of work commits."""
    event = OutboxEvent(topic=topic, payload=payload, lead_id=lead_id, hub_id=hub_id, dedupe_key=dedupe_key)
    session.add(event)
    return event


def claim_due(
    session: Session,
    *,
    limit: int = 20,
    lease: timedelta = timedelta(minutes=2),
    now: datetime | None = None,
    in_hub_order: bool = False,
) -> list[OutboxEvent]:
    """Take up to ``limit`` due events, oldest first, and lease them for ``lease``;
    with ``in_hub_order``, none that waits behind an earlier event of its hub."""
    now = now or utcnow()
    statement = select(OutboxEvent).where(
        OutboxEvent.status == OutboxStatus.PENDING, col(OutboxEvent.available_at) <= now
    )
    if in_hub_order:
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
        statement = statement.where(~blocked)
    statement = statement.order_by(col(OutboxEvent.id)).limit(limit).with_for_update(skip_locked=True)
    events = list(session.exec(statement))
    for event in events:
        event.attempts += 1
        event.available_at = now + lease
        session.add(event)
    return events


def mark_sent(
    session: Session, *, event_id: int, delivery_ref: str | None = None, at: datetime | None = None
) -> OutboxEvent:
    """The receiver accepted the event."""
    event = _get(session, event_id)
    event.status = OutboxStatus.SENT
    event.sent_at = at or utcnow()
    event.last_error = None
    if delivery_ref is not None:
        event.delivery_ref = delivery_ref
    session.add(event)
    return event


def mark_failed(session: Session, *, event_id: int, error: str, retry_at: datetime | None) -> OutboxEvent:
    """Delivery failed: try again at ``retry_at``, or give up (``dead``) when it is None."""
    event = _get(session, event_id)
    event.last_error = error[:2000]
    if retry_at is None:
        event.status = OutboxStatus.DEAD
    else:
        event.available_at = retry_at
    session.add(event)
    return event


def pending_count(session: Session) -> int:
    """Events not yet delivered (including leased ones)."""
    statement = select(OutboxEvent.id).where(OutboxEvent.status == OutboxStatus.PENDING)
    return len(list(session.exec(statement)))


def _get(session: Session, event_id: int) -> OutboxEvent:
    event = session.get(OutboxEvent, event_id)
    if event is None:
        raise KeyError(f"outbox event {event_id} does not exist")
    return event
