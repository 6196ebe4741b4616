"""Conversations: where each chat stands in the intake dialogue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import ID_LENGTH, JSONType, UTCDateTime, utcnow


class Conversation(SQLModel, table=True):
    """One chat on one channel. ``state`` is the dialogue engine's state id; ``data`` holds
    the answers collected so far; ``version`` grows on every save (optimistic locking)."""

    __table_args__ = (sa.UniqueConstraint("channel", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=ID_LENGTH)
    user_id: str | None = Field(default=None, max_length=ID_LENGTH)
    state: str = Field(default="start", max_length=32)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    lead_id: int | None = Field(default=None, foreign_key="lead.id", index=True, ondelete="SET NULL")
    version: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
