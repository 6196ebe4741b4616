"""Model versions as the database knows them (the artifacts live in nlp's registry)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from models import ModelVersion, utcnow


def record_model_version(
    session: Session,
    *,
    version: str,
    sha256: str,
    examples: int,
    metrics: dict[str, Any],
    data_hash: str | None = None,
) -> ModelVersion:
    """Register a trained version (or update its record)."""
    row = session.get(ModelVersion, version) or ModelVersion(version=version, sha256=sha256)
    row.sha256, row.examples, row.metrics, row.data_hash = sha256, examples, dict(metrics), data_hash
    macro_f1 = metrics.get("macro_f1")
    row.macro_f1 = float(macro_f1) if isinstance(macro_f1, int | float) else None
    session.add(row)
    return row


def mark_current(session: Session, *, version: str) -> ModelVersion:
    """Make ``version`` the one current model."""
    row = session.get(ModelVersion, version)
    if row is None:
        raise KeyError(f"model version {version} is not registered")
    for other in session.exec(select(ModelVersion).where(col(ModelVersion.current).is_(True))):
        other.current = False
        session.add(other)
    row.current, row.promoted_at = True, utcnow()
    session.add(row)
    return row


def current_version(session: Session) -> ModelVersion | None:
    """The current model, if one was promoted."""
    return session.exec(select(ModelVersion).where(col(ModelVersion.current).is_(True))).first()
