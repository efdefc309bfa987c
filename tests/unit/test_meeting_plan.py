"""Meeting plans: working days, holidays, the July holiday, spreading meetings over a year."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from domain.meeting_plan import (
    ALL_BUT_JULY,
    PlanError,
    check_meeting_date,
    day_problem,
    month_meeting_day,
    next_meeting_day,
    oslo_time,
    plan_dates,
    spread_months,
    window_for,
)

# Norwegian public holidays 2024-2025 as holidays.Norway lists them (Sundays included).
HOLIDAYS = frozenset(
    dt.date.fromisoformat(d)
    for d in [
        "2024-01-01",
        "2024-03-24",
        "2024-03-28",
        "2024-03-29",
        "2024-03-31",
        "2024-04-01",
        "2024-05-01",
        "2024-05-09",
        "2024-05-17",
        "2024-05-19",
        "2024-05-20",
        "2024-12-25",
        "2024-12-26",
        "2025-01-01",
        "2025-04-13",
        "2025-04-17",
        "2025-04-18",
        "2025-04-20",
        "2025-04-21",
        "2025-05-01",
        "2025-05-17",
        "2025-05-29",
        "2025-06-08",
        "2025-06-09",
        "2025-12-25",
        "2025-12-26",
    ]
)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("day", "problem"),
    [
        ("2025-05-17", "it is a Saturday"),
        ("2025-06-08", "it is a Sunday"),
        ("2025-05-01", "it is a public holiday"),
        ("2025-07-10", "it is in the July holiday"),
        ("2025-08-14", None),
    ],
)
def test_day_problem_names_weekends_holidays_and_july(day: str, problem: str | None) -> None:
    assert day_problem(d(day), HOLIDAYS) == problem


def test_maundy_thursday_moves_past_easter_to_the_tuesday() -> None:
    assert next_meeting_day(d("2025-04-17"), HOLIDAYS) == d("2025-04-22")


def test_a_day_in_july_moves_to_august() -> None:
    assert next_meeting_day(d("2025-07-01"), HOLIDAYS) == d("2025-08-01")


def test_no_working_day_for_two_months_is_an_error() -> None:
    every_day = {d("2025-01-01") + dt.timedelta(days=n) for n in range(120)}
    with pytest.raises(PlanError, match="no working day"):
        next_meeting_day(d("2025-01-01"), every_day)


def test_ten_meetings_skip_july_and_june() -> None:
    assert spread_months(10) == (1, 2, 3, 4, 5, 8, 9, 10, 11, 12)


def test_two_meetings_are_in_spring_and_autumn() -> None:
    assert spread_months(2) == (3, 10)


def test_no_meetings_is_an_empty_plan() -> None:
    assert spread_months(0) == ()


def test_a_negative_number_of_meetings_is_refused() -> None:
    with pytest.raises(PlanError, match="negative"):
        spread_months(-1)


def test_more_meetings_than_months_is_refused() -> None:
    with pytest.raises(PlanError, match="do not fit"):
        spread_months(12, ALL_BUT_JULY)


def test_the_meeting_day_is_the_second_thursday() -> None:
    assert month_meeting_day(2025, 3, HOLIDAYS) == d("2025-03-13")


def test_ascension_day_moves_the_meeting_to_the_friday() -> None:
    assert month_meeting_day(2024, 5, HOLIDAYS) == d("2024-05-09") + dt.timedelta(days=1)


def test_landsstyret_meets_in_march_and_october() -> None:
    assert plan_dates([2025], 2, HOLIDAYS) == (d("2025-03-13"), d("2025-10-09"))


def test_hovedstyret_meets_ten_times_a_year_on_working_days_outside_july() -> None:
    days = plan_dates([2025], 10, HOLIDAYS)
    assert len(days) == 10
    assert all(day_problem(day, HOLIDAYS) is None for day in days)
    assert list(days) == sorted(days)


def test_a_term_plan_keeps_only_the_days_within_the_term() -> None:
    days = plan_dates(
        [2024, 2025], 2, HOLIDAYS, not_before=d("2024-04-01"), not_after=d("2025-06-30")
    )
    assert days == (d("2024-10-10"), d("2025-03-13"))


def test_county_meetings_are_in_february_or_march() -> None:
    assert window_for("county_meeting:03") == (2, 3)
    assert window_for("hovedstyret") == ALL_BUT_JULY
    (day,) = plan_dates([2025], 1, HOLIDAYS, window=window_for("county_meeting:03"))
    assert day.month in (2, 3)


def test_a_date_with_enough_notice_is_accepted() -> None:
    check_meeting_date(d("2025-03-27"), HOLIDAYS, d("2025-03-03"), 14)


def test_a_late_notice_is_refused_unless_the_meeting_is_urgent() -> None:
    with pytest.raises(PlanError, match="too late unless the meeting is marked urgent"):
        check_meeting_date(d("2025-03-13"), HOLIDAYS, d("2025-03-03"), 14)
    check_meeting_date(d("2025-03-13"), HOLIDAYS, d("2025-03-03"), 14, urgent=True)


def test_a_date_in_the_past_is_refused() -> None:
    with pytest.raises(PlanError, match="not after today"):
        check_meeting_date(d("2025-03-03"), HOLIDAYS, d("2025-03-03"), 0)


def test_a_holiday_is_refused_as_a_meeting_date() -> None:
    with pytest.raises(PlanError, match="public holiday"):
        check_meeting_date(d("2025-05-01"), HOLIDAYS, d("2025-03-03"), 14)


def test_oslo_time_follows_the_tz_database_on_every_day_of_two_decades() -> None:
    """The pure summer-time rule agrees with Europe/Oslo at 10:00 on every day of 2020-2039."""
    oslo = ZoneInfo("Europe/Oslo")
    day = dt.date(2020, 1, 1)
    while day.year < 2040:
        expected = dt.datetime(day.year, day.month, day.day, 10, tzinfo=oslo).utcoffset()
        assert oslo_time(day, 10).utcoffset() == expected, day
        day += dt.timedelta(days=1)


def test_summer_time_starts_and_ends_on_the_last_sundays_of_march_and_october() -> None:
    assert oslo_time(dt.date(2028, 3, 25), 10).isoformat() == "2028-03-25T10:00:00+01:00"
    assert oslo_time(dt.date(2028, 3, 26), 10).isoformat() == "2028-03-26T10:00:00+02:00"
    assert oslo_time(dt.date(2028, 10, 28), 9, 30).isoformat() == "2028-10-28T09:30:00+02:00"
    assert oslo_time(dt.date(2028, 10, 29), 10).isoformat() == "2028-10-29T10:00:00+01:00"
