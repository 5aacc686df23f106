"""Pausing a monthly gift for 1–3 months and resuming it early, through the devstripe stand-in:
Stripe's pause of collection (behavior "void") with a resume date, changed in our database only once
Stripe confirms, the subscription events as truth (idempotent, older news ignored), one email per
change in the donor's language, and no renewal gift or receipt while paused."""

import datetime
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from devstripe import objects as so
from donations.models import Donation, Receipt, RecurringGift, RecurringPause
from donations.services import add_months, pause_resumes_at
from messaging.models import Message
from tests.donations.conftest import post_event
from tests.donations.test_standin_flows import _monthly, _stripe_unreachable
from tests.factories import RecurringGiftFactory, UserFactory

pytestmark = pytest.mark.django_db


def _messages(kind: str) -> list[Message]:
    return list(Message.objects.filter(kind=kind).order_by("pk"))


def _signed_in(client, standin, email, *, language="en"):
    _, recurring = _monthly(client, standin, email=email)
    donor = UserFactory(email=email, language=language)
    # given the gift was made signed in: its emails are in the account's language
    RecurringGift.objects.filter(pk=recurring.pk).update(donor=donor)
    recurring.refresh_from_db()
    client.force_login(donor)
    return recurring


def _pause(client, recurring, months=2, nonce=None, **kwargs):
    data = {"months": str(months), "nonce": str(nonce or uuid.uuid4())}
    return client.post(f"/me/giving/monthly/{recurring.public_id}/pause/", data, **kwargs)


def _resume(client, recurring, nonce=None, **kwargs):
    data = {"nonce": str(nonce or uuid.uuid4())}
    return client.post(f"/me/giving/monthly/{recurring.public_id}/resume/", data, **kwargs)


def _pause_updates(standin, subscription_id):
    return [
        event
        for event in standin.events_of("customer.subscription.updated")
        if event["data"]["object"]["id"] == subscription_id
        and "pause_collection" in (event["data"].get("previous_attributes") or {})
    ]


def test_add_months_keeps_the_day_or_takes_the_last_day_of_a_shorter_month():
    tz = timezone.get_current_timezone()
    jan31 = datetime.datetime(2027, 1, 31, 10, 0, tzinfo=tz)
    assert add_months(jan31, 1).date() == datetime.date(2027, 2, 28)
    assert add_months(jan31, 3).date() == datetime.date(2027, 4, 30)
    assert add_months(datetime.datetime(2026, 11, 15, tzinfo=tz), 2).date() == datetime.date(2027, 1, 15)


def test_a_pause_skips_as_many_charges_as_months_wherever_the_next_charge_falls():
    tz = timezone.get_current_timezone()
    now = datetime.datetime(2026, 12, 1, 15, 32, 27, 600_000, tzinfo=tz)
    # next charge mid-way: N months from now lies between the last skipped charge and the one after
    assert pause_resumes_at(now=now, months=1, next_charge=now + datetime.timedelta(days=10)) == (
        datetime.datetime(2027, 1, 1, 15, 32, 27, tzinfo=tz)
    )
    # a gift begun this second: its next charge is exactly a month away, so that charge would
    # fall on the resume date; the pause runs a day past it instead
    assert pause_resumes_at(now=now, months=1, next_charge=add_months(now, 1)) == (
        datetime.datetime(2027, 1, 2, 15, 32, 27, tzinfo=tz)
    )
    assert pause_resumes_at(now=now, months=3, next_charge=add_months(now, 1)) == (
        datetime.datetime(2027, 3, 2, 15, 32, 27, tzinfo=tz)
    )
    # a next charge just before N months from now still gets its day
    just_before = add_months(now, 1) - datetime.timedelta(hours=2)
    assert pause_resumes_at(now=now, months=1, next_charge=just_before) == (
        datetime.datetime(2027, 1, 2, 13, 32, 27, tzinfo=tz)
    )
    # Stripe has not told us the next charge yet
    assert pause_resumes_at(now=now, months=2, next_charge=None) == (
        datetime.datetime(2027, 2, 1, 15, 32, 27, tzinfo=tz)
    )


def test_a_donor_pauses_for_two_months_and_stripe_is_told_to_void_until_the_resume_date(
    client, standin, mailoutbox, django_capture_on_commit_callbacks
):
    recurring = _signed_in(client, standin, "pause@example.org")
    page = client.get(f"/me/giving/monthly/{recurring.public_id}/").content.decode()
    assert "Pause for a while" in page and 'name="months"' in page

    # when the donor pauses for two months
    with django_capture_on_commit_callbacks(execute=True):
        response = _pause(client, recurring, months=2, follow=True)

    # then Stripe pauses collection with behavior "void" until two charges are skipped: the gift
    # began just now, so a day after the second charge (two months from now falls on the first)
    recurring.refresh_from_db()
    expected = add_months(recurring.current_period_end, 1) + datetime.timedelta(days=1)
    subscription = standin.get(recurring.stripe_subscription_id)
    assert subscription["status"] == "active"
    assert subscription["pause_collection"]["behavior"] == "void"
    assert abs(subscription["pause_collection"]["resumes_at"] - expected.timestamp()) < 60
    # and our gift is paused until that date, with the key of our row sent to Stripe
    recurring.refresh_from_db()
    assert recurring.is_paused and recurring.status == RecurringGift.Status.ACTIVE
    assert int(recurring.paused_until.timestamp()) == subscription["pause_collection"]["resumes_at"]
    request = RecurringPause.objects.get()
    assert request.status == RecurringPause.Status.APPLIED and request.months == 2
    (update,) = _pause_updates(standin, recurring.stripe_subscription_id)
    assert update["request"]["idempotency_key"] == str(request.idempotency_key)
    # and the page says so, with the resume date, and offers to resume
    body = response.content.decode()
    when = f"{recurring.paused_until:%B} {timezone.localtime(recurring.paused_until).day}"
    assert "Your monthly gift is paused until" in body and when in body
    assert "Resume now" in body and "Pause for a while" not in body
    # and one email says until when
    (notice,) = _messages("donations.monthly_paused")
    assert notice.status == Message.Status.SENT and notice.language == "en"
    (mail,) = [m for m in mailoutbox if "is paused" in m.subject]
    assert "is paused until" in mail.body and when in mail.body

    # when Stripe's event about it arrives (twice), nothing changes and nobody is emailed again
    standin.flush()
    standin.redeliver(update)
    recurring.refresh_from_db()
    assert recurring.is_paused
    assert len(_messages("donations.monthly_paused")) == 1
    # and /me/giving/ shows it paused
    giving = client.get("/me/giving/").content.decode()
    assert "Paused until" in giving


def test_resuming_early_unsets_the_pause_at_stripe_and_emails_once(
    client, standin, mailoutbox, django_capture_on_commit_callbacks
):
    recurring = _signed_in(client, standin, "early@example.org")
    _pause(client, recurring, months=3)
    standin.flush()

    with django_capture_on_commit_callbacks(execute=True):
        response = _resume(client, recurring, follow=True)
    standin.flush()

    assert standin.get(recurring.stripe_subscription_id)["pause_collection"] is None
    recurring.refresh_from_db()
    assert not recurring.is_paused and recurring.paused_until is None
    assert "Your monthly gift is active again" in response.content.decode()
    (notice,) = _messages("donations.monthly_resumed")
    assert notice.status == Message.Status.SENT
    (mail,) = [m for m in mailoutbox if "active again" in m.subject]
    assert "is active again" in mail.body
    # and the next month is charged, with its receipt
    standin.renew_subscription(recurring.stripe_subscription_id)
    assert recurring.donations.filter(status=Donation.Status.SUCCEEDED).count() == 2


def test_the_same_pause_form_submitted_twice_pauses_once(client, standin):
    recurring = _signed_in(client, standin, "double@example.org")
    nonce = uuid.uuid4()

    first = _pause(client, recurring, months=1, nonce=nonce)
    second = _pause(client, recurring, months=1, nonce=nonce)
    standin.flush()

    assert first.status_code == second.status_code == 302
    assert len(_pause_updates(standin, recurring.stripe_subscription_id)) == 1
    assert RecurringPause.objects.count() == 1
    assert len(_messages("donations.monthly_paused")) == 1
    # a second resume click is also one change
    nonce = uuid.uuid4()
    _resume(client, recurring, nonce=nonce)
    _resume(client, recurring, nonce=nonce)
    standin.flush()
    assert len(_pause_updates(standin, recurring.stripe_subscription_id)) == 2
    assert len(_messages("donations.monthly_resumed")) == 1


def test_a_pause_stripe_did_not_answer_changes_nothing_and_the_next_submit_sends_the_same_key(
    client, standin, settings
):
    recurring = _signed_in(client, standin, "timeout@example.org")
    nonce = uuid.uuid4()

    with _stripe_unreachable(settings):
        response = _pause(client, recurring, months=2, nonce=nonce, follow=True)

    body = response.content.decode()
    assert "We could not pause it" in body and "could not reach Stripe" in body
    recurring.refresh_from_db()
    assert not recurring.is_paused
    attempt = RecurringPause.objects.get()
    assert attempt.status == RecurringPause.Status.REQUESTED
    assert not _messages("donations.monthly_paused")

    # when the donor submits again (a new page: a new form), Stripe answers the same request once
    _pause(client, recurring, months=2)
    standin.flush()
    updates = _pause_updates(standin, recurring.stripe_subscription_id)
    assert [u["request"]["idempotency_key"] for u in updates] == [str(attempt.idempotency_key)]
    attempt.refresh_from_db()
    recurring.refresh_from_db()
    assert attempt.status == RecurringPause.Status.APPLIED and recurring.is_paused
    assert int(recurring.paused_until.timestamp()) == int(attempt.resumes_at.timestamp())


def test_a_pause_stripe_refuses_says_so_and_changes_nothing(client, standin):
    recurring = RecurringGiftFactory(
        donor_email="refused@example.org",
        status=RecurringGift.Status.ACTIVE,
        stripe_subscription_id="sub_not_at_stripe",
    )
    client.force_login(UserFactory(email="refused@example.org"))

    response = _pause(client, recurring, months=1, follow=True)

    body = response.content.decode()
    assert "We could not pause it" in body and "Stripe did not accept it" in body
    assert "your monthly gift is not paused" in body
    recurring.refresh_from_db()
    assert not recurring.is_paused
    assert RecurringPause.objects.get().status == RecurringPause.Status.FAILED
    assert not _messages("donations.monthly_paused")


@pytest.mark.parametrize("months", ["0", "4", "", "two"])
def test_a_pause_length_other_than_1_to_3_months_is_refused(client, standin, months):
    recurring = _signed_in(client, standin, f"len{months}@example.org")

    response = client.post(
        f"/me/giving/monthly/{recurring.public_id}/pause/",
        {"months": months, "nonce": str(uuid.uuid4())},
        follow=True,
    )

    assert "Choose how long to pause: 1, 2 or 3 months." in response.content.decode()
    assert not RecurringPause.objects.exists()
    assert standin.get(recurring.stripe_subscription_id)["pause_collection"] is None


def test_a_paused_gift_skips_renewals_no_gift_no_receipt_then_resumes_by_itself(client, standin, mailoutbox):
    recurring = _signed_in(client, standin, "skip@example.org")
    _pause(client, recurring, months=1)
    standin.flush()
    receipts, mails = Receipt.objects.count(), len(mailoutbox)

    # when the month falls due while paused
    invoice = standin.renew_subscription(recurring.stripe_subscription_id)

    # then Stripe voids the invoice: no gift, no receipt, no email
    assert invoice["status"] == "void"
    assert recurring.donations.count() == 1
    assert Receipt.objects.count() == receipts and len(mailoutbox) == mails
    recurring.refresh_from_db()
    assert recurring.is_paused and recurring.status == RecurringGift.Status.ACTIVE

    # when the resume date comes, Stripe resumes by itself and tells us
    standin.resume_due_collections(at=int(recurring.paused_until.timestamp()))
    recurring.refresh_from_db()
    assert not recurring.is_paused
    assert len(_messages("donations.monthly_resumed")) == 1
    # and the next month is charged with its receipt
    standin.renew_subscription(recurring.stripe_subscription_id)
    assert recurring.donations.filter(status=Donation.Status.SUCCEEDED).count() == 2
    assert Receipt.objects.count() == receipts + 1


def test_an_older_subscription_event_does_not_undo_a_newer_pause(client, standin, send_event):
    recurring = _signed_in(client, standin, "order@example.org")
    _pause(client, recurring, months=2)
    standin.flush()
    recurring.refresh_from_db()
    subscription = standin.get(recurring.stripe_subscription_id)

    # an event from before the pause, arriving late, says it is not paused
    stale = so.event(
        "customer.subscription.updated",
        {**subscription, "pause_collection": None},
    )
    stale["created"] = int(recurring.stripe_pause_at.timestamp()) - 120
    assert send_event(stale).status_code == 200

    recurring.refresh_from_db()
    assert recurring.is_paused
    assert not _messages("donations.monthly_resumed")


def test_a_pause_made_at_stripe_is_recorded_from_its_event(client, standin, settings):
    # given a pause set elsewhere (Stripe's dashboard), which Haven hears about only from the event
    _, recurring = _monthly(client, standin, email="dash@example.org")
    subscription = standin.get(recurring.stripe_subscription_id)
    resumes_at = so.now() + 40 * 86400
    event = so.event(
        "customer.subscription.updated",
        {**subscription, "pause_collection": {"behavior": "void", "resumes_at": resumes_at}},
        previous_attributes={"pause_collection": None},
    )

    assert post_event(client, event).status_code == 200

    recurring.refresh_from_db()
    assert recurring.is_paused and int(recurring.paused_until.timestamp()) == resumes_at
    (notice,) = _messages("donations.monthly_paused")
    assert notice.data["resumes_at"].startswith(recurring.paused_until.date().isoformat())


def test_the_emails_are_in_the_donors_language(
    client, standin, mailoutbox, django_capture_on_commit_callbacks
):
    recurring = _signed_in(client, standin, "es@example.org", language="es")

    with django_capture_on_commit_callbacks(execute=True):
        _pause(client, recurring, months=1)
    with django_capture_on_commit_callbacks(execute=True):
        _resume(client, recurring)

    paused, resumed = _messages("donations.monthly_paused") + _messages("donations.monthly_resumed")
    assert paused.language == resumed.language == "es"
    subjects = [m.subject for m in mailoutbox[-2:]]
    assert "Su donación mensual" in subjects[0] and "en pausa" in subjects[0]
    assert "Su donación mensual" in subjects[1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_the_same_moment_pause_once(requires_postgres, client, standin):
    recurring = _signed_in(client, standin, "together@example.org")
    donor = UserFactory._meta.model.objects.get(email="together@example.org")
    nonce = uuid.uuid4()
    barrier = threading.Barrier(2)
    codes = []

    def submit():
        try:
            browser = Client()
            browser.force_login(donor)
            barrier.wait(timeout=10)
            codes.append(_pause(browser, recurring, months=2, nonce=nonce).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    standin.flush()

    assert codes == [302, 302]
    assert len(_pause_updates(standin, recurring.stripe_subscription_id)) == 1
    assert RecurringPause.objects.get().status == RecurringPause.Status.APPLIED
    assert Message.objects.filter(kind="donations.monthly_paused").count() == 1
