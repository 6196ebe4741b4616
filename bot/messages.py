"""The neutral message types every channel translates to and from.

An adapter turns a platform event into one `Inbound` and renders each `Reply`; the engine
never sees a platform object. Choice ids travel in ``callback_data`` / ``action_id``;
display text is never parsed back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class InboundKind(StrEnum):
    """What arrived, as far as the engine cares."""

    TEXT = "text"
    CHOICE = "choice"  # a button press carrying a choice id
    COMMAND = "command"  # /start, /help, /status, /cancel, /delete
    UNSUPPORTED = "unsupported"  # sticker, photo, voice, file, location, ...
    EDITED = "edited"  # an edit of an earlier message


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from an owner on any channel."""

    channel: str
    chat_id: str
    message_id: str
    kind: InboundKind
    user_id: str | None = None
    text: str = ""
    choice: str | None = None
    command: str | None = None
    received_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def idempotency_key(self) -> str:
        """Unique per delivered message: a redelivery carries the same key."""
        return f"{self.channel}:{self.chat_id}:{self.message_id}"


@dataclass(frozen=True, slots=True)
class Choice:
    """One option: a stable id and the label shown to the owner."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Reply:
    """Text plus optional choices; channels without buttons number the choices."""

    text: str
    choices: tuple[Choice, ...] = ()


def numbered(reply: Reply) -> str:
    """The text-only rendering of a reply: choices become a numbered list."""
    if not reply.choices:
        return reply.text
    lines = [reply.text, ""]
    lines += [f"  {number}. {choice.label}" for number, choice in enumerate(reply.choices, start=1)]
    return "\n".join(lines)


def choice_from_number(reply: Reply | None, text: str) -> str | None:
    """The choice id an owner meant by typing its number (「2」「２」「2.」), if any."""
    if reply is None or not reply.choices:
        return None
    digits = text.strip().rstrip(".。").translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if digits.isdigit() and 1 <= int(digits) <= len(reply.choices):
        return reply.choices[int(digits) - 1].id
    return None
