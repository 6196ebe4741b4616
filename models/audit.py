"""The audit log: who changed what, without personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import ID_LENGTH, JSONType, UTCDateTime, utcnow


class AuditLog(SQLModel, table=True):
    """One change. ``actor`` is e.g. ``cli:directory-import`` or ``slack:U0123``; ``changes``
    maps a field to ``[old, new]`` and must never hold personal data."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=ID_LENGTH)
    action: str = Field(max_length=32)
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=ID_LENGTH)
    changes: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
