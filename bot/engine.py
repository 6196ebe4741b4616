"""The dialogue engine: one inbound message in, replies out, every step stored.

One unit of work per message: the update is recorded (a redelivery finds it and does
nothing), the conversation row is locked, the pure `Flow` decides, effects run (a lead is
created, routed and its announcement queued), and the new state is saved — all committed
together or not at all. Channels call `Engine.handle` and render what it returns, or,
when they store updates before acknowledging them (Telegram), `Engine.handle_next` to work
through a chat's stored updates in order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session

from bot import survey, texts
from bot.cases import Assigner
from bot.flow import Effect, Flow, Step
from bot.intake import Intake
from bot.intake import Session as DialogueSession
from bot.messages import Choice, Inbound, Reply
from bot.states import State
from bot.storable import storable
from models import Conversation, FeedbackSource, Lead, LeadBase, utcnow
from nlp.redact import redact
from nlp.taxonomy import Taxonomy
from routing import Decision, Outcome, sla_deadline
from storage.database import Database
from storage.repositories import conversations, directory, feedback, leads, privacy, survey_answers, updates

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Submitted:
    """A lead stored by this message and what routing decided."""

    lead_id: int
    decision: Decision


@dataclass(frozen=True, slots=True)
class HandleResult:
    """Replies for the owner, and the lead this message created (if any)."""

    replies: tuple[Reply, ...]
    submitted: Submitted | None = None
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class Handled:
    """One stored update processed by `Engine.handle_next`."""

    update_id: str
    chat_id: str
    result: HandleResult
    more: bool = False  # another stored update of the chat was waiting behind this one


Decode = Callable[[dict[str, Any]], Inbound | None]


def update_key(inbound: Inbound) -> str:
    """The key an inbound message is stored under in ``processed_update``."""
    return f"{inbound.chat_id}:{inbound.message_id}"


def reply_to_json(reply: Reply) -> dict[str, Any]:
    """A reply as stored with its update until it is sent."""
    return {"text": reply.text, "choices": [[choice.id, choice.label] for choice in reply.choices]}


def reply_from_json(data: dict[str, Any]) -> Reply:
    """The reply `reply_to_json` stored."""
    return Reply(str(data["text"]), tuple(Choice(str(i), str(label)) for i, label in data.get("choices", [])))


class Engine:
    """Channel-free: every channel adapter shares this one engine."""

    def __init__(self, *, database: Database, flow: Flow, assigner: Assigner, taxonomy: Taxonomy) -> None:
        self.database = database
        self.flow = flow
        self.assigner = assigner
        self.taxonomy = taxonomy

    def handle(self, inbound: Inbound) -> HandleResult:
        """Process one message exactly once and return what to send back."""
        key = update_key(inbound)
        with self.database.unit_of_work() as session:
            updates.record_update(session, channel=inbound.channel, update_id=key, chat_id=inbound.chat_id)
            row = conversations.get_or_create_conversation(
                session, channel=inbound.channel, chat_id=inbound.chat_id, user_id=inbound.user_id
            )
            # Under the conversation lock: a concurrent delivery of the same message waits
            # here and then finds it processed.
            if updates.is_processed(session, channel=inbound.channel, update_id=key):
                return HandleResult((), duplicate=True)
            result = self._process(session, inbound, row)
            updates.mark_processed(session, channel=inbound.channel, update_id=key)
            return result

    def handle_next(self, *, channel: str, chat_id: str, decode: Decode) -> Handled | None:
        """Process the oldest stored, unhandled update of one chat (None when there is none).

        Channels that store updates before acknowledging them (`bot.telegram.inbox`) call
        this until it returns None. The conversation row is locked first, so two workers
        draining one chat take turns and each message moves the state once, in order. The
        replies are kept with the update until the channel confirms they were sent.
        """
        with self.database.unit_of_work() as session:
            row = conversations.get_or_create_conversation(session, channel=channel, chat_id=chat_id)
            pending = updates.pending_updates(session, channel=channel, chat_id=chat_id, limit=2)
            if not pending:
                return None
            stored = pending[0]
            inbound = decode(stored.payload or {})
            result = HandleResult(()) if inbound is None else self._process(session, inbound, row)
            updates.mark_processed(
                session, channel=channel, update_id=stored.update_id,
                replies=[reply_to_json(reply) for reply in result.replies],
            )
            return Handled(stored.update_id, chat_id, result, more=len(pending) > 1)

    def _process(self, session: Session, inbound: Inbound, row: Conversation) -> HandleResult:
        """Run the flow for one message on the locked conversation ``row`` and save it."""
        inbound = replace(inbound, text=storable(inbound.text),
                          choice=storable(inbound.choice) if inbound.choice is not None else None)
        if row.user_id is None and inbound.user_id is not None:
            row.user_id = inbound.user_id
        state = State(row.state) if row.state in State._value2member_map_ else State.IDLE
        if state is State.IDLE and self._answer_survey(session, inbound):
            return HandleResult((Reply(survey.THANKS),))
        dialogue = DialogueSession(state, Intake.from_json(row.data))
        step = self.flow.handle(dialogue, inbound)
        submitted = self._effect(session, step, inbound)
        conversations.save_conversation(
            session,
            conversation=row,
            state=step.session.state.value,
            data=step.session.intake.to_json(),
            lead_id=submitted.lead_id if submitted else None,
        )
        return HandleResult(tuple(step.replies), submitted)

    def _answer_survey(self, session: Session, inbound: Inbound) -> bool:
        """Store the owner's score when a closed case's survey is waiting for it."""
        answer = survey.parse_answer(inbound)
        if answer is None:
            return False
        found = survey_answers.open_survey_for_chat(session, channel=inbound.channel, chat_id=inbound.chat_id)
        if found is None:
            return False
        feedback.answer_survey(session, lead_id=found.lead_id, score=answer[0], comment=answer[1])
        return True

    def _effect(self, session: Session, step: Step, inbound: Inbound) -> Submitted | None:
        match step.effect:
            case Effect.SUBMIT:
                return self._submit(session, step, inbound)
            case Effect.STATUS:
                step.replies.append(Reply(self._status(session, inbound)))
                if step.session.state not in (State.IDLE,):
                    self.flow.ask(step, step.session.state, "では、続きからどうぞ。")
            case Effect.ERASE:
                had_answers = step.session.intake.problem is not None
                erased = privacy.erase_chat(
                    session, channel=inbound.channel, chat_id=inbound.chat_id, actor="owner"
                )
                step.session.intake = Intake()
                step.session.state = State.IDLE
                done = erased or had_answers
                step.replies.append(Reply(texts.DELETED if done else texts.NOTHING_TO_DELETE))
            case None:
                pass
        return None

    def _submit(self, session: Session, step: Step, inbound: Inbound) -> Submitted:
        intake = step.session.intake
        assert intake.label is not None and intake.problem is not None
        lead = leads.create_lead(
            session,
            data=LeadBase(
                channel=inbound.channel,
                chat_id=inbound.chat_id,
                user_id=inbound.user_id,
                contact_phone=intake.phone,
                contact_email=intake.email,
                contact_via=intake.contact_via,
                company_name=intake.company_name,
                industry=intake.industry,
                employees=intake.employees,
                text=intake.problem,
                label=intake.label,
                secondary_labels=list(intake.secondary),
                confidence=intake.confidence or 0.0,
                model_version=intake.model_version,
                prefecture=intake.prefecture,
                municipality=intake.municipality,
                consent_version=intake.consent_version,
                consented_at=utcnow(),
            ),
            actor="owner",
            idempotency_key=inbound.idempotency_key,
        )
        assert lead.id is not None
        if intake.category_source == "owner":  # the owner picked it when the model was unsure
            guess = intake.candidates[0] if intake.candidates else None  # the model's likeliest
            feedback.add_label_feedback(
                session, text=redact(intake.problem), label=intake.label, source=FeedbackSource.OWNER,
                actor="owner", lead_id=lead.id, predicted_label=guess,
                secondary_labels=list(intake.secondary), model_version=intake.model_version,
            )
        decision = self.assigner.assign(session, lead)
        step.replies.append(Reply(self._submitted_text(lead, decision)))
        step.session.intake = Intake()
        step.session.state = State.IDLE
        return Submitted(lead.id, decision)

    def _submitted_text(self, lead: Lead, decision: Decision) -> str:
        assert lead.id is not None
        if decision.outcome is Outcome.ASSIGNED and decision.hub is not None:
            due = sla_deadline(lead.created_at, self.assigner.sla_working_days)
            return texts.submitted(lead.id, decision.hub.name, texts.japanese_date(due))
        return texts.submitted(lead.id, None, None)

    def _status(self, session: Session, inbound: Inbound) -> str:
        found = leads.leads_for_chat(session, channel=inbound.channel, chat_id=inbound.chat_id)
        if not found:
            return texts.NO_CASES
        items = []
        for lead in reversed(found):
            assert lead.id is not None
            hub = directory.get_hub(session, hub_id=lead.hub_id) if lead.hub_id else None
            category = self.taxonomy.name(lead.label)
            items.append((lead.id, category, str(lead.status), hub.name if hub else None))
        return texts.status_lines(items)
