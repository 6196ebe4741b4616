"""Reading the directory back from the database and writing it as YAML or CSV.

The output is the import format itself, so ``export`` then ``import`` changes nothing.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, col, select

from models import Coordinator, Hub, Partner
from storage.directory.entries import CoordinatorEntry, Directory, HubEntry, PartnerEntry
from storage.directory.reader import CSV_COLUMNS, YAML_SUFFIXES
from storage.errors import DirectoryFileError, Problem

HEADER = "madoguchi directory; format: docs/directory-format.md"


def read_directory(session: Session) -> Directory:
    """Every hub, coordinator and partner in the database (inactive ones too), by id."""
    hubs = session.exec(select(Hub).order_by(col(Hub.id)))
    coordinators = session.exec(select(Coordinator).order_by(col(Coordinator.id)))
    partners = session.exec(select(Partner).order_by(col(Partner.id)))
    return Directory(
        hubs=tuple(
            HubEntry(
                id=h.id,
                name=h.name,
                type=h.institution_type,
                prefecture=h.prefecture,
                municipality=h.municipality,
                succession_center=h.succession_center,
                slack_channel=h.slack_channel,
                active=h.active,
            )
            for h in hubs
        ),
        coordinators=tuple(
            CoordinatorEntry(
                id=c.id,
                hub=c.hub_id,
                name=c.name,
                kind=c.kind,
                qualifications=tuple(c.qualifications),
                specialities=tuple(c.specialities),
                capacity=c.capacity,
                slack_user=c.slack_user_id,
                active=c.active,
            )
            for c in coordinators
        ),
        partners=tuple(
            PartnerEntry(id=p.id, hub=p.hub_id, name=p.name, type=p.partner_type, active=p.active)
            for p in partners
        ),
    )


def write_directory(directory: Directory, path: Path, *, comment: str = HEADER) -> None:
    """Write ``directory`` to ``path`` as YAML or CSV, chosen by the suffix."""
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        text = dump_yaml(directory, comment=comment)
    elif suffix == ".csv":
        text = dump_csv(directory)
    else:
        raise DirectoryFileError([Problem(path, 0, f"unknown format '{suffix}'; use .yaml, .yml or .csv")])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")


class _FlowList(list[str]):
    """A list written on one line: ``[中小企業診断士, 税理士]``."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """libyaml's dumper when available; lists of names are written in flow style."""


_Dumper.add_representer(
    _FlowList, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)
)


def _entry_dict(entry: HubEntry | CoordinatorEntry | PartnerEntry) -> dict[str, Any]:
    """File fields of an entry; empty optional fields and ``active: true`` are left out."""
    out: dict[str, Any] = {}
    for name in entry.__slots__:
        value = getattr(entry, name)
        if value is None or (name == "active" and value is True):
            continue
        if isinstance(value, tuple):
            if not value:
                continue
            value = _FlowList(value)
        elif isinstance(value, str):
            value = str(value)  # enums as their plain values
        out[name] = value
    return out


def dump_yaml(directory: Directory, *, comment: str = HEADER) -> str:
    """The directory in the YAML import format."""
    document = {
        "hubs": [_entry_dict(h) for h in directory.hubs],
        "coordinators": [_entry_dict(c) for c in directory.coordinators],
        "partners": [_entry_dict(p) for p in directory.partners],
    }
    body = yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)
    header = "".join(f"# {line}\n" for line in comment.splitlines())
    return header + body


def dump_csv(directory: Directory) -> str:
    """The directory in the CSV import format (one file, a ``record`` column per row)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record, entries in (
        ("hub", directory.hubs),
        ("coordinator", directory.coordinators),
        ("partner", directory.partners),
    ):
        for entry in entries:
            row: dict[str, str] = {"record": record}
            for name, value in _entry_dict(entry).items():
                if isinstance(value, list):
                    row[name] = ";".join(value)
                elif isinstance(value, bool):
                    row[name] = "true" if value else "false"
                else:
                    row[name] = str(value)
            writer.writerow(row)
    return buffer.getvalue()
