"""Retention that runs by itself: the daily task applies the written policy, with frozen time.

Data is made on a given day (time-machine) and the task is run on a later one: what the policy no
longer allows is gone, what it still allows is untouched, and the public privacy page states the
same periods from the same settings."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.account.models import EmailAddress, EmailConfirmation
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse

from accounts import retention, tasks
from accounts.models import AuditEntry
from campaigns.services import totals_refresh
from donations.models import Donation, RecurringGift
from messaging.models import Message
from tests.factories import (
    BookingFactory,
    CampaignFactory,
    DonationFactory,
    RecurringGiftFactory,
    RequirementVerificationFactory,
    RoleApprovalFactory,
    ShiftFactory,
    UserFactory,
    ready_volunteer,
)
from volunteers.models import (
    AgreementSignature,
    Booking,
    CalendarToken,
    RequirementVerification,
    RoleApproval,
    ShiftMessage,
    VolunteerProfile,
    WaitlistEntry,
)
from volunteers.services import calendar_token_reset

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


def _on(year, month, day, hour=12):
    return time_machine.travel(datetime.datetime(year, month, day, hour, tzinfo=NEW_YORK), tick=False)


def _volunteer_with_history(*, email, last_login):
    """An onboarded volunteer with everything a volunteer leaves behind, and one shift worked."""
    person = ready_volunteer(email=email)
    person.last_login = last_login
    person.save(update_fields=["last_login"])
    RequirementVerificationFactory(volunteer=person)
    RoleApprovalFactory(volunteer=person)
    calendar_token_reset(user=person)
    shift = ShiftFactory(
        starts_at=last_login - datetime.timedelta(days=3),
        ends_at=last_login - datetime.timedelta(days=3, hours=-3),
    )
    BookingFactory(volunteer=person, shift=shift, status=Booking.Status.ATTENDED, minutes=180)
    return person


def _has_volunteer_data(person) -> bool:
    return any(
        model.objects.filter(**{field: person}).exists()
        for model, field in (
            (VolunteerProfile, "user"),
            (AgreementSignature, "volunteer"),
            (RequirementVerification, "volunteer"),
            (RoleApproval, "volunteer"),
            (CalendarToken, "user"),
        )
    )


def test_volunteer_data_goes_after_the_inactive_months_and_past_shifts_stay(settings):
    settings.HAVEN_RETENTION_VOLUNTEER_INACTIVE_MONTHS = 24
    with _on(2026, 1, 15):
        gone = _volunteer_with_history(
            email="gone@example.org", last_login=datetime.datetime(2026, 1, 15, tzinfo=NEW_YORK)
        )
    with _on(2027, 6, 1):
        active = _volunteer_with_history(
            email="active@example.org", last_login=datetime.datetime(2027, 6, 1, tzinfo=NEW_YORK)
        )
        # signed in long ago, but booked on a shift that is still ahead
        booked = _volunteer_with_history(
            email="booked@example.org", last_login=datetime.datetime(2025, 1, 1, tzinfo=NEW_YORK)
        )
        BookingFactory(
            volunteer=booked,
            shift=ShiftFactory(
                starts_at=datetime.datetime(2028, 3, 1, 9, tzinfo=NEW_YORK),
                ends_at=datetime.datetime(2028, 3, 1, 12, tzinfo=NEW_YORK),
            ),
        )

    # Nearly 24 months after Dana's last sign-in: nothing goes yet
    with _on(2028, 1, 10):
        tasks.retention_apply()
    assert _has_volunteer_data(gone)

    # Past 24 months: her volunteer data is erased as an erasure erases it; the hours of her shift stay
    with _on(2028, 1, 16):
        counts = tasks.retention_apply()
    assert counts["volunteers_inactive_erased"] == 1
    assert not _has_volunteer_data(gone)
    gone.refresh_from_db()
    assert gone.is_active and "volunteer" not in gone.roles  # the account stays, without the role
    worked = Booking.objects.get(volunteer=gone)
    assert worked.status == Booking.Status.ATTENDED and worked.minutes == 180
    # the others are untouched
    assert _has_volunteer_data(active) and _has_volunteer_data(booked)
    assert AuditEntry.objects.filter(action="retention.apply", data__volunteers_inactive_erased=1).exists()


def test_donors_are_anonymised_after_the_tax_years_and_their_gifts_stay(settings):
    settings.HAVEN_RETENTION_DONOR_YEARS = 7
    campaign = CampaignFactory()
    with _on(2018, 6, 1):
        old = DonationFactory(
            campaign=campaign,
            donor_email="Old.Donor@example.org",
            donor_name="Olive Old",
            amount=5000,
            tribute_type="honour",
            tribute_name="Grandma",
        )
        DonationFactory(
            campaign=campaign, donor_email="old.donor@example.org", donor_name="Olive Old", amount=2500
        )
        DonationFactory(campaign=campaign, donor_email="regular@example.org", donor_name="Rae Regular")
        DonationFactory(campaign=campaign, donor_email="monthly@example.org", donor_name="Mo Monthly")
        RecurringGiftFactory(
            campaign=campaign, donor_email="monthly@example.org", status=RecurringGift.Status.ACTIVE
        )
        Message.objects.create(
            kind="donations.receipt",
            dedupe_key="receipt:old",
            recipient="old.donor@example.org",
            language="en",
            subject="Your receipt",
            body_text="Dear Olive",
        )
    with _on(2022, 3, 1):
        DonationFactory(campaign=campaign, donor_email="regular@example.org", donor_name="Rae Regular")
    with _on(2026, 1, 2):
        guest = DonationFactory(campaign=campaign, donor_email="guest@example.org", donor_name="Gus Guest")
        totals_refresh(campaign_id=campaign.pk, fund_id=campaign.fund_id)

    # In 2025, 2019 to 2024 have passed: not yet seven full years
    with _on(2025, 12, 31):
        tasks.retention_apply()
    assert Donation.objects.filter(donor_name="Olive Old").count() == 2

    # In 2026, 2019 to 2025 have passed: Olive's gifts lose who gave them, and keep the books
    with _on(2026, 1, 3):
        counts = tasks.retention_apply()
    assert counts["donors_past_retention_anonymised"] == 1 and counts["gifts_past_retention_anonymised"] == 2
    old.refresh_from_db()
    assert old.donor_name == "" and old.tribute_name == "" and old.is_anonymous
    assert (
        old.donor_email.startswith("erased-")
        and old.amount == 5000
        and old.status == Donation.Status.SUCCEEDED
    )
    assert Donation.objects.filter(donor_email=old.donor_email).count() == 2  # one placeholder per person
    assert not Donation.objects.filter(donor_email__iexact="old.donor@example.org").exists()
    erased = Message.objects.get(dedupe_key="receipt:old")
    assert erased.body_text == "" and erased.recipient.startswith("erased-")
    # a donor who gave again since, one whose monthly gift still charges, and a recent guest stay
    assert Donation.objects.filter(donor_name="Rae Regular").count() == 2
    assert Donation.objects.filter(donor_name="Mo Monthly").count() == 1
    guest.refresh_from_db()
    assert guest.donor_name == "Gus Guest"
    # the campaign still counts every gift
    assert Donation.objects.filter(campaign=campaign).count() == 6


def test_message_bodies_go_after_their_days_and_the_record_stays(settings):
    settings.HAVEN_RETENTION_MESSAGE_BODY_DAYS = 90
    shift = ShiftFactory()
    with _on(2026, 1, 1):
        sent = Message.objects.create(
            kind="volunteers.reminder",
            recipient="a@example.org",
            language="en",
            dedupe_key="old-sent",
            status=Message.Status.SENT,
            sent_at=datetime.datetime(2026, 1, 1, tzinfo=NEW_YORK),
            subject="Reminder",
            body_text="See you Saturday",
            body_html="<p>See you Saturday</p>",
        )
        failed = Message.objects.create(
            kind="volunteers.reminder",
            recipient="b@example.org",
            language="en",
            dedupe_key="old-failed",
            status=Message.Status.FAILED,
            subject="Reminder",
            body_text="Keep me for the retry",
        )
        note = ShiftMessage.objects.create(shift=shift, subject="Parking", body="Park behind the red door.")
        Message.objects.create(
            kind=ShiftMessage.MESSAGE_KIND,
            recipient="v@example.org",
            language="en",
            dedupe_key="note-copy",
            about_type=ContentType.objects.get_for_model(ShiftMessage),
            about_id=note.pk,
            status=Message.Status.SENT,
            sent_at=datetime.datetime(2026, 1, 1, tzinfo=NEW_YORK),
        )
    with _on(2026, 3, 20):
        recent = Message.objects.create(
            kind="volunteers.reminder",
            recipient="c@example.org",
            language="en",
            dedupe_key="recent",
            status=Message.Status.SENT,
            sent_at=datetime.datetime(2026, 3, 20, tzinfo=NEW_YORK),
            subject="Reminder",
            body_text="Still here",
        )
        # 89 days after the first ones: nothing goes
        tasks.retention_apply()
        sent.refresh_from_db()
        assert sent.body_text == "See you Saturday"

    with _on(2026, 4, 2):
        counts = tasks.retention_apply()

    for row in (sent, failed, recent, note):
        row.refresh_from_db()
    assert (sent.body_text, sent.body_html, sent.subject, sent.recipient) == (
        "",
        "",
        "Reminder",
        "a@example.org",
    )
    assert failed.body_text == "Keep me for the retry" and recent.body_text == "Still here"
    assert note.body == "" and note.subject == "Parking"
    assert counts["message_bodies_emptied"] == 1 and counts["shift_message_bodies_emptied"] == 1


def test_expired_sessions_keys_feeds_and_waitlist_places_go_every_day():
    with _on(2026, 1, 1):
        expired = SessionStore()
        expired.set_expiry(60)
        expired.create()
        person = UserFactory()
        address = EmailAddress.objects.get(user=person)
        stale_key = EmailConfirmation.create(address)
        stale_key.sent = datetime.datetime(2026, 1, 1, tzinfo=NEW_YORK)
        stale_key.save()
        closed = UserFactory()
        calendar_token_reset(user=closed)
        closed.is_active = False
        closed.save()
        still_open = UserFactory()
        calendar_token_reset(user=still_open)
        past_shift = ShiftFactory(
            starts_at=datetime.datetime(2026, 1, 5, 9, tzinfo=NEW_YORK),
            ends_at=datetime.datetime(2026, 1, 5, 12, tzinfo=NEW_YORK),
        )
        WaitlistEntry.objects.create(shift=past_shift, volunteer=still_open)
        future_shift = ShiftFactory(
            starts_at=datetime.datetime(2026, 3, 5, 9, tzinfo=NEW_YORK),
            ends_at=datetime.datetime(2026, 3, 5, 12, tzinfo=NEW_YORK),
        )
        waiting = WaitlistEntry.objects.create(shift=future_shift, volunteer=still_open)

    with _on(2026, 2, 1):
        live = SessionStore()
        live.create()
        counts = tasks.retention_apply()

    assert not Session.objects.filter(session_key=expired.session_key).exists()
    assert Session.objects.filter(session_key=live.session_key).exists()
    assert not EmailConfirmation.objects.filter(pk=stale_key.pk).exists()
    assert not CalendarToken.objects.filter(user=closed).exists()
    assert CalendarToken.objects.filter(user=still_open).exists()
    assert list(WaitlistEntry.objects.all()) == [waiting]
    assert counts["sessions_expired"] >= 1 and counts["waitlist_places_of_past_shifts_deleted"] == 1


def test_a_second_run_at_the_same_time_does_nothing_and_a_run_that_finds_nothing_logs_nothing():
    cache.add(retention.LOCK_KEY, True, timeout=60)
    assert tasks.retention_apply() is None
    cache.delete(retention.LOCK_KEY)

    tasks.retention_apply()
    entries = AuditEntry.objects.filter(action="retention.apply").count()
    tasks.retention_apply()
    assert AuditEntry.objects.filter(action="retention.apply").count() == entries


def test_the_beat_runs_it_every_day(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["accounts-retention"]
    assert entry["task"] == "accounts.tasks.retention_apply" and entry["schedule"] == 24 * 3600.0


def test_the_privacy_page_states_the_policy_from_the_same_settings(client, settings):
    settings.HAVEN_RETENTION_VOLUNTEER_INACTIVE_MONTHS = 18
    settings.HAVEN_RETENTION_DONOR_YEARS = 5
    settings.HAVEN_RETENTION_MESSAGE_BODY_DAYS = 30

    page = client.get(reverse("pages:privacy"))

    assert page.status_code == 200
    text = page.content.decode()
    assert "neither signed in nor had a shift for 18 months" in text
    assert "for 5 full calendar years after the year of your last gift" in text
    assert "kept for 30 days after it went out" in text
    assert "Coordinators see only the volunteers" in text and "Card details go to Stripe" in text
    assert reverse("accounts:privacy") in text  # how to download or erase
    # and every page links to it from the footer
    assert reverse("pages:privacy") in client.get("/").content.decode()
