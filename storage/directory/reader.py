"""Reading a directory file (YAML or CSV) into raw records that remember their lines.

Nothing is interpreted here beyond the file's structure; `validate` checks the values.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from storage.errors import DirectoryFileError, Problem

SECTIONS = {"hubs": "hub", "coordinators": "coordinator", "partners": "partner"}
RECORD_KINDS = tuple(SECTIONS.values())
CSV_COLUMNS = (
    "record",
    "id",
    "hub",
    "name",
    "type",
    "kind",
    "prefecture",
    "municipality",
    "succession_center",
    "slack_channel",
    "slack_user",
    "qualifications",
    "specialities",
    "capacity",
    "active",
)
YAML_SUFFIXES = (".yaml", ".yml")
# libyaml's loader when PyYAML has it (ten times faster); both keep line marks.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(slots=True)
class RawRecord:
    """One entry as written: its kind, first line, fields and each field's line."""

    kind: str
    line: int
    fields: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, name: str) -> int:
        """The line of field ``name`` (the entry's first line when it is absent)."""
        return self.lines.get(name, self.line)


def read_records(path: Path) -> tuple[list[RawRecord], list[Problem]]:
    """Parse ``path`` by its suffix; file-level failures raise `DirectoryFileError`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DirectoryFileError([Problem(path, 0, f"cannot read the file: {exc.strerror}")]) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = "not UTF-8 text; save the file as UTF-8 (in Excel: 'CSV UTF-8')"
        raise DirectoryFileError([Problem(path, line, message)]) from exc
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        return _read_yaml(path, text)
    if suffix == ".csv":
        return _read_csv(path, text)
    raise DirectoryFileError([Problem(path, 0, f"unknown format '{suffix}'; use .yaml, .yml or .csv")])


def _read_yaml(path: Path, text: str) -> tuple[list[RawRecord], list[Problem]]:
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        return _walk_yaml(path, loader, root)
    except yaml.MarkedYAMLError as exc:
        # The context (e.g. where an unclosed bracket or quote began) is usually the typo;
        # the problem mark is where the parser gave up.
        mark = exc.context_mark or exc.problem_mark
        line = mark.line + 1 if mark is not None else 1
        message = f"not valid YAML: {exc.problem or exc}"
        if exc.context and exc.problem_mark is not None:
            message += f" ({exc.context} on line {line}; noticed on line {exc.problem_mark.line + 1})"
        raise DirectoryFileError([Problem(path, line, message)]) from exc
    except yaml.YAMLError as exc:
        raise DirectoryFileError([Problem(path, 1, f"not valid YAML: {exc}")]) from exc
    finally:
        loader.dispose()


def _walk_yaml(
    path: Path, loader: yaml.SafeLoader, root: yaml.Node | None
) -> tuple[list[RawRecord], list[Problem]]:
    expected = "expected a mapping with the sections hubs, coordinators and partners"
    if root is None:
        raise DirectoryFileError([Problem(path, 1, f"the file is empty; {expected}")])
    if not isinstance(root, yaml.MappingNode):
        raise DirectoryFileError([Problem(path, root.start_mark.line + 1, expected)])
    records: list[RawRecord] = []
    problems: list[Problem] = []
    seen_sections: set[str] = set()
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 1
        section = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if section not in SECTIONS:
            problems.append(Problem(path, line, f"unknown section {section!r}; {expected}"))
            continue
        if section in seen_sections:
            problems.append(Problem(path, line, f"section '{section}' appears twice"))
            continue
        seen_sections.add(section)
        if isinstance(value_node, yaml.ScalarNode) and value_node.tag.endswith(":null"):
            continue  # an empty section
        if not isinstance(value_node, yaml.SequenceNode):
            problems.append(Problem(path, line, f"section '{section}' must be a list of entries"))
            continue
        for item in value_node.value:
            record = _yaml_record(path, loader, SECTIONS[section], item, problems)
            if record is not None:
                records.append(record)
    return records, problems


def _yaml_record(
    path: Path, loader: yaml.SafeLoader, kind: str, item: yaml.Node, problems: list[Problem]
) -> RawRecord | None:
    line = item.start_mark.line + 1
    if not isinstance(item, yaml.MappingNode):
        problems.append(Problem(path, line, f"each {kind} must be a mapping of 'field: value' lines"))
        return None
    record = RawRecord(kind, line)
    for key_node, value_node in item.value:
        key_line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(Problem(path, key_line, "a field name must be plain text"))
            continue
        name = str(key_node.value)
        if name in record.fields:
            problems.append(Problem(path, key_line, f"field '{name}' appears twice in this {kind}"))
            continue
        record.fields[name] = loader.construct_object(value_node, deep=True)
        record.lines[name] = key_line
    return record


def _read_csv(path: Path, text: str) -> tuple[list[RawRecord], list[Problem]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration:
        raise DirectoryFileError(
            [Problem(path, 1, "the file is empty; the first line must be the header")]
        ) from None
    except csv.Error as exc:
        raise DirectoryFileError([Problem(path, 1, f"not valid CSV: {exc}")]) from exc
    problems = [
        Problem(path, 1, f"unknown column '{column}'; the columns are: {', '.join(CSV_COLUMNS)}")
        for column in header
        if column not in CSV_COLUMNS
    ]
    problems += [
        Problem(path, 1, f"column '{c}' appears twice") for c in sorted(set(header)) if header.count(c) > 1
    ]
    if "record" not in header:
        problems.append(Problem(path, 1, "the header needs a 'record' column (hub, coordinator or partner)"))
    if problems:
        raise DirectoryFileError(problems)
    records: list[RawRecord] = []
    previous_end = reader.line_num
    try:
        for row in reader:
            line, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                problems.append(Problem(path, line, f"expected {len(header)} columns, found {len(row)}"))
                continue
            cells = dict(zip(header, row, strict=True))
            kind = cells.pop("record").strip()
            if kind not in RECORD_KINDS:
                message = f"unknown record '{kind}'; use {', '.join(RECORD_KINDS)}"
                problems.append(Problem(path, line, message))
                continue
            fields = {name: value for name, value in cells.items() if value.strip() != ""}
            records.append(RawRecord(kind, line, fields, dict.fromkeys(fields, line)))
    except csv.Error as exc:
        problems.append(Problem(path, reader.line_num, f"not valid CSV: {exc}"))
    return records, problems
