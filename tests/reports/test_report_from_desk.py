"""The report counts what coordinators really did: leads routed by the assigner and worked
through the Slack desk's actions (accept, a colleague taking over, decline, correct, close)
and a survey answered through the repository, on both databases."""

from __future__ import annotations

from bot.slack.desk import CaseDesk, Verdict
from models import utcnow
from nlp.taxonomy import Taxonomy
from reports.collect import read_data
from reports.compute import build_report
from storage.database import Database
from storage.repositories import feedback
from tests.slack.slack_world import assigner, load_example, routed_lead


def test_desk_actions_become_the_reports_figures(db: Database, taxonomy: Taxonomy) -> None:
    load_example(db, taxonomy)
    desk = CaseDesk(database=db, assigner=assigner(taxonomy), taxonomy=taxonomy)
    accepted, taken_over, declined, corrected = (routed_lead(db, taxonomy, chat_id=str(n)) for n in range(4))
    assert desk.accept(accepted, "UEXAMPLE01").verdict is Verdict.DONE
    assert desk.close(accepted, "UEXAMPLE01").verdict is Verdict.DONE
    with db.unit_of_work() as session:
        feedback.answer_survey(session, lead_id=accepted, score=4, comment="丁寧でした")
    assert desk.accept(taken_over, "UEXAMPLE02").verdict is Verdict.DONE  # a colleague of the hub
    reason = "専門外です"
    assert desk.decline(declined, "UEXAMPLE01", reason=reason,
                        assignment_id=desk.pending_id(declined)).verdict is Verdict.DONE
    assert desk.correct(corrected, "UEXAMPLE01", label="technology").verdict is Verdict.DONE

    report = build_report(read_data(db), taxonomy, model=None, min_responses=5, now=utcnow())
    assert report.total_leads == 4
    assert {c.key: c.count for c in report.categories if c.count} == {"succession": 3, "technology": 1}
    hubs = {h.hub_id: h for h in report.hubs}
    home = hubs["hub-nagano-01"]
    assert (home.accepted, home.declined, home.sla_breaches, home.rank) == (2, 1, 0, None)
    assert home.median_hours is not None and home.median_hours < 0.1
    assert home.hub_name == "【サンプル】松本みらい商工会議所"
    assert "hub-nagano-02" in hubs  # the corrected case went to the hub with a research partner
    assert [(s.id, s.sent, s.responses, s.mean_score, s.enough) for s in report.hub_satisfaction] == [
        ("hub-nagano-01", 1, 1, 4.0, False)]
    assert [(s.id, s.responses) for s in report.coordinator_satisfaction] == [("co-nagano-01", 1)]
    # the decline and the correction re-routed a case; the colleague's takeover did not
    assert (report.reroutes.leads_rerouted, report.reroutes.reroutes) == (2, 2)
    assert [(c.name, c.count) for c in report.reroutes.by_cause] == [
        ("担当者の辞退", 1), ("受付期限の超過", 0), ("分類の修正など", 1)]
    assert [(p.predicted, p.corrected, p.count) for p in report.corrections] == [("succession", "technology", 1)]
