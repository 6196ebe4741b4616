"""The owner's answer to the satisfaction survey sent when a case is closed (pure).

The survey offers choices ``survey:1`` … ``survey:5``; an owner may also type the score,
optionally followed by a comment (「5 とても助かりました」).
"""

from __future__ import annotations

import re

from bot.messages import Choice, Inbound, InboundKind

PREFIX = "survey:"
LABELS = ((5, "5 とても満足"), (4, "4 満足"), (3, "3 ふつう"), (2, "2 やや不満"), (1, "1 不満"))
CHOICES = tuple(Choice(f"{PREFIX}{score}", label) for score, label in LABELS)
THANKS = "ご回答ありがとうございました。いただいた声は、支援拠点のサービス向上に役立てます。"
_TYPED = re.compile(r"^\s*([1-5])(?:\s*点)?(?:[\s、。,.:：]+(.*))?\s*$", re.DOTALL)


def parse_answer(inbound: Inbound) -> tuple[int, str | None] | None:
    """(score, comment) when the message answers the survey, else None."""
    if inbound.kind is InboundKind.CHOICE and inbound.choice and inbound.choice.startswith(PREFIX):
        digits = inbound.choice.removeprefix(PREFIX)
        return (int(digits), None) if digits in {"1", "2", "3", "4", "5"} else None
    if inbound.kind is not InboundKind.TEXT:
        return None
    text = inbound.text.translate(str.maketrans("１２３４５", "12345"))
    match = _TYPED.match(text)
    if match is None:
        return None
    comment = (match.group(2) or "").strip()
    return int(match.group(1)), comment[:2000] or None
