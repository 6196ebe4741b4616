"""The lead card: one `CardView` rendered as Block Kit for Slack or as plain text.

Pure: no Slack client, no database. Everything an owner typed is escaped with `escape`
so that ``<!channel>``, ``<@U…>``, ``<http…|…>`` and ``&`` entities stay inert text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from routing.sla import JST

ACCEPT, DECLINE, CORRECT, CLOSE = "lead.accept", "lead.decline", "lead.correct", "lead.close"
BUTTON_LABELS = {ACCEPT: "受付", DECLINE: "辞退", CORRECT: "分類を修正", CLOSE: "完了"}
MAX_WORDS = 2500  # a section's text may hold 3,000 characters


class CardState(StrEnum):
    """What the card shows as the case moves."""

    WAITING = "waiting"  # assigned, waiting for the coordinator to accept
    ACCEPTED = "accepted"
    CLOSED = "closed"
    ESCALATED = "escalated"  # no coordinator yet: the hub (or an admin) must pick one
    HANDED_OVER = "handed_over"  # this channel's card after the case moved to another hub
    WITHDRAWN = "withdrawn"


STATE_LINES = {
    CardState.WAITING: "受付待ち",
    CardState.ACCEPTED: "受付済み（対応中）",
    CardState.CLOSED: "完了",
    CardState.ESCALATED: "担当者未定（拠点内での割り当てをお願いします）",
    CardState.HANDED_OVER: "他の担当者・拠点へ引き継がれました",
    CardState.WITHDRAWN: "相談者により取り下げられました",
}
STATE_BUTTONS = {
    CardState.WAITING: (ACCEPT, DECLINE, CORRECT),
    CardState.ACCEPTED: (CORRECT, CLOSE),
}


@dataclass(frozen=True, slots=True)
class CardView:
    """Everything a card shows, already looked up (category names, hub, coordinator)."""

    lead_id: int
    state: CardState
    category: str
    confidence: float
    secondary: tuple[str, ...]
    text: str
    prefecture: str | None
    municipality: str | None
    company_name: str | None
    industry: str | None
    employees: int | None
    hub_name: str | None
    coordinator_name: str | None
    coordinator_slack_id: str | None
    reasons: tuple[str, ...]
    due_at: dt.datetime | None


def escape(text: str) -> str:
    """Slack's three control characters as entities: the text can no longer mention,
    link or smuggle an entity (``&amp;lt;`` shows as ``&lt;``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def deadline_text(due_at: dt.datetime | None) -> str:
    """「11月30日（月）15:00」 in Japan time, or 「—」."""
    if due_at is None:
        return "—"
    local = due_at.astimezone(JST) if due_at.tzinfo else due_at
    return f"{local.month}月{local.day}日（{'月火水木金土日'[local.weekday()]}）{local:%H:%M}"


def _facts(view: CardView, *, slack: bool = True) -> list[tuple[str, str]]:
    place = "".join(p for p in (view.prefecture, view.municipality) if p) or "不明"
    facts = [
        ("分類", f"{view.category}（確信度 {view.confidence:.0%}）"),
        ("関連", "、".join(view.secondary) if view.secondary else "なし"),
        ("所在地", place),
        ("会社名", view.company_name or "未回答"),
        ("業種", view.industry or "未回答"),
        ("従業員", f"{view.employees}人" if view.employees is not None else "未回答"),
        ("受付期限", deadline_text(view.due_at)),
    ]
    return [(key, escape(value) if slack else value) for key, value in facts]


def _words(view: CardView) -> str:
    text = view.text if len(view.text) <= MAX_WORDS else view.text[:MAX_WORDS] + "…"
    return "\n".join(f"> {line}" for line in escape(text).splitlines() or [""])


def headline(view: CardView) -> str:
    """The notification text (also the top-level ``text`` of the message)."""
    who = f"<@{view.coordinator_slack_id}> " if view.coordinator_slack_id else ""
    return f"{who}ご相談 #{view.lead_id}（{escape(view.category)}）：{STATE_LINES[view.state]}"


def render_blocks(view: CardView) -> list[dict[str, Any]]:
    """The Block Kit blocks of the card."""
    owner = escape(view.coordinator_name or "未定")
    blocks: list[dict[str, Any]] = [
        {"type": "header",
         "text": {"type": "plain_text", "text": f"ご相談 #{view.lead_id}：{view.category}"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": headline(view)}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f"*{k}*\n{v}"} for k, v in _facts(view)]
         + [{"type": "mrkdwn", "text": f"*担当*\n{owner}"}]},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*ご相談内容*\n{_words(view)}"}},
    ]
    if view.reasons:
        reasons = "\n".join(f"• {escape(reason)}" for reason in view.reasons)
        element = {"type": "mrkdwn", "text": f"*割り当ての理由*\n{reasons}"}
        blocks.append({"type": "context", "elements": [element]})
    buttons = STATE_BUTTONS.get(view.state, ())
    if buttons:
        blocks.append({
            "type": "actions",
            "block_id": f"lead:{view.lead_id}",
            "elements": [_button(action_id, view.lead_id) for action_id in buttons],
        })
    return blocks


def _button(action_id: str, lead_id: int) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": BUTTON_LABELS[action_id]},
        "value": str(lead_id),
    }
    if action_id == ACCEPT:
        button["style"] = "primary"
    elif action_id == DECLINE:
        button["style"] = "danger"
    return button


def render_plain(view: CardView, channel: str | None) -> str:
    """The same announcement as plain text (no Slack configured)."""
    lines = [
        f"【まどぐち】ご相談 #{view.lead_id}：{STATE_LINES[view.state]}",
        f"  宛先: {channel or '（Slack チャンネル未設定）'} / 担当: {view.coordinator_name or '未定'}"
        f"（{view.hub_name or '拠点未定'}）",
    ]
    lines += [f"  {key}: {value}" for key, value in _facts(view, slack=False)]
    lines.append("  ご相談内容: " + view.text.replace("\n", " ")[:MAX_WORDS])
    lines += [f"  理由: {reason}" for reason in view.reasons]
    buttons = STATE_BUTTONS.get(view.state, ())
    if buttons:
        lines.append("  操作: " + " / ".join(BUTTON_LABELS[b] for b in buttons))
    return "\n".join(lines)
