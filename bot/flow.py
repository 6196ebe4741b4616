"""The intake dialogue as a pure function: (session, inbound) -> (session, replies, effect).

Nothing here touches the database or a network; `bot.engine` loads the session, calls
`Flow.handle`, carries out the effect (store and route a lead, list cases, erase data)
and saves the session. Every state answers every kind of input, so no message can leave
a conversation stuck or produce an error for the owner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from bot import texts
from bot.contact import clean_email, clean_phone
from bot.intake import Intake, Session
from bot.messages import Choice, Inbound, InboundKind, Reply, choice_from_number
from bot.states import State
from nlp.entities import employees_in, extract_entities, industry_in, parse_number
from nlp.normalize import normalize
from nlp.taxonomy import OTHER, Taxonomy
from nlp.understand import Understanding

Understand = Callable[[str], Understanding]
CANDIDATES = 3


class Effect(StrEnum):
    """Work for the engine, beyond saving the session."""

    SUBMIT = "submit"
    STATUS = "status"
    ERASE = "erase"


@dataclass(slots=True)
class Step:
    """The result of handling one inbound message."""

    session: Session
    replies: list[Reply] = field(default_factory=list)
    effect: Effect | None = None


class Flow:
    """The table of states and what each does with text, choices and commands."""

    def __init__(self, taxonomy: Taxonomy, understand: Understand, max_chars: int = 3000) -> None:
        self.taxonomy = taxonomy
        self.understand = understand
        self.max_chars = max_chars

    # ---- entry point -------------------------------------------------------------------
    def handle(self, session: Session, inbound: Inbound) -> Step:
        """Handle one message; the session is changed in place and returned in the step."""
        step = Step(session)
        if inbound.kind is InboundKind.COMMAND:
            self._command(step, inbound.command or "")
        elif inbound.kind is InboundKind.UNSUPPORTED:
            self._again(step, texts.UNSUPPORTED)
        elif inbound.kind is InboundKind.EDITED:
            self._again(step, texts.EDITED)
        elif inbound.kind is InboundKind.CHOICE:
            if inbound.choice not in session.intake.choices:
                self._again(step, texts.STALE_CHOICE)
            else:
                self._choice(step, inbound.choice or "")
        else:
            self._text(step, inbound.text)
        return step

    # ---- prompts -----------------------------------------------------------------------
    def ask(self, step: Step, state: State, *lead: str) -> None:
        """Move to ``state`` and put its question, after any ``lead`` sentences."""
        intake = step.session.intake
        step.session.state = state
        text, choices = self._question(state, intake)
        intake.choices = [c.id for c in choices]
        if state not in (State.CONFIRM, State.CORRECT, State.DELETE):
            intake.mark_asked(state)
        step.replies.append(Reply("\n".join([*lead, text]) if lead else text, choices))

    def _question(self, state: State, intake: Intake) -> tuple[str, tuple[Choice, ...]]:
        match state:
            case State.IDLE | State.PROBLEM:
                return texts.ASK_PROBLEM, ()
            case State.CATEGORY:
                return texts.UNSURE, texts.category_choices(self.taxonomy, intake.candidates)
            case State.PREFECTURE:
                return texts.ASK_PREFECTURE, texts.region_choices()
            case State.REGION_PREFECTURE:
                return "都道府県を選んでください。", texts.prefecture_choices(intake.region or "関東")
            case State.COMPANY:
                return texts.ASK_COMPANY, (texts.SKIP,)
            case State.INDUSTRY:
                return texts.ASK_INDUSTRY, (texts.SKIP,)
            case State.EMPLOYEES:
                return texts.ASK_EMPLOYEES, (texts.SKIP,)
            case State.CONTACT:
                return texts.ASK_CONTACT, texts.CONTACT_CHOICES
            case State.PHONE:
                return texts.ASK_PHONE, (texts.CONTACT_CHOICES[0],)
            case State.EMAIL:
                return texts.ASK_EMAIL, (texts.CONTACT_CHOICES[0],)
            case State.CONSENT:
                return texts.ASK_CONSENT, texts.CONSENT_CHOICES
            case State.CONFIRM:
                return texts.summary(self.taxonomy, intake), texts.CONFIRM_CHOICES
            case State.CORRECT:
                return texts.ASK_CORRECTION, texts.CORRECT_CHOICES
            case State.DELETE:
                return texts.ASK_DELETE, texts.DELETE_CHOICES

    def _again(self, step: Step, message: str) -> None:
        """Say ``message`` and put the current question again; the state does not move."""
        state = step.session.state
        if state is State.IDLE:
            step.replies.append(Reply(message))
            return
        self.ask(step, state, message)

    def next_question(self, step: Step, *lead: str) -> None:
        """Ask the first thing still missing (or show the summary)."""
        intake = step.session.intake
        if intake.prefecture is None:
            state = State.PREFECTURE
        elif intake.editing:
            state = State.CONSENT if not intake.consent else State.CONFIRM
        elif not intake.was_asked(State.COMPANY) and intake.company_name is None:
            state = State.COMPANY
        elif not intake.was_asked(State.INDUSTRY) and intake.industry is None:
            state = State.INDUSTRY
        elif not intake.was_asked(State.EMPLOYEES) and intake.employees is None:
            state = State.EMPLOYEES
        elif not intake.was_asked(State.CONTACT):
            state = State.CONTACT
        elif not intake.consent:
            state = State.CONSENT
        else:
            state = State.CONFIRM
        if state is State.CONFIRM:
            intake.editing = False
        self.ask(step, state, *lead)

    # ---- commands ----------------------------------------------------------------------
    def _command(self, step: Step, command: str) -> None:
        session = step.session
        match command:
            case "start":
                session.intake = Intake()
                self.ask(step, State.PROBLEM, texts.GREETING)
            case "status":
                step.effect = Effect.STATUS
            case "cancel":
                if session.state in (State.IDLE, State.PROBLEM) and not session.intake.problem:
                    step.replies.append(Reply(texts.NOTHING_TO_CANCEL))
                else:
                    self._cancel(step)
            case "delete":
                if session.state is not State.DELETE:
                    session.intake.resume = session.state.value
                self.ask(step, State.DELETE)
            case _:
                step.replies.append(Reply(texts.HELP))
                if session.state is not State.IDLE:
                    self._again(step, "では、続きからどうぞ。")

    def _cancel(self, step: Step) -> None:
        step.session.intake = Intake()
        step.session.state = State.IDLE
        step.replies.append(Reply(texts.CANCELLED))

    # ---- text --------------------------------------------------------------------------
    def _text(self, step: Step, raw: str) -> None:
        session = step.session
        text = normalize(raw, max_chars=len(raw) + 1)
        if not text:
            self._again(step, texts.EMPTY)
            return
        if len(text) > self.max_chars:
            self._again(step, texts.TOO_LONG.format(limit=self.max_chars))
            return
        typed = choice_from_number(Reply("", tuple(Choice(c, c) for c in session.intake.choices)), text)
        if typed is not None:
            self._choice(step, typed)
            return
        match session.state:
            case State.IDLE:
                session.intake = Intake()
                self._problem(step, raw, texts.GREETING)
            case State.PROBLEM:
                self._problem(step, raw)
            case State.CATEGORY:
                self._problem(step, f"{session.intake.problem or ''}\n{raw}")
            case State.PREFECTURE | State.REGION_PREFECTURE:
                self._place(step, text)
            case State.COMPANY:
                session.intake.company_name = raw.strip()[:200]
                self.next_question(step)
            case State.INDUSTRY:
                session.intake.industry = industry_in(text) or raw.strip()[:100]
                self.next_question(step)
            case State.EMPLOYEES:
                self._employees(step, text)
            case State.CONTACT | State.PHONE | State.EMAIL:
                self._contact_text(step, raw)
            case State.CONSENT | State.CONFIRM | State.CORRECT | State.DELETE:
                self._again(step, "お手数ですが、下の選択肢からお選びください。")

    def _problem(self, step: Step, raw: str, *lead: str) -> None:
        intake = step.session.intake
        understanding = self.understand(raw)
        result = understanding.classification
        if result.label == OTHER and not result.uncertain:
            step.session.state = State.PROBLEM
            intake.choices = []
            step.replies.append(Reply("\n".join([*lead, texts.OUT_OF_SCOPE])))
            return
        intake.problem = raw.strip()
        intake.model_version = result.model_version
        intake.confidence = result.confidence
        entities = understanding.entities
        if entities.prefecture and intake.prefecture is None:
            intake.prefecture, intake.municipality = entities.prefecture, entities.municipality
        intake.industry = intake.industry or entities.industry
        intake.employees = intake.employees or entities.employees
        if result.uncertain or result.label == OTHER:
            intake.candidates = [c for c in result.likeliest(CANDIDATES + 1) if c != OTHER][:CANDIDATES]
            self.ask(step, State.CATEGORY, *lead)
            return
        intake.label, intake.secondary = result.label, list(result.secondary)
        intake.category_source = "model"
        self.next_question(step, *lead, texts.understood(self.taxonomy, intake))

    def _place(self, step: Step, text: str) -> None:
        intake = step.session.intake
        entities = extract_entities(text, answer=True)
        if entities.prefecture is None:
            self._again(step, texts.PREFECTURE_NOT_FOUND)
            return
        intake.prefecture, intake.municipality = entities.prefecture, entities.municipality
        self.next_question(step, f"{entities.prefecture}{entities.municipality or ''}ですね。")

    def _employees(self, step: Step, text: str) -> None:
        digits = text.rstrip("人名くらいほど程度約 ")
        count = employees_in(text) or parse_number(digits.lstrip("約"))
        if not count or count <= 0 or count >= 100_000:
            self._again(step, texts.EMPLOYEES_NOT_FOUND)
            return
        step.session.intake.employees = count
        self.next_question(step)

    def _contact_text(self, step: Step, raw: str) -> None:
        intake = step.session.intake
        phone, email = clean_phone(raw), clean_email(raw)
        if phone and step.session.state is not State.EMAIL:
            intake.contact_via, intake.phone = "phone", phone
        elif email and step.session.state is not State.PHONE:
            intake.contact_via, intake.email = "email", email
        elif step.session.state is State.PHONE:
            self._again(step, texts.BAD_PHONE)
            return
        elif step.session.state is State.EMAIL:
            self._again(step, texts.BAD_EMAIL)
            return
        else:
            self._again(step, "お手数ですが、下の選択肢からお選びください。")
            return
        self.next_question(step)

    # ---- choices -----------------------------------------------------------------------
    def _choice(self, step: Step, choice: str) -> None:
        session, intake = step.session, step.session.intake
        kind, _, value = choice.partition(":")
        match kind, value:
            case "cat", "unknown":
                intake.label = intake.candidates[0] if intake.candidates else "management"
                intake.category_source = "owner_unsure"
                self.next_question(step)
            case "cat", _:
                intake.label, intake.category_source = value, "owner"
                intake.secondary = [s for s in intake.secondary if s != value]
                self.next_question(step, texts.understood(self.taxonomy, intake))
            case "region", "back":
                self.ask(step, State.PREFECTURE)
            case "region", _:
                intake.region = value
                self.ask(step, State.REGION_PREFECTURE)
            case "pref", _:
                intake.prefecture, intake.municipality = value, None
                self.next_question(step)
            case "skip", _:
                self.next_question(step)
            case "contact", "chat":
                intake.contact_via, intake.phone, intake.email = "chat", None, None
                self.next_question(step)
            case "contact", "phone":
                self.ask(step, State.PHONE)
            case "contact", "email":
                self.ask(step, State.EMAIL)
            case "consent", "yes":
                intake.consent, intake.consent_version = True, texts.CONSENT_VERSION
                self.next_question(step)
            case "consent", "no":
                intake.consent = False
                intake.choices = [c.id for c in texts.NO_CONSENT_CHOICES]
                step.replies.append(Reply(texts.NO_CONSENT, texts.NO_CONSENT_CHOICES))
            case "confirm", "yes":
                if intake.prefecture is None or intake.label is None or not intake.consent:
                    self.next_question(step)
                else:
                    step.effect = Effect.SUBMIT
            case "confirm", "edit":
                self.ask(step, State.CORRECT)
            case "edit", _:
                self._edit(step, value)
            case "delete", "yes":
                step.effect = Effect.ERASE
            case "delete", "no":
                resume = State(intake.resume or State.IDLE.value)
                intake.resume = None
                session.state = resume
                self._again(step, texts.DELETE_KEPT)
            case "cancel", _:
                self._cancel(step)
            case _:
                self._again(step, texts.STALE_CHOICE)

    def _edit(self, step: Step, item: str) -> None:
        intake = step.session.intake
        intake.editing = True
        targets = {
            "problem": State.PROBLEM,
            "prefecture": State.PREFECTURE,
            "company": State.COMPANY,
            "industry": State.INDUSTRY,
            "employees": State.EMPLOYEES,
            "contact": State.CONTACT,
        }
        if item == "category":
            current = [intake.label] if intake.label else []
            others = [c for c in self.taxonomy.ids if c != OTHER and c not in current]
            intake.candidates = current + others
            self.ask(step, State.CATEGORY)
        elif item == "problem":
            intake.label = None
            self.ask(step, State.PROBLEM)
        else:
            self.ask(step, targets.get(item, State.CONFIRM))
