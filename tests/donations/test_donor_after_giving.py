"""After giving: confirm steps for what cannot be undone (cancelling a monthly gift, a staff refund),
a refund retried after Stripe did not answer made once with the same key, the donor's emails (monthly
gift changed or cancelled, money refunded) through the outbox once each, and /me/giving/ in order,
with the next charge date of a monthly gift."""

import datetime

import pytest
from django.utils import timezone

from donations import stripe_gateway
from donations.models import Donation, RecurringGift, Refund
from messaging.models import Message
from tests.donations.test_standin_flows import _give, _monthly, _signed_in_monthly, _stripe_unreachable
from tests.factories import CampaignFactory, DonationFactory, RecurringGiftFactory, UserFactory

pytestmark = pytest.mark.django_db


def _messages(kind: str) -> list[Message]:
    return list(Message.objects.filter(kind=kind).order_by("pk"))


def _paid_gift(client, standin):
    campaign = CampaignFactory(suggested_amounts=[4000])
    _, donation = _give(client, campaign)
    standin.complete_checkout(donation.stripe_checkout_session_id)
    donation.refresh_from_db()
    return donation


# --- staff refund: a confirm step, one key per refund, one notice ------------------------------------


def test_a_staff_refund_is_confirmed_on_a_page_that_says_exactly_what_happens(client, standin, staff_user):
    donation = _paid_gift(client, standin)
    client.force_login(staff_user)
    url = f"/staff/donations/{donation.public_id}/"

    # when staff ask to refund $15
    response = client.post(url, {"action": "refund", "amount": "15.00", "reason": "asked"})

    # then nothing is refunded yet: a page says what will happen, with the button that does it
    body = response.content.decode()
    assert response.status_code == 200
    assert "Refund $15.00?" in body and "Left of the gift after it" in body and "$25.00" in body
    assert "A refund cannot be undone" in body
    assert not Refund.objects.exists() and not standin.all("refund")

    # when they confirm, it is requested once
    response = client.post(url, {"action": "refund", "amount": "15.00", "reason": "asked", "confirm": "1"})
    assert response.status_code == 302
    assert Refund.objects.count() == 1 and len(standin.all("refund")) == 1


def test_a_refund_retried_after_stripe_did_not_answer_reuses_its_key_and_is_made_once(
    client, standin, settings, staff_user
):
    donation = _paid_gift(client, standin)
    client.force_login(staff_user)
    confirm = {"action": "refund", "amount": "15.00", "confirm": "1"}

    # when Stripe cannot be reached as staff confirm the refund
    with _stripe_unreachable(settings):
        response = client.post(f"/staff/donations/{donation.public_id}/", confirm)

    # then the page says the outcome is unknown and offers to try again; the refund stays requested
    body = response.content.decode()
    assert "Stripe did not answer" in body and "Try again" in body
    (refund,) = Refund.objects.all()
    assert refund.status == Refund.Status.REQUESTED and refund.stripe_refund_id is None
    # and a refund of another amount is refused while that one is unanswered
    other = client.post(f"/staff/donations/{donation.public_id}/", confirm | {"amount": "10.00"})
    assert "still waiting for Stripe" in other.content.decode()

    # when they try again with Stripe back
    response = client.post(f"/staff/donations/{donation.public_id}/", confirm)

    # then the same row and the same idempotency key made the one refund at Stripe
    assert response.status_code == 302
    assert list(Refund.objects.values_list("pk", flat=True)) == [refund.pk]
    refund.refresh_from_db()
    (at_stripe,) = standin.all("refund")
    assert refund.stripe_refund_id == at_stripe["id"]
    created = [e for e in standin.events_of("refund.created") if e["data"]["object"]["id"] == at_stripe["id"]]
    assert [e["request"]["idempotency_key"] for e in created] == [str(refund.idempotency_key)]


def test_the_donor_is_told_of_a_refund_once(client, standin, staff_user, mailoutbox):
    donation = _paid_gift(client, standin)
    client.force_login(staff_user)
    client.post(
        f"/staff/donations/{donation.public_id}/", {"action": "refund", "amount": "15.00", "confirm": "1"}
    )

    # when Stripe's events about it arrive, twice over
    standin.flush()
    for event in standin.events_of("charge.refunded") + standin.events_of("refund.updated"):
        standin.redeliver(event)

    # then one notice went to the donor, with the amount
    (notice,) = _messages("donations.refunded")
    assert notice.recipient == "ana@example.org" and notice.status == Message.Status.SENT
    (mail,) = [m for m in mailoutbox if "refunded" in m.subject]
    assert "refunded $15.00 of your gift" in mail.body


# --- monthly gifts: a confirm page to cancel, emails on change and cancel ------------------------------


def test_cancelling_a_monthly_gift_asks_first_then_confirms_by_email_once(
    client, standin, mailoutbox, django_capture_on_commit_callbacks
):
    recurring = _signed_in_monthly(client, standin, "stop@example.org")
    page = f"/me/giving/monthly/{recurring.public_id}/"

    # the monthly page offers a link to a confirm page, not a one-click button
    body = client.get(page).content.decode()
    assert f'href="{page}cancel/"' in body
    confirm = client.get(f"{page}cancel/")
    assert confirm.status_code == 200
    assert "Cancel your monthly gift?" in confirm.content.decode()
    recurring.refresh_from_db()
    assert recurring.status == RecurringGift.Status.ACTIVE

    # when the donor confirms (and Stripe's cancellation event comes back too)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{page}cancel/")
    standin.flush()

    # then it is cancelled, and they are emailed once
    assert response.status_code == 302
    recurring.refresh_from_db()
    assert recurring.status == RecurringGift.Status.CANCELED
    (notice,) = _messages("donations.monthly_cancelled")
    assert notice.recipient == "stop@example.org" and notice.status == Message.Status.SENT
    mails = [m for m in mailoutbox if "is cancelled" in m.subject]
    assert len(mails) == 1 and "No further payments will be taken." in mails[0].body
    # and the confirm page of a cancelled gift goes back to the gift
    assert client.get(f"{page}cancel/").status_code == 302


def test_a_changed_monthly_amount_is_confirmed_by_email_once(
    client, standin, mailoutbox, django_capture_on_commit_callbacks
):
    recurring = _signed_in_monthly(client, standin, "more@example.org")

    # when the donor submits the same change twice
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/me/giving/monthly/{recurring.public_id}/", {"amount": "30"})

    (notice,) = _messages("donations.monthly_changed")
    assert notice.status == Message.Status.SENT
    (mail,) = [m for m in mailoutbox if "is changed" in m.subject]
    assert "your card is charged $30.00 a month" in mail.body


def test_a_subscription_cancelled_at_stripe_is_confirmed_by_email_too(client, standin):
    _, recurring = _monthly(client, standin, email="portal@example.org")

    # when the subscription is cancelled at Stripe, not through Haven (the billing portal)
    stripe_gateway.subscription_cancel(subscription_id=recurring.stripe_subscription_id)
    standin.flush()

    recurring.refresh_from_db()
    assert recurring.status == RecurringGift.Status.CANCELED
    assert len(_messages("donations.monthly_cancelled")) == 1


# --- /me/giving/ ---------------------------------------------------------------------------------------


def test_my_giving_is_sorted_by_the_date_it_shows_and_a_cancelled_gift_offers_no_change(client):
    person = UserFactory(email="order@example.org")
    now = timezone.now()
    # a gift made long ago but paid only yesterday (a bank debit), and one made and paid last week
    late = DonationFactory(
        donor=person, donor_email=person.email, amount=1111, succeeded_at=now - datetime.timedelta(days=1)
    )
    Donation.objects.filter(pk=late.pk).update(created_at=now - datetime.timedelta(days=30))
    week = DonationFactory(
        donor=person, donor_email=person.email, amount=2222, succeeded_at=now - datetime.timedelta(days=7)
    )
    Donation.objects.filter(pk=week.pk).update(created_at=now - datetime.timedelta(days=7))
    live = RecurringGiftFactory(
        donor=person,
        donor_email=person.email,
        status=RecurringGift.Status.ACTIVE,
        current_period_end=datetime.datetime(2031, 4, 9, 12, tzinfo=datetime.UTC),
    )
    stopped = RecurringGiftFactory(
        donor=person, donor_email=person.email, status=RecurringGift.Status.CANCELED
    )
    client.force_login(person)

    body = client.get("/me/giving/").content.decode()

    assert body.index("$11.11") < body.index("$22.22")
    assert body.count("Pause, change, cancel or update card") == 1
    assert f'/me/giving/monthly/{stopped.public_id}/">See its payments' in body
    assert f'/me/giving/monthly/{live.public_id}/">Pause, change, cancel or update card' in body
    assert "Apr 9, 2031" in body


def test_the_monthly_page_shows_the_next_charge_date_from_stripes_events(client, standin):
    recurring = _signed_in_monthly(client, standin, "next@example.org")
    subscription = standin.get(recurring.stripe_subscription_id)
    period_end = subscription["items"]["data"][0]["current_period_end"]

    # when the next month is charged, the date moves on a month
    standin.renew_subscription(recurring.stripe_subscription_id)

    recurring.refresh_from_db()
    renewed = standin.get(recurring.stripe_subscription_id)["items"]["data"][0]["current_period_end"]
    assert renewed > period_end
    assert recurring.current_period_end == datetime.datetime.fromtimestamp(renewed, tz=datetime.UTC)
    body = client.get(f"/me/giving/monthly/{recurring.public_id}/").content.decode()
    assert "Next payment" in body
    assert timezone.localtime(recurring.current_period_end).strftime("%b %-d, %Y") in body
