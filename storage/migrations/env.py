"""Alembic environment: targets ``SQLModel.metadata`` with type comparison on.

Run programmatically by `storage.migrate` (which passes an open connection), or by the
``alembic`` command with ``alembic.ini`` (URL from ``-x url=...`` or ``sqlalchemy.url``).
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table)
from storage.engine import create_engine

config = context.config
target_metadata = SQLModel.metadata

# Any constant: several processes upgrading one PostgreSQL database take turns.
_ADVISORY_LOCK_KEY = 0x6D61646F  # "mado"

if config.config_file_name is not None:
    fileConfig(config.config_file_name)


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: pass -x url=... or set sqlalchemy.url")
    return url


def _configure(**kwargs: object) -> None:
    # transactional_ddl: SQLite can roll back DDL too (SQLAlchemy emits BEGIN, see
    # storage.engine), so a failed upgrade leaves the schema as it was on both databases.
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        transactional_ddl=True,
        **kwargs,  # type: ignore[arg-type]
    )


def run_migrations_offline() -> None:
    """Print the SQL instead of running it (``alembic upgrade --sql``)."""
    url = _url()
    _configure(url=url, literal_binds=True, render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_ADVISORY_LOCK_KEY})")
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate through the connection handed over by `storage.migrate`, or a new one."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_url())
    try:
        with engine.execution_options(madoguchi_write=True).connect() as new_connection:
            _run(new_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
