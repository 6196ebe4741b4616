"""Coordinators: the people at a hub who take cases."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import ID_LENGTH, JSONType, UTCDateTime, enum_type, utcnow
from models.enums import CoordinatorKind


class CoordinatorBase(SQLModel):
    """What the directory file says about a coordinator.

    ``qualifications`` are names from `models.enums.QUALIFICATIONS`; ``specialities`` are
    category ids of the taxonomy. Both are JSON lists: assign a new list to change them.
    """

    hub_id: str = Field(foreign_key="hub.id", index=True, max_length=ID_LENGTH)
    name: str = Field(max_length=100)
    kind: CoordinatorKind = Field(sa_type=enum_type(CoordinatorKind, "coordinator_kind"))
    qualifications: list[str] = Field(default_factory=list, sa_type=JSONType)
    specialities: list[str] = Field(default_factory=list, sa_type=JSONType)
    capacity: int = 5
    slack_user_id: str | None = Field(default=None, max_length=ID_LENGTH)
    active: bool = True


class Coordinator(CoordinatorBase, table=True):
    """A coordinator; deactivated, never deleted."""

    __table_args__ = (sa.CheckConstraint("capacity >= 0", name="capacity_not_negative"),)

    id: str = Field(primary_key=True, max_length=ID_LENGTH)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
