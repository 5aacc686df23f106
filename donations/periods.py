"""The periods giving statements cover: a calendar year, or the organisation's fiscal year when
HAVEN_FISCAL_YEAR_START_MONTH is not 1 (7 = July to June). A fiscal year is numbered by the year it
starts in (fiscal 2025 = July 2025 – June 2026) and always labelled with both months, so nobody has to
know the convention. Dates are in the organisation's time zone."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from core.i18n import local_format

CALENDAR = "calendar"
FISCAL = "fiscal"
KINDS = (CALENDAR, FISCAL)


def fiscal_start_month() -> int:
    return settings.HAVEN_FISCAL_YEAR_START_MONTH


def fiscal_years_differ() -> bool:
    """Whether fiscal years are their own periods (else a fiscal year is the calendar year)."""
    return fiscal_start_month() != 1


@dataclass(frozen=True)
class StatementPeriod:
    kind: str  # CALENDAR or FISCAL
    year: int  # the year it starts in

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Unknown statement period {self.kind!r}")

    @property
    def start(self) -> datetime.date:
        month = fiscal_start_month() if self.kind == FISCAL else 1
        return datetime.date(self.year, month, 1)

    @property
    def end(self) -> datetime.date:
        """The first day after the period."""
        start = self.start
        return start.replace(year=start.year + 1)

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end) as aware datetimes in the organisation's zone."""
        tz = timezone.get_current_timezone()
        return (
            datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz),
            datetime.datetime.combine(self.end, datetime.time.min, tzinfo=tz),
        )

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day < self.end

    @property
    def label(self) -> str:
        """ "2026" (calendar year) or "Fiscal year July 2025 – June 2026", in the active language."""
        if self.kind == CALENDAR:
            return _("Calendar year %(year)s") % {"year": self.year}
        month_year = local_format("HAVEN_MONTH_YEAR")
        return _("Fiscal year %(start)s – %(end)s") % {
            "start": dateformat.format(self.start, month_year),
            "end": dateformat.format(self.last_day, month_year),
        }

    @property
    def short_label(self) -> str:
        """For a list of statements: "2026", or "July 2025 – June 2026"."""
        if self.kind == CALENDAR:
            return str(self.year)
        month_year = local_format("HAVEN_MONTH_YEAR")
        return f"{dateformat.format(self.start, month_year)} – {dateformat.format(self.last_day, month_year)}"

    @property
    def file_stem(self) -> str:
        """giving-statement-2026 / giving-statement-fy2025-2026."""
        if self.kind == CALENDAR:
            return f"giving-statement-{self.year}"
        if self.start.month == 1:
            return f"giving-statement-fy{self.year}"
        return f"giving-statement-fy{self.year}-{self.year + 1}"


def calendar_year(year: int) -> StatementPeriod:
    return StatementPeriod(CALENDAR, year)


def fiscal_year(year: int) -> StatementPeriod:
    return StatementPeriod(FISCAL, year)


def period_of(day: datetime.date, kind: str) -> StatementPeriod:
    """The period of `kind` that contains `day`."""
    if kind == CALENDAR or day.month >= fiscal_start_month():
        return StatementPeriod(kind, day.year)
    return StatementPeriod(kind, day.year - 1)


def offered_kinds() -> tuple[str, ...]:
    """Calendar years always (donors' tax years); fiscal years too when they differ."""
    return (FISCAL, CALENDAR) if fiscal_years_differ() else (CALENDAR,)


def last_ended(kind: str, today: datetime.date | None = None) -> StatementPeriod:
    """The period of `kind` that ended most recently before `today`."""
    today = today or timezone.localdate()
    current = period_of(today, kind)
    return StatementPeriod(kind, current.year - 1)
