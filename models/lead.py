"""Leads: one owner's case, from the first message to closing or withdrawal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm.base import NEVER_SET, NO_VALUE
from sqlmodel import Field, SQLModel

from models.base import ID_LENGTH, JSONType, UTCDateTime, enum_type, utcnow
from models.enums import LeadStatus
from models.lead_status import STATUS_TIMESTAMPS, check_transition


class LeadBase(SQLModel):
    """What the intake collected. Contact and company fields are personal data."""

    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=ID_LENGTH, index=True)
    user_id: str | None = Field(default=None, max_length=ID_LENGTH)
    contact_name: str | None = Field(default=None, max_length=100)
    contact_phone: str | None = Field(default=None, max_length=32)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_via: str = Field(default="chat", max_length=16)
    company_name: str | None = Field(default=None, max_length=200)
    industry: str | None = Field(default=None, max_length=100)
    employees: int | None = None
    text: str = Field(sa_type=sa.Text)
    label: str = Field(max_length=32, index=True)
    secondary_labels: list[str] = Field(default_factory=list, sa_type=JSONType)
    confidence: float = 0.0
    model_version: str | None = Field(default=None, max_length=32)
    prefecture: str | None = Field(default=None, max_length=8, index=True)
    municipality: str | None = Field(default=None, max_length=50)
    consent_version: str | None = Field(default=None, max_length=32)
    consented_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Lead(LeadBase, table=True):
    """A stored lead. Change ``status`` only through `Lead.move_to` (it is guarded anyway).

    ``idempotency_key`` (e.g. ``telegram:<update id>``) makes a redelivered message unable
    to create a second lead.
    """

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str | None = Field(default=None, max_length=128, unique=True)
    status: LeadStatus = Field(
        default=LeadStatus.NEW, sa_type=enum_type(LeadStatus, "lead_status"), index=True
    )
    hub_id: str | None = Field(default=None, foreign_key="hub.id", index=True, max_length=ID_LENGTH)
    coordinator_id: str | None = Field(
        default=None, foreign_key="coordinator.id", index=True, max_length=ID_LENGTH
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    assigned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    def move_to(self, target: LeadStatus, at: datetime | None = None) -> None:
        """Move to ``target`` (raises `InvalidStatusTransition`) and stamp the time."""
        check_transition(self.status, target)  # explicit: assigned -> assigned is a move too
        now = at or utcnow()
        self.status = target
        self.status_changed_at = now
        self.updated_at = now
        column = STATUS_TIMESTAMPS.get(target)
        if column is not None:
            setattr(self, column, now)


@event.listens_for(Lead.status, "set", active_history=True)
def _guard_status(target: Lead, value: Any, oldvalue: Any, initiator: Any) -> Any:
    """Every assignment to ``Lead.status``, including the constructor's, is checked here
    (setting the value it already has is not a move and passes)."""
    current = None if oldvalue in (NO_VALUE, NEVER_SET, None) else oldvalue
    if current is None or current != value:
        check_transition(current, value)
    return value
