"""Checkout through the real stripe library: sessions, the hosted page, cards, events and their order."""

import urllib.error
import urllib.parse
import urllib.request

import pytest
import stripe

from devstripe.server import CARD_DECLINED, CARD_DISPUTED, CARD_INSUFFICIENT_FUNDS
from tests.devstripe.conftest import gift_session, monthly_session


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post_form(url: str, data: dict) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode(), method="POST")
    try:
        with urllib.request.build_opener(_NoRedirect).open(request) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def test_payment_session_with_the_module_level_configuration(stripe_global, standin):
    # when
    session = stripe.checkout.Session.create(
        mode="payment",
        line_items=[
            {
                "quantity": 1,
                "price_data": {"currency": "usd", "unit_amount": 4147, "product_data": {"name": "Gift"}},
            }
        ],
        success_url="https://haven.test/thanks?session={CHECKOUT_SESSION_ID}",
        metadata={"donation_id": "d-1"},
    )
    # then
    assert session.id.startswith("cs_test_")
    assert (session.object, session.status, session.payment_status) == ("checkout.session", "open", "unpaid")
    assert (session.amount_total, session.currency, session.mode) == (4147, "usd", "payment")
    assert session.url == f"{standin.base_url}/checkout/pay/{session.id}"
    assert session.payment_intent is None
    assert stripe.checkout.Session.retrieve(session.id).metadata.to_dict() == {"donation_id": "d-1"}


def test_paying_a_gift_sends_stripes_events_in_order_and_links_everything(client, standin, inbox):
    # given
    session = gift_session(client)
    # when
    done = standin.complete_checkout(session.id)
    # then events arrive signed, in Stripe's usual order
    assert inbox.types == [
        "customer.created",
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.completed",
    ]
    assert [e["type"] for e in standin.events] == inbox.types
    assert (done["status"], done["payment_status"]) == ("complete", "paid")
    completed = inbox.events[-1].data.object
    assert completed.payment_intent == done["payment_intent"] and completed.metadata.to_dict() == {
        "donation_id": "d-1"
    }
    # and the objects are linked and carry payment_intent_data
    fetched = client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["payment_intent.latest_charge", "customer"]}
    )
    pi = fetched.payment_intent
    assert (pi.status, pi.amount, pi.amount_received) == ("succeeded", 4147, 4147)
    assert pi.metadata.to_dict() == {"donation_id": "d-1"} and pi.statement_descriptor_suffix == "GIFT"
    charge = pi.latest_charge
    assert charge.id.startswith("ch_") and (charge.paid, charge.status, charge.amount) == (
        True,
        "succeeded",
        4147,
    )
    assert charge.balance_transaction is None and charge.payment_intent == pi.id
    assert fetched.customer.email == "donor@haven.example" == fetched.customer_details.email


def test_hosted_page_shows_the_amount_and_pays_then_redirects_to_success_url(client, standin, inbox):
    # given
    session = gift_session(client)
    # when
    page = urllib.request.urlopen(session.url).read().decode()
    status, headers, _ = post_form(session.url, {"card": "4242 4242 4242 4242"})
    # then
    assert "41.47 USD" in page and 'value="4242 4242 4242 4242"' in page
    assert '<label for="card">' in page and "https://haven.test/donate/" in page
    assert status == 303
    assert headers["Location"] == f"https://haven.test/donate/thanks?session={session.id}"
    assert inbox.types == []  # caused by an HTTP request: waits for flush()
    standin.flush()
    assert inbox.types[-1] == "checkout.session.completed"


@pytest.mark.parametrize(
    ("card", "message"),
    [
        (CARD_DECLINED, "Your card was declined."),
        (CARD_INSUFFICIENT_FUNDS, "Your card has insufficient funds."),
    ],
)
def test_declined_card_keeps_the_session_open_and_reports_payment_failed(
    client, standin, inbox, card, message
):
    # given
    session = gift_session(client)
    # when
    status, _, page = post_form(session.url, {"card": card})
    standin.flush()
    # then
    assert status == 402 and message in page and 'role="alert"' in page
    assert inbox.types == ["payment_intent.created", "charge.failed", "payment_intent.payment_failed"]
    failed = inbox.events[-1].data.object
    assert failed.status == "requires_payment_method"
    assert failed.last_payment_error.code == "card_declined"
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"
    # and a good card afterwards pays the same PaymentIntent
    inbox.clear()
    done = standin.complete_checkout(session.id)
    assert done["payment_intent"] == failed.id
    assert inbox.types[-3:] == ["charge.succeeded", "payment_intent.succeeded", "checkout.session.completed"]


def test_unknown_card_number_changes_nothing(client, standin):
    session = gift_session(client)
    status, _, page = post_form(session.url, {"card": "1234 5678 9012 3456"})
    assert status == 402 and "Your card number is incorrect." in page
    assert standin.events == [] and standin.get(session.id)["status"] == "open"


def test_dispute_card_pays_then_opens_a_dispute_on_the_charge(client, standin, inbox):
    session = gift_session(client)
    done = standin.complete_checkout(session.id, card=CARD_DISPUTED)
    assert inbox.types[-2:] == ["checkout.session.completed", "charge.dispute.created"]
    dispute = inbox.events[-1].data.object
    pi = standin.get(done["payment_intent"])
    assert dispute.id.startswith("dp_") and dispute.charge == pi["latest_charge"] and dispute.amount == 4147
    assert standin.get(pi["latest_charge"])["disputed"] is True


def test_subscription_checkout_creates_subscription_invoice_and_events(client, standin, inbox):
    # given
    session = monthly_session(client)
    # when
    done = standin.complete_checkout(session.id)
    # then
    assert inbox.types == [
        "customer.created",
        "customer.subscription.created",
        "invoice.created",
        "invoice.finalized",
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "invoice.paid",
        "invoice.payment_succeeded",
        "customer.subscription.updated",
        "checkout.session.completed",
    ]
    sub = client.v1.subscriptions.retrieve(done["subscription"])
    assert (
        sub.status == "active"
        and sub.metadata.to_dict() == {"donation_id": "m-1"}
        and sub.description == "Monthly gift"
    )
    item = sub["items"].data[0]
    assert (
        item.id.startswith("si_")
        and item.price.unit_amount == 2500
        and item.price.recurring.interval == "month"
    )
    assert item.current_period_end > item.current_period_start
    invoice = client.v1.invoices.retrieve(
        sub.latest_invoice, params={"expand": ["payments.data.payment.payment_intent"]}
    )
    assert invoice.id == done["invoice"]
    assert (invoice.status, invoice.billing_reason, invoice.amount_paid) == (
        "paid",
        "subscription_create",
        2500,
    )
    assert invoice.parent.subscription_details.subscription == sub.id
    assert invoice.parent.subscription_details.metadata.to_dict() == {"donation_id": "m-1"}
    pi = invoice.payments.data[0].payment.payment_intent
    assert pi.status == "succeeded" and client.v1.charges.retrieve(pi.latest_charge).amount == 2500
    created = next(e for e in inbox.events if e.type == "customer.subscription.created").data.object
    assert created.status == "incomplete"
    updated = next(e for e in inbox.events if e.type == "customer.subscription.updated")
    assert updated.data.previous_attributes.status == "incomplete"


def test_session_with_an_existing_customer_creates_no_customer(client, standin, inbox):
    customer = client.v1.customers.create(params={"email": "known@haven.example", "metadata": {"user": "5"}})
    session = gift_session(client, customer=customer.id, customer_email=None)
    standin.complete_checkout(session.id)
    assert "customer.created" not in inbox.types
    assert standin.get(session.id)["customer"] == customer.id
    assert standin.get(session.id)["customer_details"]["email"] == "known@haven.example"


def test_expire_sends_checkout_session_expired_and_blocks_payment(client, standin, inbox):
    session = gift_session(client)
    expired = standin.expire_checkout(session.id)
    assert expired["status"] == "expired" and inbox.types == ["checkout.session.expired"]
    with pytest.raises(Exception, match="no longer active"):
        standin.complete_checkout(session.id)
    # the real API endpoint refuses to expire twice
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.expire(session.id)


@pytest.mark.parametrize("outcome", ["succeeded", "failed"])
def test_async_payment_completes_unpaid_then_settles(client, standin, inbox, outcome):
    session = gift_session(client)
    done = standin.async_checkout(session.id, outcome)
    completed = next(e for e in inbox.events if e.type == "checkout.session.completed").data.object
    assert completed.payment_status == "unpaid"
    assert inbox.types[-1] == f"checkout.session.async_payment_{outcome}"
    assert done["payment_status"] == ("paid" if outcome == "succeeded" else "unpaid")


def test_async_payment_can_settle_later(client, standin, inbox):
    session = gift_session(client)
    standin.async_checkout(session.id, "pending")
    assert inbox.types[-1] == "checkout.session.completed"
    standin.settle_async_checkout(session.id, "succeeded")
    assert inbox.types[-1] == "checkout.session.async_payment_succeeded"


def test_line_items_are_includable(client):
    session = gift_session(client)
    lines = client.v1.checkout.sessions.line_items.list(session.id)
    assert [(line.description, line.amount_total, line.quantity) for line in lines.data] == [
        ("Gift", 4147, 1)
    ]
    expanded = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["line_items"]})
    assert expanded.line_items.data[0].price.unit_amount == 4147


@pytest.mark.parametrize(
    ("change", "param"),
    [
        (
            {
                "line_items": [
                    {"price_data": {"currency": "usd", "unit_amount": 100, "product_data": {"name": "G"}}}
                ]
            },
            "line_items[0][quantity]",
        ),
        ({"mode": "setup"}, "mode"),
        (
            {"payment_intent_data": {"statement_descriptor": "HVN COMMUNITY FUND"}},
            "payment_intent_data[statement_descriptor]",
        ),
        ({"subscription_data": {"metadata": {"a": "b"}}}, "subscription_data"),
        ({"success_url": "not a url"}, "success_url"),
        ({"colour": "blue"}, "colour"),
        ({"customer": "cus_missing", "customer_email": None}, "customer"),
        (
            {
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": "usd",
                            "unit_amount": 100,
                            "product_data": {"name": "G"},
                            "recurring": {"interval": "month"},
                        },
                    }
                ]
            },
            "line_items[0]",
        ),
    ],
)
def test_invalid_session_parameters_raise_invalid_request_error_naming_the_param(client, change, param):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        gift_session(client, **change)
    assert caught.value.param == param
    assert caught.value.http_status == 400


def test_declined_card_in_subscription_mode_leaves_an_incomplete_subscription_until_a_good_card(
    client, standin, inbox
):
    # given
    session = monthly_session(client)
    # when
    status, _, page = post_form(session.url, {"card": CARD_DECLINED})
    standin.flush()
    # then
    assert status == 402 and "Your card was declined." in page
    assert inbox.types == [
        "customer.created",
        "customer.subscription.created",
        "invoice.created",
        "invoice.finalized",
        "payment_intent.created",
        "charge.failed",
        "payment_intent.payment_failed",
        "invoice.payment_failed",
    ]
    assert standin.get(session.id)["status"] == "open"
    (sub,) = standin.all("subscription")
    assert sub["status"] == "incomplete"
    # when the donor tries another card
    inbox.clear()
    done = standin.complete_checkout(session.id)
    # then the same subscription and invoice are paid
    assert inbox.types == [
        "charge.succeeded",
        "payment_intent.succeeded",
        "invoice.paid",
        "invoice.payment_succeeded",
        "customer.subscription.updated",
        "checkout.session.completed",
    ]
    assert done["subscription"] == sub["id"] and done["invoice"] == sub["latest_invoice"]
    assert standin.get(sub["id"])["status"] == "active"
    assert len(standin.all("invoice")) == 1


@pytest.mark.parametrize("descriptor", ["X" * 23, "12345", "GIFTS <ALL>", "O'HARA FUND"])
def test_a_product_statement_descriptor_is_checked_as_stripe_does(client, descriptor):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.products.create(params={"name": "Monthly gift", "statement_descriptor": descriptor})

    assert caught.value.param == "statement_descriptor"


def test_a_subscription_charge_takes_its_statement_text_from_the_product(client, standin):
    # given a monthly Checkout session whose price is on a product with a statement descriptor
    product = client.v1.products.create(
        params={"name": "Monthly gift", "statement_descriptor": "COMMUNITY FUND"}
    )
    session = client.v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "line_items": [
                {
                    "price_data": {
                        "currency": "usd",
                        "unit_amount": 2500,
                        "product": product.id,
                        "recurring": {"interval": "month"},
                    },
                    "quantity": 1,
                }
            ],
            "success_url": "https://haven.test/thanks",
            "cancel_url": "https://haven.test/donate",
        }
    )

    # when it is paid, and the next month is charged
    standin.complete_checkout(session.id)
    subscription_id = standin.get(session.id)["subscription"]
    standin.renew_subscription(subscription_id)

    # then both charges carry it as their suffix, after the account's prefix
    charges = standin.all("charge")
    assert [c["statement_descriptor_suffix"] for c in charges] == ["COMMUNITY FUND", "COMMUNITY FUND"]
    assert {c["calculated_statement_descriptor"] for c in charges} == {"DEVSTRIPE* COMMUNITY F"}
