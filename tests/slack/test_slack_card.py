"""The lead card and the payload translations, pure: no server, no database."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.slack.actions import CORRECT_VIEW, DECLINE_VIEW, ModalContext, to_press, to_submission
from bot.slack.card import (
    ACCEPT,
    CLOSE,
    CORRECT,
    DECLINE,
    CardState,
    CardView,
    escape,
    render_blocks,
    render_plain,
)
from bot.slack.views import case_lines, correct_modal, decline_modal
from routing.sla import JST
from tests.fakes.slack_api import button, submission

HOSTILE = "<!channel> 至急 <@U999> <http://evil.example|ここを押して> &amp; <!here|here> 後継ぎがいません"


def view(**changes: object) -> CardView:
    base = CardView(
        lead_id=12, state=CardState.WAITING, category="事業承継・M&A", confidence=0.87,
        secondary=("資金調達・資金繰り",), text=HOSTILE, prefecture="長野県", municipality="松本市",
        company_name="<@U1>工業", industry="製造業", employees=8, hub_name="松本みらい商工会議所",
        coordinator_name="中村 恵", coordinator_slack_id="UEXAMPLE01",
        reasons=("事業承継支援センターを兼ねる拠点です。",),
        due_at=dt.datetime(2026, 11, 30, 15, 0, tzinfo=JST),
    )
    return CardView(**{**{f: getattr(base, f) for f in base.__dataclass_fields__}, **changes})  # type: ignore[arg-type]


def test_escape_makes_every_control_sequence_inert() -> None:
    assert escape("<!channel>") == "&lt;!channel&gt;"
    assert escape("<@U1> & <http://x|y>") == "&lt;@U1&gt; &amp; &lt;http://x|y&gt;"
    assert escape("&amp;") == "&amp;amp;"  # an entity typed by the owner shows as typed


def test_card_shows_everything_and_leaks_no_mention_or_link() -> None:
    blocks = render_blocks(view())
    dumped = json.dumps(blocks, ensure_ascii=False)
    for fact in ("事業承継・M&A", "87%", "資金調達・資金繰り", "長野県松本市", "製造業", "8人",
                 "事業承継支援センターを兼ねる拠点です。", "11月30日（月）15:00", "中村 恵"):
        assert fact in dumped, fact
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    texts += [f["text"] for b in blocks for f in b.get("fields", [])]
    owner_words = "\n".join(texts)
    assert "<!channel>" not in owner_words and "<@U999>" not in owner_words and "<http" not in owner_words
    assert "<!here" not in owner_words and "<@U1>" not in owner_words
    assert "&lt;!channel&gt;" in owner_words and "&amp;amp;" in owner_words
    assert "<@UEXAMPLE01>" in texts[0]  # the one real mention: the assigned coordinator
    actions = next(b for b in blocks if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [ACCEPT, DECLINE, CORRECT]
    assert [e["text"]["text"] for e in actions["elements"]] == ["受付", "辞退", "分類を修正"]
    assert all(e["value"] == "12" for e in actions["elements"])


@pytest.mark.parametrize(("state", "buttons"), [
    (CardState.ACCEPTED, [CORRECT, CLOSE]), (CardState.CLOSED, []), (CardState.HANDED_OVER, []),
])
def test_buttons_follow_the_case(state: CardState, buttons: list[str]) -> None:
    blocks = render_blocks(view(state=state))
    found = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert found == buttons


def test_plain_text_announcement_without_slack() -> None:
    text = render_plain(view(), "CEXAMPLE01")
    assert "ご相談 #12" in text and "受付待ち" in text and "CEXAMPLE01" in text and "中村 恵" in text
    assert "受付 / 辞退 / 分類を修正" in text and "後継ぎがいません" in text


def test_long_words_are_cut_to_fit_a_section() -> None:
    blocks = render_blocks(view(text="あ" * 5000))
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section" and "text" in b)


def test_button_press_translation() -> None:
    press = to_press(button(ACCEPT, 12, "UEXAMPLE01", "CEXAMPLE01", "1.2"))
    assert press is not None
    assert (press.action_id, press.lead_id, press.user_id, press.channel_id) == (ACCEPT, 12, "UEXAMPLE01", "CEXAMPLE01")
    assert to_press({"type": "block_actions", "user": {"id": "U"}, "actions": [{"action_id": "other", "value": "1"}]}) is None
    assert to_press({"type": "block_actions", "user": {"id": "U"}, "actions": [{"action_id": ACCEPT, "value": "x"}]}) is None
    assert to_press({"type": "shortcut"}) is None


def test_modal_round_trip() -> None:
    modal = decline_modal(ModalContext(12, "CEXAMPLE01", 7))
    values = {"reason": {"reason_input": {"type": "plain_text_input", "value": "専門外のため"}}}
    sub = to_submission(submission(modal, "UEXAMPLE01", values))
    assert sub is not None and sub.callback_id == DECLINE_VIEW and sub.reason == "専門外のため"
    assert sub.context == ModalContext(12, "CEXAMPLE01", 7)
    modal = correct_modal(ModalContext(12, None), [("it", "IT活用・経営診断"), ("hr", "人材確保・育成")], "hr")
    assert modal["blocks"][0]["element"]["initial_option"]["value"] == "hr"
    values = {"label": {"label_select": {"type": "static_select", "selected_option": {"value": "it"}}}}
    sub = to_submission(submission(modal, "U2", values))
    assert sub is not None and sub.callback_id == CORRECT_VIEW and sub.label == "it"
    broken = submission({**modal, "private_metadata": "not json"}, "U2", values)
    assert to_submission(broken) is None


def test_case_lines() -> None:
    assert "登録されていません" in case_lines(None)
    assert "ありません" in case_lines([])
