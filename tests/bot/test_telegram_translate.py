"""Translating captured Telegram updates into neutral messages, and replies back."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot, Update

from bot.messages import Choice, InboundKind, Reply
from bot.telegram.translate import chosen_label, keyboard, split_text, to_inbound
from bot.throttle import Throttle, Verdict

BOT = Bot("123:abc")
CHAT = {"id": 55, "type": "private", "first_name": "A"}
USER = {"id": 55, "is_bot": False, "first_name": "A"}


def update(payload: dict[str, Any]) -> Update:
    parsed = Update.de_json({"update_id": 9, **payload}, BOT)
    assert parsed is not None
    return parsed


def message(**extra: Any) -> dict[str, Any]:
    return {"message": {"message_id": 1, "date": 1700000000, "chat": CHAT, "from": USER, **extra}}


def test_text_command_and_choice() -> None:
    text = to_inbound(update(message(text="後継ぎがいない")))
    assert text is not None and text.kind is InboundKind.TEXT and text.text == "後継ぎがいない"
    assert (text.channel, text.chat_id, text.message_id, text.user_id) == ("telegram", "55", "9", "55")
    command = to_inbound(update(message(text="/start@madoguchi_bot hello")))
    assert command is not None and command.kind is InboundKind.COMMAND and command.command == "start"
    pressed = to_inbound(update({"callback_query": {
        "id": "q1", "chat_instance": "c", "data": "consent:yes", "from": USER,
        "message": {"message_id": 3, "date": 1700000000, "chat": CHAT, "text": "共有してよいですか"}}}))
    assert pressed is not None and pressed.kind is InboundKind.CHOICE and pressed.choice == "consent:yes"


@pytest.mark.parametrize("extra", [
    {"sticker": {"file_id": "s", "file_unique_id": "u", "type": "regular", "width": 1, "height": 1,
                 "is_animated": False, "is_video": False}},
    {"photo": [{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}]},
    {"voice": {"file_id": "v", "file_unique_id": "u", "duration": 1}},
    {"document": {"file_id": "d", "file_unique_id": "u"}},
    {"location": {"latitude": 36.2, "longitude": 137.9}},
])
def test_non_text_messages_are_unsupported(extra: dict[str, Any]) -> None:
    inbound = to_inbound(update(message(**extra)))
    assert inbound is not None and inbound.kind is InboundKind.UNSUPPORTED


def test_edits_groups_and_other_updates() -> None:
    edited = to_inbound(update({"edited_message": {"message_id": 1, "date": 1700000000, "edit_date": 1700000001,
                                                   "chat": CHAT, "from": USER, "text": "直した"}}))
    assert edited is not None and edited.kind is InboundKind.EDITED
    group = {"id": -100, "type": "supergroup", "title": "g"}
    assert to_inbound(update({"message": {"message_id": 1, "date": 1, "chat": group, "text": "x"}})) is None
    assert to_inbound(update({"channel_post": {"message_id": 1, "date": 1, "chat": {"id": -5, "type": "channel"},
                                               "text": "x"}})) is None


def test_keyboard_and_labels() -> None:
    reply = Reply("どれですか", (Choice("pref:和歌山県", "和歌山県"), Choice("region:back", "戻る")))
    markup = keyboard(reply)
    assert markup is not None
    assert [row[0].callback_data for row in markup.inline_keyboard] == ["pref:和歌山県", "region:back"]
    assert all(len(row[0].callback_data.encode()) <= 64 for row in markup.inline_keyboard)  # Telegram's limit
    assert chosen_label(markup, "region:back") == "戻る" and chosen_label(markup, "nope") is None
    assert keyboard(Reply("x")) is None


def test_long_text_is_split_under_telegrams_limit() -> None:
    parts = split_text(("一行" * 100 + "\n") * 50)
    assert len(parts) > 1 and all(len(p) <= 4096 for p in parts)
    assert "".join(parts).replace("\n", "") == ("一行" * 100) * 50


def test_throttle_is_per_chat() -> None:
    now = [0.0]
    throttle = Throttle(limit=3, window=10.0, clock=lambda: now[0])
    verdicts = [throttle.check("flood") for _ in range(6)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.WARN, Verdict.DROP, Verdict.DROP]
    assert throttle.check("calm") is Verdict.ALLOW  # other chats are not slowed
    now[0] = 11.0
    assert throttle.check("flood") is Verdict.ALLOW
