"""Writing a validated `Directory` to the database: insert, update in place, deactivate.

Rows are never deleted, so leads keep pointing at the hub and coordinator that handled
them. Re-importing the same directory changes nothing (not even ``updated_at``); every
change is audited with its old and new values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, cast

from sqlmodel import Session, SQLModel, select

from models import Coordinator, Hub, Partner, utcnow
from storage.directory.entries import CoordinatorEntry, Directory, HubEntry, PartnerEntry
from storage.repositories import audit

KINDS = ("hubs", "coordinators", "partners")


@dataclass
class ImportSummary:
    """How many rows of each kind were created, updated, deactivated or left as they were."""

    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    deactivated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    @property
    def changed(self) -> bool:
        """True when the import wrote anything."""
        return any(sum(counts.values()) for counts in (self.created, self.updated, self.deactivated))

    def as_dict(self) -> dict[str, dict[str, int]]:
        """The counts, for ``--json`` output."""
        return {
            "created": dict(self.created),
            "updated": dict(self.updated),
            "deactivated": dict(self.deactivated),
            "unchanged": dict(self.unchanged),
        }


class _Row(Protocol):
    id: str
    active: bool
    updated_at: datetime


def import_directory(session: Session, *, directory: Directory, actor: str) -> ImportSummary:
    """Make the database's directory equal to ``directory`` (does not commit)."""
    summary = ImportSummary()
    _sync(session, Hub, "hubs", directory.hubs, summary, actor)
    session.flush()  # hubs first: coordinators and partners refer to them
    _sync(session, Coordinator, "coordinators", directory.coordinators, summary, actor)
    _sync(session, Partner, "partners", directory.partners, summary, actor)
    session.flush()
    return summary


def _sync(
    session: Session,
    model: type[Hub] | type[Coordinator] | type[Partner],
    kind: str,
    entries: Sequence[HubEntry | CoordinatorEntry | PartnerEntry],
    summary: ImportSummary,
    actor: str,
) -> None:
    entity = kind[:-1]
    rows = cast(list[_Row], list(session.exec(select(model))))
    existing = {row.id: row for row in rows}
    now = utcnow()
    new_rows: list[SQLModel] = []
    for entry in entries:
        values = entry.columns()
        row = existing.pop(entry.id, None)
        if row is None:
            new_rows.append(model(**values, created_at=now, updated_at=now))
            audit.record(session, actor=actor, action="created", entity=entity, entity_id=entry.id)
            summary.created[kind] += 1
            continue
        changes = _differences(row, values)
        if not changes:
            summary.unchanged[kind] += 1
            continue
        for name, (_old, new) in changes.items():
            setattr(row, name, new)
        row.updated_at = now
        session.add(row)
        audit.record(
            session, actor=actor, action="updated", entity=entity, entity_id=entry.id, changes=changes
        )
        summary.updated[kind] += 1
    session.add_all(new_rows)
    for row_id, row in sorted(existing.items()):
        if row.active:
            row.active = False
            row.updated_at = now
            session.add(row)
            audit.record(
                session,
                actor=actor,
                action="deactivated",
                entity=entity,
                entity_id=row_id,
                changes={"active": [True, False]},
            )
            summary.deactivated[kind] += 1
        else:
            summary.unchanged[kind] += 1


def _differences(row: _Row, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose stored value differs from ``values``, as ``{field: [old, new]}``."""
    changes: dict[str, list[Any]] = {}
    for name, new in values.items():
        old = getattr(row, name)
        if _plain(old) != _plain(new):
            changes[name] = [_plain(old), _plain(new)]
    return changes


def _plain(value: Any) -> Any:
    """A JSON-friendly form for comparing and auditing (str enums become plain str)."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, str) else value
