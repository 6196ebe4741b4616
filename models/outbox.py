"""Outbox events: announcements written with the change that caused them, sent later."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import ID_LENGTH, JSONType, UTCDateTime, enum_type, utcnow
from models.enums import OutboxStatus


class OutboxEvent(SQLModel, table=True):
    """One message to deliver (e.g. a Slack card). ``delivery_ref`` keeps what the receiver
    returned (e.g. the Slack channel and ts) so a retry updates instead of posting again."""

    __tablename__ = "outbox_event"
    __table_args__ = (sa.Index("ix_outbox_event_due", "status", "available_at"),)

    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=64)
    lead_id: int | None = Field(default=None, foreign_key="lead.id", index=True)
    hub_id: str | None = Field(default=None, max_length=ID_LENGTH, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    dedupe_key: str | None = Field(default=None, max_length=128, unique=True)
    status: OutboxStatus = Field(
        default=OutboxStatus.PENDING, sa_type=enum_type(OutboxStatus, "outbox_status")
    )
    attempts: int = 0
    available_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    delivery_ref: str | None = Field(default=None, max_length=200)
