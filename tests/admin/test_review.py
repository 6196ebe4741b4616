"""`madoguchi review` in the terminal, owners' category choices as candidates, and the
reloading understander and promotion guard on their own (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import itertools
import json
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from bot.messages import Inbound, InboundKind
from madoguchi.cli import main
from madoguchi.settings import Settings
from madoguchi.wiring import build_engine
from models import FeedbackSource, FeedbackStatus, LabelFeedback
from nlp.classifier import Classifier, Thresholds
from nlp.taxonomy import Taxonomy
from nlp.understand import Understander
from storage.database import Database
from storage.repositories import feedback
from tests.slack.slack_world import load_example

_ids = itertools.count(1)
OWNER_TEXT = "株式会社ミナトの山田です。090-1234-5678。松本市で食堂をやっています。人が集まらない"


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def _answer(replies: list[str], choices: list[str]) -> Inbound:
    """What an owner answers: the category they want, then the quickest way through."""
    chat = "owner-choice"
    for wanted in ("cat:hr", "skip", "contact:chat", "consent:yes", "confirm:yes"):
        if wanted in choices:
            return Inbound("test", chat, str(next(_ids)), InboundKind.CHOICE, user_id="o", choice=wanted)
    return Inbound("test", chat, str(next(_ids)), InboundKind.TEXT, user_id="o", text="8人")


def test_an_owners_category_choice_becomes_a_redacted_candidate(
    db: Database, classifier: Classifier, taxonomy: Taxonomy
) -> None:
    # the same model with thresholds no answer reaches: the bot asks the owner every time
    strict = Classifier(classifier.pipeline, Thresholds({label: 1.01 for label in classifier.labels}),
                        classifier.version)
    load_example(db, taxonomy)
    engine = build_engine(Settings(), db, Understander(strict), taxonomy)
    result = engine.handle(Inbound("test", "owner-choice", "0", InboundKind.TEXT, user_id="o", text=OWNER_TEXT))
    asked = [c.id for r in result.replies for c in r.choices]
    assert "cat:hr" in asked or any(c.startswith("cat:") for c in asked)
    for _ in range(12):
        if result.submitted is not None:
            break
        choices = [c.id for r in result.replies for c in r.choices]
        if "cat:hr" not in choices and any(c.startswith("cat:") for c in choices):
            choices.append("cat:hr")  # hr is a category the owner may name even if not offered
        result = engine.handle(_answer([r.text for r in result.replies], choices))
    assert result.submitted is not None
    with db.session() as session:
        row = session.exec(select(LabelFeedback)).one()
        assert (row.source, row.label, row.status) == (FeedbackSource.OWNER, "hr", FeedbackStatus.CANDIDATE)
        assert row.lead_id == result.submitted.lead_id and row.model_version == classifier.version
        assert row.predicted_label in taxonomy.ids
        assert "山田" not in row.text and "090" not in row.text and "ミナト" not in row.text
        assert "人が集まらない" in row.text


@pytest.fixture
def cli_home(shared_home: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MADOGUCHI_HOME", str(shared_home))
    monkeypatch.setenv("MADOGUCHI_DATABASE_URL", database_url)
    return shared_home


def _candidates(db: Database) -> None:
    with db.unit_of_work() as session:
        for text, label, predicted in [
            ("試作品の強度が足りない", "technology", "succession"),
            ("求人を出しても人が来ない", "hr", "hr"),
            ("会計ソフトを入れたい", "it", "management"),
        ]:
            feedback.add_label_feedback(session, text=text, label=label, source=FeedbackSource.COORDINATOR,
                                        actor="slack:U1", predicted_label=predicted)


def test_review_interactively_with_numbered_categories(
    db: Database, cli_home: Path, taxonomy: Taxonomy, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _candidates(db)
    hr = list(taxonomy.ids).index("hr") + 1
    # disagreements first (F3, F1), then F2: set hr by number, approve as shown, reject
    _stdin(monkeypatch, f"x\n{hr}\n\nr\n")
    assert main(["review"]) == 0
    out = capsys.readouterr().out
    assert "F3" in out and "モデルと人の判断が違う" in out and f"{hr}) {taxonomy.name('hr')}" in out
    assert "type 1-10" in out and "3 decided" in out
    with db.session() as session:
        rows = {r.id: (r.status, r.label) for r in session.exec(select(LabelFeedback))}
    assert rows == {
        3: (FeedbackStatus.APPROVED, "hr"),
        1: (FeedbackStatus.APPROVED, "technology"),
        2: (FeedbackStatus.REJECTED, "hr"),
    }
    assert main(["review"]) == 0
    assert "nothing to review" in capsys.readouterr().out


def test_review_quits_and_scripts_get_clear_errors(
    db: Database, cli_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _candidates(db)
    _stdin(monkeypatch, "s\nq\n")
    assert main(["review"]) == 0
    assert "0 decided" in capsys.readouterr().out
    assert main(["review", "--approve", "X1"]) == 2
    assert "unknown review item" in capsys.readouterr().err
    assert main(["review", "--approve", "F1", "--reject", "F2"]) == 2
    assert main(["review", "--label", "hr"]) == 2
    assert "--label goes with --approve" in capsys.readouterr().err
    assert main(["review", "--approve", "F2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"id": "F2", "status": "approved", "label": "hr"}
