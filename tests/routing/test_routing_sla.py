"""SLA deadlines in Japanese working days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from routing import is_overdue, sla_deadline
from routing.sla import JST, is_working_day


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("start", "days", "deadline"),
    [
        ("2025-06-11T10:00", 1, "2025-06-12T10:00"),  # Wednesday -> Thursday
        ("2025-06-13T15:00", 2, "2025-06-17T15:00"),  # Friday -> Tuesday, over the weekend
        ("2025-06-14T10:00", 2, "2025-06-17T10:00"),  # arriving on a Saturday
        ("2025-04-28T10:00", 2, "2025-05-01T10:00"),  # 昭和の日 (Tue 29 April)
        ("2025-02-21T09:00", 1, "2025-02-25T09:00"),  # 天皇誕生日 on a Sunday: 振替休日 Monday
        ("2026-05-01T09:30", 2, "2026-05-08T09:30"),  # Golden Week with 振替休日 on 6 May
        ("2026-09-18T12:00", 2, "2026-09-25T12:00"),  # 敬老の日, 国民の休日, 秋分の日
        ("2025-12-26T15:00", 2, "2026-01-06T15:00"),  # year-end closure 29 Dec - 3 Jan
        ("2025-06-13T15:00", 5, "2025-06-20T15:00"),
    ],
)
def test_deadlines_skip_weekends_and_holidays(start: str, days: int, deadline: str) -> None:
    assert sla_deadline(at(start), days) == at(deadline)


def test_the_default_is_two_working_days() -> None:
    assert sla_deadline(at("2025-06-13T15:00")) == at("2025-06-17T15:00")


def test_the_year_end_closure_can_be_ignored() -> None:
    assert sla_deadline(at("2025-12-26T15:00"), 2, year_end_closure=False) == at("2025-12-30T15:00")
    assert not is_working_day(date(2026, 1, 2))
    assert is_working_day(date(2026, 1, 2), year_end_closure=False)


def test_aware_times_are_counted_in_japan_time() -> None:
    # Friday 16:00 UTC is Saturday 01:00 in Japan; Monday 13 January 2025 is 成人の日
    start = datetime(2025, 1, 10, 16, 0, tzinfo=UTC)
    deadline = sla_deadline(start, 2)
    assert deadline == datetime(2025, 1, 15, 1, 0, tzinfo=JST)
    assert deadline.utcoffset() == timedelta(hours=9)


def test_overdue() -> None:
    start = at("2025-06-13T15:00")
    assert not is_overdue(start, at("2025-06-17T14:59"))
    assert is_overdue(start, at("2025-06-17T15:00"))
    assert is_overdue(start, at("2025-06-16T15:00"), working_days=1)
    assert not is_overdue(start, at("2025-06-16T09:00"), working_days=1)
    with pytest.raises(ValueError, match="both be aware"):
        is_overdue(start, datetime(2025, 6, 20, tzinfo=JST))


def test_an_sla_needs_a_working_day() -> None:
    with pytest.raises(ValueError):
        sla_deadline(at("2025-06-13T15:00"), 0)
