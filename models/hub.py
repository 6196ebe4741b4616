"""Hubs (地域力連携拠点): the support organisations that take cases."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.base import ID_LENGTH, UTCDateTime, enum_type, utcnow
from models.enums import InstitutionType


class HubBase(SQLModel):
    """What the directory file says about a hub (``region`` is derived from the prefecture)."""

    name: str = Field(max_length=200)
    institution_type: InstitutionType = Field(sa_type=enum_type(InstitutionType, "institution_type"))
    prefecture: str = Field(max_length=8, index=True)
    region: str = Field(max_length=8, index=True)
    municipality: str | None = Field(default=None, max_length=50)
    succession_center: bool = False
    slack_channel: str | None = Field(default=None, max_length=ID_LENGTH)
    active: bool = True


class Hub(HubBase, table=True):
    """A hub; never deleted (leads keep pointing at it), deactivated instead."""

    id: str = Field(primary_key=True, max_length=ID_LENGTH)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
