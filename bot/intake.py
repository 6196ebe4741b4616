"""What one intake has collected so far; stored as JSON with the conversation."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from bot.states import State


@dataclass(slots=True)
class Intake:
    """The answers of the current intake (mutable while the dialogue runs)."""

    problem: str | None = None
    label: str | None = None
    secondary: list[str] = field(default_factory=list)
    confidence: float | None = None
    model_version: str | None = None
    category_source: str | None = None  # "model", "owner" or "owner_unsure"
    candidates: list[str] = field(default_factory=list)
    prefecture: str | None = None
    municipality: str | None = None
    region: str | None = None
    company_name: str | None = None
    industry: str | None = None
    employees: int | None = None
    contact_via: str = "chat"
    phone: str | None = None
    email: str | None = None
    consent: bool = False
    consent_version: str | None = None
    asked: list[str] = field(default_factory=list)  # questions already put (skips count)
    editing: bool = False  # an answer returns to the summary
    resume: str | None = None  # the state to return to after /delete is declined
    choices: list[str] = field(default_factory=list)  # ids offered by the last question

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Intake:
        """Rebuild from stored JSON, ignoring keys an older or newer version wrote.

        The values are deep-copied: mutating lists shared with the ORM row's loaded state
        would make the row look unchanged, and the save would silently be skipped.
        """
        known = {f.name for f in fields(cls)}
        return cls(**{k: copy.deepcopy(v) for k, v in (data or {}).items() if k in known})

    def was_asked(self, state: State) -> bool:
        return state.value in self.asked

    def mark_asked(self, state: State) -> None:
        if state.value not in self.asked:
            self.asked.append(state.value)


@dataclass(slots=True)
class Session:
    """A conversation's state and intake, as the flow sees it."""

    state: State = State.IDLE
    intake: Intake = field(default_factory=Intake)
