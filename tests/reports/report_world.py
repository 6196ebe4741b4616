"""A small programme with known figures, stored row by row with explicit times.

Three hubs: h1 and h2 in 長野県 answer enough surveys (5 each) to be ranked; h3 (its name a
<script> tag, in 沖縄県) is the fastest and best-scored but has only 2 answers, so it must
be shown as a reference value and never ranked. The expected figures are worked out by
hand next to each case.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from models import (
    Assignment,
    AssignmentOutcome,
    Coordinator,
    CoordinatorKind,
    FeedbackSource,
    FeedbackStatus,
    Hub,
    InstitutionType,
    LabelFeedback,
    Lead,
    SatisfactionSurvey,
)
from storage.database import Database

HOSTILE_HUB = "<script>document.title='pwned'</script>那覇拠点"
HOSTILE_COMMENT = "<img src=x onerror=alert(1)>とても助かりました。090-1234-5678までご連絡ください"
NOW = datetime(2026, 7, 15, 0, 0, tzinfo=UTC)
APRIL = datetime(2026, 4, 6, 0, 0, tzinfo=UTC)  # a Monday, 09:00 in Japan
OUT = AssignmentOutcome


def _hubs(session: Session) -> None:
    for hub_id, name, prefecture, region in (
        ("h1", "長野中央拠点", "長野県", "関東"),
        ("h2", "松本拠点", "長野県", "関東"),
        ("h3", HOSTILE_HUB, "沖縄県", "沖縄"),
    ):
        session.add(Hub(id=hub_id, name=name, institution_type=InstitutionType.CHAMBER_OF_COMMERCE,
                        prefecture=prefecture, region=region))
    session.flush()
    for coordinator_id, hub_id, name in (
        ("c1", "h1", "山田 一郎"), ("c2", "h2", "佐藤 花子"), ("c2b", "h2", "鈴木 次郎"), ("c3", "h3", "比嘉 三郎"),
    ):
        session.add(Coordinator(id=coordinator_id, hub_id=hub_id, name=name, kind=CoordinatorKind.EXTERNAL))
    session.flush()


def _lead(session: Session, number: int, label: str, prefecture: str | None, created: datetime) -> Lead:
    lead = Lead(channel="telegram", chat_id=f"chat{number}", text="相談の本文", label=label,
                prefecture=prefecture, created_at=created, updated_at=created, status_changed_at=created)
    session.add(lead)
    session.flush()
    return lead


def _decide(session: Session, lead: Lead, hub: str | None, coordinator: str | None, outcome: AssignmentOutcome,
            *, answered_h: float | None = None, due_h: float | None = 48, scope: str | None = None,
            actor: str = "routing", decided_h: float = 0) -> None:
    assert lead.id is not None
    start = lead.created_at
    session.add(Assignment(
        lead_id=lead.id, hub_id=hub, coordinator_id=coordinator, outcome=outcome, actor=actor,
        escalation_scope=scope, decided_at=start + timedelta(hours=decided_h),
        due_at=start + timedelta(hours=due_h) if due_h is not None and coordinator else None,
        responded_at=start + timedelta(hours=answered_h) if answered_h is not None else None,
    ))
    session.flush()


def _survey(session: Session, lead: Lead, hub: str, coordinator: str, score: int | None,
            comment: str | None = None) -> None:
    assert lead.id is not None
    answered = lead.created_at + timedelta(days=10) if score is not None else None
    session.add(SatisfactionSurvey(lead_id=lead.id, hub_id=hub, coordinator_id=coordinator, score=score,
                                   comment=comment, sent_at=lead.created_at + timedelta(days=9),
                                   answered_at=answered))


def seed(db: Database) -> None:
    """Store the programme described in the module docstring."""
    with db.unit_of_work() as session:
        _hubs(session)
        day = timedelta(days=1)
        # h1: five leads accepted after 1, 2, 3, 4 and 10 hours, scored 5 5 4 4 5 (mean 4.6).
        # Lead 1 is 00:30 on 1 April in Japan (still 31 March in UTC).
        created = [datetime(2026, 3, 31, 15, 30, tzinfo=UTC), *(APRIL + i * day for i in range(1, 5))]
        for n, (when, hours, score) in enumerate(zip(created, (1, 2, 3, 4, 10), (5, 5, 4, 4, 5), strict=True)):
            lead = _lead(session, n + 1, "succession", "長野県", when)
            _decide(session, lead, "h1", "c1", OUT.ACCEPTED, answered_h=hours)
            _survey(session, lead, "h1", "c1", score)
        # h2: five leads accepted after 2, 4, 6, 8 and 50 hours (50 > the 48-hour deadline:
        # one breach), scored 4 4 4 4 3 (mean 3.8). Lead 6 is 23:59 on 31 March in Japan.
        created = [datetime(2026, 3, 31, 14, 59, tzinfo=UTC), *(APRIL + i * day for i in range(5, 9))]
        for n, (when, hours, score) in enumerate(zip(created, (2, 4, 6, 8, 50), (4, 4, 4, 4, 3), strict=True)):
            lead = _lead(session, n + 6, "financing", "長野県", when)
            _decide(session, lead, "h2", "c2", OUT.ACCEPTED, answered_h=hours)
            _survey(session, lead, "h2", "c2", score)
        # Lead 11: h2 declines after 5 h, rerouted to h1, accepted at 7 h (h1's sixth
        # acceptance); its survey was sent and not answered.
        lead = _lead(session, 11, "it", "東京都", APRIL + 10 * day)
        _decide(session, lead, "h2", "c2", OUT.DECLINED, answered_h=5)
        _decide(session, lead, "h1", "c1", OUT.ACCEPTED, answered_h=7, decided_h=5)
        _survey(session, lead, "h1", "c1", None)
        # h3: two leads accepted after half an hour, both scored 5: fastest and best, too few.
        for n in (12, 13):
            lead = _lead(session, n, "it", "沖縄県", APRIL + n * day)
            _decide(session, lead, "h3", "c3", OUT.ACCEPTED, answered_h=0.5)
            _survey(session, lead, "h3", "c3", 5, HOSTILE_COMMENT if n == 13 else None)
        # Lead 14 (June, no place): h2 declines after its deadline (a breach); h3 receives it
        # already late and still waits: not held against h3.
        lead = _lead(session, 14, "management", None, datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
        _decide(session, lead, "h2", "c2", OUT.DECLINED, answered_h=60)
        _decide(session, lead, "h3", "c3", OUT.PENDING, decided_h=60)
        # Lead 15 (July): pending at h3 and still within its deadline at NOW: not counted.
        # Lead 18 (June): pending at h3 past its deadline: a breach.
        lead = _lead(session, 15, "other", "北海道", NOW - timedelta(hours=1))
        _decide(session, lead, "h3", "c3", OUT.PENDING)
        lead = _lead(session, 18, "management", "沖縄県", datetime(2026, 6, 2, 0, 0, tzinfo=UTC))
        _decide(session, lead, "h3", "c3", OUT.PENDING)
        # Lead 16: h1 lets it expire (a breach), then it is escalated to the region queue.
        lead = _lead(session, 16, "hr", "長野", APRIL + 16 * day)
        _decide(session, lead, "h1", "c1", OUT.EXPIRED, answered_h=49)
        _decide(session, lead, None, None, OUT.PENDING, scope="region", decided_h=49)
        # Lead 17: a colleague at h2 takes over (not a reroute) and accepts after 3 hours.
        lead = _lead(session, 17, "startup", "どこか", APRIL + 17 * day)
        _decide(session, lead, "h2", "c2", OUT.SUPERSEDED, answered_h=3)
        _decide(session, lead, "h2", "c2b", OUT.ACCEPTED, answered_h=3, decided_h=3, actor="slack:U2B")
        # Label feedback: succession -> financing twice and it -> management once count; a
        # confirmation, a rejected correction and one without a prediction do not.
        for predicted, label, status in (
            ("succession", "financing", FeedbackStatus.CANDIDATE),
            ("succession", "financing", FeedbackStatus.APPROVED),
            ("it", "management", FeedbackStatus.CANDIDATE),
            ("hr", "hr", FeedbackStatus.APPROVED),
            ("hr", "startup", FeedbackStatus.REJECTED),
            (None, "hr", FeedbackStatus.CANDIDATE),
        ):
            session.add(LabelFeedback(text="[氏名]の相談", predicted_label=predicted, label=label,
                                      source=FeedbackSource.COORDINATOR, status=status, actor="slack:U1"))
