"""Coordinators' actions on the database (both backends), without Slack in between."""

from __future__ import annotations

from sqlmodel import select

from bot.slack.desk import CaseDesk, Verdict
from models import AssignmentOutcome, LabelFeedback, LeadStatus, OutboxEvent, SatisfactionSurvey
from nlp.taxonomy import Taxonomy
from storage.database import Database
from storage.repositories import assignments
from tests.slack.slack_world import assigner, get, load_example, routed_lead


def desk(db: Database, taxonomy: Taxonomy) -> CaseDesk:
    return CaseDesk(database=db, assigner=assigner(taxonomy), taxonomy=taxonomy)


def topics(db: Database, lead_id: int) -> list[str]:
    with db.session() as session:
        rows = session.exec(select(OutboxEvent).where(OutboxEvent.lead_id == lead_id)).all()
        return [row.topic for row in sorted(rows, key=lambda r: r.id or 0)]


def test_accept_close_and_survey(db: Database, taxonomy: Taxonomy) -> None:
    load_example(db, taxonomy)
    lead_id = routed_lead(db, taxonomy)
    cases = desk(db, taxonomy)
    assert cases.accept(lead_id, "UEXAMPLE04").verdict is Verdict.FORBIDDEN  # another hub
    assert cases.close(lead_id, "UEXAMPLE01").verdict is Verdict.REFUSED  # accept first
    assert cases.accept(lead_id, "UEXAMPLE01").verdict is Verdict.DONE
    assert cases.accept(lead_id, "UEXAMPLE01").verdict is Verdict.ALREADY  # double click
    assert get(db, lead_id).status is LeadStatus.ACCEPTED
    open_cases = cases.open_cases("UEXAMPLE01")
    assert open_cases is not None and [c.lead_id for c in open_cases] == [lead_id]
    assert open_cases[0].due_at is not None
    assert cases.close(lead_id, "UEXAMPLE01").verdict is Verdict.DONE
    assert cases.close(lead_id, "UEXAMPLE01").verdict is Verdict.ALREADY
    assert get(db, lead_id).status is LeadStatus.CLOSED
    with db.session() as session:
        survey = session.exec(select(SatisfactionSurvey)).one()
        assert (survey.lead_id, survey.hub_id, survey.coordinator_id) == (lead_id, "hub-nagano-01", "co-nagano-01")
    assert topics(db, lead_id) == ["lead.assigned", "lead.updated", "owner.message", "lead.updated", "owner.message"]
    assert cases.open_cases("UEXAMPLE01") == [] and cases.open_cases("UNOBODY") is None


def test_a_colleague_of_the_hub_may_take_the_case(db: Database, taxonomy: Taxonomy) -> None:
    load_example(db, taxonomy)
    lead_id = routed_lead(db, taxonomy)
    assert desk(db, taxonomy).accept(lead_id, "UEXAMPLE02").verdict is Verdict.DONE
    lead = get(db, lead_id)
    assert lead.status is LeadStatus.ACCEPTED and lead.coordinator_id == "co-nagano-02"


def test_decline_routes_onwards_once(db: Database, taxonomy: Taxonomy) -> None:
    load_example(db, taxonomy)
    lead_id = routed_lead(db, taxonomy)
    cases = desk(db, taxonomy)
    pending = cases.pending_id(lead_id)
    assert cases.decline(lead_id, "UEXAMPLE04", reason="x", assignment_id=pending).verdict is Verdict.FORBIDDEN
    assert cases.decline(lead_id, "UEXAMPLE01", reason="専門外です", assignment_id=pending).verdict is Verdict.DONE
    assert cases.decline(lead_id, "UEXAMPLE01", reason="専門外です", assignment_id=pending).verdict is Verdict.ALREADY
    lead = get(db, lead_id)
    assert lead.status is LeadStatus.ASSIGNED and lead.coordinator_id == "co-nagano-02"
    with db.session() as session:
        found = assignments.assignments_for_lead(session, lead_id=lead_id)
        assert [a.outcome for a in found] == [AssignmentOutcome.DECLINED, AssignmentOutcome.PENDING]
        assert found[0].decline_reason == "専門外です"


def test_correction_is_stored_and_reroutes_when_needed(db: Database, taxonomy: Taxonomy) -> None:
    load_example(db, taxonomy)
    lead_id = routed_lead(db, taxonomy, text="090-1234-5678 まで。試作品の品質が安定しません")
    cases = desk(db, taxonomy)
    assert cases.correct(lead_id, "UEXAMPLE01", label="nonsense").verdict is Verdict.REFUSED
    assert cases.correct(lead_id, "UEXAMPLE01", label="technology").verdict is Verdict.DONE
    assert cases.correct(lead_id, "UEXAMPLE01", label="technology").verdict is Verdict.ALREADY
    with db.session() as session:
        row = session.exec(select(LabelFeedback)).one()
        assert (row.label, row.predicted_label, row.lead_id) == ("technology", "succession", lead_id)
        assert "090" not in row.text and "[電話]" in row.text
    lead = get(db, lead_id)
    assert lead.label == "technology" and lead.hub_id == "hub-nagano-02"  # public institute partner
    assert topics(db, lead_id)[-1] == "lead.assigned"
