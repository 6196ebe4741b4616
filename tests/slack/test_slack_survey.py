"""The owner's answer to the satisfaction survey: parsing (pure) and the engine storing it."""

from __future__ import annotations

import itertools

import pytest
from sqlmodel import select

from bot import survey
from bot.messages import Inbound, InboundKind
from bot.slack.desk import CaseDesk
from madoguchi.settings import Settings
from madoguchi.wiring import build_engine
from models import SatisfactionSurvey
from nlp.taxonomy import Taxonomy
from nlp.understand import Understander
from storage.database import Database
from tests.slack.slack_world import assigner, load_example, routed_lead

_ids = itertools.count(1)


def said(text: str = "", choice: str | None = None, chat: str = "c1") -> Inbound:
    kind = InboundKind.CHOICE if choice else InboundKind.TEXT
    return Inbound("test", chat, str(next(_ids)), kind, user_id="u1", text=text, choice=choice)


@pytest.mark.parametrize(("inbound", "expected"), [
    (said(choice="survey:4"), (4, None)),
    (said("5"), (5, None)),
    (said("５ とても助かりました"), (5, "とても助かりました")),
    (said("3点。説明が早口でした"), (3, "説明が早口でした")),
    (said(choice="survey:9"), None),
    (said("6"), None),
    (said("10人です"), None),
    (said("売上が落ちています"), None),
])
def test_parse_answer(inbound: Inbound, expected: tuple[int, str | None] | None) -> None:
    assert survey.parse_answer(inbound) == expected


def test_engine_stores_the_score_once_against_hub_and_coordinator(
    db: Database, taxonomy: Taxonomy, understander: Understander
) -> None:
    load_example(db, taxonomy)
    lead_id = routed_lead(db, taxonomy, channel="test", chat_id="c1")
    engine = build_engine(Settings(), db, understander, taxonomy)
    desk = CaseDesk(database=db, assigner=assigner(taxonomy), taxonomy=taxonomy)
    desk.accept(lead_id, "UEXAMPLE01")
    assert survey.THANKS not in [r.text for r in engine.handle(said("4", chat="c2")).replies]  # no survey there
    desk.close(lead_id, "UEXAMPLE01")
    replies = engine.handle(said("5 丁寧に対応していただきました", chat="c1")).replies
    assert [r.text for r in replies] == [survey.THANKS]
    replies = engine.handle(said(choice="survey:1", chat="c1")).replies  # answered already: not a survey
    assert survey.THANKS not in [r.text for r in replies]
    with db.session() as session:
        row = session.exec(select(SatisfactionSurvey)).one()
        assert (row.score, row.comment, row.hub_id, row.coordinator_id) == (
            5, "丁寧に対応していただきました", "hub-nagano-01", "co-nagano-01")
