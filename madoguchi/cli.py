"""The `madoguchi` command: one entry point, one error boundary."""

from __future__ import annotations

import logging
import sys

import typer
from pydantic import ValidationError

from madoguchi.commands import (
    chat_commands,
    db_commands,
    directory_commands,
    nlp_commands,
    privacy_commands,
    report_commands,
    review_commands,
    route_commands,
    serve_commands,
)
from madoguchi.context import AppContext
from madoguchi.errors import UserError, report_unexpected
from madoguchi.settings import load_settings
from nlp.corpus import DataFileError
from nlp.mecab import MecabUnavailableError
from nlp.registry import ModelError
from nlp.taxonomy import TaxonomyError
from nlp.vectors import WordVectorsError
from storage.errors import DatabaseUnavailable, DirectoryFileError, SchemaOutOfDate

app = typer.Typer(
    name="madoguchi",
    help="madoguchi (窓口): the intake desk for regional SME support hubs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
chat_commands.register(app)
serve_commands.register(app)
nlp_commands.register(app)
route_commands.register(app)
db_commands.register(app)
directory_commands.register(app)
report_commands.register(app)
privacy_commands.register(app)
review_commands.register(app)

KNOWN_ERRORS = (
    UserError,
    DataFileError,
    ModelError,
    TaxonomyError,
    DirectoryFileError,
    SchemaOutOfDate,
    DatabaseUnavailable,
    MecabUnavailableError,  # a broken fugashi/MeCab install: say what is missing
    WordVectorsError,  # nlp/word_vectors.npz missing or damaged
)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; known errors become one clear line on stderr and exit code 2."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings()
    except ValidationError as exc:
        print(f"error: invalid settings: {exc}", file=sys.stderr)
        return 2
    try:
        # without standalone mode, click returns the code of `raise typer.Exit(code)`
        code = app(args=argv, standalone_mode=False, obj=AppContext(settings))
    except KNOWN_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        print("aborted", file=sys.stderr)
        return 130
    except typer.TyperException as exc:  # usage errors: unknown option, missing argument...
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            print(f"error: {exc.format_message()}", file=sys.stderr)
        return int(exc.exit_code)
    except Exception as exc:
        report_unexpected(exc, settings.debug)
        return 1
    return int(code) if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
