"""Service-level deadlines counted in Japanese working days.

Saturdays, Sundays and public holidays (祝日, 振替休日 and 国民の休日, from ``jpholiday``)
never count; nor, by default, the year-end closure from 29 December to 3 January that
public bodies and most support organisations observe. Days are counted in Japan time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import jpholiday

JST = timezone(timedelta(hours=9), "JST")  # Japan has no daylight saving time
DEFAULT_WORKING_DAYS = 2


def is_year_end_closure(day: date) -> bool:
    """29 December to 3 January."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_working_day(day: date, *, year_end_closure: bool = True) -> bool:
    """A weekday that is not a public holiday (nor in the year-end closure)."""
    if day.weekday() >= 5 or jpholiday.is_holiday(day):
        return False
    return not (year_end_closure and is_year_end_closure(day))


def sla_deadline(
    start: datetime, working_days: int = DEFAULT_WORKING_DAYS, *, year_end_closure: bool = True
) -> datetime:
    """The same time of day (Japan time) on the ``working_days``-th working day after the
    day of ``start``: Friday 15:00 plus 2 working days is Tuesday 15:00.

    An aware ``start`` gives a deadline in JST; a naive one is read as Japan time and gives
    a naive deadline.
    """
    if working_days < 1:
        raise ValueError("an SLA needs at least one working day")
    local = start.astimezone(JST) if start.tzinfo is not None else start.replace(tzinfo=JST)
    day = local.date()
    counted = 0
    while counted < working_days:
        day += timedelta(days=1)
        if is_working_day(day, year_end_closure=year_end_closure):
            counted += 1
    deadline = datetime.combine(day, local.timetz())
    return deadline if start.tzinfo is not None else deadline.replace(tzinfo=None)


def is_overdue(
    start: datetime,
    now: datetime,
    working_days: int = DEFAULT_WORKING_DAYS,
    *,
    year_end_closure: bool = True,
) -> bool:
    """Whether a case assigned at ``start`` and still not accepted at ``now`` is past its SLA."""
    deadline = sla_deadline(start, working_days, year_end_closure=year_end_closure)
    if (deadline.tzinfo is None) != (now.tzinfo is None):
        raise ValueError("start and now must both be aware or both be naive")
    return now >= deadline
