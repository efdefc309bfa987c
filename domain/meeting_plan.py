"""Meeting plans: on which days an organ meets in a term, avoiding holidays and the July holiday.

Sources: docs/domain.md, "Organs and who elects whom" (Hovedstyret normally ten times a year,
Landsstyret at least twice a year) and "The yearly cycle" (county meetings yearly in
February-March); helligdagsloven § 2 and the 1947 act on 1 and 17 May for the Norwegian public
holidays (the caller passes them in: this module reads no calendar); ferieloven § 7 (the main
holiday, in practice the July "fellesferie"); kommuneloven § 11-3 (notice in reasonable time).
The month window, weekday and anchor day are bylaw-style defaults the secretariat may override.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

from domain.meetings import check_notice

JULY = 7
THURSDAY = 3
DEFAULT_ANCHOR_DAY = 8
ALL_BUT_JULY: tuple[int, ...] = tuple(m for m in range(1, 13) if m != JULY)
COUNTY_MEETING_MONTHS: tuple[int, ...] = (2, 3)
SEARCH_DAYS = 31


def _last_sunday(year: int, month: int) -> dt.date:
    last = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - 6) % 7)


def oslo_time(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """`hour`:`minute` on `day` in Norwegian local time, as an aware datetime with its offset.

    Rule: Norway keeps UTC+1 and summer time UTC+2 from the last Sunday in March to the last
    Sunday in October, switching at 01:00 UTC (docs/domain.md, "Meetings"). A time in the hour
    the clocks skip or repeat is not handled: meetings are not held at night.
    Example: 10:00 on 2028-02-14 is 2028-02-14T10:00:00+01:00; on 2028-06-14, +02:00.
    """
    summer = _last_sunday(day.year, 3) <= day < _last_sunday(day.year, 10)
    offset = dt.timezone(dt.timedelta(hours=2 if summer else 1))
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=offset)


class PlanError(ValueError):
    """A plan or a meeting date is impossible; the message says why in a secretary's words."""


def day_problem(day: dt.date, holidays: Collection[dt.date]) -> str | None:
    """Why `day` cannot be a meeting day, or None when it can.

    Rule: meetings are held on working days: not on a Saturday or Sunday, not on a public
    holiday (helligdagsloven § 2; 1 and 17 May by their own act) and not in July, the common
    holiday (ferieloven § 7).
    Example: 2025-05-17 (Constitution Day, a Saturday) gives "it is a Saturday".
    """
    if day.weekday() >= 5:
        return f"it is a {day.strftime('%A')}"
    if day in holidays:
        return "it is a public holiday"
    if day.month == JULY:
        return "it is in the July holiday"
    return None


def next_meeting_day(day: dt.date, holidays: Collection[dt.date]) -> dt.date:
    """The first meeting day on or after `day`.

    Rule: a planned date that falls on a weekend, a public holiday or in July moves forward to
    the next working day outside July (helligdagsloven § 2, ferieloven § 7).
    Example: Maundy Thursday 2025-04-17 moves to Tuesday 2025-04-22 (Easter Monday is 04-21).
    """
    for offset in range(SEARCH_DAYS + 31):
        candidate = day + dt.timedelta(days=offset)
        if day_problem(candidate, holidays) is None:
            return candidate
    raise PlanError(f"no working day within two months after {day.isoformat()}")


def spread_months(count: int, window: tuple[int, ...] = ALL_BUT_JULY) -> tuple[int, ...]:
    """The months of a year in which `count` meetings are held, spread evenly over `window`.

    Rule: the meetings a year (bylaws `meetings_per_year`; docs/domain.md, "Organs and who elects
    whom": Hovedstyret ten, Landsstyret at least two) are spread over the window, meeting i in
    window month floor((2i+1)n / 2count).
    Example: 2 meetings over all months but July are in March and October.
    """
    if count < 0:
        raise PlanError(f"the number of meetings a year cannot be negative ({count})")
    if count > len(window):
        raise PlanError(f"{count} meetings do not fit in {len(window)} months (one a month)")
    n = len(window)
    return tuple(window[(2 * i + 1) * n // (2 * count)] for i in range(count))


def month_meeting_day(
    year: int,
    month: int,
    holidays: Collection[dt.date],
    weekday: int = THURSDAY,
    anchor_day: int = DEFAULT_ANCHOR_DAY,
) -> dt.date:
    """The meeting day of a month: the first `weekday` on or after the anchor day, if working.

    Rule: a planned meeting is on the first Thursday from the 8th (the second Thursday) unless
    that is no meeting day, in which case the next meeting day (DEFAULT: no public source).
    Example: May 2024: Thursday 2024-05-09 is Ascension Day, so the meeting is on 2024-05-10.
    """
    anchor = dt.date(year, month, anchor_day)
    first = anchor + dt.timedelta(days=(weekday - anchor.weekday()) % 7)
    return next_meeting_day(first, holidays)


def plan_dates(
    years: Iterable[int],
    per_year: int,
    holidays: Collection[dt.date],
    *,
    window: tuple[int, ...] = ALL_BUT_JULY,
    not_before: dt.date | None = None,
    not_after: dt.date | None = None,
) -> tuple[dt.date, ...]:
    """The meeting days of an organ over `years`, earliest first, within the term's bounds.

    Rule: each year has `per_year` meetings spread over the window months (county meetings:
    February-March, docs/domain.md, "The yearly cycle"), each on its month's meeting day; days
    outside [not_before, not_after] (the term's first and last day) are left out.
    Example: Landsstyret 2025 gives 2025-03-13 and 2025-10-09.
    """
    days = (
        month_meeting_day(year, month, holidays)
        for year in years
        for month in spread_months(per_year, window)
    )
    return tuple(
        day
        for day in sorted(days)
        if (not_before is None or day >= not_before) and (not_after is None or day <= not_after)
    )


def window_for(organ: str) -> tuple[int, ...]:
    """The months in which an organ's ordinary meetings are planned.

    Rule: county meetings are held yearly in February-March, with the strategy conference
    (docs/domain.md, "The yearly cycle"); the other organs meet all year except July.
    Example: window_for("county_meeting:03") is (2, 3).
    """
    return COUNTY_MEETING_MONTHS if organ.split(":")[0] == "county_meeting" else ALL_BUT_JULY


def check_meeting_date(
    day: dt.date,
    holidays: Collection[dt.date],
    today: dt.date,
    notice_days: int,
    *,
    urgent: bool = False,
) -> None:
    """Refuse a date for a new or moved meeting, saying why; an urgent meeting may be late.

    Rule: the date must be a meeting day (see `day_problem`) after today, and there must be time
    to give notice (kommuneloven § 11-3) unless the meeting is urgent (§ 11-8).
    Example: today 2025-03-03, 14 days' notice: 2025-03-13 is refused unless urgent.
    """
    if day <= today:
        raise PlanError(f"{day.isoformat()} is not after today ({today.isoformat()})")
    problem = day_problem(day, holidays)
    if problem is not None:
        raise PlanError(f"{day.isoformat()} cannot be a meeting day: {problem}")
    notice = check_notice(day, today, notice_days, urgent=urgent)
    if not notice.allowed:
        raise PlanError(
            f"the notice for {day.isoformat()} had to go out by {notice.deadline.isoformat()} "
            f"({notice_days} days before): too late unless the meeting is marked urgent"
        )
