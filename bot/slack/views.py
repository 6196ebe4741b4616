"""Modals, the App Home and the `/madoguchi` list, as Block Kit (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.slack import texts
from bot.slack.actions import (
    CORRECT_VIEW,
    DECLINE_VIEW,
    LABEL_BLOCK,
    LABEL_INPUT,
    REASON_BLOCK,
    REASON_INPUT,
    ModalContext,
)
from bot.slack.card import deadline_text, escape
from bot.slack.desk import OpenCase
from models import LeadStatus

STATUS_NAMES = {LeadStatus.ASSIGNED: "受付待ち", LeadStatus.ACCEPTED: "対応中"}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def decline_modal(context: ModalContext) -> dict[str, Any]:
    """The modal asking why the coordinator declines."""
    return {
        "type": "modal",
        "callback_id": DECLINE_VIEW,
        "private_metadata": context.dump(),
        "title": _plain(texts.DECLINE_TITLE),
        "submit": _plain(texts.SUBMIT),
        "close": _plain(texts.CANCEL),
        "blocks": [{
            "type": "input",
            "block_id": REASON_BLOCK,
            "label": _plain(texts.DECLINE_LABEL),
            "element": {"type": "plain_text_input", "action_id": REASON_INPUT, "multiline": True,
                        "max_length": 2000},
        }],
    }


def correct_modal(
    context: ModalContext, categories: Sequence[tuple[str, str]], current: str
) -> dict[str, Any]:
    """The modal with the categories (id, name); ``current`` is preselected."""
    options = [{"text": _plain(name), "value": category_id} for category_id, name in categories]
    element: dict[str, Any] = {"type": "static_select", "action_id": LABEL_INPUT, "options": options}
    initial = [option for option in options if option["value"] == current]
    if initial:
        element["initial_option"] = initial[0]
    return {
        "type": "modal",
        "callback_id": CORRECT_VIEW,
        "private_metadata": context.dump(),
        "title": _plain(texts.CORRECT_TITLE),
        "submit": _plain(texts.SUBMIT),
        "close": _plain(texts.CANCEL),
        "blocks": [{"type": "input", "block_id": LABEL_BLOCK, "label": _plain(texts.CORRECT_LABEL),
                    "element": element}],
    }


def case_lines(cases: Sequence[OpenCase] | None) -> str:
    """The open cases as text (the `/madoguchi` answer)."""
    if cases is None:
        return texts.NOT_A_COORDINATOR
    if not cases:
        return texts.NO_OPEN_CASES
    lines = [f"担当中のご相談（{len(cases)}件）"]
    lines += [
        texts.case_line(case.lead_id, escape(case.category), STATUS_NAMES.get(case.status, str(case.status)),
                        deadline_text(case.due_at))
        for case in cases
    ]
    return "\n".join(lines)


def home_view(cases: Sequence[OpenCase] | None) -> dict[str, Any]:
    """The App Home tab of one coordinator."""
    return {
        "type": "home",
        "blocks": [
            {"type": "header", "text": _plain("まどぐち：担当中のご相談")},
            {"type": "section", "text": {"type": "mrkdwn", "text": case_lines(cases)}},
        ],
    }
