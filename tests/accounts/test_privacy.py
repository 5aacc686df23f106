"""Data protection: a person downloads all their data, or has it erased (accounts/privacy.py)."""

import datetime
import json

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEntry, User
from accounts.privacy import ErasureRefused, personal_data_erase
from campaigns.models import CampaignTotals
from campaigns.services import totals_refresh
from donations.models import Donation, Receipt, RecurringGift
from messaging.models import Message
from messaging.services import message_deliver
from tests.factories import (
    BookingFactory,
    CampaignFactory,
    DonationFactory,
    MessageFactory,
    RecurringGiftFactory,
    RequirementVerificationFactory,
    ShiftFactory,
    UserFactory,
    WaitlistEntryFactory,
    ready_volunteer,
)
from volunteers.models import (
    AgreementSignature,
    Booking,
    CalendarToken,
    RequirementVerification,
    VolunteerProfile,
    WaitlistEntry,
)
from volunteers.services import calendar_token_reset

pytestmark = pytest.mark.django_db

NAME = "Quentin Zabriskie"
EMAIL = "quentin.zabriskie@private.example"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def person():
    """An onboarded volunteer who also gives, with a verified address."""
    return ready_volunteer(email=EMAIL, name=NAME)


@pytest.fixture
def campaign():
    campaign = CampaignFactory()
    totals_refresh(campaign_id=campaign.pk, fund_id=campaign.fund_id)
    return campaign


def _refresh(campaign):
    totals_refresh(campaign_id=campaign.pk, fund_id=campaign.fund_id)


def _give(person, campaign, **kwargs):
    defaults = {"donor": person, "donor_email": person.email, "donor_name": NAME, "campaign": campaign}
    return DonationFactory(**{**defaults, **kwargs})


def _erase(client, person, django_capture_on_commit_callbacks, typed=None):
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/me/privacy/erase/", {"confirm_email": typed or person.email})


# --- export ------------------------------------------------------------------------------------------


def test_export_holds_the_persons_data_and_nobody_elses(client, person, campaign):
    # given the person's gifts (one linked, one made with their verified address before signing up),
    # a monthly gift, bookings, a waitlist place and a verification; and another person's gift
    _give(person, campaign, amount=5000, tribute_type="memory", tribute_name="Grandma Rose")
    _give(person, campaign, donor=None, amount=1200)
    RecurringGiftFactory(donor=person, donor_email=person.email, campaign=campaign, amount=2500)
    BookingFactory(volunteer=person, shift=ShiftFactory(title="Soup kitchen"))
    WaitlistEntryFactory(volunteer=person, shift=ShiftFactory(title="Night line"))
    RequirementVerificationFactory(volunteer=person)
    other = UserFactory(email="someone.else@example.org", name="Olga Otherperson")
    DonationFactory(
        donor=other, donor_email=other.email, donor_name=other.name, campaign=campaign, amount=999
    )
    client.force_login(person)

    # when they download their data
    response = client.get("/me/privacy/export.json")

    # then it is a JSON attachment, never cached, with their data and only theirs
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == EMAIL
    assert data["account"]["name"] == NAME
    assert "volunteer" in data["account"]["roles"]
    assert data["account"]["email_addresses"] == [{"email": EMAIL, "verified": True, "primary": True}]
    assert sorted(g["amount_minor"] for g in data["giving"]["gifts"]) == [1200, 5000]
    assert {g["tribute_name"] for g in data["giving"]["gifts"]} == {"Grandma Rose", ""}
    assert [m["amount_minor"] for m in data["giving"]["monthly_gifts"]] == [2500]
    volunteering = data["volunteering"]
    assert volunteering["volunteer_profile"]["emergency_contact_name"] == "Sam Contact"
    assert [s["version"] for s in volunteering["agreement_signatures"]] == [1]
    assert len(volunteering["requirement_verifications"]) == 1
    assert set(volunteering["requirement_verifications"][0]) == {"requirement", "verified_on", "expires_on"}
    assert [b["shift"] for b in volunteering["bookings"]] == ["Soup kitchen"]
    assert [w["shift"] for w in volunteering["waitlist_entries"]] == ["Night line"]
    text = response.content.decode()
    # The other person's gift amount (999) is excluded by the amount check above; a substring check
    # for it would also match timestamps.
    assert "someone.else" not in text and "Otherperson" not in text


def test_export_by_post_works_too_and_needs_sign_in(client, person):
    assert client.get("/me/privacy/export.json").status_code == 302  # to sign-in

    client.force_login(person)
    response = client.post("/me/privacy/export.json")

    assert response.status_code == 200
    assert json.loads(response.content)["account"]["email"] == EMAIL


def test_export_query_count_does_not_grow_with_the_data(
    client, person, campaign, django_assert_max_num_queries
):
    client.force_login(person)
    _give(person, campaign)
    BookingFactory(volunteer=person)
    # 20, and in-kind pledges (2) and campaign-update subscriptions with their consents (3)
    with django_assert_max_num_queries(25) as few:
        client.get("/me/privacy/export.json")
    baseline = len(few.captured_queries)

    # given ten times as many gifts, bookings and waitlist places
    for _ in range(10):
        receipt_gift = _give(person, campaign)
        Receipt.objects.create(
            donation=receipt_gift, year=2026, sequence=receipt_gift.pk, number=f"2026-{receipt_gift.pk:06d}"
        )
        BookingFactory(volunteer=person)
        WaitlistEntryFactory(volunteer=person)

    # then the download makes the same number of queries
    with django_assert_max_num_queries(baseline):
        response = client.get("/me/privacy/export.json")
    assert len(json.loads(response.content)["giving"]["gifts"]) == 11


# --- erase -------------------------------------------------------------------------------------------


def test_the_erase_page_explains_and_asks_for_the_email(client, person):
    client.force_login(person)

    body = client.get("/me/privacy/erase/").content.decode()

    assert "cannot be undone" in body
    assert 'name="confirm_email"' in body
    assert "receipt" in body and "waitlist" in body


def test_erase_anonymises_gifts_everywhere_and_keeps_the_totals(
    client, person, campaign, django_capture_on_commit_callbacks
):
    # given two named, opted-in gifts (one only through the verified address) and someone else's
    linked = _give(
        person,
        campaign,
        amount=5000,
        show_name_publicly=True,
        public_name="Quentin Z.",
        tribute_type="honour",
        tribute_name="Aunt Philippa",
        tribute_notify_email="philippa@example.org",
    )
    by_email = _give(
        person, campaign, donor=None, amount=1500, show_name_publicly=True, public_name="Quentin"
    )
    DonationFactory(
        campaign=campaign, donor_name="Ann Open", show_name_publicly=True, public_name="Ann O.", amount=1000
    )
    _refresh(campaign)
    before = CampaignTotals.objects.get(campaign=campaign)
    page = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    assert "Quentin Z." in page  # guards the check below against passing vacuously

    # when the person erases their data
    response = _erase(client, person, django_capture_on_commit_callbacks)

    # then they are signed out and sent home
    assert response.status_code == 302
    assert response["Location"] == "/"
    # the gift rows keep the money but nothing that names the person or the tribute
    for gift in Donation.objects.filter(pk__in=[linked.pk, by_email.pk]):
        assert gift.donor_id is None
        assert gift.donor_name == ""
        assert gift.donor_email.startswith("erased-") and gift.donor_email.endswith("@invalid")
        assert gift.is_anonymous and not gift.show_name_publicly and gift.public_name == ""
        assert (gift.tribute_type, gift.tribute_name, gift.tribute_notify_email) == ("", "", "")
    assert Donation.objects.get(pk=linked.pk).amount == 5000
    assert not Donation.objects.filter(donor_email=EMAIL).exists()
    assert not Donation.objects.filter(donor_name__icontains="Zabriskie").exists()
    # the totals are unchanged, but the supporter names no longer include the person
    after = CampaignTotals.objects.get(campaign=campaign)
    assert (after.raised, after.gift_count, after.donor_count) == (
        before.raised,
        before.gift_count,
        before.donor_count,
    )
    assert after.supporter_names == ["Ann O."]
    public = Client()
    for url in ("/", "/campaigns/", f"/campaigns/{campaign.slug}/", f"/api/v1/campaigns/{campaign.slug}/"):
        text = public.get(url).content.decode()
        assert "Quentin" not in text and "Zabriskie" not in text and "private.example" not in text, url
    assert "Ann O." in public.get(f"/campaigns/{campaign.slug}/").content.decode()


def test_erase_scrubs_the_account_and_it_can_no_longer_sign_in(
    client, person, django_capture_on_commit_callbacks
):
    # given the person is also signed in on another device, and has a calendar feed
    other_device = Client()
    assert other_device.login(email=EMAIL, password=PASSWORD)
    calendar_token_reset(user=person)
    person_id = person.pk

    _erase(client, person, django_capture_on_commit_callbacks)

    user = User.objects.get(pk=person_id)
    assert not user.is_active
    assert user.email.startswith("erased-") and user.email.endswith("@invalid")
    assert user.name == "" and user.preferred_name == ""
    assert not user.has_usable_password()
    assert not user.groups.exists()
    assert not EmailAddress.objects.filter(user_id=person_id).exists()
    assert not EmailAddress.objects.filter(email=EMAIL).exists()
    # signed out here and on the other device, and no sign-in works any more
    assert client.get("/me/").status_code == 302
    assert other_device.get("/me/").status_code == 302
    assert not Client().login(email=EMAIL, password=PASSWORD)
    login = Client().post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    assert "_auth_user_id" not in login.wsgi_request.session
    # volunteer data is gone
    for model, field in (
        (VolunteerProfile, "user"),
        (AgreementSignature, "volunteer"),
        (RequirementVerification, "volunteer"),
        (CalendarToken, "user"),
    ):
        assert not model.objects.filter(**{f"{field}_id": person_id}).exists(), model
    # one audit entry, without the erased data
    entry = AuditEntry.objects.get(action="personal_data.erase")
    assert entry.target_id == str(person_id)
    recorded = json.dumps(entry.data) + entry.target_repr
    assert EMAIL not in recorded and "Zabriskie" not in recorded


def test_erase_cancels_upcoming_bookings_offers_the_places_and_keeps_worked_hours(
    client, person, django_capture_on_commit_callbacks, mailoutbox
):
    # given a full upcoming shift with someone waiting, one inside the cut-off, and a shift worked
    now = timezone.now()
    full = ShiftFactory(capacity=1)
    upcoming = BookingFactory(volunteer=person, shift=full)
    waiting = WaitlistEntryFactory(shift=full, volunteer=ready_volunteer())
    soon = BookingFactory(
        volunteer=person, shift=ShiftFactory(starts_at=now + datetime.timedelta(hours=3), capacity=1)
    )
    soon_waiting = WaitlistEntryFactory(shift=soon.shift, volunteer=ready_volunteer())
    worked = BookingFactory(
        volunteer=person,
        shift=ShiftFactory(
            starts_at=now - datetime.timedelta(days=7), ends_at=now - datetime.timedelta(days=7, hours=-3)
        ),
        status=Booking.Status.ATTENDED,
        minutes=180,
    )
    own_waiting = WaitlistEntryFactory(volunteer=person)

    _erase(client, person, django_capture_on_commit_callbacks)

    upcoming.refresh_from_db()
    soon.refresh_from_db()
    worked.refresh_from_db()
    waiting.refresh_from_db()
    soon_waiting.refresh_from_db()
    assert upcoming.status == soon.status == Booking.Status.CANCELLED
    assert waiting.status == soon_waiting.status == WaitlistEntry.Status.OFFERED
    assert (worked.status, worked.minutes, worked.volunteer_id) == (Booking.Status.ATTENDED, 180, person.pk)
    assert not WaitlistEntry.objects.filter(pk=own_waiting.pk).exists()
    assert {m.to[0] for m in mailoutbox} >= {waiting.volunteer.email, soon_waiting.volunteer.email}


def test_erase_frees_a_place_the_person_was_offered(client, person, django_capture_on_commit_callbacks):
    # given the person holds an offered place on a full shift, and someone waits behind them
    now = timezone.now()
    shift = ShiftFactory(capacity=1)
    offer = WaitlistEntryFactory(
        shift=shift,
        volunteer=person,
        status=WaitlistEntry.Status.OFFERED,
        offered_at=now,
        offer_expires_at=now + datetime.timedelta(hours=12),
    )
    behind = WaitlistEntryFactory(shift=shift, volunteer=ready_volunteer())

    _erase(client, person, django_capture_on_commit_callbacks)

    behind.refresh_from_db()
    assert not WaitlistEntry.objects.filter(pk=offer.pk).exists()
    assert behind.status == WaitlistEntry.Status.OFFERED


def test_erase_is_refused_while_a_monthly_gift_is_active(
    client, person, campaign, django_capture_on_commit_callbacks
):
    RecurringGiftFactory(
        donor=person, donor_email=EMAIL, campaign=campaign, status=RecurringGift.Status.ACTIVE
    )
    gift = _give(person, campaign)

    response = _erase(client, person, django_capture_on_commit_callbacks)

    assert response.status_code == 400
    assert "active monthly gift" in response.content.decode()
    assert 'href="/me/giving/"' in response.content.decode()
    person.refresh_from_db()
    gift.refresh_from_db()
    assert person.is_active and person.email == EMAIL and person.name == NAME
    assert gift.donor_name == NAME
    assert VolunteerProfile.objects.filter(user=person).exists()
    assert not AuditEntry.objects.filter(action="personal_data.erase").exists()
    with pytest.raises(ErasureRefused):
        personal_data_erase(user=person)


def test_a_cancelled_monthly_gift_is_anonymised_too(
    client, person, campaign, django_capture_on_commit_callbacks
):
    monthly = RecurringGiftFactory(
        donor=person, donor_email=EMAIL, campaign=campaign, status=RecurringGift.Status.CANCELED
    )

    _erase(client, person, django_capture_on_commit_callbacks)

    monthly.refresh_from_db()
    assert (monthly.donor_id, monthly.donor_name, monthly.is_anonymous) == (None, "", True)
    assert monthly.donor_email.endswith("@invalid")


def test_a_wrong_confirmation_email_changes_nothing(
    client, person, campaign, django_capture_on_commit_callbacks
):
    gift = _give(person, campaign)

    response = _erase(client, person, django_capture_on_commit_callbacks, typed="someone@example.org")

    assert response.status_code == 400
    assert "not the email address you are signed in with" in response.content.decode()
    person.refresh_from_db()
    gift.refresh_from_db()
    assert person.is_active and person.email == EMAIL
    assert gift.donor_name == NAME and gift.donor_id == person.pk
    assert client.get("/me/").status_code == 200  # still signed in


def test_unsent_emails_to_the_person_are_emptied_and_never_sent(person, campaign):
    waiting = MessageFactory(recipient=EMAIL, subject="Receipt", body_text=NAME)

    personal_data_erase(user=person)

    waiting.refresh_from_db()
    assert waiting.recipient.endswith("@invalid") and waiting.body_text == "" and waiting.sent_at is None
    assert waiting.status == Message.Status.CANCELLED
    assert message_deliver(message_id=waiting.pk) == "not claimed"


def test_a_second_erase_is_a_no_op(person, campaign, django_capture_on_commit_callbacks):
    _give(person, campaign)
    with django_capture_on_commit_callbacks(execute=True):
        assert personal_data_erase(user=person) is True
    person.refresh_from_db()
    erased_email = person.email

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = personal_data_erase(user=person)

    assert again is False
    assert callbacks == []
    person.refresh_from_db()
    assert person.email == erased_email
    assert AuditEntry.objects.filter(action="personal_data.erase").count() == 1


def test_erasing_one_person_leaves_another_untouched(person, campaign):
    other = UserFactory(email="olga@example.org", name="Olga Other")
    theirs = DonationFactory(donor=other, donor_email=other.email, donor_name=other.name, campaign=campaign)

    personal_data_erase(user=person)

    theirs.refresh_from_db()
    other.refresh_from_db()
    assert theirs.donor_name == "Olga Other" and theirs.donor_id == other.pk
    assert other.is_active and other.email == "olga@example.org"


def test_the_privacy_pages_need_sign_in(client):
    for url in ("/me/privacy/", "/me/privacy/export.json", "/me/privacy/erase/"):
        assert client.get(url).status_code == 302, url


def test_the_dashboard_links_to_the_privacy_page(client, person):
    client.force_login(person)

    assert 'href="/me/privacy/"' in client.get("/me/").content.decode()
    assert "Download my data" in client.get("/me/privacy/").content.decode()


def test_annual_statements_skip_erased_donors(person, campaign):
    from donations.selectors import statement_emails

    _give(person, campaign)
    year = timezone.localdate().year
    assert EMAIL in statement_emails(year=year)

    personal_data_erase(user=person)

    assert statement_emails(year=year) == []
