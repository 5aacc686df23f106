"""The organisation's wall clock: a local date and time as an aware UTC instant, and an instant in
words for messages."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import dateformat, timezone

from core.i18n import local_format


def local_instant(day: datetime.date, time: datetime.time, *, zone: str | None = None) -> datetime.datetime:
    """The aware UTC instant of wall-clock `time` on `day` in the organisation's zone (or `zone`)."""
    local = datetime.datetime.combine(day, time, tzinfo=ZoneInfo(zone or settings.TIME_ZONE))
    return local.astimezone(datetime.UTC)


def format_when(instant: datetime.datetime) -> str:
    """ "Monday, March 2, 2026 at 9:00 AM EST" ("lunes, 2 de marzo de 2026, 09:00 EST"), in the
    organisation's zone and the active language."""
    return dateformat.format(timezone.localtime(instant), local_format("HAVEN_WEEKDAY_DATETIME_YEAR_ZONE"))
