"""Processed updates: store every inbound update once, before acting on it.

A row's life: recorded (``processed_at`` empty; a channel that stores before it
acknowledges keeps the raw update in ``payload``), processed (``payload`` now holds the
replies still to send, the raw update is dropped), replies sent (``payload`` emptied).
So a restart finds both what is still to handle and what is still to say.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
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
    processed: bool = False,
) -> bool:
    """Store an update; False when it was already stored (a redelivery: do nothing).

    ``processed=True`` stores it as already handled (nothing to do for it)."""
    now = utcnow()
    values: dict[str, Any] = {
        "channel": channel,
        "update_id": str(update_id),
        "chat_id": chat_id,
        "received_at": now,
        "processed_at": now if processed else None,
    }
    if payload is not None:  # omitted, the column stays SQL NULL (not JSON null)
        values["payload"] = payload
    return insert_ignore(session, ProcessedUpdate, values)


def is_processed(session: Session, *, channel: str, update_id: str | int) -> bool:
    """True once the update was fully handled."""
    statement = select(ProcessedUpdate.processed_at).where(
        ProcessedUpdate.channel == channel, ProcessedUpdate.update_id == str(update_id)
    )
    return session.exec(statement).first() is not None


def mark_processed(
    session: Session,
    *,
    channel: str,
    update_id: str | int,
    at: datetime | None = None,
    replies: list[dict[str, Any]] | None = None,
) -> None:
    """Record that an update was fully handled, keeping ``replies`` until they are sent."""
    values: dict[str, Any] = {
        "processed_at": at or utcnow(),
        "payload": {"replies": replies} if replies else sa.null(),
    }
    statement = (
        sa.update(ProcessedUpdate)
        .where(col(ProcessedUpdate.channel) == channel, col(ProcessedUpdate.update_id) == str(update_id))
        .values(**values)
    )
    if session.connection().execute(statement).rowcount != 1:
        raise KeyError(f"update {channel}:{update_id} was never recorded")


def mark_sent(session: Session, *, channel: str, update_id: str | int) -> None:
    """The replies of a processed update were sent (or can never be): forget them."""
    statement = (
        sa.update(ProcessedUpdate)
        .where(col(ProcessedUpdate.channel) == channel, col(ProcessedUpdate.update_id) == str(update_id),
               col(ProcessedUpdate.processed_at).is_not(None))
        .values(payload=sa.null())
    )
    session.connection().execute(statement)


def pending_updates(
    session: Session, *, channel: str, chat_id: str | None = None, limit: int = 1000
) -> list[ProcessedUpdate]:
    """Stored but unhandled updates of a channel (or one chat), in arrival order."""
    statement = select(ProcessedUpdate).where(
        ProcessedUpdate.channel == channel, col(ProcessedUpdate.processed_at).is_(None)
    )
    if chat_id is not None:
        statement = statement.where(ProcessedUpdate.chat_id == chat_id)
    statement = statement.order_by(col(ProcessedUpdate.received_at), col(ProcessedUpdate.update_id))
    return list(session.exec(statement.limit(limit)))


def pending_chats(session: Session, *, channel: str) -> list[str]:
    """Chats with stored, unhandled updates, the longest-waiting first."""
    statement = (
        select(ProcessedUpdate.chat_id, sa.func.min(ProcessedUpdate.received_at))
        .where(ProcessedUpdate.channel == channel, col(ProcessedUpdate.processed_at).is_(None),
               col(ProcessedUpdate.chat_id).is_not(None))
        .group_by(col(ProcessedUpdate.chat_id))
        .order_by(sa.func.min(ProcessedUpdate.received_at))
    )
    return [str(chat_id) for chat_id, _ in session.exec(statement)]


def unsent_replies(session: Session, *, channel: str, limit: int = 1000) -> list[ProcessedUpdate]:
    """Processed updates whose replies were never confirmed sent, oldest first."""
    payload: Any = ProcessedUpdate.payload
    # Erasure may leave JSON null behind (not SQL NULL): ask for the key itself.
    if session.get_bind().dialect.name == "postgresql":
        has_replies = payload.op("?")("replies")
    else:
        has_replies = sa.func.json_extract(payload, "$.replies").is_not(None)
    statement = (
        select(ProcessedUpdate)
        .where(ProcessedUpdate.channel == channel, col(ProcessedUpdate.processed_at).is_not(None))
        .where(has_replies)
        .order_by(col(ProcessedUpdate.processed_at))
        .limit(limit)
    )
    return [row for row in session.exec(statement) if row.payload and row.payload.get("replies")]
