"""What coordinators' Slack actions do to a case: accept, decline, correct, close.

Each call is one unit of work that locks the lead row, checks who may act, changes the
case, and queues what must follow (the card update, the owner's message) in the outbox,
so a double click or a redelivered request finds the work done and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from bot import survey
from bot.cases import Assigner
from bot.messages import Choice
from bot.slack import texts
from bot.slack.lookup import latest_decision
from bot.storable import storable
from models import Coordinator, FeedbackSource, Lead, LeadStatus
from nlp.redact import redact
from nlp.taxonomy import Taxonomy
from routing import Case, Decision, Outcome, Router
from storage.database import Database
from storage.repositories import assignments, audit, directory, feedback, leads, outbox

CARD_TOPIC = "lead.updated"
OWNER_TOPIC = "owner.message"


class Verdict(StrEnum):
    """How an action ended."""

    DONE = "done"
    ALREADY = "already"  # nothing changed: the same action was already applied
    FORBIDDEN = "forbidden"
    REFUSED = "refused"  # not possible in the case's current state


@dataclass(frozen=True, slots=True)
class Result:
    """The verdict and the sentence to show the coordinator."""

    verdict: Verdict
    message: str


@dataclass(frozen=True, slots=True)
class OpenCase:
    """One line of a coordinator's open cases."""

    lead_id: int
    category: str
    status: LeadStatus
    due_at: datetime | None


class CaseDesk:
    """Applies coordinators' actions; shared by the Slack app's handlers."""

    def __init__(self, *, database: Database, assigner: Assigner, taxonomy: Taxonomy) -> None:
        self.database = database
        self.assigner = assigner
        self.taxonomy = taxonomy

    # ---- checks ------------------------------------------------------------------------
    def _member(self, session: Session, lead: Lead, slack_user: str) -> Coordinator | None:
        mine = directory.coordinators_by_slack_user(session, slack_user_id=slack_user)
        assigned = [c for c in mine if c.id == lead.coordinator_id]
        same_hub = [c for c in mine if lead.hub_id is not None and c.hub_id == lead.hub_id]
        found = assigned or same_hub
        return found[0] if found else None

    def _locked(self, session: Session, lead_id: int, slack_user: str) -> tuple[Lead, Coordinator] | Result:
        lead = leads.get_lead(session, lead_id=lead_id, for_update=True)
        if lead is None:
            return Result(Verdict.REFUSED, texts.MISSING)
        member = self._member(session, lead, slack_user)
        if member is None:
            return Result(Verdict.FORBIDDEN, texts.FORBIDDEN)
        return lead, member

    def authorize(self, lead_id: int, slack_user: str) -> Result | None:
        """None when ``slack_user`` may act on the lead, else why not (before a modal)."""
        with self.database.session() as session:
            found = self._locked(session, lead_id, slack_user)
            return found if isinstance(found, Result) else None

    def pending_id(self, lead_id: int) -> int | None:
        """The id of the decision waiting for an answer (a decline modal carries it)."""
        with self.database.session() as session:
            pending = assignments.pending_assignment(session, lead_id=lead_id)
            return pending.id if pending else None

    def label_of(self, lead_id: int) -> str | None:
        """The lead's current category id (the correction modal preselects it)."""
        with self.database.session() as session:
            lead = leads.get_lead(session, lead_id=lead_id)
            return lead.label if lead else None

    # ---- actions -----------------------------------------------------------------------
    def accept(self, lead_id: int, slack_user: str) -> Result:
        """受付: the case is accepted and the owner told who will contact them."""
        with self.database.unit_of_work() as session:
            found = self._locked(session, lead_id, slack_user)
            if isinstance(found, Result):
                return found
            lead, member = found
            if lead.status is LeadStatus.ACCEPTED:  # e.g. two coordinators pressed at once
                if lead.coordinator_id == member.id:
                    return Result(Verdict.ALREADY, texts.ALREADY_ACCEPTED)
                winner = directory.get_coordinator(session, coordinator_id=lead.coordinator_id or "")
                return Result(Verdict.ALREADY, texts.accepted_by(winner.name if winner else None))
            pending = assignments.pending_assignment(session, lead_id=lead_id)
            if lead.status is not LeadStatus.ASSIGNED or pending is None or lead.hub_id is None:
                return Result(Verdict.REFUSED, texts.NOT_WAITING)
            actor = f"slack:{slack_user}"
            if pending.coordinator_id != member.id:  # a colleague of the same hub takes it
                assignments.record_assignment(
                    session, lead=lead, hub_id=lead.hub_id, coordinator_id=member.id, actor=actor,
                    reasons=[f"同じ拠点の{member.name}さんが引き受けました。"], due_at=pending.due_at,
                )
            assignments.accept(session, lead=lead, coordinator_id=member.id, actor=actor)
            hub = directory.get_hub(session, hub_id=lead.hub_id)
            self._card(session, lead)
            self._tell_owner(session, lead, texts.owner_accepted(
                lead_id, member.name, hub.name if hub else "担当の拠点", lead.contact_via))
            return Result(Verdict.DONE, texts.ACCEPTED)

    def decline(self, lead_id: int, slack_user: str, *, reason: str, assignment_id: int | None) -> Result:
        """辞退: the decision ``assignment_id`` is declined and the case routed onwards."""
        with self.database.unit_of_work() as session:
            found = self._locked(session, lead_id, slack_user)
            if isinstance(found, Result):
                return found
            lead, _member = found
            pending = assignments.pending_assignment(session, lead_id=lead_id)
            if pending is None or pending.id != assignment_id:
                return Result(Verdict.ALREADY, texts.ALREADY_DONE)
            if lead.status is not LeadStatus.ASSIGNED or pending.coordinator_id is None:
                return Result(Verdict.REFUSED, texts.NOT_WAITING)
            assignments.decline(session, lead=lead, coordinator_id=pending.coordinator_id,
                                reason=storable(reason.strip()[:2000]) or None, actor=f"slack:{slack_user}")
            decision = self.assigner.assign(session, lead)
            if decision.outcome is Outcome.ASSIGNED:
                return Result(Verdict.DONE, texts.DECLINED)
            if decision.outcome is not Outcome.ESCALATED:
                self._card(session, lead)
            return Result(Verdict.DONE, texts.DECLINED_ESCALATED)

    def correct(self, lead_id: int, slack_user: str, *, label: str) -> Result:
        """分類を修正: store the label as feedback; re-route when another hub fits better."""
        if label not in self.taxonomy.ids:
            return Result(Verdict.REFUSED, texts.UNKNOWN_CATEGORY)
        with self.database.unit_of_work() as session:
            current = leads.get_lead(session, lead_id=lead_id, for_update=True)
            if current is not None and current.label == label:  # e.g. the modal sent twice
                return Result(Verdict.ALREADY, texts.ALREADY_DONE)
            found = self._locked(session, lead_id, slack_user)
            if isinstance(found, Result):
                return found
            lead, _member = found
            if lead.status not in (LeadStatus.ASSIGNED, LeadStatus.ACCEPTED):
                return Result(Verdict.REFUSED, texts.NOT_WAITING)
            actor = f"slack:{slack_user}"
            assert lead.id is not None
            feedback.add_label_feedback(
                session, text=redact(lead.text), label=label, source=FeedbackSource.COORDINATOR,
                actor=actor, lead_id=lead.id, predicted_label=lead.label,
                secondary_labels=[s for s in lead.secondary_labels if s != label],
                model_version=lead.model_version,
            )
            audit.record(session, actor=actor, action="lead.label", entity="lead", entity_id=lead.id,
                         changes={"label": [lead.label, label]})
            lead.label = label
            lead.secondary_labels = [s for s in lead.secondary_labels if s != label]
            session.add(lead)
            session.flush()
            decision = self._route(session, lead)
            stays = decision.hub is not None and decision.hub.id == lead.hub_id
            if stays or (lead.status is LeadStatus.ACCEPTED and decision.outcome is not Outcome.ASSIGNED):
                self._card(session, lead)
                return Result(Verdict.DONE, texts.CORRECTED)
            self.assigner.assign(session, lead)
            return Result(Verdict.DONE, texts.CORRECTED_REROUTED)

    def close(self, lead_id: int, slack_user: str) -> Result:
        """完了: the case is closed and the owner receives the satisfaction survey."""
        with self.database.unit_of_work() as session:
            found = self._locked(session, lead_id, slack_user)
            if isinstance(found, Result):
                return found
            lead, _member = found
            if lead.status is LeadStatus.CLOSED:
                return Result(Verdict.ALREADY, texts.CLOSED_ALREADY)
            if lead.status is not LeadStatus.ACCEPTED:
                return Result(Verdict.REFUSED, texts.ACCEPT_FIRST)
            assert lead.id is not None
            leads.change_status(session, lead=lead, status=LeadStatus.CLOSED, actor=f"slack:{slack_user}")
            feedback.open_survey(
                session, lead_id=lead.id, hub_id=lead.hub_id, coordinator_id=lead.coordinator_id
            )
            hub = directory.get_hub(session, hub_id=lead.hub_id) if lead.hub_id else None
            self._card(session, lead)
            self._tell_owner(session, lead, texts.owner_survey(lead.id, hub.name if hub else "まどぐち"),
                             choices=survey.CHOICES)
            return Result(Verdict.DONE, texts.CLOSED)

    # ---- reading -----------------------------------------------------------------------
    def open_cases(self, slack_user: str) -> list[OpenCase] | None:
        """The open cases of every coordinator entry of ``slack_user`` (None: not one)."""
        with self.database.session() as session:
            mine = directory.coordinators_by_slack_user(session, slack_user_id=slack_user)
            if not mine:
                return None
            cases: list[OpenCase] = []
            for coordinator in mine:
                for lead in leads.open_leads_for_coordinator(session, coordinator_id=coordinator.id):
                    assert lead.id is not None
                    decision = latest_decision(session, lead_id=lead.id)
                    name = self.taxonomy.name(lead.label) if lead.label in self.taxonomy.ids else lead.label
                    cases.append(OpenCase(lead.id, name, lead.status, decision.due_at if decision else None))
            return sorted(cases, key=lambda case: case.lead_id)

    # ---- helpers -----------------------------------------------------------------------
    def _route(self, session: Session, lead: Lead) -> Decision:
        assert lead.id is not None
        case = Case(
            label=lead.label, secondary=tuple(lead.secondary_labels), prefecture=lead.prefecture,
            municipality=lead.municipality,
            declined_by=frozenset(assignments.declined_coordinator_ids(session, lead_id=lead.id)),
            key=str(lead.id),
        )
        return Router(self.assigner.directory(session), self.assigner.capabilities).route(case)

    def _card(self, session: Session, lead: Lead) -> None:
        outbox.enqueue(
            session, topic=CARD_TOPIC, payload={"lead_id": lead.id}, lead_id=lead.id, hub_id=lead.hub_id
        )

    def _tell_owner(self, session: Session, lead: Lead, text: str, choices: tuple[Choice, ...] = ()) -> None:
        outbox.enqueue(session, topic=OWNER_TOPIC, lead_id=lead.id,
                       payload={"lead_id": lead.id, "channel": lead.channel, "chat_id": lead.chat_id,
                                "text": text, "choices": [[c.id, c.label] for c in choices]})
