"""The console channel: the intake in a terminal, or scripted one message per line.

Choices are numbered (type the number); commands start with ``/``. After a case is
submitted the routing decision is printed, as a coordinator would see it: by ``announce``
(the outbox dispatcher printing the hub's card) when given, else as a short summary.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import TextIO

from bot.engine import Engine, Submitted
from bot.messages import Inbound, InboundKind, Reply, numbered
from routing import Outcome

CHANNEL = "console"


def to_inbound(line: str, chat_id: str) -> Inbound:
    """One typed line as a neutral message (a fresh id each, so nothing is deduplicated)."""
    text = line.rstrip("\r\n")
    message_id = uuid.uuid4().hex
    stripped = text.strip()
    if stripped.startswith("/") and len(stripped) > 1 and " " not in stripped:
        return Inbound(CHANNEL, chat_id, message_id, InboundKind.COMMAND, text=text,
                       command=stripped[1:].lower())
    return Inbound(CHANNEL, chat_id, message_id, InboundKind.TEXT, text=text)


def render(reply: Reply) -> str:
    """A reply for the terminal: its text, then numbered choices."""
    return numbered(reply)


def describe(submitted: Submitted) -> str:
    """The routing decision in plain text (what the hub receives)."""
    decision = submitted.decision
    lines = [f"--- 受付番号 {submitted.lead_id} の振り分け結果 ---"]
    if decision.outcome is Outcome.ASSIGNED and decision.hub and decision.coordinator:
        hub, person = decision.hub, decision.coordinator
        center = "（事業承継支援センター）" if hub.succession_center else ""
        lines.append(f"拠点: {hub.name}{center} [{hub.institution_type}・{hub.prefecture}]")
        lines.append(f"担当: {person.name}（{'・'.join(person.qualifications) or '資格登録なし'}）")
    elif decision.outcome is Outcome.ESCALATED and decision.escalation:
        lines.append(f"担当者未定: {decision.escalation.region}の調整待ちに回しました")
    lines += [f"理由: {reason}" for reason in decision.reasons]
    return "\n".join(lines)


class ConsoleChannel:
    """Feeds lines to the engine and prints what it answers."""

    def __init__(
        self,
        engine: Engine,
        out: TextIO,
        chat_id: str = "local",
        announce: Callable[[], object] | None = None,
    ) -> None:
        self.engine = engine
        self.out = out
        self.chat_id = chat_id
        self.announce = announce

    def say(self, inbound: Inbound) -> Submitted | None:
        result = self.engine.handle(inbound)
        for reply in result.replies:
            self.out.write(render(reply) + "\n\n")
        self.out.flush()
        if self.announce is not None:
            self.announce()
        elif result.submitted is not None:
            self.out.write(describe(result.submitted) + "\n\n")
            self.out.flush()
        return result.submitted

    def run(self, lines: Iterable[str], prompt: str | None = None) -> list[Submitted]:
        """Start a fresh intake, then one message per line until the input ends."""
        submitted: list[Submitted] = []
        self.say(to_inbound("/start", self.chat_id))
        for line in _prompted(lines, prompt, self.out):
            done = self.say(to_inbound(line, self.chat_id))
            if done is not None:
                submitted.append(done)
        return submitted


def _prompted(lines: Iterable[str], prompt: str | None, out: TextIO) -> Iterable[str]:
    for line in lines:
        yield line
        if prompt:
            out.write(prompt)
            out.flush()
