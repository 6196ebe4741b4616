"""Issue 7, the learning loop end to end, on SQLite and PostgreSQL.

Leads are corrected by coordinators through the Slack desk, reviewed with `madoguchi
review`, and trained on with `madoguchi train`; a worse version (trained on a deliberately
damaged label set) is refused by `models promote` with the numbers, a better one (a grown
corpus plus the approved feedback) is promoted and a running engine answers with it without
a restart, and `models rollback` brings the previous one back — to the running engine too.

Trainings use reduced copies of the corpus (tests/nlp/small_corpus.py) so that the loop
stays fast; the promotion check is the real one, on the real fixed split.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.messages import Inbound, InboundKind
from bot.slack.desk import CaseDesk, Verdict
from madoguchi.cli import main
from madoguchi.context import AppContext
from madoguchi.settings import Settings
from madoguchi.wiring import build_engine
from models import Conversation, FeedbackSource, FeedbackStatus, LabelFeedback, LeadBase
from nlp.registry import ModelRegistry
from nlp.taxonomy import Taxonomy
from storage.database import Database
from storage.repositories import leads
from tests.nlp.small_corpus import write_small_corpus
from tests.slack.slack_world import assigner, load_example, routed_lead

CORRECTIONS = [  # what the owner wrote, and the label the coordinator set
    ("株式会社ミナト精工の山田太郎です。電話090-1234-5678。試作品の強度が足りず、大学と共同研究したい", "technology"),
    ("松本市中央1丁目2番3号で食堂をやってます。taro@example.jp まで。人手が足りなくて求人を出しても来ない", "hr"),
    ("代表の佐藤です。紙の伝票をやめてクラウドの会計ソフトにしたい", "it"),
]
_ids = itertools.count(1)


def _inbound(chat: str, text: str) -> Inbound:
    return Inbound("test", chat, str(next(_ids)), InboundKind.TEXT, user_id="owner", text=text)


def _model_the_engine_used(db: Database, chat: str) -> str:
    with db.session() as session:
        row = session.exec(select(Conversation).where(Conversation.chat_id == chat)).one()
        return str(row.data["model_version"])


def _json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_the_whole_learning_loop(
    db: Database, database_url: str, taxonomy: Taxonomy, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    home = tmp_path / "home"
    base = write_small_corpus(tmp_path / "base", taxonomy, per_label=40)
    damaged = write_small_corpus(tmp_path / "damaged", taxonomy, per_label=40, damage=0.6)
    grown = write_small_corpus(tmp_path / "grown", taxonomy, per_label=80)
    monkeypatch.setenv("MADOGUCHI_HOME", str(home))
    monkeypatch.setenv("MADOGUCHI_DATABASE_URL", database_url)
    monkeypatch.setenv("MADOGUCHI_CORPUS_DIR", str(base))
    monkeypatch.setenv("MADOGUCHI_MODEL_CHECK_INTERVAL", "0.000001")  # check on every message
    registry = ModelRegistry(home / "models")

    # the first model, and a running engine built the way `serve` builds it
    assert main(["train"]) == 0
    assert "promoted v1" in capsys.readouterr().out
    load_example(db, taxonomy)
    settings = Settings()
    running = build_engine(settings, db, AppContext(settings).understander, taxonomy)
    running.handle(_inbound("owner-1", "後継者がいなくて、店をどうするか悩んでいます"))
    assert _model_the_engine_used(db, "owner-1") == "v1"

    # leads, corrected by coordinators in Slack; one more lead the model was unsure of
    desk = CaseDesk(database=db, assigner=assigner(taxonomy), taxonomy=taxonomy)
    for text, label in CORRECTIONS:
        lead_id = routed_lead(db, taxonomy, text=text, label="succession")
        assert desk.correct(lead_id, "UEXAMPLE01", label=label).verdict is Verdict.DONE
    with db.unit_of_work() as session:
        unsure = leads.create_lead(session, data=LeadBase(
            channel="test", chat_id="owner-9", text="人が辞めていくし、売上も落ちてきた。鈴木様に相談済み",
            label="management", confidence=0.21, model_version="v1"), actor="owner")
        unsure_id = unsure.id

    # review: what is worth labelling, redacted
    assert main(["review", "--json"]) == 0
    items = _json_lines(capsys.readouterr().out)
    assert [item["id"] for item in items] == ["F3", "F2", "F1", f"L{unsure_id}"]
    assert all("correction" in item["reasons"] and "disagreement" in item["reasons"] for item in items[:3])
    assert items[3]["reasons"] == ["low_confidence"]
    listed = json.dumps(items, ensure_ascii=False)
    for secret in ("ミナト", "山田", "090-1234", "中央1丁目", "taro@", "佐藤", "鈴木"):
        assert secret not in listed
    assert main(["review", "--approve", "F1"]) == 0
    assert main(["review", "--approve", "F2", "--label", "hr"]) == 0
    assert main(["review", "--reject", "F3"]) == 0
    assert main(["review", "--approve", f"L{unsure_id}", "--label", "hr"]) == 0
    assert main(["review", "--approve", "F99"]) == 2
    assert main(["review", "--approve", "F1", "--label", "nonsense"]) == 2
    capsys.readouterr()
    with db.session() as session:
        rows = {row.id: row for row in session.exec(select(LabelFeedback))}
        assert [rows[i].status for i in (1, 2, 3)] == [
            FeedbackStatus.APPROVED, FeedbackStatus.APPROVED, FeedbackStatus.REJECTED]
        admin = rows[4]
        assert (admin.source, admin.label, admin.status) == (FeedbackSource.ADMIN, "hr", FeedbackStatus.APPROVED)
        assert all("090" not in row.text and "山田" not in row.text and "鈴木" not in row.text
                   for row in rows.values())

    # a worse model: a damaged label set plus the feedback; its promotion is refused
    monkeypatch.setenv("MADOGUCHI_CORPUS_DIR", str(damaged))
    assert main(["train"]) == 0
    out = capsys.readouterr().out
    assert "registered v2" in out and "feedback:coordinator 2" in out and "feedback:admin 1" in out
    assert "cross-validated" in out and "fixed split unseen.jsonl" in out
    assert main(["models", "promote", "v2"]) == 2
    refusal = capsys.readouterr().err
    v1_f1 = registry.meta("v1").evaluation["report"]["macro_f1"]
    v2_f1 = registry.meta("v2").evaluation["report"]["macro_f1"]
    assert v2_f1 < v1_f1 - 0.01
    assert f"macro-F1 {v1_f1:.4f} -> {v2_f1:.4f}" in refusal and "use --force" in refusal
    assert "F1" in refusal.split("tolerance", 1)[1]  # the labels that dropped, with numbers
    assert registry.current_version() == "v1"

    # a better model: the corpus grew; compare, then promote for real
    monkeypatch.setenv("MADOGUCHI_CORPUS_DIR", str(grown))
    assert main(["train"]) == 0
    assert "registered v3" in capsys.readouterr().out
    assert main(["models", "compare", "v1", "v3", "--json"]) == 0
    comparison = json.loads(capsys.readouterr().out)
    assert set(comparison["per_label"]) == set(taxonomy.ids)
    assert comparison["changed"] and all(c["a"] != c["b"] for c in comparison["changed"])
    assert main(["models", "compare", "v1", "v3"]) == 0
    assert "examples changed prediction" in capsys.readouterr().out
    assert main(["models", "promote", "v3"]) == 0
    assert "promoted v3" in capsys.readouterr().out

    # the running engine answers with v3, without a restart
    running.handle(_inbound("owner-2", "後継者がいなくて、店をどうするか悩んでいます"))
    assert _model_the_engine_used(db, "owner-2") == "v3"
    assert main(["classify", "後継者がいない"]) == 0
    assert json.loads(capsys.readouterr().out)["model_version"] == "v3"

    # rollback: the previous version serves again, in the running engine too
    assert main(["models", "rollback"]) == 0
    assert "rolled back to v1" in capsys.readouterr().out
    running.handle(_inbound("owner-3", "後継者がいなくて、店をどうするか悩んでいます"))
    assert _model_the_engine_used(db, "owner-3") == "v1"
