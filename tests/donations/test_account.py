"""The donor's own pages: gifts linked by verified email, receipts, statements; others' are 404."""

import datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from donations import services
from donations.models import Donation, Receipt
from messaging.models import Message
from tests.factories import DonationFactory, PendingDonationFactory, RecurringGiftFactory, UserFactory

from .conftest import OneTimePayment

pytestmark = pytest.mark.django_db


def test_my_giving_needs_sign_in(client):
    response = client.get("/me/giving/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_gifts_made_before_the_account_appear_once_the_email_is_verified(client, send_event):
    # given someone gave without an account
    donation = PendingDonationFactory(donor_email="late@example.org", amount=4000)
    send_event(OneTimePayment(donation).completed())
    receipt = Receipt.objects.get()

    # when they sign up later with that address, not yet verified
    user = UserFactory(email="late@example.org", verified_email=False)
    EmailAddress.objects.create(user=user, email="late@example.org", verified=False, primary=True)
    client.force_login(user)
    assert receipt.number not in client.get("/me/giving/").content.decode()

    # then once verified, the gift and its receipt are theirs
    EmailAddress.objects.filter(user=user).update(verified=True)
    body = client.get("/me/giving/").content.decode()
    assert receipt.number in body and "$40.00" in body
    pdf = client.get(f"/me/giving/receipts/{receipt.number}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content == bytes(Receipt.objects.get().pdf)


def test_another_donors_gifts_and_receipts_are_404(client, send_event):
    mine = PendingDonationFactory(donor_email="me@example.org")
    theirs = PendingDonationFactory(donor_email="them@example.org")
    send_event(OneTimePayment(mine).completed())
    send_event(OneTimePayment(theirs).completed())
    their_receipt = Receipt.objects.get(donation=theirs)
    their_monthly = RecurringGiftFactory(donor_email="them@example.org")
    client.force_login(UserFactory(email="me@example.org"))

    body = client.get("/me/giving/").content.decode()
    assert their_receipt.number not in body
    assert client.get(f"/me/giving/receipts/{their_receipt.number}.pdf").status_code == 404
    assert client.get(f"/me/giving/monthly/{their_monthly.public_id}/").status_code == 404
    assert client.post(f"/me/giving/monthly/{their_monthly.public_id}/cancel/").status_code == 404
    assert client.post(f"/me/giving/monthly/{their_monthly.public_id}/card/").status_code == 404
    assert client.post(f"/me/giving/monthly/{their_monthly.public_id}/", {"amount": "10"}).status_code == 404


def test_my_giving_query_count_does_not_grow_with_gifts(client, django_assert_max_num_queries):
    user = UserFactory(email="many@example.org")
    for _ in range(15):
        gift = DonationFactory(donor_email="many@example.org")
        with transaction.atomic():
            services.receipt_issue(donation=gift)
    RecurringGiftFactory(donor_email="many@example.org")
    client.force_login(user)

    with django_assert_max_num_queries(14):
        response = client.get("/me/giving/")
    assert response.content.decode().count("(PDF)") >= 15


def test_annual_statement_counts_succeeded_gifts_net_of_refunds(client):
    user = UserFactory(email="year@example.org")
    with time_machine.travel(datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC)):
        DonationFactory(donor_email="year@example.org", amount=5000, succeeded_at=timezone.now())
        DonationFactory(
            donor_email="year@example.org", amount=3000, amount_refunded=1000, succeeded_at=timezone.now()
        )
        DonationFactory(
            donor_email="year@example.org", amount=9900, status=Donation.Status.FAILED, succeeded_at=None
        )
    DonationFactory(
        donor_email="year@example.org",
        amount=7000,
        succeeded_at=datetime.datetime(2024, 12, 31, 12, tzinfo=datetime.UTC),
    )
    gifts = list(services_statement_gifts("year@example.org", 2025))
    assert sum(g.amount - g.amount_refunded for g in gifts) == 7000

    client.force_login(user)
    response = client.get("/me/giving/statements/2025.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert client.get("/me/giving/statements/1999.pdf").status_code == 404


def services_statement_gifts(email, year):
    from donations.selectors import donations_for_statement

    return donations_for_statement(emails=[email], year=year)


def test_statements_are_sent_once_per_donor_per_year_in_january(
    mailoutbox, django_capture_on_commit_callbacks
):
    from donations.models import Statement
    from donations.tasks import statements_send_last_year

    for email in ("a@example.org", "b@example.org"):
        DonationFactory(
            donor_email=email, succeeded_at=datetime.datetime(2025, 5, 5, 12, tzinfo=datetime.UTC)
        )
    DonationFactory(
        donor_email="c@example.org", succeeded_at=datetime.datetime(2026, 1, 2, 12, tzinfo=datetime.UTC)
    )

    with time_machine.travel(datetime.datetime(2025, 12, 20, 12, tzinfo=datetime.UTC)):
        assert statements_send_last_year.delay().get() == 0  # not January: nothing
    with (
        time_machine.travel(datetime.datetime(2026, 1, 5, 12, tzinfo=datetime.UTC)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        statements_send_last_year.delay()
        statements_send_last_year.delay()  # beat runs it several times in January

    assert sorted(Statement.objects.values_list("email", "year")) == [
        ("a@example.org", 2025),
        ("b@example.org", 2025),
    ]
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.org", "b@example.org"]
    assert all(m.attachments[0][0] == "giving-statement-2025.pdf" for m in mailoutbox)
    assert Message.objects.filter(kind="donations.statement", status=Message.Status.SENT).count() == 2


def test_monthly_gift_page_offers_change_card_and_cancel(client):
    recurring = RecurringGiftFactory(donor_email="monthly-page@example.org", amount=2500, fee_covered=106)
    recurring.status = recurring.Status.ACTIVE
    recurring.save()
    client.force_login(UserFactory(email="monthly-page@example.org"))

    body = client.get(f"/me/giving/monthly/{recurring.public_id}/").content.decode()

    assert "$26.06" in body
    for text in ("Change the amount", "Update your card", "Cancel my monthly gift", 'for="id_amount"'):
        assert text in body
    assert "Start one" not in client.get("/me/giving/").content.decode()


def test_a_monthly_gift_that_never_started_is_not_marked_cancelled_by_hand(client):
    # given a monthly gift whose checkout page was never completed (no subscription at Stripe yet)
    recurring = RecurringGiftFactory(donor_email="unstarted@example.org")
    client.force_login(UserFactory(email="unstarted@example.org"))

    # when its cancel form is posted anyway
    response = client.post(f"/me/giving/monthly/{recurring.public_id}/cancel/", follow=True)

    # then it says why, and the webhooks stay the only way it ends (its checkout expiring)
    assert "has not started" in response.content.decode()
    recurring.refresh_from_db()
    assert recurring.status == recurring.Status.PENDING
