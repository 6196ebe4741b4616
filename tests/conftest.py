"""Database fixtures: every test that takes ``db`` runs on SQLite and on PostgreSQL.

- ``database_url`` (per test session and backend): a migrated database of its own. For
  PostgreSQL a uniquely named database (``madoguchi_test_<pid>_<random>``) is created on
  127.0.0.1:5432 and dropped at the end, so ``pytest -n 2`` workers never collide.
- ``db``: a `storage.database.Database` on it, emptied before each test.
- ``empty_database_url``: a brand-new database with no tables (migration tests).

PostgreSQL unreachable: the tests fail when the environment variable CI is set, and are
skipped (with the reason) otherwise. ``MADOGUCHI_TEST_POSTGRES_URL`` overrides the server
(an admin URL whose user may create databases).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from storage import migrate
from storage.database import Database
from tests.fakes.slack_api import FakeSlack
from tests.fakes.telegram_api import FakeTelegram

BACKENDS = ("sqlite", "postgresql")
POSTGRES_CANDIDATES = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
)


def _reachable_postgres() -> tuple[str | None, str]:
    """The first admin URL that answers, or None and the last error."""
    override = os.environ.get("MADOGUCHI_TEST_POSTGRES_URL")
    error = "no candidate URL"
    for url in (override,) if override else POSTGRES_CANDIDATES:
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
            return url, ""
        except sa.exc.OperationalError as exc:
            error = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        finally:
            engine.dispose()
    return None, error


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """An admin URL of the test PostgreSQL server (fails under CI when unreachable)."""
    url, error = _reachable_postgres()
    if url is None:
        message = f"the test PostgreSQL server is not reachable ({error})"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI is set, so database tests must run on PostgreSQL too")
        pytest.skip(f"{message}; set CI=1 to make this a failure")
    return url


def _create_postgres_database(admin_url: str) -> str:
    name = f"madoguchi_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(admin_url: str, url: str) -> None:
    name = make_url(url).database
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


def _migrated(url: str) -> str:
    database = Database.connect(url)
    try:
        migrate.upgrade(database)
    finally:
        database.dispose()
    return url


@pytest.fixture(scope="session")
def migrated_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite file for the whole session."""
    return _migrated(f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'madoguchi.db'}")


@pytest.fixture(scope="session")
def migrated_postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A migrated PostgreSQL database of this session (one per xdist worker), dropped at the end."""
    url = _create_postgres_database(postgres_admin_url)
    yield _migrated(url)
    _drop_postgres_database(postgres_admin_url, url)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """A migrated database for this test session, on each backend."""
    url: str = request.getfixturevalue(f"migrated_{request.param}_url".replace("postgresql", "postgres"))
    return url


def _empty_tables(database: Database) -> None:
    tables = [table.name for table in reversed(SQLModel.metadata.sorted_tables)]
    with database.write_engine.begin() as connection:
        if database.dialect == "postgresql":
            connection.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                connection.exec_driver_sql(f"DELETE FROM {table}")


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """The session's database, emptied for this test."""
    database = Database.connect(database_url)
    _empty_tables(database)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def spare_postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """One more PostgreSQL database of this session, emptied for each test that wants an
    empty one (resetting a schema is much faster than dropping a database)."""
    url = _create_postgres_database(postgres_admin_url)
    yield url
    _drop_postgres_database(postgres_admin_url, url)


def _reset_postgres_database(url: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database without any table, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    url: str = request.getfixturevalue("spare_postgres_url")
    _reset_postgres_database(url)
    yield url


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """A fake Slack Web API on 127.0.0.1."""
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    """A fake Telegram Bot API on 127.0.0.1."""
    server = FakeTelegram().start()
    yield server
    server.stop()
