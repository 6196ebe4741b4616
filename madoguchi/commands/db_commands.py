"""`madoguchi db`: the database schema (Alembic migrations, run from Python)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from madoguchi.context import AppContext

if TYPE_CHECKING:
    from storage.database import Database


def _database(ctx: typer.Context) -> Database:
    """The configured database as it is, its connections closed when the command ends."""
    app_ctx: AppContext = ctx.obj
    ctx.call_on_close(app_ctx.database.dispose)
    app_ctx.database.check_connection()
    return app_ctx.database


db_app = typer.Typer(help="The database: create it and keep its schema current.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Create the database or bring its schema up to REVISION (back up production first)."""
    from storage import migrate

    database = _database(ctx)
    before = migrate.current_revision(database)
    migrate.upgrade(database, revision)
    after = migrate.current_revision(database)
    if before == after:
        typer.echo(f"{database.display_url}: already at {after}")
    else:
        typer.echo(f"{database.display_url}: {before or 'empty'} -> {after}")


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Print the schema revision of the database and of this release."""
    from storage import migrate

    database = _database(ctx)
    current = migrate.current_revision(database)
    head = migrate.head_revision()
    state = "up to date" if current == head else "run `madoguchi db upgrade`"
    typer.echo(f"{database.display_url}: {current or 'empty'} (release {head}; {state})")


@db_app.command("check")
def db_check(ctx: typer.Context) -> None:
    """Compare the database with the models; exit 1 when they differ."""
    from storage import migrate

    differences = migrate.schema_differences(_database(ctx))
    for difference in differences:
        typer.echo(f"differs: {difference}")
    if differences:
        raise typer.Exit(1)
    typer.echo("the database matches the models")


def register(app: typer.Typer) -> None:
    """Attach these commands to the root CLI."""
    app.add_typer(db_app, name="db")
