"""The engine, built from one database URL.

SQLite (the default, a file under ``MADOGUCHI_HOME``) runs in WAL mode with a busy
timeout and foreign keys on. SQLAlchemy, not the sqlite3 driver, emits BEGIN, so a
transaction covers every statement; engines marked for writing (see
`storage.database.Database.unit_of_work`) begin with ``BEGIN IMMEDIATE``: the write lock
is taken up front and waits up to the busy timeout instead of failing half-way.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url

from storage.errors import DatabaseUnavailable

DEFAULT_DB_FILE = "madoguchi.db"
BUSY_TIMEOUT_S = 30.0
WRITE_OPTION = "madoguchi_write"


def resolve_database_url(database_url: str | None, home: Path) -> str:
    """The URL to use: ``database_url`` if set, else ``sqlite:///<home>/madoguchi.db``.

    ``postgres://`` and ``postgresql://`` are read as psycopg 3 URLs.
    """
    if not database_url:
        return f"sqlite:///{(home / DEFAULT_DB_FILE).resolve()}"
    url = make_url(database_url)
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def create_engine(url: str, *, busy_timeout_s: float = BUSY_TIMEOUT_S, echo: bool = False) -> Engine:
    """An engine for ``url`` with madoguchi's connection settings."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, pool_pre_ping=True, echo=echo)
    if parsed.database and parsed.database != ":memory:":
        folder = Path(parsed.database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            message = f"cannot create the folder of the database {folder}: {exc.strerror}"
            raise DatabaseUnavailable(message) from exc
    engine = sa.create_engine(parsed, echo=echo, connect_args={"timeout": busy_timeout_s})
    _configure_sqlite(engine, busy_timeout_s, in_memory=parsed.database in (None, "", ":memory:"))
    return engine


def _enable_wal(cursor: sqlite3.Cursor, timeout_s: float) -> None:
    """Switch the file to WAL (it stays so). While another process creates the same new
    file SQLite answers "locked" without waiting, so wait here, up to the busy timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _configure_sqlite(engine: Engine, busy_timeout_s: float, *, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        if not in_memory:
            _enable_wal(cursor, busy_timeout_s)
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
