"""Lead status moves only along the allowed transitions, whoever sets it."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from models import ALLOWED_TRANSITIONS, InvalidStatusTransition, Lead, LeadStatus, check_transition, is_open
from storage.database import Database
from storage.repositories import leads

S = LeadStatus
ALLOWED = {
    (S.NEW, S.ASSIGNED),
    (S.NEW, S.ESCALATED),
    (S.NEW, S.WITHDRAWN),
    (S.ASSIGNED, S.ASSIGNED),
    (S.ASSIGNED, S.ACCEPTED),
    (S.ASSIGNED, S.ESCALATED),
    (S.ASSIGNED, S.WITHDRAWN),
    (S.ACCEPTED, S.ASSIGNED),
    (S.ACCEPTED, S.CLOSED),
    (S.ACCEPTED, S.WITHDRAWN),
    (S.ESCALATED, S.ESCALATED),
    (S.ESCALATED, S.ASSIGNED),
    (S.ESCALATED, S.CLOSED),
    (S.ESCALATED, S.WITHDRAWN),
}


def new_lead() -> Lead:
    return Lead(channel="console", chat_id="c1", text="相談", label="management")


def test_the_table_is_the_one_documented() -> None:
    assert {(a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets} == ALLOWED


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, S)))
def test_every_pair_is_allowed_or_refused(current: LeadStatus, target: LeadStatus) -> None:
    if (current, target) in ALLOWED:
        check_transition(current, target)
    else:
        with pytest.raises(InvalidStatusTransition, match=f"'{current}' cannot move to '{target}'"):
            check_transition(current, target)


def test_closed_and_withdrawn_are_final() -> None:
    assert not is_open(S.CLOSED) and not is_open(S.WITHDRAWN)
    assert all(is_open(s) for s in (S.NEW, S.ASSIGNED, S.ACCEPTED, S.ESCALATED))


def test_a_lead_starts_as_new() -> None:
    assert new_lead().status == S.NEW
    with pytest.raises(InvalidStatusTransition, match="a new lead cannot move to 'accepted'"):
        Lead(channel="console", chat_id="c1", text="相談", label="management", status=S.ACCEPTED)


def test_move_to_stamps_the_time_of_each_status() -> None:
    lead = new_lead()
    moments = [datetime(2026, 4, day, tzinfo=UTC) for day in (1, 2, 3, 4)]
    for status, moment in zip((S.ASSIGNED, S.ASSIGNED, S.ACCEPTED, S.CLOSED), moments, strict=True):
        lead.move_to(status, moment)
    assert lead.assigned_at == moments[1] and lead.accepted_at == moments[2] and lead.closed_at == moments[3]
    assert lead.status_changed_at == moments[3] and lead.status == S.CLOSED


def test_move_to_refuses_staying_put_where_that_is_no_move() -> None:
    lead = new_lead()
    lead.move_to(S.ASSIGNED)
    lead.move_to(S.ACCEPTED)
    with pytest.raises(InvalidStatusTransition):
        lead.move_to(S.ACCEPTED)


def test_setting_the_attribute_directly_is_guarded_too() -> None:
    lead = new_lead()
    with pytest.raises(InvalidStatusTransition):
        lead.status = S.CLOSED
    lead.status = S.WITHDRAWN
    with pytest.raises(InvalidStatusTransition):
        lead.status = S.ASSIGNED


def test_a_stored_lead_is_guarded_after_loading(db: Database) -> None:
    with db.unit_of_work() as session:
        lead = leads.create_lead(session, data=new_lead(), actor="test")
        leads.change_status(session, lead=lead, status=S.ASSIGNED, actor="routing")
        lead_id = lead.id
    with db.unit_of_work() as session:
        loaded = leads.get_lead(session, lead_id=lead_id or 0, for_update=True)
        assert loaded is not None and loaded.status == S.ASSIGNED
        with pytest.raises(InvalidStatusTransition):
            leads.change_status(session, lead=loaded, status=S.CLOSED, actor="slack:U1")
        leads.change_status(session, lead=loaded, status=S.ACCEPTED, actor="slack:U1")
    with db.session() as session:
        stored = leads.get_lead(session, lead_id=lead_id or 0)
        assert stored is not None and stored.status == S.ACCEPTED and stored.accepted_at is not None
