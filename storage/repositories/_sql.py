"""Small SQL helpers shared by the repositories."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


def insert_ignore(session: Session, model: type[SQLModel], values: dict[str, Any]) -> bool:
    """INSERT a row unless it would break a unique key; True when the row was inserted.

    Race-free on both databases (``ON CONFLICT DO NOTHING``), unlike select-then-insert.
    """
    table = model.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    key = next(iter(table.primary_key.columns))
    statement = builder(table).values(**values).on_conflict_do_nothing().returning(key)
    return session.connection().execute(statement).first() is not None
