"""Initial schema: the directory, leads and everything kept about them.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Self-contained on purpose: a migration describes the schema as it was, so it imports
nothing from ``models`` (vocabularies are copied here and stay frozen).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
INSTITUTION_TYPES = (
    "商工会等", "商工会議所", "中小企業中央会", "地方銀行", "信用金庫", "信用組合",
    "都道府県支援センター", "株式会社・NPO", "大学", "農協", "その他",
)  # fmt: skip
PARTNER_TYPES = ("金融機関", "大学", "公設試", "農協", "漁協", "職業訓練校", "建設業協会", "その他")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _str(name: str, length: int, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _time(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _directory_stamps() -> list[sa.Column[datetime]]:
    return [_time("created_at"), _time("updated_at")]


def _index(table: str, *columns: str, name: str | None = None) -> None:
    op.create_index(name or op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns))


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        _time("at"),
        _str("actor", 64),
        _str("action", 32),
        _str("entity", 32),
        _str("entity_id", 64),
        sa.Column("changes", JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    _index("audit_log", "at")
    _index("audit_log", "entity", "entity_id", name="ix_audit_log_entity")

    op.create_table(
        "hub",
        _str("id", 64),
        _str("name", 200),
        sa.Column("institution_type", _enum("institution_type", *INSTITUTION_TYPES), nullable=False),
        _str("prefecture", 8),
        _str("region", 8),
        _str("municipality", 50, nullable=True),
        sa.Column("succession_center", sa.Boolean(), nullable=False),
        _str("slack_channel", 64, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_directory_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub")),
    )
    _index("hub", "prefecture")
    _index("hub", "region")

    op.create_table(
        "coordinator",
        _str("id", 64),
        _str("hub_id", 64),
        _str("name", 100),
        sa.Column("kind", _enum("coordinator_kind", "external", "internal"), nullable=False),
        sa.Column("qualifications", JSON, nullable=False),
        sa.Column("specialities", JSON, nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        _str("slack_user_id", 64, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_directory_stamps(),
        sa.CheckConstraint("capacity >= 0", name=op.f("ck_coordinator_capacity_not_negative")),
        sa.ForeignKeyConstraint(["hub_id"], ["hub.id"], name=op.f("fk_coordinator_hub_id_hub")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordinator")),
    )
    _index("coordinator", "hub_id")

    op.create_table(
        "partner",
        _str("id", 64),
        _str("hub_id", 64),
        _str("name", 200),
        sa.Column("partner_type", _enum("partner_type", *PARTNER_TYPES), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_directory_stamps(),
        sa.ForeignKeyConstraint(["hub_id"], ["hub.id"], name=op.f("fk_partner_hub_id_hub")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner")),
    )
    _index("partner", "hub_id")

    op.create_table(
        "model_version",
        _str("version", 32),
        _str("sha256", 64),
        _str("data_hash", 64, nullable=True),
        sa.Column("examples", sa.Integer(), nullable=False),
        sa.Column("macro_f1", sa.Float(), nullable=True),
        sa.Column("metrics", JSON, nullable=False),
        _time("created_at"),
        _time("promoted_at", nullable=True),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_model_version")),
    )

    op.create_table(
        "processed_update",
        _str("channel", 16),
        _str("update_id", 64),
        _str("chat_id", 64, nullable=True),
        sa.Column("payload", JSON, nullable=True),
        _time("received_at"),
        _time("processed_at", nullable=True),
        sa.PrimaryKeyConstraint("channel", "update_id", name=op.f("pk_processed_update")),
    )
    _index("processed_update", "chat_id")
    _index("processed_update", "processed_at")

    op.create_table(
        "lead",
        sa.Column("id", sa.Integer(), nullable=False),
        _str("idempotency_key", 128, nullable=True),
        _str("channel", 16),
        _str("chat_id", 64),
        _str("user_id", 64, nullable=True),
        _str("contact_name", 100, nullable=True),
        _str("contact_phone", 32, nullable=True),
        _str("contact_email", 254, nullable=True),
        _str("contact_via", 16),
        _str("company_name", 200, nullable=True),
        _str("industry", 100, nullable=True),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        _str("label", 32),
        sa.Column("secondary_labels", JSON, nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        _str("model_version", 32, nullable=True),
        _str("prefecture", 8, nullable=True),
        _str("municipality", 50, nullable=True),
        _str("consent_version", 32, nullable=True),
        _time("consented_at", nullable=True),
        sa.Column(
            "status",
            _enum("lead_status", "new", "assigned", "accepted", "escalated", "closed", "withdrawn"),
            nullable=False,
        ),
        _str("hub_id", 64, nullable=True),
        _str("coordinator_id", 64, nullable=True),
        _time("created_at"),
        _time("updated_at"),
        _time("status_changed_at"),
        _time("assigned_at", nullable=True),
        _time("accepted_at", nullable=True),
        _time("escalated_at", nullable=True),
        _time("closed_at", nullable=True),
        _time("withdrawn_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["coordinator_id"], ["coordinator.id"], name=op.f("fk_lead_coordinator_id_coordinator")
        ),
        sa.ForeignKeyConstraint(["hub_id"], ["hub.id"], name=op.f("fk_lead_hub_id_hub")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_lead_idempotency_key")),
    )
    for column in ("chat_id", "coordinator_id", "created_at", "hub_id", "label", "prefecture", "status"):
        _index("lead", column)

    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        _str("hub_id", 64, nullable=True),
        _str("coordinator_id", 64, nullable=True),
        sa.Column("reasons", JSON, nullable=False),
        _str("escalation_scope", 16, nullable=True),
        _str("escalation_region", 8, nullable=True),
        _str("actor", 64),
        _time("due_at", nullable=True),
        sa.Column(
            "outcome",
            _enum(
                "assignment_outcome", "pending", "accepted", "declined", "superseded", "expired", "withdrawn"
            ),
            nullable=False,
        ),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        _time("decided_at"),
        _time("responded_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["coordinator_id"], ["coordinator.id"], name=op.f("fk_assignment_coordinator_id_coordinator")
        ),
        sa.ForeignKeyConstraint(["hub_id"], ["hub.id"], name=op.f("fk_assignment_hub_id_hub")),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_assignment_lead_id_lead")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
    )
    for column in ("coordinator_id", "hub_id", "lead_id"):
        _index("assignment", column)

    op.create_table(
        "conversation",
        sa.Column("id", sa.Integer(), nullable=False),
        _str("channel", 16),
        _str("chat_id", 64),
        _str("user_id", 64, nullable=True),
        _str("state", 32),
        sa.Column("data", JSON, nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["lead.id"], name=op.f("fk_conversation_lead_id_lead"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation")),
        sa.UniqueConstraint("channel", "chat_id", name=op.f("uq_conversation_channel_chat_id")),
    )
    _index("conversation", "lead_id")

    op.create_table(
        "label_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        _str("predicted_label", 32, nullable=True),
        _str("label", 32),
        sa.Column("secondary_labels", JSON, nullable=False),
        sa.Column("source", _enum("feedback_source", "coordinator", "owner", "admin"), nullable=False),
        sa.Column("status", _enum("feedback_status", "candidate", "approved", "rejected"), nullable=False),
        _str("actor", 64),
        _str("model_version", 32, nullable=True),
        _time("created_at"),
        _time("reviewed_at", nullable=True),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_label_feedback_lead_id_lead")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_label_feedback")),
    )
    _index("label_feedback", "lead_id")
    _index("label_feedback", "status")

    op.create_table(
        "outbox_event",
        sa.Column("id", sa.Integer(), nullable=False),
        _str("topic", 64),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        _str("hub_id", 64, nullable=True),
        sa.Column("payload", JSON, nullable=False),
        _str("dedupe_key", 128, nullable=True),
        sa.Column("status", _enum("outbox_status", "pending", "sent", "dead"), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _time("available_at"),
        _time("created_at"),
        _time("sent_at", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        _str("delivery_ref", 200, nullable=True),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_outbox_event_lead_id_lead")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_event")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_event_dedupe_key")),
    )
    _index("outbox_event", "status", "available_at", name="ix_outbox_event_due")
    _index("outbox_event", "hub_id")
    _index("outbox_event", "lead_id")

    op.create_table(
        "satisfaction_survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        _str("hub_id", 64, nullable=True),
        _str("coordinator_id", 64, nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        _time("sent_at"),
        _time("answered_at", nullable=True),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_satisfaction_survey_score_range")),
        sa.ForeignKeyConstraint(
            ["coordinator_id"],
            ["coordinator.id"],
            name=op.f("fk_satisfaction_survey_coordinator_id_coordinator"),
        ),
        sa.ForeignKeyConstraint(["hub_id"], ["hub.id"], name=op.f("fk_satisfaction_survey_hub_id_hub")),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_satisfaction_survey_lead_id_lead")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_survey")),
        sa.UniqueConstraint("lead_id", name=op.f("uq_satisfaction_survey_lead_id")),
    )
    _index("satisfaction_survey", "coordinator_id")
    _index("satisfaction_survey", "hub_id")


def downgrade() -> None:
    # Dependants first; a table's indexes and constraints go with it.
    for table in (
        "satisfaction_survey",
        "outbox_event",
        "label_feedback",
        "conversation",
        "assignment",
        "lead",
        "processed_update",
        "model_version",
        "partner",
        "coordinator",
        "hub",
        "audit_log",
    ):
        op.drop_table(table)
