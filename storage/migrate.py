"""Alembic migrations, run from Python (``madoguchi db upgrade`` and the tests use this).

The scripts live in ``storage/migrations``; ``alembic.ini`` at the repository root points
at the same directory for developers who use the ``alembic`` command directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from storage.database import Database
from storage.errors import SchemaOutOfDate

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    """An Alembic configuration for our scripts, with no ini file and no logging setup."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@contextmanager
def _migration_connection(database: Database) -> Iterator[Connection]:
    """A connection for migrating; on SQLite foreign keys are off while tables are rebuilt
    (Alembic's batch mode) and checked afterwards."""
    with database.write_engine.connect() as connection:
        raw = connection.connection.driver_connection if database.dialect == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            yield connection
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")
        if raw is not None:
            problems = raw.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"foreign key violations after migrating: {problems[:5]}")


def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema up to ``revision``; safe to run from several processes at once."""
    config = alembic_config()
    with _migration_connection(database) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(database: Database, revision: str) -> None:
    """Take the schema back to ``revision`` (``base`` drops every table)."""
    config = alembic_config()
    with _migration_connection(database) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def head_revision() -> str:
    """The newest revision among the scripts."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migration scripts found"
    return head


def current_revision(database: Database) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def ensure_schema(database: Database) -> bool:
    """Create the schema of an empty database (True when it did); refuse an outdated one.

    An existing database is only migrated on purpose (``madoguchi db upgrade``), after a
    backup, never as a side effect of another command.
    """
    current = current_revision(database)
    if current is None:
        upgrade(database)
        return True
    head = head_revision()
    if current != head:
        raise SchemaOutOfDate(
            f"the database schema is at revision {current} but this release needs {head}; "
            "back it up and run `madoguchi db upgrade`"
        )
    return False


def schema_differences(database: Database) -> list[Any]:
    """What Alembic's autogenerate would change: empty when models and database agree."""
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))
