"""The demo-only control `POST /_standin/subscriptions/import` (Python: `StandIn.import_subscription`):
an active subscription with the caller's ids, usable through the API afterwards, and no webhooks."""

import json
import urllib.error
import urllib.request

import pytest

from devstripe.server import StandInError
from tests.devstripe.test_api import call


def post_json(url: str, body: dict):
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310 - the local stand-in
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


IMPORT = {
    "subscription_id": "sub_demo_m1",
    "customer_id": "cus_demo_m1",
    "amount": 2500,
    "currency": "usd",
    "interval": "month",
    "metadata": {"donation_id": "d-1"},
    "email": "donor@haven.example",
    "description": "Monthly gift to Safe nights",
}


def test_import_over_http_creates_an_active_subscription_with_the_given_ids_and_no_events(
    standin, client, inbox
):
    # when the demo registers a subscription its database already knows
    status, sub = post_json(f"{standin.base_url}/_standin/subscriptions/import", IMPORT)

    # then it exists with those ids, amount, interval and metadata, active, with a card on file
    assert status == 200
    assert (sub["id"], sub["customer"], sub["status"]) == ("sub_demo_m1", "cus_demo_m1", "active")
    assert sub["metadata"] == {"donation_id": "d-1"}
    price = sub["items"]["data"][0]["price"]
    assert (price["unit_amount"], price["currency"], price["recurring"]["interval"]) == (2500, "usd", "month")
    assert standin.get(price["product"])["name"] == "Monthly gift to Safe nights"
    assert sub["default_payment_method"].startswith("pm_")
    customer = client.v1.customers.retrieve("cus_demo_m1")
    assert customer.email == "donor@haven.example"
    assert client.v1.subscriptions.retrieve("sub_demo_m1").status == "active"
    # and nothing was announced: no events recorded, queued or delivered
    standin.flush()
    assert standin.events == [] and standin.pending == [] and inbox.events == []


def test_an_imported_subscription_can_be_changed_renewed_opened_in_the_portal_and_cancelled(
    standin, client, inbox
):
    standin.import_subscription(**IMPORT)
    sub = client.v1.subscriptions.retrieve("sub_demo_m1")
    item = sub["items"]["data"][0]

    # change the amount the way Haven's gateway does (price_data on the existing product)
    client.v1.subscriptions.update(
        "sub_demo_m1",
        params={
            "items": [
                {
                    "id": item["id"],
                    "price_data": {
                        "currency": "usd",
                        "unit_amount": 4000,
                        "product": item["price"]["product"],
                        "recurring": {"interval": "month"},
                    },
                }
            ],
            "proration_behavior": "none",
        },
    )
    standin.flush()
    assert inbox.types == ["customer.subscription.updated"]

    # a renewal charges the new amount and carries the metadata to the invoice
    invoice = standin.renew_subscription("sub_demo_m1")
    assert invoice["status"] == "paid" and invoice["amount_paid"] == 4000
    assert invoice["parent"]["subscription_details"]["metadata"] == {"donation_id": "d-1"}

    # the billing portal opens for the imported customer
    portal = client.v1.billing_portal.sessions.create(
        params={"customer": "cus_demo_m1", "return_url": "https://haven.test/me/giving/"}
    )
    assert portal.url.startswith(standin.base_url + "/billing/")

    # and cancelling works
    assert client.v1.subscriptions.cancel("sub_demo_m1").status == "canceled"
    standin.flush()
    assert inbox.types[-1] == "customer.subscription.deleted"


def test_form_body_import_takes_metadata_fields_and_reuses_an_existing_customer(standin):
    first = {**IMPORT, "metadata[donation_id]": "d-1"}
    del first["metadata"]
    status, _, body = call(f"{standin.base_url}/_standin/subscriptions/import", first)
    assert status == 200 and json.loads(body)["metadata"] == {"donation_id": "d-1"}

    second = standin.import_subscription(**{**IMPORT, "subscription_id": "sub_demo_m2", "amount": "1000"})

    assert second["customer"] == "cus_demo_m1"
    assert len(standin.all("customer")) == 1
    assert second["items"]["data"][0]["price"]["unit_amount"] == 1000


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"subscription_id": "in_wrong"}, "subscription_id"),
        ({"customer_id": ""}, "customer_id"),
        ({"amount": None}, "amount"),
        ({"amount": 0}, "amount"),
        ({"currency": "dollars"}, "currency"),
        ({"interval": "fortnight"}, "interval"),
        ({"metadata": {"k": 5}}, "metadata[k]"),
    ],
)
def test_invalid_imports_are_refused_and_create_nothing(standin, change, param):
    status, body = post_json(f"{standin.base_url}/_standin/subscriptions/import", {**IMPORT, **change})

    assert status == 400
    assert body["error"]["param"] == param
    assert standin.all("subscription") == [] and standin.all("customer") == []


def test_importing_the_same_subscription_twice_is_refused(standin):
    standin.import_subscription(**IMPORT)

    with pytest.raises(StandInError) as caught:
        standin.import_subscription(**IMPORT)

    assert caught.value.code == "resource_already_exists"
    assert len(standin.all("subscription")) == 1 and len(standin.all("product")) == 1
