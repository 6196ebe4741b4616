"""Bad input (issue 8): the hostile corpus through each entry point, every non-text message
type and edited messages. No server error, what the owner wrote stored as written (NUL and
lone surrogates excepted, see `bot.storable`), nothing live reaching Slack."""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot import texts
from bot.engine import Engine
from bot.slack.app import web_client
from bot.slack.dispatcher import Dispatcher
from bot.slack.sinks import SlackCardSink
from bot.storable import storable
from madoguchi.cli import main
from models import Conversation, Lead
from nlp.taxonomy import Taxonomy
from storage.database import Database
from tests.fakes.slack_api import FakeSlack
from tests.fakes.telegram_api import OWNER
from tests.reliability.conftest import PROBLEM, Attempts, InProcessBot, channel_for, play_intakes
from tests.reliability.hostile import FRAGMENTS, LIVE_SLACK, LONG


def all_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in all_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in all_strings(v)]
    return []


def conversation(db: Database, chat: int) -> Conversation:
    with db.session() as session:
        row = session.exec(select(Conversation).where(Conversation.chat_id == str(chat))).one()
        session.expunge(row)
        return row


def test_hostile_text_through_telegram_is_stored_as_written_and_never_live_in_slack(
    engine: Engine, db: Database, fake: Attempts, taxonomy: Taxonomy
) -> None:
    problems = {9000 + n: f"{fragment}{PROBLEM}{fragment}" for n, (_, fragment) in enumerate(FRAGMENTS)}
    bot = InProcessBot(channel_for(engine, db), fake).start()
    try:
        play_intakes(fake, problems)
        fake.text(8999, LONG)
        fake.wait_for(lambda: len(fake.texts_to(8999)) >= 1, timeout=30)
        time.sleep(0.3)
    finally:
        bot.stop()
    everything = [s.text for s in fake.sent]
    assert texts.TROUBLE not in everything  # no server error anywhere
    assert fake.texts_to(8999)  # answered (taken as the problem, or asked to shorten)
    long_problem = conversation(db, 8999).data.get("problem")
    assert long_problem in (None, LONG)  # kept exactly as written if kept at all
    with db.session() as session:
        stored = {int(lead.chat_id): lead.text for lead in session.exec(select(Lead))}
    for chat, problem in problems.items():
        assert stored[chat] == storable(problem).strip(), (chat, stored.get(chat))
    slack = FakeSlack().start()
    try:
        dispatcher = Dispatcher(database=db, taxonomy=taxonomy, owners={}, base_backoff=0.05,
                                cards=SlackCardSink(web_client("xoxb-t", slack.base_url)))
        while dispatcher.run_once():
            pass
        assert len(slack.posted) >= len(problems)
        for message in slack.posted:
            for text in all_strings(json.loads(json.dumps(message.__dict__, default=str))):
                assert not any(marker in text for marker in LIVE_SLACK), text[:200]  # the owner's, live
    finally:
        slack.stop()


def media(chat: int, kind: str) -> dict[str, Any]:
    """A message of ``kind`` that carries no text."""
    file = {"file_id": "f1", "file_unique_id": "u1"}
    bodies: dict[str, Any] = {
        "photo": {"photo": [{**file, "width": 90, "height": 90}]},
        "sticker": {"sticker": {**file, "type": "regular", "width": 512, "height": 512, "is_animated": False,
                                "is_video": False}},
        "voice": {"voice": {**file, "duration": 3}},
        "audio": {"audio": {**file, "duration": 3}},
        "document": {"document": {**file, "file_name": "決算書.pdf"}, "caption": "資料です"},
        "video": {"video": {**file, "width": 90, "height": 90, "duration": 3}},
        "video_note": {"video_note": {**file, "length": 90, "duration": 3}},
        "animation": {"animation": {**file, "width": 90, "height": 90, "duration": 3}},
        "location": {"location": {"latitude": 36.23, "longitude": 137.97}},
        "venue": {"venue": {"location": {"latitude": 36.23, "longitude": 137.97}, "title": "松本城",
                            "address": "長野県松本市"}},
        "contact": {"contact": {"phone_number": "+81901234567", "first_name": "太郎"}},
        "poll": {"poll": {"id": "p1", "persistent_id": "pp1", "question": "どれ？", "options": [{"text": "a", "voter_count": 0, "persistent_id": "o1"}],
                          "total_voter_count": 0, "is_closed": False, "is_anonymous": True, "type": "regular",
                          "allows_multiple_answers": False, "allows_revoting": False, "members_only": False}},
        "dice": {"dice": {"emoji": "🎲", "value": 3}},
    }
    message = {"message_id": int(time.time() * 1000) % 10**9, "date": int(time.time()),
               "chat": {"id": chat, "type": "private"}, "from": {**OWNER, "id": chat}, **bodies[kind]}
    return {"message": message}


MEDIA = ("photo", "sticker", "voice", "audio", "document", "video", "video_note", "animation", "location",
         "venue", "contact", "poll", "dice")


def test_every_non_text_message_and_edits_get_a_polite_reply_and_leave_the_state(
    engine: Engine, db: Database, fake: Attempts
) -> None:
    chat = 9100
    bot = InProcessBot(channel_for(engine, db), fake).start()
    try:
        fake.text(chat, PROBLEM)
        fake.wait_for(lambda: len(fake.texts_to(chat)) >= 1, timeout=30)
        time.sleep(0.3)
        before = conversation(db, chat)
        for kind in MEDIA:
            count = len(fake.texts_to(chat))
            fake.push(media(chat, kind))
            fake.wait_for(lambda c=count: len(fake.texts_to(chat)) > c, timeout=30)
            time.sleep(0.1)
            assert texts.UNSUPPORTED in fake.texts_to(chat)[-1], kind
        count = len(fake.texts_to(chat))
        edited = {"message_id": 1, "date": int(time.time()), "edit_date": int(time.time()),
                  "chat": {"id": chat, "type": "private"}, "from": {**OWNER, "id": chat}, "text": "直しました"}
        fake.push({"edited_message": edited})
        fake.wait_for(lambda: len(fake.texts_to(chat)) > count, timeout=30)
        time.sleep(0.1)
        assert texts.EDITED in fake.texts_to(chat)[-1]
    finally:
        bot.stop()
    after = conversation(db, chat)
    assert (after.state, after.data) == (before.state, before.data)
    assert texts.TROUBLE not in fake.texts_to(chat)
    with db.session() as session:
        assert session.exec(select(Lead)).all() == []


def _stdin(monkeypatch: pytest.MonkeyPatch, data: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode("utf-8", "surrogatepass")),
                                                       encoding="utf-8", errors="surrogateescape"))


def test_hostile_text_through_the_console_chat(
    db: Database, shared_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MADOGUCHI_HOME", str(shared_home))
    monkeypatch.setenv("MADOGUCHI_DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    lines = [f"{fragment}{PROBLEM}".replace("\r", "").replace("\n", "").replace("\u2028", "")
             for _, fragment in FRAGMENTS]
    _stdin(monkeypatch, "\n".join([*lines, LONG]) + "\n")
    assert main(["chat"]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert texts.TROUBLE not in captured.out


@pytest.mark.parametrize("command", ["classify", "route"])
def test_hostile_json_lines_through_the_cli(
    command: str, shared_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MADOGUCHI_HOME", str(shared_home))
    texts_in = [fragment for _, fragment in FRAGMENTS] + [f"{f}{PROBLEM}" for _, f in FRAGMENTS] + [LONG]
    _stdin(monkeypatch, "\n".join(json.dumps({"text": t, "prefecture": "長野県"}) for t in texts_in) + "\n")
    code = main([command])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    results = [json.loads(line) for line in captured.out.splitlines() if line.strip()]
    assert code == 0 and len(results) == len(texts_in)
    for one in [fragment for _, fragment in FRAGMENTS[:3]] + [LONG]:
        code = main([command, one])
        captured = capsys.readouterr()
        assert "Traceback" not in captured.out + captured.err
        assert code in (0, 1, 2)  # a result, or a clear message for unusable text
