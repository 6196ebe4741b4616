"""Building the running pieces from the settings: database, directory, engine.

Only the composition root imports this; nothing below it knows how pieces are made.
"""

from __future__ import annotations

import sys

from sqlmodel import Session

from bot.cases import Assigner
from bot.engine import Engine
from bot.flow import Flow
from madoguchi.directory_snapshot import snapshot_from_rows
from madoguchi.settings import Settings
from nlp.taxonomy import Taxonomy
from nlp.understand import Understander
from routing import DirectorySnapshot, load_capabilities
from storage.database import Database
from storage.directory.importer import import_directory
from storage.directory.sample import build_sample
from storage.repositories import directory as directory_repo


def ensure_directory(database: Database) -> bool:
    """Import the sample directory into an empty database (True when it did)."""
    with database.session() as session:
        if not directory_repo.is_empty(session):
            return False
    print("拠点名簿が空のため、サンプルの名簿（架空のデータ）を用意しています…", file=sys.stderr)
    with database.unit_of_work() as session:
        import_directory(session, directory=build_sample(), actor="sample")
    return True


def read_directory(session: Session) -> DirectorySnapshot:
    """The active directory and current loads, as seen inside ``session``."""
    return snapshot_from_rows(
        hubs=directory_repo.list_hubs(session),
        coordinators=directory_repo.list_coordinators(session),
        partners=directory_repo.list_partners(session),
        open_cases=directory_repo.open_case_counts(session),
    )


def build_engine(
    settings: Settings, database: Database, understander: Understander, taxonomy: Taxonomy
) -> Engine:
    """The dialogue engine every channel shares."""
    flow = Flow(taxonomy, understander.understand, max_chars=settings.max_problem_chars)
    capabilities = load_capabilities(settings.capabilities_file, taxonomy)
    assigner = Assigner(read_directory, capabilities, settings.sla_working_days)
    return Engine(database=database, flow=flow, assigner=assigner, taxonomy=taxonomy)
