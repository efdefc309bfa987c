"""The ordinary meetings of a term, planned around Norwegian public holidays and July.

The dates follow the domain's plan rules (`domain.meeting_plan`); the holidays come from the
`holidays` package, which is data, not I/O, but no dependency of the pure domain.
"""

from __future__ import annotations

from datetime import date, datetime, time

from holidays.countries.norway import Norway

from domain.meeting_plan import plan_dates, window_for
from models.meeting_payloads import PlannedMeeting, PlanRequest, PlanResult
from notices.calendar import OSLO


def norwegian_holidays(years: tuple[int, ...]) -> tuple[date, ...]:
    """The Norwegian public holidays of `years` (Sundays are weekends anyway, so not listed)."""
    return tuple(sorted(Norway(years=list(years), include_sundays=False)))


def plan_series(request: PlanRequest) -> PlanResult:
    """The ordinary meetings of a term, numbered from 1, at `start_time` in Europe/Oslo."""
    years = tuple(range(request.first_day.year, request.last_day.year + 1))
    days = norwegian_holidays(years)
    dates = plan_dates(
        years,
        request.meetings_per_year,
        set(days),
        window=window_for(request.organ),
        not_before=request.first_day,
        not_after=request.last_day,
    )
    at = time.fromisoformat(request.start_time)
    meetings = tuple(
        PlannedMeeting(number=n, starts_at=datetime.combine(day, at, tzinfo=OSLO))
        for n, day in enumerate(dates, start=1)
    )
    return PlanResult(meetings=meetings, holidays=days)
