"""The JSON-lines form shared by `classify` and `route`: one input line, one output line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import typer

from nlp.understand import EmptyTextError


class LineError(ValueError):
    """An input line that cannot be handled; the message says why."""


def emit(data: dict[str, Any]) -> None:
    """Write one JSON object as a line and flush it (consumers read as we go)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def each_line(handle: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """Answer every stdin line {"text": ...} with ``handle``'s object, or with
    {"line": N, "error": ...} (also on stderr); exit 1 at the end if any line failed."""
    failures = 0
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        error = None
        try:
            item = json.loads(raw.decode("utf-8"))
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise LineError('expected an object with a string "text"')
            emit(handle(item))
        except UnicodeDecodeError:
            error = "not UTF-8 text"
        except json.JSONDecodeError as exc:
            error = f"not valid JSON ({exc.msg})"
        except EmptyTextError:
            error = "the text is empty"
        except LineError as exc:
            error = str(exc)
        if error is not None:
            failures += 1
            print(f"error: stdin line {number}: {error}", file=sys.stderr)
            emit({"line": number, "error": error})
    if failures:
        raise typer.Exit(1)
