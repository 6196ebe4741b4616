"""The audit log: who changed what (never personal data)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from models import AuditLog


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int,
    changes: dict[str, Any] | None = None,
) -> AuditLog:
    """Add one audit row; ``changes`` maps a field to ``[old, new]``."""
    row = AuditLog(actor=actor, action=action, entity=entity, entity_id=str(entity_id), changes=changes)
    session.add(row)
    return row


def history(session: Session, *, entity: str, entity_id: str | int) -> list[AuditLog]:
    """Every audit row of one entity, oldest first."""
    statement = (
        select(AuditLog)
        .where(AuditLog.entity == entity, AuditLog.entity_id == str(entity_id))
        .order_by(col(AuditLog.id))
    )
    return list(session.exec(statement))
