"""Shared setup of the Slack tests: the example directory and routed leads."""

from __future__ import annotations

from bot.cases import Assigner
from madoguchi.directory_snapshot import snapshot_in
from models import Lead, LeadBase
from nlp.taxonomy import Taxonomy
from routing import load_capabilities
from storage.database import Database
from storage.directory.importer import import_directory
from storage.directory.validate import load_directory
from storage.repositories import leads
from tests.support import EXAMPLE_DIRECTORY

HOSTILE = "<!channel> 松本市で町工場をやっています。<@U999> 息子が継がないので <http://evil.example|ここ> & 悩んでいます"


def load_example(db: Database, taxonomy: Taxonomy) -> None:
    with db.unit_of_work() as session:
        import_directory(session, directory=load_directory(EXAMPLE_DIRECTORY, categories=taxonomy.ids), actor="test")


def assigner(taxonomy: Taxonomy) -> Assigner:
    return Assigner(snapshot_in, load_capabilities(taxonomy=taxonomy), 2)


def routed_lead(db: Database, taxonomy: Taxonomy, *, label: str = "succession", text: str = HOSTILE,
                chat_id: str = "4242", channel: str = "telegram", prefecture: str = "長野県",
                municipality: str | None = "松本市") -> int:
    """A lead created and routed as the engine does it (with its outbox event)."""
    with db.unit_of_work() as session:
        lead = leads.create_lead(session, data=LeadBase(
            channel=channel, chat_id=chat_id, text=text, label=label, secondary_labels=["financing"],
            confidence=0.81, prefecture=prefecture, municipality=municipality, company_name="松本精工",
            industry="製造業", employees=8, contact_via="phone",
        ), actor="owner")
        assigner(taxonomy).assign(session, lead)
        assert lead.id is not None
        return lead.id


def get(db: Database, lead_id: int) -> Lead:
    with db.session() as session:
        lead = leads.get_lead(session, lead_id=lead_id)
        assert lead is not None
        session.expunge(lead)  # keep its loaded values after the read session rolls back
        return lead
