"""Staff pages: dashboard totals, offline gifts, CSV export, review queue, access."""

import csv
import datetime
import io
import uuid

import pytest
from django.utils import timezone

from donations.models import Donation, Receipt
from tests.factories import CampaignFactory, DonationFactory, FundFactory, PendingDonationFactory, UserFactory

from .conftest import OneTimePayment

pytestmark = pytest.mark.django_db

STAFF_URLS = [
    "/staff/",
    "/staff/donations/",
    "/staff/donations/review/",
    "/staff/donations/export.csv",
    "/staff/donations/offline/",
]


@pytest.mark.parametrize("url", STAFF_URLS)
def test_staff_pages_are_for_staff_only(client, donor, url):
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(donor)
    assert client.get(url).status_code == 403


def test_dashboard_shows_totals_per_campaign_fund_and_month(client, staff_user):
    shelter = CampaignFactory(title="Night shelter")
    DonationFactory(campaign=shelter, amount=4000)
    DonationFactory(campaign=shelter, amount=6000, amount_refunded=1000)
    DonationFactory(campaign=shelter, amount=9900, status=Donation.Status.FAILED, succeeded_at=None)
    client.force_login(staff_user)

    response = client.get("/staff/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Night shelter" in body and "$90.00" in body
    assert shelter.fund.name in body
    assert timezone.localdate().strftime("%B %Y") in body
    for link in (
        "/staff/donations/offline/",
        "/staff/donations/export.csv",
        "/staff/campaigns/",
        "/staff/donations/",
    ):
        assert link in body


def test_offline_gift_is_recorded_once_even_if_submitted_twice(
    client, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    form = client.get("/staff/donations/offline/")
    nonce = form.context["form"]["nonce"].value()
    data = {
        "nonce": str(nonce),
        "method": "cheque",
        "amount": "250.00",
        "received_on": "2026-11-20",
        "reference": "Cheque 1044",
        "designation": "general",
        "name": "Grace Hopper",
        "email": "grace@example.org",
    }

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/staff/donations/offline/", data)
        second = client.post("/staff/donations/offline/", data)

    gift = Donation.objects.get()
    assert first.status_code == second.status_code == 302
    assert gift.status == Donation.Status.SUCCEEDED and gift.method == "cheque" and gift.amount == 25000
    assert gift.fund.is_general and gift.recorded_by == staff_user
    assert Receipt.objects.filter(donation=gift).count() == 1
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["grace@example.org"]


def test_offline_gift_form_errors(client, staff_user):
    client.force_login(staff_user)

    response = client.post(
        "/staff/donations/offline/",
        {"nonce": str(uuid.uuid4()), "method": "card", "amount": "-5", "designation": "general", "name": "x"},
    )

    assert response.status_code == 200
    assert not Donation.objects.exists()
    errors = response.context["form"].errors
    assert {"method", "amount", "received_on", "email"} <= set(errors)


def test_csv_export_streams_filtered_rows(client, staff_user):
    fund = FundFactory(name="Legal aid")
    campaign = CampaignFactory(fund=fund)
    DonationFactory(campaign=campaign, amount=1000, donor_name="=HYPERLINK(1)", is_anonymous=True)
    DonationFactory(campaign=campaign, amount=2000, status=Donation.Status.REFUNDED, amount_refunded=2000)
    DonationFactory(amount=3000)  # another campaign and fund
    old = DonationFactory(campaign=campaign, amount=4000)
    Donation.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=400))
    client.force_login(staff_user)

    response = client.get(
        "/staff/donations/export.csv",
        {
            "fund": fund.pk,
            "status": "succeeded",
            "date_from": (timezone.localdate() - datetime.timedelta(days=30)),
        },
    )

    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["amount"] for r in rows] == ["10.00"]
    assert rows[0]["anonymous"] == "yes"  # staff see who gave, flagged
    assert rows[0]["donor_name"] == "'=HYPERLINK(1)"  # no formula injection into spreadsheets
    assert rows[0]["fund"] == "Legal aid"


def test_gift_list_query_count_is_flat(client, staff_user, django_assert_max_num_queries):
    for _ in range(30):
        DonationFactory()
    client.force_login(staff_user)

    with django_assert_max_num_queries(12):
        response = client.get("/staff/donations/")
    assert response.status_code == 200


def test_anonymous_gift_shows_donor_to_staff_with_a_flag(client, staff_user):
    gift = DonationFactory(is_anonymous=True, donor_name="Quiet Person")
    client.force_login(staff_user)

    body = client.get(f"/staff/donations/{gift.public_id}/").content.decode()

    assert "Quiet Person" in body and "Anonymous gift" in body


def test_held_gift_is_listed_and_released_by_staff(
    client, staff_user, send_event, mailoutbox, django_capture_on_commit_callbacks
):
    donation = PendingDonationFactory(amount=4000)
    send_event(OneTimePayment(donation, amount=3999).completed())
    client.force_login(staff_user)

    listing = client.get("/staff/donations/review/").content.decode()
    assert f"/staff/donations/{donation.public_id}/" in listing

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/staff/donations/{donation.public_id}/", {"action": "release"})

    donation.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED and not donation.needs_review
    assert len(mailoutbox) == 1
    assert (
        f"/staff/donations/{donation.public_id}/"
        not in client.get("/staff/donations/review/").content.decode()
    )


def test_non_staff_cannot_refund(client):
    gift = DonationFactory()
    client.force_login(UserFactory(roles=["donor"]))

    response = client.post(f"/staff/donations/{gift.public_id}/", {"action": "refund", "amount": "10"})

    assert response.status_code == 403


def test_dashboard_query_count_does_not_grow_with_campaigns(
    client, staff_user, django_assert_max_num_queries
):
    for _ in range(12):
        DonationFactory()
    client.force_login(staff_user)

    with django_assert_max_num_queries(12):
        response = client.get("/staff/")
    assert response.status_code == 200
