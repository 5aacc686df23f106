"""The API surface beyond checkout: auth, errors, idempotency, refunds, subscriptions, renewals,
disputes, the billing portal, control endpoints and webhook delivery over HTTP."""

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from devstripe import running_standin
from devstripe.server import CARD_DISPUTED, StandInError
from tests.devstripe.conftest import API_KEY, SECRET, gift_session, monthly_session


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def call(url: str, data: dict | None = None, headers: dict | None = None, method: str | None = None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with urllib.request.build_opener(_NoRedirect).open(request) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


@pytest.fixture
def paid_gift(client, standin, inbox):
    session = gift_session(client)
    done = standin.complete_checkout(session.id)
    inbox.clear()
    return standin.get(done["payment_intent"])


@pytest.fixture
def monthly(client, standin, inbox):
    done = standin.complete_checkout(monthly_session(client).id)
    inbox.clear()
    return standin.get(done["subscription"])


# --- auth and errors ------------------------------------------------------------------------------
@pytest.mark.parametrize("api_key", ["sk_live_realmoney", "pk_test_publishable", "nonsense"])
def test_non_test_secret_keys_are_refused(standin, api_key):
    bad = stripe.StripeClient(api_key, base_addresses={"api": standin.base_url}, max_network_retries=0)
    with pytest.raises(stripe.AuthenticationError) as caught:
        bad.v1.customers.create(params={"email": "x@haven.example"})
    assert caught.value.http_status == 401
    assert standin.all("customer") == []


def test_missing_api_key_is_a_401_in_stripes_error_shape(standin):
    status, _, body = call(f"{standin.base_url}/v1/customers", {"email": "x@haven.example"})
    assert status == 401
    error = json.loads(body)["error"]
    assert error["type"] == "invalid_request_error" and "API key" in error["message"]


def test_unknown_object_is_a_404_invalid_request_error(client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.retrieve("pi_doesnotexist")
    assert caught.value.http_status == 404 and caught.value.code == "resource_missing"


def test_unknown_url_is_a_404(standin):
    status, _, body = call(f"{standin.base_url}/v1/payouts", headers={"Authorization": f"Bearer {API_KEY}"})
    assert status == 404 and "Unrecognized request URL" in json.loads(body)["error"]["message"]


def test_expanding_a_plain_field_is_refused(client):
    session = gift_session(client)
    with pytest.raises(stripe.InvalidRequestError, match="cannot be expanded"):
        client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["mode"]})


# --- idempotency ----------------------------------------------------------------------------------
def test_same_idempotency_key_replays_the_first_response(client, standin):
    # given
    params = {"email": "once@haven.example"}
    # when
    first = client.v1.customers.create(params=params, options={"idempotency_key": "donation-1"})
    second = client.v1.customers.create(params=params, options={"idempotency_key": "donation-1"})
    # then
    assert first.id == second.id
    assert len(standin.all("customer")) == 1


def test_replayed_refund_refunds_once(client, standin, paid_gift):
    key = {"idempotency_key": "refund-1"}
    client.v1.refunds.create(params={"payment_intent": paid_gift["id"], "amount": 1000}, options=key)
    client.v1.refunds.create(params={"payment_intent": paid_gift["id"], "amount": 1000}, options=key)
    standin.flush()
    assert standin.get(paid_gift["latest_charge"])["amount_refunded"] == 1000
    assert len(standin.events_of("refund.created")) == 1


def test_same_key_with_other_parameters_is_an_idempotency_error(client):
    client.v1.customers.create(params={"email": "a@haven.example"}, options={"idempotency_key": "k-1"})
    with pytest.raises(stripe.IdempotencyError):
        client.v1.customers.create(params={"email": "b@haven.example"}, options={"idempotency_key": "k-1"})


def test_same_key_on_another_endpoint_is_an_idempotency_error(client):
    client.v1.customers.create(params={"email": "a@haven.example"}, options={"idempotency_key": "k-2"})
    with pytest.raises(stripe.IdempotencyError):
        client.v1.products.create(params={"name": "Gift"}, options={"idempotency_key": "k-2"})


def test_replay_is_marked_like_stripe_does(standin):
    headers = {"Authorization": f"Bearer {API_KEY}", "Idempotency-Key": "raw-1"}
    _, first_headers, first = call(f"{standin.base_url}/v1/customers", {"email": "r@haven.example"}, headers)
    _, second_headers, second = call(
        f"{standin.base_url}/v1/customers", {"email": "r@haven.example"}, headers
    )
    assert first == second
    assert "Idempotent-Replayed" not in first_headers and second_headers["Idempotent-Replayed"] == "true"


# --- refunds --------------------------------------------------------------------------------------
def test_partial_then_full_refund(client, standin, inbox, paid_gift):
    # when
    partial = client.v1.refunds.create(
        params={"payment_intent": paid_gift["id"], "amount": 1000, "metadata": {"refund_id": "r-1"}}
    )
    standin.flush()
    # then
    assert partial.id.startswith("re_") and (partial.amount, partial.status) == (1000, "succeeded")
    assert partial.charge == paid_gift["latest_charge"] and partial.metadata.to_dict() == {"refund_id": "r-1"}
    assert inbox.types == ["refund.created", "charge.refunded"]
    refunded = inbox.events[-1]
    assert (refunded.data.object.amount_refunded, refunded.data.object.refunded) == (1000, False)
    assert refunded.data.previous_attributes.amount_refunded == 0
    # when the rest is refunded (no amount = what remains), by charge id
    rest = client.v1.refunds.create(params={"charge": paid_gift["latest_charge"]})
    standin.flush()
    # then
    assert rest.amount == 4147 - 1000
    charge = client.v1.charges.retrieve(paid_gift["latest_charge"])
    assert (charge.amount_refunded, charge.refunded) == (4147, True)
    assert [r.id for r in charge.refunds.data] == [rest.id, partial.id]
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"payment_intent": paid_gift["id"]})
    assert caught.value.code == "charge_already_refunded"


def test_over_refund_is_refused_and_changes_nothing(client, standin, paid_gift):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"payment_intent": paid_gift["id"], "amount": 4148})
    assert (caught.value.code, caught.value.param) == ("amount_too_large", "amount")
    assert standin.get(paid_gift["latest_charge"])["amount_refunded"] == 0
    assert standin.pending == []


def test_refund_of_an_unpaid_intent_is_refused(client, standin):
    session = gift_session(client)
    standin.complete_checkout(session.id, card="4000000000000002")
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.refunds.create(params={"payment_intent": standin.get(session.id)["payment_intent"]})


# --- subscriptions --------------------------------------------------------------------------------
def test_changing_the_amount_sends_updated_with_previous_attributes(client, standin, inbox, monthly):
    item = monthly["items"]["data"][0]
    # when
    updated = client.v1.subscriptions.update(
        monthly["id"],
        params={
            "items": [
                {
                    "id": item["id"],
                    "price_data": {
                        "currency": "usd",
                        "unit_amount": 5000,
                        "product": item["price"]["product"],
                        "recurring": {"interval": "month"},
                    },
                }
            ],
            "proration_behavior": "none",
            "metadata": {"amount_changed": "yes"},
        },
    )
    standin.flush()
    # then
    assert updated["items"].data[0].price.unit_amount == 5000 and updated["items"].data[0].id == item["id"]
    assert inbox.types == ["customer.subscription.updated"]
    previous = inbox.events[0].data.previous_attributes
    assert previous["items"].data[0].price.unit_amount == 2500
    assert previous.metadata.to_dict() == {"amount_changed": None}


def test_cancel_at_period_end_then_renewal_ends_the_subscription(client, standin, inbox, monthly):
    client.v1.subscriptions.update(monthly["id"], params={"cancel_at_period_end": True})
    standin.flush()
    event = inbox.events[-1]
    assert event.type == "customer.subscription.updated"
    assert event.data.object.cancel_at_period_end is True
    assert event.data.previous_attributes.cancel_at_period_end is False
    assert event.data.object.cancel_at == monthly["items"]["data"][0]["current_period_end"]
    # when the period ends
    assert standin.renew_subscription(monthly["id"]) is None
    assert inbox.types[-1] == "customer.subscription.deleted"
    assert standin.get(monthly["id"])["status"] == "canceled"


def test_cancel_now_sends_deleted_and_further_updates_are_refused(client, standin, inbox, monthly):
    canceled = client.v1.subscriptions.cancel(monthly["id"])
    standin.flush()
    assert canceled.status == "canceled" and canceled.ended_at is not None
    assert inbox.types == ["customer.subscription.deleted"]
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.subscriptions.update(monthly["id"], params={"cancel_at_period_end": True})


def test_renewal_success_invoices_the_next_period(standin, inbox, monthly):
    period_end = monthly["items"]["data"][0]["current_period_end"]
    # when
    invoice = standin.renew_subscription(monthly["id"])
    # then
    assert inbox.types == [
        "customer.subscription.updated",
        "invoice.created",
        "invoice.finalized",
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "invoice.paid",
        "invoice.payment_succeeded",
    ]
    assert (invoice["status"], invoice["billing_reason"], invoice["amount_paid"]) == (
        "paid",
        "subscription_cycle",
        2500,
    )
    assert invoice["parent"]["subscription_details"] == {
        "metadata": {"donation_id": "m-1"},
        "subscription": monthly["id"],
    }
    assert invoice["lines"]["data"][0]["period"]["start"] == period_end
    sub = standin.get(monthly["id"])
    assert (
        sub["latest_invoice"] == invoice["id"]
        and sub["items"]["data"][0]["current_period_start"] == period_end
    )


def test_renewal_failure_marks_past_due_and_a_later_success_restores_active(standin, inbox, monthly):
    # when
    invoice = standin.renew_subscription(monthly["id"], fail=True)
    # then
    assert inbox.types[-4:] == [
        "charge.failed",
        "payment_intent.payment_failed",
        "invoice.payment_failed",
        "customer.subscription.updated",
    ]
    assert (invoice["status"], invoice["amount_paid"], invoice["attempted"]) == ("open", 0, True)
    assert inbox.events[-1].data.object.status == "past_due"
    assert inbox.events[-1].data.previous_attributes.status == "active"
    # when the next renewal succeeds
    inbox.clear()
    standin.renew_subscription(monthly["id"])
    assert inbox.types[-1] == "customer.subscription.updated"
    assert inbox.events[-1].data.object.status == "active"


def test_renew_over_http_control_endpoint(standin, inbox, monthly):
    status, _, body = call(f"{standin.base_url}/_standin/subscriptions/{monthly['id']}/renew", {"fail": "1"})
    assert status == 200 and json.loads(body)["status"] == "open"
    assert inbox.types == []
    standin.flush()
    assert "invoice.payment_failed" in inbox.types


# --- disputes -------------------------------------------------------------------------------------
@pytest.mark.parametrize("outcome", ["won", "lost"])
def test_dispute_open_and_close(standin, inbox, paid_gift, outcome):
    dispute = standin.open_dispute(paid_gift["latest_charge"])
    assert inbox.types == ["charge.dispute.created"]
    assert (dispute["status"], dispute["charge"], dispute["payment_intent"]) == (
        "needs_response",
        paid_gift["latest_charge"],
        paid_gift["id"],
    )
    closed = standin.close_dispute(dispute["id"], outcome)
    assert closed["status"] == outcome
    assert inbox.types[-1] == "charge.dispute.closed"
    assert inbox.events[-1].data.previous_attributes.status == "needs_response"
    with pytest.raises(StandInError):
        standin.close_dispute(dispute["id"], outcome)


def test_disputed_charge_cannot_be_refunded(client, standin):
    done = standin.complete_checkout(gift_session(client).id, card=CARD_DISPUTED)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"payment_intent": done["payment_intent"]})
    assert caught.value.code == "charge_disputed"


def test_dispute_and_close_over_http(standin, inbox, paid_gift):
    _, _, body = call(f"{standin.base_url}/_standin/charges/{paid_gift['latest_charge']}/dispute", {})
    dispute_id = json.loads(body)["id"]
    status, _, body = call(f"{standin.base_url}/_standin/disputes/{dispute_id}/close", {"status": "lost"})
    standin.flush()
    assert status == 200 and json.loads(body)["status"] == "lost"
    assert inbox.types == ["charge.dispute.created", "charge.dispute.closed"]


# --- billing portal -------------------------------------------------------------------------------
def test_portal_session_page_updates_the_card_and_links_back(client, standin, inbox, monthly):
    portal = client.v1.billing_portal.sessions.create(
        params={"customer": monthly["customer"], "return_url": "https://haven.test/account/"}
    )
    assert portal.id.startswith("bps_") and portal.url == f"{standin.base_url}/billing/{portal.id}"
    page = urllib.request.urlopen(portal.url).read().decode()
    assert "Card ending in 4242" in page and "https://haven.test/account/" in page
    # when
    status, _, page = call(portal.url, {"action": "update_card", "card": "4000 0000 0000 0259"})
    standin.flush()
    # then
    assert status == 200 and "Card ending in 0259 saved." in page
    assert inbox.types == ["customer.updated", "customer.subscription.updated"]
    pm = standin.get(monthly["customer"])["invoice_settings"]["default_payment_method"]
    assert pm.startswith("pm_") and standin.get(monthly["id"])["default_payment_method"] == pm


def test_portal_cancel_ends_at_period_end(client, standin, inbox, monthly):
    portal = client.v1.billing_portal.sessions.create(params={"customer": monthly["customer"]})
    status, _, page = call(portal.url, {"action": "cancel", "subscription": monthly["id"]})
    standin.flush()
    assert status == 200 and "end at the end of the current period" in page
    assert inbox.events[-1].data.object.cancel_at_period_end is True


# --- delivery over HTTP ---------------------------------------------------------------------------
def test_webhook_url_delivery_retries_until_the_endpoint_accepts():
    # given an endpoint that fails once, then verifies and accepts
    answers = iter([500])
    received: list[str] = []

    class Endpoint(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = next(answers, 200)
            if status == 200:
                received.append(
                    stripe.Webhook.construct_event(body, self.headers["Stripe-Signature"], SECRET).type
                )
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    endpoint = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=endpoint.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{endpoint.server_address[1]}/webhooks/stripe/"
    try:
        with running_standin(webhook_secret=SECRET, webhook_url=url) as standin:
            client = stripe.StripeClient(API_KEY, base_addresses={"api": standin.base_url})
            session = gift_session(client)
            # when paid on the hosted page (an HTTP request: background delivery)
            status, _, _ = call(session.url, {"card": "4242424242424242"})
            standin.flush()
            assert status == 303
    finally:
        endpoint.shutdown()
        endpoint.server_close()
    # then every event arrived once, in order, after one retry of the first
    assert received == [e["type"] for e in standin.events]
    assert received[-1] == "checkout.session.completed"
    assert [(d["attempt"], d["status"]) for d in standin.deliveries[:2]] == [(1, 500), (2, 200)]


def test_redeliver_sends_the_same_event_again(client, standin, inbox, paid_gift):
    standin.open_dispute(paid_gift["latest_charge"])
    standin.redeliver(standin.events[-1]["id"])
    assert inbox.types == ["charge.dispute.created", "charge.dispute.created"]
    assert inbox.events[0].id == inbox.events[1].id


# --- lists ----------------------------------------------------------------------------------------
def test_refunds_list_by_charge_newest_first(client, paid_gift):
    first = client.v1.refunds.create(params={"payment_intent": paid_gift["id"], "amount": 100})
    second = client.v1.refunds.create(params={"payment_intent": paid_gift["id"], "amount": 200})
    page = client.v1.refunds.list(params={"charge": paid_gift["latest_charge"], "limit": 100})
    assert [r.id for r in page.data] == [second.id, first.id]
    assert client.v1.refunds.list(params={"charge": "ch_other"}).data == []
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.refunds.list(params={"limit": 101})


def test_subscription_list_hides_canceled_unless_asked(client, monthly):
    assert [s.id for s in client.v1.subscriptions.list(params={"customer": monthly["customer"]}).data] == [
        monthly["id"]
    ]
    client.v1.subscriptions.cancel(monthly["id"])
    assert client.v1.subscriptions.list(params={"customer": monthly["customer"]}).data == []
    assert len(client.v1.subscriptions.list(params={"status": "all"}).data) == 1


def test_invoice_payments_list_names_the_payment_intent(client, standin, monthly):
    rows = client.v1.invoice_payments.list(params={"invoice": monthly["latest_invoice"]}).data
    assert len(rows) == 1 and rows[0].status == "paid" and rows[0].amount_paid == 2500
    assert standin.get(rows[0].payment.payment_intent)["status"] == "succeeded"
