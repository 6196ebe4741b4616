"""Assignments: routing decisions for a lead and what the coordinator answered.

Each function also moves the lead's status (through `leads.change_status`, so the allowed
transitions apply) and keeps ``lead.hub_id`` / ``lead.coordinator_id`` current.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from models import Assignment, AssignmentOutcome, Lead, LeadStatus, utcnow
from storage.repositories import leads

ESCALATION_SCOPES = ("hub", "region", "nationwide")


class AssignmentError(ValueError):
    """The lead has no pending assignment for this coordinator."""


def _close_pending(session: Session, *, lead_id: int, outcome: AssignmentOutcome, at: datetime) -> None:
    for pending in session.exec(
        select(Assignment).where(
            Assignment.lead_id == lead_id, Assignment.outcome == AssignmentOutcome.PENDING
        )
    ):
        pending.outcome = outcome
        pending.responded_at = at
        session.add(pending)


def record_assignment(
    session: Session,
    *,
    lead: Lead,
    hub_id: str,
    coordinator_id: str,
    reasons: list[str],
    actor: str = "routing",
    due_at: datetime | None = None,
) -> Assignment:
    """Assign ``lead`` to a coordinator; an earlier pending decision is superseded."""
    assert lead.id is not None
    now = utcnow()
    _close_pending(session, lead_id=lead.id, outcome=AssignmentOutcome.SUPERSEDED, at=now)
    assignment = Assignment(
        lead_id=lead.id,
        hub_id=hub_id,
        coordinator_id=coordinator_id,
        reasons=list(reasons),
        actor=actor,
        due_at=due_at,
        decided_at=now,
    )
    session.add(assignment)
    lead.hub_id, lead.coordinator_id = hub_id, coordinator_id
    leads.change_status(session, lead=lead, status=LeadStatus.ASSIGNED, actor=actor, at=now)
    session.flush()
    return assignment


def record_escalation(
    session: Session,
    *,
    lead: Lead,
    scope: str,
    reasons: list[str],
    hub_id: str | None = None,
    region: str | None = None,
    actor: str = "routing",
    expired: bool = False,
) -> Assignment:
    """Put ``lead`` in the ``scope`` queue (hub, region or nationwide) an admin watches.

    ``expired`` marks the pending decision as past its SLA rather than superseded.
    """
    if scope not in ESCALATION_SCOPES:
        raise ValueError(f"unknown escalation scope {scope!r}; expected one of {ESCALATION_SCOPES}")
    assert lead.id is not None
    now = utcnow()
    outcome = AssignmentOutcome.EXPIRED if expired else AssignmentOutcome.SUPERSEDED
    _close_pending(session, lead_id=lead.id, outcome=outcome, at=now)
    assignment = Assignment(
        lead_id=lead.id,
        hub_id=hub_id,
        reasons=list(reasons),
        escalation_scope=scope,
        escalation_region=region,
        actor=actor,
        decided_at=now,
    )
    session.add(assignment)
    lead.hub_id, lead.coordinator_id = hub_id, None
    leads.change_status(session, lead=lead, status=LeadStatus.ESCALATED, actor=actor, at=now)
    session.flush()
    return assignment


def pending_assignment(session: Session, *, lead_id: int) -> Assignment | None:
    """The decision still waiting for an answer, if any."""
    statement = select(Assignment).where(
        Assignment.lead_id == lead_id, Assignment.outcome == AssignmentOutcome.PENDING
    )
    return session.exec(statement.order_by(col(Assignment.id).desc())).first()


def _answer(session: Session, *, lead: Lead, coordinator_id: str) -> Assignment:
    assert lead.id is not None
    pending = pending_assignment(session, lead_id=lead.id)
    if pending is None or pending.coordinator_id != coordinator_id:
        raise AssignmentError(f"lead {lead.id} is not waiting for coordinator {coordinator_id}")
    return pending


def accept(session: Session, *, lead: Lead, coordinator_id: str, actor: str) -> Assignment:
    """The coordinator takes the case: the decision is accepted, the lead too."""
    pending = _answer(session, lead=lead, coordinator_id=coordinator_id)
    now = utcnow()
    pending.outcome, pending.responded_at = AssignmentOutcome.ACCEPTED, now
    session.add(pending)
    leads.change_status(session, lead=lead, status=LeadStatus.ACCEPTED, actor=actor, at=now)
    return pending


def decline(
    session: Session, *, lead: Lead, coordinator_id: str, reason: str | None, actor: str
) -> Assignment:
    """The coordinator declines; the lead stays assigned until it is routed onwards."""
    pending = _answer(session, lead=lead, coordinator_id=coordinator_id)
    pending.outcome, pending.responded_at = AssignmentOutcome.DECLINED, utcnow()
    pending.decline_reason = reason
    session.add(pending)
    session.flush()
    return pending


def assignments_for_lead(session: Session, *, lead_id: int) -> list[Assignment]:
    """Every decision taken for a lead, oldest first."""
    statement = select(Assignment).where(Assignment.lead_id == lead_id).order_by(col(Assignment.id))
    return list(session.exec(statement))


def declined_coordinator_ids(session: Session, *, lead_id: int) -> set[str]:
    """Coordinators who already declined this lead (routing must skip them)."""
    statement = select(Assignment.coordinator_id).where(
        Assignment.lead_id == lead_id, Assignment.outcome == AssignmentOutcome.DECLINED
    )
    return {coordinator_id for coordinator_id in session.exec(statement) if coordinator_id}


def overdue(session: Session, *, now: datetime | None = None) -> list[Assignment]:
    """Pending decisions past their deadline (the SLA check escalates these)."""
    statement = select(Assignment).where(
        Assignment.outcome == AssignmentOutcome.PENDING,
        col(Assignment.due_at).is_not(None),
        col(Assignment.due_at) < (now or utcnow()),
    )
    return list(session.exec(statement.order_by(col(Assignment.id))))
