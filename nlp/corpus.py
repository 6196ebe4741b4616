"""Labelled examples: the repository corpus and evaluation files (JSON Lines)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path


class DataFileError(ValueError):
    """A data file is missing or has a bad line; the message names file and line."""


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled inquiry."""

    text: str
    label: str
    secondary: tuple[str, ...] = field(default=())
    style: str | None = None
    source: str = "corpus"


def read_examples(path: Path, labels: Iterable[str]) -> list[Example]:
    """Read ``text``/``label`` lines from a JSONL file, validating every line.

    Other fields are ignored except ``secondary`` and ``style``. Blank lines are skipped.
    """
    known = set(labels)
    if not path.is_file():
        raise DataFileError(f"{path}: file not found")
    examples: list[Example] = []
    for number, line in _lines(path):
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataFileError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(raw, dict):
            raise DataFileError(f"{path}:{number}: expected a JSON object")
        text, label = raw.get("text"), raw.get("label")
        if not isinstance(text, str) or not text.strip():
            raise DataFileError(f"{path}:{number}: 'text' must be a non-empty string")
        if label not in known:
            raise DataFileError(f"{path}:{number}: unknown label {label!r}")
        secondary = raw.get("secondary") or []
        if not isinstance(secondary, list) or any(s not in known for s in secondary):
            raise DataFileError(f"{path}:{number}: 'secondary' must list known labels")
        style = raw.get("style")
        examples.append(
            Example(
                text=text,
                label=str(label),
                secondary=tuple(s for s in secondary if s != label),
                style=str(style) if style is not None else None,
            )
        )
    return examples


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        content = path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    for number, line in enumerate(content.splitlines(), start=1):
        if line.strip():
            yield number, line


def load_corpus(directory: Path, labels: Iterable[str]) -> list[Example]:
    """Every ``*.jsonl`` file of the corpus directory, in file-name order."""
    files = sorted(directory.glob("*.jsonl"))
    if not files:
        raise DataFileError(f"{directory}: no *.jsonl corpus files")
    label_list = list(labels)
    return [example for path in files for example in read_examples(path, label_list)]
