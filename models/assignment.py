"""Assignments: every routing decision for a lead, with its reasons and its outcome."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import ID_LENGTH, JSONType, UTCDateTime, enum_type, utcnow
from models.enums import AssignmentOutcome


class AssignmentBase(SQLModel):
    """One decision: a hub and coordinator, or an escalation to a queue.

    ``escalation_scope`` is None for an ordinary decision, else ``hub``, ``region`` or
    ``nationwide`` (the queue an admin sees); ``reasons`` are Japanese sentences.
    """

    lead_id: int = Field(foreign_key="lead.id", index=True)
    hub_id: str | None = Field(default=None, foreign_key="hub.id", index=True, max_length=ID_LENGTH)
    coordinator_id: str | None = Field(
        default=None, foreign_key="coordinator.id", index=True, max_length=ID_LENGTH
    )
    reasons: list[str] = Field(default_factory=list, sa_type=JSONType)
    escalation_scope: str | None = Field(default=None, max_length=16)
    escalation_region: str | None = Field(default=None, max_length=8)
    actor: str = Field(default="routing", max_length=ID_LENGTH)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Assignment(AssignmentBase, table=True):
    """A stored decision; its ``outcome`` is filled in when the coordinator answers."""

    id: int | None = Field(default=None, primary_key=True)
    outcome: AssignmentOutcome = Field(
        default=AssignmentOutcome.PENDING, sa_type=enum_type(AssignmentOutcome, "assignment_outcome")
    )
    decline_reason: str | None = Field(default=None, sa_type=sa.Text)
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
