"""Reading what a card shows from the database (inside the caller's session)."""

from __future__ import annotations

from sqlmodel import Session

from bot.slack.card import CardState, CardView
from models import Assignment, Lead, LeadStatus
from nlp.taxonomy import Taxonomy
from storage.repositories import assignments, directory

STATES = {
    LeadStatus.ASSIGNED: CardState.WAITING,
    LeadStatus.ACCEPTED: CardState.ACCEPTED,
    LeadStatus.CLOSED: CardState.CLOSED,
    LeadStatus.ESCALATED: CardState.ESCALATED,
    LeadStatus.WITHDRAWN: CardState.WITHDRAWN,
    LeadStatus.NEW: CardState.ESCALATED,
}


def _category(taxonomy: Taxonomy, label: str) -> str:
    return taxonomy.name(label) if label in taxonomy.ids else label


def latest_decision(session: Session, *, lead_id: int) -> Assignment | None:
    """The newest routing decision of a lead (pending or answered)."""
    found = assignments.assignments_for_lead(session, lead_id=lead_id)
    return found[-1] if found else None


def card_view(session: Session, lead: Lead, taxonomy: Taxonomy) -> CardView:
    """The card of ``lead`` as it stands now."""
    assert lead.id is not None
    decision = latest_decision(session, lead_id=lead.id)
    who = lead.coordinator_id
    coordinator = directory.get_coordinator(session, coordinator_id=who) if who else None
    hub = directory.get_hub(session, hub_id=lead.hub_id) if lead.hub_id else None
    return CardView(
        lead_id=lead.id,
        state=STATES[lead.status],
        category=_category(taxonomy, lead.label),
        confidence=lead.confidence,
        secondary=tuple(_category(taxonomy, label) for label in lead.secondary_labels),
        text=lead.text,
        prefecture=lead.prefecture,
        municipality=lead.municipality,
        company_name=lead.company_name,
        industry=lead.industry,
        employees=lead.employees,
        hub_name=hub.name if hub else None,
        coordinator_name=coordinator.name if coordinator else None,
        coordinator_slack_id=coordinator.slack_user_id if coordinator else None,
        reasons=tuple(decision.reasons) if decision else (),
        due_at=decision.due_at if decision else None,
    )


def hub_channel(session: Session, lead: Lead) -> str | None:
    """The Slack channel of the lead's current hub, if it has one."""
    hub = directory.get_hub(session, hub_id=lead.hub_id) if lead.hub_id else None
    return hub.slack_channel if hub else None
