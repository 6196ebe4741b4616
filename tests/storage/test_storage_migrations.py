"""Alembic migrations: they agree with the models, go up and down, and guard old schemas."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from madoguchi.cli import main
from storage import migrate
from storage.database import Database
from storage.errors import SchemaOutOfDate


def test_autogenerate_finds_no_difference_between_models_and_migrations(db: Database) -> None:
    assert migrate.current_revision(db) == migrate.head_revision()
    assert migrate.schema_differences(db) == []


def test_upgrade_downgrade_and_upgrade_again(empty_database_url: str) -> None:
    database = Database.connect(empty_database_url)
    try:
        migrate.upgrade(database)
        tables = set(sa.inspect(database.engine).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables
        migrate.downgrade(database, "base")
        assert set(sa.inspect(database.engine).get_table_names()) <= {"alembic_version"}
        assert migrate.current_revision(database) is None
        migrate.upgrade(database)
        assert migrate.schema_differences(database) == []
    finally:
        database.dispose()


def test_ensure_schema_creates_an_empty_database_and_refuses_an_outdated_one(empty_database_url: str) -> None:
    database = Database.connect(empty_database_url)
    try:
        assert migrate.ensure_schema(database) is True
        assert migrate.ensure_schema(database) is False
        with database.write_engine.begin() as connection:
            connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0000'")
        with pytest.raises(SchemaOutOfDate, match="madoguchi db upgrade"):
            migrate.ensure_schema(database)
    finally:
        database.dispose()


def test_db_commands(
    empty_database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MADOGUCHI_HOME", str(tmp_path))
    monkeypatch.setenv("MADOGUCHI_DATABASE_URL", empty_database_url)
    head = migrate.head_revision()
    assert main(["db", "current"]) == 0
    assert f"empty (release {head}; run `madoguchi db upgrade`)" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert f"empty -> {head}" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert f"already at {head}" in capsys.readouterr().out
    assert main(["db", "check"]) == 0
    assert "matches the models" in capsys.readouterr().out
    assert main(["db", "current"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_commands_refuse_an_outdated_schema(
    empty_database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database = Database.connect(empty_database_url)
    migrate.upgrade(database)
    with database.write_engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0000'")
    database.dispose()
    monkeypatch.setenv("MADOGUCHI_HOME", str(tmp_path))
    monkeypatch.setenv("MADOGUCHI_DATABASE_URL", empty_database_url)
    assert main(["directory", "stats"]) == 2
    assert "run `madoguchi db upgrade`" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("url", "home", "reason"),
    [
        (
            "postgresql://nobody@127.0.0.1:1/x",
            None,
            "cannot open the database postgresql+psycopg://nobody@127.0.0.1:1/x",
        ),
        ("", "/proc/no-such-dir", "cannot create the folder of the database /proc/no-such-dir"),
    ],
    ids=["server-down", "unwritable-home"],
)
def test_an_unreachable_database_is_a_clear_error(
    url: str,
    home: str | None,
    reason: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MADOGUCHI_HOME", home or str(tmp_path))
    monkeypatch.setenv("MADOGUCHI_DATABASE_URL", url)
    for command in (["db", "current"], ["directory", "stats"]):
        assert main(command) == 2
        assert reason in capsys.readouterr().err
