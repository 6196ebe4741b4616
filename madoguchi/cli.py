"""The `madoguchi` command: one entry point, one error boundary."""

from __future__ import annotations

import logging
import sys

import click
import typer
from pydantic import ValidationError

from madoguchi.commands import nlp_commands
from madoguchi.context import AppContext
from madoguchi.errors import UserError, report_unexpected
from madoguchi.settings import load_settings
from nlp.corpus import DataFileError
from nlp.registry import ModelError
from nlp.taxonomy import TaxonomyError

app = typer.Typer(
    name="madoguchi",
    help="madoguchi (窓口): the intake desk for regional SME support hubs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
nlp_commands.register(app)

KNOWN_ERRORS = (UserError, DataFileError, ModelError, TaxonomyError)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; known errors become one clear line on stderr and exit code 2."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings()
    except ValidationError as exc:
        print(f"error: invalid settings: {exc}", file=sys.stderr)
        return 2
    try:
        app(args=argv, standalone_mode=False, obj=AppContext(settings))
    except KNOWN_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except click.exceptions.Exit as exc:
        return int(exc.exit_code or 0)
    except click.exceptions.Abort:
        print("aborted", file=sys.stderr)
        return 130
    except click.exceptions.ClickException as exc:
        exc.show()
        return exc.exit_code
    except Exception as exc:
        report_unexpected(exc, settings.debug)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
