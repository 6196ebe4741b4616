"""Conversations: the dialogue state of each chat, kept in the database.

Load with ``for_update=True`` inside a unit of work before changing a conversation: on
PostgreSQL two workers then take turns on one chat; SQLite writers are serialised anyway.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from models import Conversation, utcnow
from storage.repositories._sql import insert_ignore


def get_conversation(
    session: Session, *, channel: str, chat_id: str, for_update: bool = False
) -> Conversation | None:
    """The conversation of one chat, if it exists."""
    statement = select(Conversation).where(Conversation.channel == channel, Conversation.chat_id == chat_id)
    if for_update:
        statement = statement.with_for_update()
    return session.exec(statement).first()


def get_or_create_conversation(
    session: Session, *, channel: str, chat_id: str, user_id: str | None = None, for_update: bool = True
) -> Conversation:
    """The chat's conversation, created in state ``start`` when new (safe under races)."""
    now = utcnow()
    insert_ignore(
        session,
        Conversation,
        {
            "channel": channel,
            "chat_id": chat_id,
            "user_id": user_id,
            "state": "start",
            "data": {},
            "version": 0,
            "created_at": now,
            "updated_at": now,
        },
    )
    found = get_conversation(session, channel=channel, chat_id=chat_id, for_update=for_update)
    assert found is not None
    return found


def save_conversation(
    session: Session,
    *,
    conversation: Conversation,
    state: str,
    data: dict[str, Any],
    lead_id: int | None = None,
) -> Conversation:
    """Store the new state and answers (and the current lead, if given); bumps ``version``."""
    conversation.state = state
    conversation.data = dict(data)
    if lead_id is not None:
        conversation.lead_id = lead_id
    conversation.version += 1
    conversation.updated_at = utcnow()
    session.add(conversation)
    return conversation
