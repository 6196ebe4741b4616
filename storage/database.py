"""`Database`: the engine plus the two ways to use it — a read session and a unit of work.

Repositories (``storage.repositories``) take a session and never commit; the unit of work
is the one place that commits, so a lead and its outbox event land together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage.engine import WRITE_OPTION, create_engine
from storage.errors import DatabaseUnavailable


class Database:
    """One database, opened from a URL; build it in `main()` and pass it down."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._write_engine = engine.execution_options(**{WRITE_OPTION: True})

    @classmethod
    def connect(cls, url: str) -> Database:
        """Open the database at ``url`` (nothing is created until first use)."""
        return cls(create_engine(url))

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        """The URL with any password masked, fit for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def write_engine(self) -> Engine:
        """The engine that begins transactions ready to write (``BEGIN IMMEDIATE`` on SQLite)."""
        return self._write_engine

    def check_connection(self) -> None:
        """Connect once; raise `DatabaseUnavailable` with the driver's reason if that fails."""
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
            lines = str(exc.orig or exc).strip().splitlines()  # the driver's words, never SQL
            reason = lines[0] if lines else type(exc).__name__
            raise DatabaseUnavailable(f"cannot open the database {self.display_url}: {reason}") from exc

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for reading; whatever it changed is rolled back at the end."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session whose changes are committed together on success, rolled back on error."""
        with Session(self._write_engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
