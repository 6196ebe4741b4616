"""Routing a stored lead and recording the decision (shared by intake and Slack actions)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from models import Lead
from routing import CapabilityTable, Case, Decision, DirectorySnapshot, Outcome, Router, sla_deadline
from storage.repositories import assignments, outbox

DirectoryReader = Callable[[Session], DirectorySnapshot]


@dataclass(frozen=True, slots=True)
class Assigner:
    """Routes leads over the directory as it is inside the caller's unit of work."""

    directory: DirectoryReader
    capabilities: CapabilityTable
    sla_working_days: int = 2

    def assign(self, session: Session, lead: Lead) -> Decision:
        """Route ``lead``, store the assignment or escalation and queue the announcement."""
        assert lead.id is not None
        case = Case(
            label=lead.label,
            secondary=tuple(lead.secondary_labels),
            prefecture=lead.prefecture,
            municipality=lead.municipality,
            declined_by=frozenset(assignments.declined_coordinator_ids(session, lead_id=lead.id)),
            key=str(lead.id),
        )
        decision = Router(self.directory(session), self.capabilities).route(case)
        if decision.outcome is Outcome.ASSIGNED:
            assert decision.hub is not None and decision.coordinator is not None
            due = sla_deadline(lead.created_at, self.sla_working_days)
            assignments.record_assignment(
                session,
                lead=lead,
                hub_id=decision.hub.id,
                coordinator_id=decision.coordinator.id,
                reasons=list(decision.reasons),
                due_at=due,
            )
        elif decision.outcome is Outcome.ESCALATED:
            assert decision.escalation is not None
            escalation = decision.escalation
            assignments.record_escalation(
                session,
                lead=lead,
                scope=str(escalation.scope),
                reasons=list(decision.reasons),
                hub_id=escalation.hub.id if escalation.hub else None,
                region=escalation.region,
            )
        else:
            return decision
        outbox.enqueue(
            session,
            topic=f"lead.{decision.outcome.value}",
            payload={"lead_id": lead.id},
            lead_id=lead.id,
            hub_id=lead.hub_id,
        )
        return decision
