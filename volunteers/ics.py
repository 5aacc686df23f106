"""Calendar files (RFC 5545) for shifts, built with the icalendar library.

Events carry TZID in the organisation's zone plus a matching VTIMEZONE. The address (LOCATION) is
included only for shifts the person is booked on: the private feed lists only booked shifts, so it
has addresses; a per-shift download by someone not booked gets the neighbourhood at most. UIDs are
stable per shift (`shift-<id>@<host>`), so a calendar app updates the same event when a shift moves.
"""

import datetime
from collections.abc import Iterable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event

from .models import Shift


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "haven.invalid"


def shift_uid(shift: Shift) -> str:
    return f"shift-{shift.pk}@{_host()}"


def _event(shift: Shift, *, booked: bool, location: str, stamp: datetime.datetime) -> Event:
    zone = ZoneInfo(settings.TIME_ZONE)
    event = Event()
    event.add("uid", shift_uid(shift))
    event.add("dtstamp", stamp)
    event.add("dtstart", shift.starts_at.astimezone(zone))
    event.add("dtend", shift.ends_at.astimezone(zone))
    event.add("summary", f"{settings.HAVEN_ORG_NAME}: {shift.display_title}")
    event.add("url", settings.SITE_URL + reverse("volunteers:shift_detail", args=[shift.pk]))
    if shift.is_cancelled:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED" if booked else "TENTATIVE")
    if location:
        event.add("location", location)
    event.add("description", f"Role: {shift.role.name}. Details: " + event["url"])
    return event


def calendar_for_shifts(
    shifts: Iterable[Shift], *, booked_shift_ids: set[int], name: str, show_neighbourhood: bool = True
) -> bytes:
    """A VCALENDAR with one VEVENT per shift; addresses only for `booked_shift_ids`."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.HAVEN_ORG_NAME}//Volunteer shifts//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = datetime.datetime.now(datetime.UTC)
    for shift in shifts:
        booked = shift.pk in booked_shift_ids
        if booked:
            location = shift.address or shift.neighbourhood
        else:
            location = shift.neighbourhood if show_neighbourhood else ""
        calendar.add_component(_event(shift, booked=booked, location=location, stamp=stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()
