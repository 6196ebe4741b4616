"""Label feedback: corrected or confirmed categories, candidates for retraining."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import ID_LENGTH, JSONType, UTCDateTime, enum_type, utcnow
from models.enums import FeedbackSource, FeedbackStatus


class LabelFeedback(SQLModel, table=True):
    """One label for one text. ``text`` is stored redacted (no personal data)."""

    __tablename__ = "label_feedback"

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int | None = Field(default=None, foreign_key="lead.id", index=True)
    text: str = Field(sa_type=sa.Text)
    predicted_label: str | None = Field(default=None, max_length=32)
    label: str = Field(max_length=32)
    secondary_labels: list[str] = Field(default_factory=list, sa_type=JSONType)
    source: FeedbackSource = Field(sa_type=enum_type(FeedbackSource, "feedback_source"))
    status: FeedbackStatus = Field(
        default=FeedbackStatus.CANDIDATE, sa_type=enum_type(FeedbackStatus, "feedback_status"), index=True
    )
    actor: str = Field(max_length=ID_LENGTH)
    model_version: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
