"""`madoguchi directory`: import, export, sample and statistics of the hub directory."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from madoguchi.context import AppContext
from madoguchi.errors import UserError

if TYPE_CHECKING:
    from storage.database import Database
    from storage.directory import ImportSummary

directory_app = typer.Typer(help="The directory of hubs, coordinators and partners.", no_args_is_help=True)

ACTOR = "cli:directory"
SAMPLE_COMMENT = (
    "SAMPLE DATA built by `madoguchi directory sample`: every hub, coordinator and partner\n"
    "is fictional (names start with 【サンプル】, Slack ids contain SAMPLE).\n"
    "Format: docs/directory-format.md"
)


def _database(ctx: typer.Context) -> Database:
    """The ready database, its connections closed when the command ends."""
    app_ctx: AppContext = ctx.obj
    database = app_ctx.ready_database()
    ctx.call_on_close(database.dispose)
    return database


def _categories(app_ctx: AppContext) -> list[str]:
    """Category ids a coordinator may list as specialities (the routable ones)."""
    return [c.id for c in app_ctx.taxonomy.categories if c.routable]


def _report(summary: ImportSummary, source: str, *, dry_run: bool) -> None:
    verb = "would change" if dry_run else "changed"
    if not summary.changed:
        counts = ", ".join(f"{n} {kind}" for kind, n in summary.unchanged.items())
        typer.echo(f"{source}: no changes ({counts} as in the file)")
        return
    typer.echo(f"{source}: {verb}")
    for kind in summary.created:
        typer.echo(
            f"  {kind:<13} {summary.created[kind]:>5} new  {summary.updated[kind]:>5} updated  "
            f"{summary.deactivated[kind]:>5} deactivated  {summary.unchanged[kind]:>5} unchanged"
        )


@directory_app.command("import")
def directory_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Directory file (.yaml, .yml or .csv).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and show changes; write nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as one JSON object.")] = False,
) -> None:
    """Validate FILE completely, then make the directory equal to it (all or nothing).

    New entries are added, changed ones updated in place, missing ones deactivated.
    Any mistake is reported with its line, and then nothing changes.
    """
    from storage.directory import import_directory, load_directory

    app_ctx: AppContext = ctx.obj
    directory = load_directory(file, categories=_categories(app_ctx))
    database = _database(ctx)
    scope = database.session() if dry_run else database.unit_of_work()  # a read session rolls back
    with scope as session:
        summary = import_directory(session, directory=directory, actor=ACTOR)
    if as_json:
        typer.echo(json.dumps({"file": str(file), "dry_run": dry_run, **summary.as_dict()}))
    else:
        _report(summary, str(file), dry_run=dry_run)


@directory_app.command("export")
def directory_export(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Where to write (.yaml, .yml or .csv).")],
) -> None:
    """Write the whole directory (inactive entries too) in the import format."""
    from storage.directory import read_directory, write_directory

    with _database(ctx).session() as session:
        directory = read_directory(session)
    write_directory(directory, file)
    typer.echo(
        f"{file}: {len(directory.hubs)} hubs, {len(directory.coordinators)} coordinators, "
        f"{len(directory.partners)} partners"
    )


@directory_app.command("sample")
def directory_sample(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option("--out", help="Write the sample to this file instead.")] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Import even if the database holds a non-sample directory.")
    ] = False,
) -> None:
    """Build the programme-shaped sample directory and import it (or write it with --out).

    316 hubs, 800 coordinators, 2,040 partners, all fictional; the same every time.
    """
    from storage.directory import build_sample, import_directory, write_directory
    from storage.directory.entries import SAMPLE_MARK
    from storage.repositories import directory as directory_repo

    directory = build_sample()
    if out is not None:
        write_directory(directory, out, comment=SAMPLE_COMMENT)
        typer.echo(
            f"{out}: sample directory, {len(directory.hubs)} hubs, {len(directory.coordinators)} "
            f"coordinators, {len(directory.partners)} partners"
        )
        return
    with _database(ctx).unit_of_work() as session:
        real = [h.id for h in directory_repo.list_hubs(session) if not h.name.startswith(SAMPLE_MARK)]
        if real and not replace:
            raise UserError(
                f"the database holds a real directory ({len(real)} active hubs not from the sample); "
                "importing the sample would deactivate them. Use --out FILE, or --replace"
            )
        summary = import_directory(session, directory=directory, actor=ACTOR)
    _report(summary, "sample directory", dry_run=False)


@directory_app.command("stats")
def directory_stats_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Counts of the active directory: hubs by type, region and prefecture, coordinators, partners."""
    from storage.directory import directory_stats, format_stats

    with _database(ctx).session() as session:
        stats = directory_stats(session)
    if as_json:
        sys.stdout.write(json.dumps(stats, ensure_ascii=False) + "\n")
    else:
        typer.echo(format_stats(stats))


def register(app: typer.Typer) -> None:
    """Attach these commands to the root CLI."""
    app.add_typer(directory_app, name="directory")
