"""Building the running pieces from the settings: database, directory, engine.

Only the composition root imports this; nothing below it knows how pieces are made.
"""

from __future__ import annotations

from bot.cases import Assigner
from bot.engine import Engine
from bot.flow import Flow
from madoguchi.directory_snapshot import snapshot_in
from madoguchi.settings import Settings
from nlp.taxonomy import Taxonomy
from nlp.understand import Understander
from routing import load_capabilities
from storage.database import Database


def build_engine(
    settings: Settings, database: Database, understander: Understander, taxonomy: Taxonomy
) -> Engine:
    """The dialogue engine every channel shares."""
    flow = Flow(taxonomy, understander.understand, max_chars=settings.max_problem_chars)
    capabilities = load_capabilities(settings.capabilities_file, taxonomy)
    assigner = Assigner(snapshot_in, capabilities, settings.sla_working_days)
    return Engine(database=database, flow=flow, assigner=assigner, taxonomy=taxonomy)
