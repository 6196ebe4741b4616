"""Translating Slack interaction payloads into small typed requests (pure).

Button ``action_id`` values and modal ``callback_id`` values are the only ids read back;
display text never is. A payload that does not fit gives None.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.slack.card import ACCEPT, CLOSE, CORRECT, DECLINE

BUTTONS = (ACCEPT, DECLINE, CORRECT, CLOSE)
DECLINE_VIEW, CORRECT_VIEW = "lead.decline.modal", "lead.correct.modal"
REASON_BLOCK, REASON_INPUT = "reason", "reason_input"
LABEL_BLOCK, LABEL_INPUT = "label", "label_select"


@dataclass(frozen=True, slots=True)
class Press:
    """A coordinator pressed one of a card's buttons."""

    action_id: str
    lead_id: int
    user_id: str
    channel_id: str | None
    trigger_id: str | None


@dataclass(frozen=True, slots=True)
class ModalContext:
    """What a modal remembers (its ``private_metadata``)."""

    lead_id: int
    channel_id: str | None
    assignment_id: int | None = None

    def dump(self) -> str:
        return json.dumps({"lead_id": self.lead_id, "channel": self.channel_id,
                           "assignment_id": self.assignment_id})


@dataclass(frozen=True, slots=True)
class Submission:
    """A submitted decline or correction modal."""

    callback_id: str
    context: ModalContext
    user_id: str
    reason: str = ""
    label: str | None = None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def to_press(body: dict[str, Any]) -> Press | None:
    """A ``block_actions`` payload with one of our buttons, else None."""
    actions = body.get("actions") or []
    user = (body.get("user") or {}).get("id")
    if body.get("type") != "block_actions" or len(actions) != 1 or not user:
        return None
    action = actions[0]
    lead_id = _int(action.get("value"))
    if action.get("action_id") not in BUTTONS or lead_id is None:
        return None
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    return Press(str(action["action_id"]), lead_id, str(user), channel, body.get("trigger_id"))


def to_submission(body: dict[str, Any]) -> Submission | None:
    """A ``view_submission`` of one of our modals, else None."""
    view = body.get("view") or {}
    user = (body.get("user") or {}).get("id")
    if body.get("type") != "view_submission" or view.get("callback_id") not in (DECLINE_VIEW, CORRECT_VIEW):
        return None
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return None
    lead_id = _int(meta.get("lead_id")) if isinstance(meta, dict) else None
    if lead_id is None or not user:
        return None
    context = ModalContext(lead_id, meta.get("channel"), _int(meta.get("assignment_id")))
    values = (view.get("state") or {}).get("values") or {}
    reason = ((values.get(REASON_BLOCK) or {}).get(REASON_INPUT) or {}).get("value") or ""
    selected = ((values.get(LABEL_BLOCK) or {}).get(LABEL_INPUT) or {}).get("selected_option") or {}
    return Submission(str(view["callback_id"]), context, str(user), str(reason), selected.get("value"))
