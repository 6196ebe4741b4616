"""`madoguchi chat` scripted through stdin: a whole intake, ending with the hub's card."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from madoguchi.cli import main
from models import Lead
from storage.database import Database

SCRIPT = [
    "長野県松本市で町工場をやってます。息子が継がないので、店をどうするか悩んでいます",
    "1",  # company: skip
    "8人",
    "1",  # contact: this chat
    "1",  # consent: yes
    "1",  # confirm
]


def _run_chat(monkeypatch: pytest.MonkeyPatch, lines: list[str] | bytes) -> int:
    data = lines if isinstance(lines, bytes) else ("\n".join(lines) + "\n").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    return main(["chat"])


@pytest.fixture
def chat_env(db: Database, shared_home: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv("MADOGUCHI_HOME", str(shared_home))
    monkeypatch.setenv("MADOGUCHI_DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    return db


def test_scripted_intake_prints_the_card(chat_env: Database, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert _run_chat(monkeypatch, SCRIPT) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert out.startswith("こんにちは。")  # the purpose comes first
    assert "  1. 答えない・スキップ" in out  # choices are numbered
    assert "受付番号" in out
    # without Slack the dispatcher prints the hub's card, as the coordinator would get it
    card = out[out.index("【まどぐち】ご相談 #"):]
    assert "受付待ち" in card and "担当:" in card and "理由:" in card
    assert "所在地: 長野県松本市" in card and "事業承継" in card
    assert "操作: 受付 / 辞退 / 分類を修正" in card
    assert out.count("【まどぐち】ご相談 #") == 1  # delivered once
    assert "サンプル" in captured.err  # the sample directory was prepared on first use
    with chat_env.session() as session:
        lead = session.exec(select(Lead)).one()
        assert lead.channel == "console" and lead.label == "succession" and lead.employees == 8


def test_bad_input_never_breaks_the_chat(chat_env: Database, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    hostile = b"\xff\xfe\x00broken\n\n" + ("あ" * 10_000).encode() + b"\n/unknown\n\xe2\x80\xae\n"
    assert _run_chat(monkeypatch, hostile) == 0
    out = capsys.readouterr().out
    assert "Traceback" not in out
    assert "3000字以内" in out  # the enormous message got a kind reply
    with chat_env.session() as session:
        assert session.exec(select(Lead)).all() == []


def test_with_slack_configured_the_chat_prints_only_a_summary(
    chat_env: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # the card belongs to the dispatcher, which would post it to Slack; the chat must not
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    assert _run_chat(monkeypatch, SCRIPT) == 0
    out = capsys.readouterr().out
    assert "【まどぐち】ご相談 #" not in out
    decision = out[out.index("の振り分け結果"):]
    assert "拠点:" in decision and "担当:" in decision and "理由:" in decision
    with chat_env.session() as session:
        lead = session.exec(select(Lead)).one()
        assert lead.label == "succession"
