"""`madoguchi report`: the programme's published figures as an HTML page or JSON."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from madoguchi.context import AppContext
from madoguchi.errors import UserError
from models import utcnow

PAGE = "index.html"


def _prepare_out(out: Path) -> Path:
    """Create ``out`` and prove it is writable before any figure is computed."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-check."):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UserError(f"cannot write the report to {out}: {reason}") from exc
    return out


def _write(path: Path, text: str) -> None:
    """Write atomically: a reader sees the old page or the new one, never half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # a page to publish: readable by the web server (mkstemp makes 0600)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UserError(f"cannot write {path}: {exc.strerror or type(exc).__name__}") from exc


def report_command(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option("--out", help="Directory for index.html (created when missing).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as one JSON document.")] = False,
    min_responses: Annotated[
        int | None,
        typer.Option("--min-responses", min=1, help="Fewest answers a figure needs to be ranked "
                     "(default MADOGUCHI_REPORT_MIN_RESPONSES)."),
    ] = None,
    comments: Annotated[
        bool, typer.Option("--comments", help="Add owners' survey comments (redacted; internal use).")
    ] = False,
    first: Annotated[
        str | None, typer.Option("--from", help="First month YYYY-MM (Japan time) of leads to count.")
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="Last month YYYY-MM (Japan time), included.")
    ] = None,
) -> None:
    """Write the report (volumes, acceptance times, satisfaction, model quality) to --out DIR."""
    from reports.collect import make_report
    from reports.compute import months_period, parse_month
    from reports.page import render

    if out is None and not as_json:
        raise UserError("say where to write the report: --out DIR (or --json for the figures on stdout)")
    try:
        first, last = (parse_month(m) if m else None for m in (first, last))
        months_period(first, last)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    target = _prepare_out(out) if out is not None else None
    app_ctx: AppContext = ctx.obj
    database = app_ctx.ready_database()
    ctx.call_on_close(database.dispose)
    report = make_report(
        database,
        app_ctx.registry,
        app_ctx.taxonomy,
        min_responses=min_responses or app_ctx.settings.report_min_responses,
        now=utcnow(),
        with_comments=comments,
        first_month=first,
        last_month=last,
    )
    if target is not None:
        _write(target / PAGE, render(report))
        print(f"wrote {target / PAGE}", file=sys.stderr if as_json else sys.stdout)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))


def register(app: typer.Typer) -> None:
    """Attach this command to the root CLI."""
    app.command("report")(report_command)
