"""Model versions: which classifier was registered, how good it was, when it was promoted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from models.base import JSONType, UTCDateTime, utcnow


class ModelVersion(SQLModel, table=True):
    """A classifier version as registered by nlp's model registry."""

    __tablename__ = "model_version"

    version: str = Field(primary_key=True, max_length=32)
    sha256: str = Field(max_length=64)
    data_hash: str | None = Field(default=None, max_length=64)
    examples: int = 0
    macro_f1: float | None = None
    metrics: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    promoted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    current: bool = False
