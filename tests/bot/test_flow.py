"""The intake dialogue, state by state, without a database: every state, every command,
going back to correct, and a table of bad inputs."""

from __future__ import annotations

import itertools

import pytest

from bot import texts
from bot.flow import Effect, Flow, Step
from bot.intake import Intake, Session
from bot.messages import Inbound, InboundKind
from bot.states import State
from nlp.classifier import Classifier, Thresholds
from nlp.taxonomy import Taxonomy
from nlp.understand import Understander

_ids = itertools.count(1)


def text(body: str) -> Inbound:
    return Inbound("test", "chat-1", str(next(_ids)), InboundKind.TEXT, text=body)


def choose(choice: str) -> Inbound:
    return Inbound("test", "chat-1", str(next(_ids)), InboundKind.CHOICE, choice=choice)


def command(name: str) -> Inbound:
    return Inbound("test", "chat-1", str(next(_ids)), InboundKind.COMMAND, command=name)


@pytest.fixture
def flow(taxonomy: Taxonomy, understander: Understander) -> Flow:
    return Flow(taxonomy, understander.understand, max_chars=3000)


@pytest.fixture
def unsure_flow(taxonomy: Taxonomy, classifier: Classifier) -> Flow:
    """The same trained model, with thresholds no result reaches: every answer is
    uncertain, whatever the corpus teaches about a particular text."""
    never = Thresholds(confidence=dict.fromkeys(classifier.labels, 1.01))
    hesitant = Classifier(classifier.pipeline, never, classifier.version)
    return Flow(taxonomy, Understander(hesitant).understand, max_chars=3000)


def run(flow: Flow, session: Session, *messages: Inbound) -> Step:
    step = Step(session)
    for message in messages:
        step = flow.handle(session, message)
    return step


def choice_ids(step: Step) -> list[str]:
    return [c.id for c in step.replies[-1].choices]


def test_first_message_greets_and_understands(flow: Flow) -> None:
    step = run(flow, Session(), text("長野県松本市で町工場をやっています。息子が継がないので、この先どうするか悩んでいます"))
    intake = step.session.intake
    assert texts.GREETING in step.replies[0].text  # the purpose comes before any question
    assert intake.label == "succession"
    assert intake.prefecture == "長野県" and intake.municipality == "松本市"
    assert intake.industry == "製造業"
    assert step.session.state is State.COMPANY  # prefecture known: not asked again
    assert "事業承継" in step.replies[0].text


def test_whole_intake_to_submission(flow: Flow) -> None:
    session = Session()
    run(flow, session, command("start"))
    assert session.state is State.PROBLEM
    step = run(flow, session, text("来月の支払いに300万円足りません。銀行に融資をお願いしたいです"))
    assert session.intake.label == "financing"
    assert session.state is State.PREFECTURE
    assert "region:関東" in choice_ids(step)
    step = run(flow, session, choose("region:近畿"))
    assert session.state is State.REGION_PREFECTURE
    assert "pref:大阪府" in choice_ids(step)
    run(flow, session, choose("pref:大阪府"))
    assert session.intake.prefecture == "大阪府" and session.state is State.COMPANY
    run(flow, session, text("株式会社まるいち"))
    assert session.intake.company_name == "株式会社まるいち" and session.state is State.INDUSTRY
    run(flow, session, text("金属加工の町工場です"))
    assert session.intake.industry == "製造業" and session.state is State.EMPLOYEES
    run(flow, session, text("12人"))
    assert session.intake.employees == 12 and session.state is State.CONTACT
    run(flow, session, choose("contact:phone"))
    assert session.state is State.PHONE
    run(flow, session, text("06-1234-5678"))
    assert session.intake.phone == "0612345678" and session.state is State.CONSENT
    step = run(flow, session, choose("consent:yes"))
    assert session.state is State.CONFIRM
    assert session.intake.consent and session.intake.consent_version == texts.CONSENT_VERSION
    summary = step.replies[-1].text
    for fact in ("資金調達", "大阪府", "株式会社まるいち", "製造業", "12人", "0612345678"):
        assert fact in summary
    step = run(flow, session, choose("confirm:yes"))
    assert step.effect is Effect.SUBMIT


def test_skips_and_chat_contact(flow: Flow) -> None:
    session = Session()
    run(flow, session, text("人手が足りなくて困ってる。福岡の運送会社です"))
    assert session.intake.label == "hr" and session.intake.prefecture == "福岡県"
    assert session.state is State.COMPANY
    run(flow, session, choose("skip"))
    # industry (運送) was understood from the first message, so the next is employees
    assert session.intake.industry == "運輸業"
    assert session.state is State.EMPLOYEES
    run(flow, session, choose("skip"), choose("contact:chat"))
    assert session.state is State.CONSENT
    assert session.intake.company_name is None and session.intake.employees is None


def test_unsure_classifier_offers_categories(unsure_flow: Flow) -> None:
    """Two needs named, neither the clear primary: the owner chooses."""
    flow = unsure_flow
    session = Session()
    step = run(flow, session, command("start"), text("人も金も足りない"))
    assert session.state is State.CATEGORY
    ids = choice_ids(step)
    assert ids[-1] == "cat:unknown" and 2 <= len(ids) <= 4
    assert "cat:other" not in ids
    assert {"cat:hr", "cat:financing"} <= set(ids)
    run(flow, session, choose(ids[0]))
    assert session.intake.label == ids[0].removeprefix("cat:")
    assert session.intake.category_source == "owner"
    assert session.state is State.PREFECTURE


def test_unknown_category_keeps_the_best_guess(unsure_flow: Flow) -> None:
    flow = unsure_flow
    session = Session()
    run(flow, session, command("start"), text("人も金も足りない"))
    first = session.intake.candidates[0]
    run(flow, session, choose("cat:unknown"))
    assert session.intake.label == first and session.intake.category_source == "owner_unsure"


def test_out_of_scope_explains_and_waits(flow: Flow) -> None:
    session = Session()
    step = run(flow, session, command("start"), text("こんにちは"))
    assert session.state is State.PROBLEM
    assert step.replies[-1].text == texts.OUT_OF_SCOPE
    assert session.intake.problem is None


def test_prefecture_from_free_text_postal_code_and_failure(flow: Flow) -> None:
    session = Session()
    run(flow, session, command("start"), text("後継者がいなくて悩んでいます"))
    assert session.state is State.PREFECTURE
    step = run(flow, session, text("どこだろう"))
    assert session.state is State.PREFECTURE and texts.PREFECTURE_NOT_FOUND in step.replies[-1].text
    run(flow, session, text("〒390-0811"))
    assert session.intake.prefecture == "長野県" and session.state is State.COMPANY


def test_region_back(flow: Flow) -> None:
    session = Session()
    run(flow, session, command("start"), text("後継者がいなくて悩んでいます"), choose("region:九州"))
    step = run(flow, session, choose("region:back"))
    assert session.state is State.PREFECTURE and "region:九州" in choice_ids(step)


def test_numbers_pick_choices(flow: Flow) -> None:
    session = Session()
    run(flow, session, command("start"), text("後継者がいなくて悩んでいます"))
    run(flow, session, text("２"))  # the second region: 東北
    assert session.state is State.REGION_PREFECTURE and session.intake.region == "東北"


def test_bad_phone_and_email(flow: Flow) -> None:
    session = _at_contact(flow)
    run(flow, session, choose("contact:email"))
    step = run(flow, session, text("not-an-address"))
    assert session.state is State.EMAIL and texts.BAD_EMAIL in step.replies[-1].text
    run(flow, session, text("ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｊｐ"))
    assert session.intake.email == "yamada@example.jp" and session.state is State.CONSENT
    session = _at_contact(flow)
    run(flow, session, choose("contact:phone"))
    step = run(flow, session, text("12345"))
    assert session.state is State.PHONE and texts.BAD_PHONE in step.replies[-1].text
    run(flow, session, choose("contact:chat"))
    assert session.intake.contact_via == "chat" and session.state is State.CONSENT


def test_no_consent_no_submission(flow: Flow) -> None:
    session = _at_contact(flow)
    run(flow, session, choose("contact:chat"))
    step = run(flow, session, choose("consent:no"))
    assert session.state is State.CONSENT and not session.intake.consent
    assert [c.id for c in step.replies[-1].choices] == ["consent:yes", "cancel"]
    step = run(flow, session, choose("cancel"))
    assert session.state is State.IDLE and session.intake.problem is None
    assert step.effect is None


def test_going_back_to_correct(flow: Flow) -> None:
    session = _at_confirm(flow)
    step = run(flow, session, choose("confirm:edit"))
    assert session.state is State.CORRECT and "edit:prefecture" in choice_ids(step)
    run(flow, session, choose("edit:prefecture"), text("北海道"))
    assert session.intake.prefecture == "北海道"
    assert session.state is State.CONFIRM  # straight back to the summary
    run(flow, session, choose("confirm:edit"), choose("edit:category"))
    assert session.state is State.CATEGORY
    run(flow, session, choose("cat:new_business"))
    assert session.intake.label == "new_business" and session.state is State.CONFIRM
    run(flow, session, choose("confirm:edit"), choose("edit:employees"), text("約30人"))
    assert session.intake.employees == 30 and session.state is State.CONFIRM
    run(flow, session, choose("confirm:edit"), choose("edit:problem"), text("若い人が入ってもすぐ辞めてしまう"))
    assert session.intake.label == "hr" and session.state is State.CONFIRM
    run(flow, session, choose("confirm:edit"), choose("edit:company"), text("山田商店"))
    run(flow, session, choose("confirm:edit"), choose("edit:industry"), text("小売"))
    run(flow, session, choose("confirm:edit"), choose("edit:contact"), choose("contact:chat"))
    assert session.state is State.CONFIRM
    assert (session.intake.company_name, session.intake.industry) == ("山田商店", "小売業")
    assert run(flow, session, choose("confirm:yes")).effect is Effect.SUBMIT


def test_commands(flow: Flow) -> None:
    session = _at_contact(flow)
    before = session.intake.to_json()
    step = run(flow, session, command("help"))
    assert step.replies[0].text == texts.HELP and session.state is State.CONTACT
    assert run(flow, session, command("status")).effect is Effect.STATUS
    step = run(flow, session, command("delete"))
    assert session.state is State.DELETE
    step = run(flow, session, choose("delete:no"))
    assert session.state is State.CONTACT and texts.DELETE_KEPT in step.replies[-1].text
    assert session.intake.to_json() | {"resume": None, "choices": []} == before | {"resume": None, "choices": []}
    run(flow, session, command("delete"))
    assert run(flow, session, choose("delete:yes")).effect is Effect.ERASE
    step = run(flow, session, command("cancel"))
    assert session.state is State.IDLE and step.replies[-1].text == texts.CANCELLED
    step = run(flow, session, command("cancel"))
    assert step.replies[-1].text == texts.NOTHING_TO_CANCEL
    step = run(flow, session, command("start"))
    assert session.state is State.PROBLEM and texts.GREETING in step.replies[0].text
    step = run(flow, Session(), command("whatever"))
    assert step.replies[0].text == texts.HELP


def test_second_case_after_the_first(flow: Flow) -> None:
    session = Session(State.IDLE, Intake())  # what the engine leaves after a submission
    run(flow, session, text("新しい商品をネットで売りたい。東京です"))
    assert session.intake.label == "new_business" and session.state is State.COMPANY


@pytest.mark.parametrize(
    ("message", "reply"),
    [
        (Inbound("test", "c", "1", InboundKind.UNSUPPORTED), texts.UNSUPPORTED),
        (Inbound("test", "c", "2", InboundKind.EDITED, text="直しました"), texts.EDITED),
        (Inbound("test", "c", "3", InboundKind.TEXT, text=""), texts.EMPTY),
        (Inbound("test", "c", "4", InboundKind.TEXT, text="   \u200b😀😀  "), texts.EMPTY),
        (Inbound("test", "c", "5", InboundKind.TEXT, text="あ" * 10_000), texts.TOO_LONG.format(limit=3000)),
        (Inbound("test", "c", "6", InboundKind.CHOICE, choice="consent:yes"), texts.STALE_CHOICE),
        (Inbound("test", "c", "7", InboundKind.CHOICE, choice="pref:火星"), texts.STALE_CHOICE),
        (Inbound("test", "c", "8", InboundKind.CHOICE, choice=None), texts.STALE_CHOICE),
        (Inbound("test", "c", "9", InboundKind.TEXT, text="\ud800\x00\u202e"), texts.EMPTY),
    ],
)
def test_bad_inputs_keep_the_state(flow: Flow, message: Inbound, reply: str) -> None:
    session = _at_contact(flow)
    before = (session.state, session.intake.to_json())
    step = flow.handle(session, message)
    assert reply in step.replies[0].text
    assert step.effect is None
    assert (session.state, session.intake.to_json()) == before
    assert step.replies[-1].choices  # the question is put again


def test_bad_input_in_every_state(flow: Flow) -> None:
    """No state is left by an unsupported message, and every state answers it."""
    for state in State:
        session = Session(state, Intake(problem="x", label="hr", candidates=["hr", "it"], region="関東"))
        step = flow.handle(session, Inbound("test", "c", "x", InboundKind.UNSUPPORTED))
        assert session.state is state
        assert step.replies and texts.UNSUPPORTED in step.replies[0].text


def test_text_in_choice_only_states(flow: Flow) -> None:
    session = _at_confirm(flow)
    step = run(flow, session, text("はい"))
    assert session.state is State.CONFIRM and step.effect is None
    assert choice_ids(step) == ["confirm:yes", "confirm:edit", "cancel"]


def _at_contact(flow: Flow) -> Session:
    session = Session()
    run(flow, session, text("長野県で旅館をやっています。予約の管理を紙からシステムに変えたい"),
        choose("skip"), choose("skip"))
    assert session.state is State.CONTACT, session.state
    return session


def _at_confirm(flow: Flow) -> Session:
    session = _at_contact(flow)
    run(flow, session, choose("contact:chat"), choose("consent:yes"))
    assert session.state is State.CONFIRM
    return session
