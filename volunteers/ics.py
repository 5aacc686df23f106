"""Calendar files (RFC 5545) for shifts, built with the icalendar library.

Events carry TZID in the organisation's zone plus a matching VTIMEZONE. The address (LOCATION) is
whatever `volunteers.clearance.locations_for` allows: only for a shift the person is booked on and
still cleared for (a booking on hold gets the neighbourhood and a note instead); a per-shift download
by someone not booked gets the neighbourhood at most. This module never reads a shift's address
itself. UIDs are stable per shift (`shift-<id>@<host>`), so a calendar app updates the same event
when a shift moves.
"""

import datetime
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .clearance import Location
from .models import Shift


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "haven.invalid"


def shift_uid(shift: Shift) -> str:
    return f"shift-{shift.pk}@{_host()}"


def _event(shift: Shift, *, booked: bool, on_hold: bool, location: str, stamp: datetime.datetime) -> Event:
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
        event.add("status", "CONFIRMED" if booked and not on_hold else "TENTATIVE")
    if location:
        event.add("location", location)
    description = _("Role: %(role)s. Details: %(url)s") % {"role": shift.role.name, "url": event["url"]}
    if on_hold:
        description = (
            _("Your booking is on hold, so the address is not shown: the shift page says why and what to do.")
            + " "
            + description
        )
    event.add("description", description)
    return event


def calendar_for_shifts(
    shifts: Iterable[Shift],
    *,
    locations: Mapping[int, Location],
    name: str,
    show_neighbourhood: bool = True,
) -> bytes:
    """A VCALENDAR with one VEVENT per shift. `locations` (shift id -> what the person may be told,
    from volunteers.clearance) holds the person's bookings; the address comes only from there."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.HAVEN_ORG_NAME}//Volunteer shifts//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = datetime.datetime.now(datetime.UTC)
    for shift in shifts:
        place = locations.get(shift.pk)
        booked = place is not None and place.booking is not None
        on_hold = booked and place.on_hold
        if booked and place.address:
            location = place.address
        else:
            location = shift.neighbourhood if (show_neighbourhood or booked) else ""
        calendar.add_component(_event(shift, booked=booked, on_hold=on_hold, location=location, stamp=stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()
