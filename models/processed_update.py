"""Processed updates: every inbound platform update, stored once (idempotency)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from models.base import ID_LENGTH, JSONType, UTCDateTime, utcnow


class ProcessedUpdate(SQLModel, table=True):
    """An update seen from a channel; the primary key makes a redelivery a no-op.

    ``processed_at`` stays empty until the update has been fully handled, so a restart
    can find what is still pending.
    """

    __tablename__ = "processed_update"

    channel: str = Field(primary_key=True, max_length=16)
    update_id: str = Field(primary_key=True, max_length=ID_LENGTH)
    chat_id: str | None = Field(default=None, max_length=ID_LENGTH, index=True)
    payload: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
