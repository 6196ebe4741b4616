"""Partner organisations of a hub: banks, universities, 公設試, cooperatives and others."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.base import ID_LENGTH, UTCDateTime, enum_type, utcnow
from models.enums import PartnerType


class PartnerBase(SQLModel):
    """What the directory file says about a partner organisation."""

    hub_id: str = Field(foreign_key="hub.id", index=True, max_length=ID_LENGTH)
    name: str = Field(max_length=200)
    partner_type: PartnerType = Field(sa_type=enum_type(PartnerType, "partner_type"))
    active: bool = True


class Partner(PartnerBase, table=True):
    """A partner organisation; deactivated, never deleted."""

    id: str = Field(primary_key=True, max_length=ID_LENGTH)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
