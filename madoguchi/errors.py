"""Errors the command line reports as one clear line, and the last-resort reporter."""

from __future__ import annotations

import logging

log = logging.getLogger("madoguchi")


class UserError(RuntimeError):
    """Something the user can fix: a bad argument, a missing file, empty text."""


def report_unexpected(exc: BaseException, debug: bool) -> None:
    """Log an unexpected failure by type only (its message may contain personal data).

    With MADOGUCHI_DEBUG=1 (``debug``) the traceback is logged too, for developers.
    """
    if debug:
        log.exception("unexpected error")
    else:
        log.error("unexpected error (%s); set MADOGUCHI_DEBUG=1 for details", type(exc).__name__)
