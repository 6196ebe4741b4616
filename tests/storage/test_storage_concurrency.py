"""Two processes writing at once lose nothing, on SQLite (WAL, BEGIN IMMEDIATE, busy
timeout) and on PostgreSQL (row locks); two processes creating one fresh schema agree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlmodel import select

from models import Conversation, Lead, OutboxEvent
from storage import migrate
from storage.database import Database

WRITER = Path(__file__).with_name("storage_lead_writer.py")
LEADS_PER_WRITER = 100


def run_writers(url: str, tmp_path: Path, count: int, *extra: str) -> None:
    start = tmp_path / "start"
    processes = [
        subprocess.Popen(
            [sys.executable, str(WRITER), url, writer, str(count), str(start), *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for writer in ("a", "b")
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "ready", (
                process.stderr.read() if process.stderr else ""
            )
        start.touch()  # both are connected and waiting: go
        results = [process.communicate(timeout=120) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    for process, (out, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err
        assert out.strip() == "done"


def check_nothing_lost(database: Database, count: int) -> None:
    with database.session() as session:
        keys = {lead.idempotency_key for lead in session.exec(select(Lead))}
        assert keys == {f"{w}:{n}" for w in ("a", "b") for n in range(count)}
        events = list(session.exec(select(OutboxEvent)))
        assert len(events) == 2 * count and {e.lead_id for e in events} == {
            lead.id for lead in session.exec(select(Lead))
        }
        shared = session.exec(select(Conversation).where(Conversation.chat_id == "shared")).one()
        assert shared.version == 2 * count  # no lost update of the shared row


def test_two_processes_write_leads_at_once_and_lose_nothing(db: Database, tmp_path: Path) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    run_writers(url, tmp_path, LEADS_PER_WRITER)
    check_nothing_lost(db, LEADS_PER_WRITER)


def test_two_processes_create_a_fresh_schema_together(empty_database_url: str, tmp_path: Path) -> None:
    run_writers(empty_database_url, tmp_path, 20, "--migrate")
    database = Database.connect(empty_database_url)
    try:
        assert migrate.current_revision(database) == migrate.head_revision()
        check_nothing_lost(database, 20)
    finally:
        database.dispose()
