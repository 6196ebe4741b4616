"""The engine and the unit of work: URLs, SQLite settings, UTC times, commit and rollback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from models import Coordinator, CoordinatorKind, Lead, LeadBase, OutboxEvent
from storage.database import Database
from storage.engine import resolve_database_url
from storage.repositories import leads, outbox

JST = timezone(timedelta(hours=9))


def lead_data(**overrides: object) -> LeadBase:
    values: dict[str, object] = {
        "channel": "console",
        "chat_id": "c1",
        "text": "後継者がいません",
        "label": "succession",
    }
    return LeadBase.model_validate({**values, **overrides})


def test_default_url_is_a_sqlite_file_under_home(tmp_path: Path) -> None:
    assert resolve_database_url(None, tmp_path) == f"sqlite:///{tmp_path.resolve()}/madoguchi.db"
    assert resolve_database_url("", tmp_path).endswith("/madoguchi.db")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:pw@db:5432/m", "postgresql+psycopg://u:pw@db:5432/m"),
        ("postgres://u@db/m", "postgresql+psycopg://u@db/m"),
        ("postgresql+psycopg://u@db/m", "postgresql+psycopg://u@db/m"),
        ("sqlite:////srv/m.db", "sqlite:////srv/m.db"),
    ],
)
def test_database_urls_are_normalised(given: str, expected: str, tmp_path: Path) -> None:
    assert resolve_database_url(given, tmp_path) == expected


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    database = Database.connect(f"sqlite:///{tmp_path / 'nested' / 'm.db'}")
    try:
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert (tmp_path / "nested" / "m.db").exists()
    finally:
        database.dispose()


def test_times_come_back_as_aware_utc(db: Database) -> None:
    created = datetime(2026, 4, 1, 9, 30, tzinfo=JST)
    with db.unit_of_work() as session:
        lead = leads.create_lead(session, data=lead_data(), actor="test")
        lead.created_at = created
        lead_id = lead.id
    with db.session() as session:
        stored = session.get(Lead, lead_id)
        assert stored is not None
        assert stored.created_at == created
        assert stored.created_at.tzinfo == UTC and stored.created_at.hour == 0


def test_a_naive_datetime_is_refused(db: Database) -> None:
    with pytest.raises(sa.exc.StatementError, match="naive datetime"), db.unit_of_work() as session:
        lead = leads.create_lead(session, data=lead_data(), actor="test")
        lead.created_at = datetime(2026, 4, 1, 9, 30)
        session.flush()


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(sa.exc.IntegrityError), db.unit_of_work() as session:
        session.add(Coordinator(id="c1", hub_id="no-such-hub", name="x", kind=CoordinatorKind.EXTERNAL))


def test_unit_of_work_commits_everything_or_nothing(db: Database) -> None:
    with db.unit_of_work() as session:
        lead = leads.create_lead(session, data=lead_data(), actor="test")
        outbox.enqueue(session, topic="lead.created", payload={"lead": lead.id}, lead_id=lead.id)
    with pytest.raises(RuntimeError, match="boom"), db.unit_of_work() as session:
        lead = leads.create_lead(session, data=lead_data(chat_id="c2"), actor="test")
        outbox.enqueue(session, topic="lead.created", payload={"lead": lead.id}, lead_id=lead.id)
        raise RuntimeError("boom")
    with db.session() as session:
        assert [lead.chat_id for lead in session.exec(select(Lead))] == ["c1"]
        assert len(list(session.exec(select(OutboxEvent)))) == 1


def test_a_read_session_never_commits(db: Database) -> None:
    with db.session() as session:
        leads.create_lead(session, data=lead_data(), actor="test")
        session.flush()
    with db.session() as session:
        assert session.exec(select(Lead)).first() is None
