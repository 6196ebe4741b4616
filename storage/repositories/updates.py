"""Processed updates: store every inbound update once, before acting on it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from models import ProcessedUpdate, utcnow
from storage.repositories._sql import insert_ignore


def record_update(
    session: Session,
    *,
    channel: str,
    update_id: str | int,
    chat_id: str | None = None,
    payload: dict[str, Any] | None = None,
) -> bool:
    """Store an update; False when it was already stored (a redelivery: do nothing)."""
    return insert_ignore(
        session,
        ProcessedUpdate,
        {
            "channel": channel,
            "update_id": str(update_id),
            "chat_id": chat_id,
            "payload": payload,
            "received_at": utcnow(),
        },
    )


def mark_processed(
    session: Session, *, channel: str, update_id: str | int, at: datetime | None = None
) -> None:
    """Record that an update was fully handled."""
    row = session.get(ProcessedUpdate, (channel, str(update_id)))
    if row is None:
        raise KeyError(f"update {channel}:{update_id} was never recorded")
    row.processed_at = at or utcnow()
    session.add(row)


def pending_updates(session: Session, *, channel: str, limit: int = 1000) -> list[ProcessedUpdate]:
    """Stored but unhandled updates of a channel, in arrival order (for a restart)."""
    statement = (
        select(ProcessedUpdate)
        .where(ProcessedUpdate.channel == channel, col(ProcessedUpdate.processed_at).is_(None))
        .order_by(col(ProcessedUpdate.received_at), col(ProcessedUpdate.update_id))
        .limit(limit)
    )
    return list(session.exec(statement))
