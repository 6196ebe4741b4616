"""The routing snapshot of the directory, read from the database.

Routing is pure and never reads storage; this module, in the composition layer, turns the
stored hubs, coordinators, partners and open cases into a ``routing.DirectorySnapshot``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping

from sqlmodel import Session

import models
from routing import Coordinator, CoordinatorKind, DirectorySnapshot, Hub
from storage.database import Database
from storage.repositories import directory as directory_repo

SAMPLE_ACTOR = "route:sample"  # who the audit log says imported an automatic sample


def snapshot_from_rows(
    *,
    hubs: Iterable[models.Hub],
    coordinators: Iterable[models.Coordinator],
    partners: Iterable[models.Partner],
    open_cases: Mapping[str, int],
) -> DirectorySnapshot:
    """A snapshot of stored rows; coordinators of hubs not given are left out."""
    partner_types: dict[str, set[str]] = {}
    for partner in partners:
        if partner.active:
            partner_types.setdefault(partner.hub_id, set()).add(str(partner.partner_type))
    routed_hubs = tuple(
        Hub(
            id=hub.id,
            name=hub.name,
            institution_type=str(hub.institution_type),
            prefecture=hub.prefecture,
            region=hub.region,
            municipality=hub.municipality,
            succession_center=hub.succession_center,
            active=hub.active,
            partner_types=frozenset(partner_types.get(hub.id, ())),
        )
        for hub in hubs
    )
    known = {hub.id for hub in routed_hubs}
    people = tuple(
        Coordinator(
            id=person.id,
            hub_id=person.hub_id,
            name=person.name,
            kind=CoordinatorKind(str(person.kind)),
            qualifications=tuple(person.qualifications),
            specialities=frozenset(person.specialities),
            capacity=person.capacity,
            open_cases=open_cases.get(person.id, 0),
            active=person.active,
        )
        for person in coordinators
        if person.hub_id in known
    )
    return DirectorySnapshot(routed_hubs, people)


def snapshot_in(session: Session) -> DirectorySnapshot:
    """The active directory and current loads, as seen inside ``session``."""
    return snapshot_from_rows(
        hubs=directory_repo.list_hubs(session),
        coordinators=directory_repo.list_coordinators(session),
        partners=directory_repo.list_partners(session),
        open_cases=directory_repo.open_case_counts(session),
    )


def read_snapshot(database: Database) -> DirectorySnapshot:
    """The active directory as it is in the database now."""
    with database.session() as session:
        return snapshot_in(session)


def ensure_directory(database: Database) -> bool:
    """Give a database that never had a directory the sample one (True when it did), so
    that a fresh checkout can chat and route at once."""
    with database.session() as session:
        if not directory_repo.is_empty(session):
            return False
    from storage.directory import build_sample, import_directory

    with database.unit_of_work() as session:
        if not directory_repo.is_empty(session):  # another process may have been quicker
            return False
        print("拠点名簿が空のため、サンプルの名簿を作成しています（架空のデータです）…", file=sys.stderr)
        import_directory(session, directory=build_sample(), actor=SAMPLE_ACTOR)
    return True


def load_snapshot(database: Database) -> DirectorySnapshot:
    """The snapshot of ``database`` (schema ready), with the sample directory on first use."""
    ensure_directory(database)
    return read_snapshot(database)
