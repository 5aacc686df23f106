import datetime
import re

import pytest
from icalendar import Calendar

from tests.factories import ShiftFactory, ready_volunteer
from volunteers import services

pytestmark = pytest.mark.django_db


def _new_feed_url(client) -> str:
    body = client.post("/me/volunteer/calendar/", {"action": "reset"}).content.decode()
    return re.search(r'value="http://testserver(/calendar/[^"]+\.ics)"', body).group(1)


def test_feed_lists_booked_shifts_with_tzid_vtimezone_and_stable_uids(client, ready):
    # given two booked shifts and one not booked
    booked = [ShiftFactory(address=f"{n} Hidden Lane") for n in (1, 2)]
    booked[1].starts_at += datetime.timedelta(days=1)
    booked[1].ends_at += datetime.timedelta(days=1)
    booked[1].save()
    for shift in booked:
        services.shift_book(shift=shift, volunteer=ready)
    ShiftFactory(address="99 Not Mine Road")
    client.force_login(ready)
    url = _new_feed_url(client)
    client.logout()

    # when a calendar app fetches the feed (no session)
    response = client.get(url)

    # then it is valid iCalendar with both events in the organisation's zone
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    timezones = calendar.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["America/New_York"]
    for event, shift in zip(events, booked, strict=True):
        assert event["DTSTART"].params["TZID"] == "America/New_York"
        assert event.decoded("DTSTART") == shift.starts_at
        assert str(event["UID"]) == f"shift-{shift.pk}@testserver"
        assert str(event["LOCATION"]) == shift.address  # the feed lists only booked shifts
    assert b"99 Not Mine Road" not in response.content
    # UIDs are stable between fetches
    again = Calendar.from_ical(client.get(url).content)
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == [str(e["UID"]) for e in events]


def test_reset_invalidates_the_old_url_and_only_a_hash_is_stored(client, ready):
    client.force_login(ready)
    old = _new_feed_url(client)
    new = _new_feed_url(client)

    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    token = new.removeprefix("/calendar/").removesuffix(".ics")
    assert ready.calendar_token.token_hash != token
    assert ready.calendar_token.token_hash == services.calendar_token_hash(token)


def test_turning_the_feed_off_makes_it_404(client, ready):
    client.force_login(ready)
    url = _new_feed_url(client)
    client.post("/me/volunteer/calendar/", {"action": "revoke"})

    assert client.get(url).status_code == 404


def test_deactivated_users_feed_stops_working(client, ready):
    client.force_login(ready)
    url = _new_feed_url(client)
    ready.is_active = False
    ready.save()

    assert client.get(url).status_code == 404


def test_unknown_token_is_404(client, db):
    assert client.get("/calendar/not-a-real-token.ics").status_code == 404


def test_single_shift_download_has_the_address_only_when_booked(client, ready):
    shift = ShiftFactory(address="12 Hidden Lane", neighbourhood="Eastside")
    other = ready_volunteer()
    client.force_login(other)
    not_booked = Calendar.from_ical(client.get(f"/shifts/{shift.pk}/calendar.ics").content)
    assert b"Hidden Lane" not in not_booked.to_ical()
    assert str(not_booked.walk("VEVENT")[0]["LOCATION"]) == "Eastside"

    services.shift_book(shift=shift, volunteer=ready)
    client.force_login(ready)
    booked = Calendar.from_ical(client.get(f"/shifts/{shift.pk}/calendar.ics").content)
    event = booked.walk("VEVENT")[0]
    assert str(event["LOCATION"]) == "12 Hidden Lane"
    assert booked.walk("VTIMEZONE")

    client.logout()
    anonymous = client.get(f"/shifts/{shift.pk}/calendar.ics").content
    assert b"Hidden Lane" not in anonymous and b"Eastside" not in anonymous
