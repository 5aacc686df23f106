"""The stand-in as a running service: concurrency, call-backs from webhook handlers, request ids in
events, and `python -m devstripe` in the foreground."""

import json
import os
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import stripe

from devstripe import running_standin
from tests.devstripe.conftest import API_KEY, SECRET, gift_session

REPO = Path(__file__).resolve().parents[2]


def test_concurrent_refunds_never_exceed_the_charge(client, standin):
    # given a paid 41.47 gift
    done = standin.complete_checkout(gift_session(client).id)
    pi = done["payment_intent"]

    def refund(_):
        try:
            client.v1.refunds.create(params={"payment_intent": pi, "amount": 1000})
            return "ok"
        except stripe.InvalidRequestError as exc:
            return exc.code

    # when ten refunds of 10.00 race
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(refund, range(10)))
    # then exactly four fit
    assert results.count("ok") == 4 and results.count("amount_too_large") == 6
    assert standin.get(standin.get(pi)["latest_charge"])["amount_refunded"] == 4000
    assert len(standin.pending) == 8  # refund.created + charge.refunded for each


def test_webhook_handler_may_call_back_into_the_api_during_delivery():
    # given an endpoint that fetches the PaymentIntent, as a webhook handler cross-checking amounts does
    seen: list[int] = []

    with running_standin(webhook_secret=SECRET) as standin:
        client = stripe.StripeClient(API_KEY, base_addresses={"api": standin.base_url}, max_network_retries=0)

        def deliver(payload: bytes, headers: dict) -> int:
            event = stripe.Webhook.construct_event(payload, headers["Stripe-Signature"], SECRET)
            if event.type == "payment_intent.succeeded":
                seen.append(client.v1.payment_intents.retrieve(event.data.object.id).amount_received)
            return 200

        standin.deliver = deliver
        # when
        standin.complete_checkout(gift_session(client).id)
    # then no deadlock, and the handler saw the committed state
    assert seen == [4147]


def test_a_failing_endpoint_does_not_swallow_later_events(client, standin):
    delivered: list[str] = []

    def deliver(payload: bytes, headers: dict) -> int:
        event_type = json.loads(payload)["type"]
        delivered.append(event_type)
        if event_type == "charge.succeeded":
            raise RuntimeError("handler bug")
        return 200

    standin.deliver = deliver
    with pytest.raises(RuntimeError, match="handler bug"):
        standin.complete_checkout(gift_session(client).id)
    assert delivered[-1] == "checkout.session.completed"


def test_events_caused_by_api_requests_name_the_request_and_idempotency_key(client, standin, inbox):
    done = standin.complete_checkout(gift_session(client).id)
    assert inbox.events[-1].request.id is None  # caused by the donor, not an API call
    client.v1.refunds.create(
        params={"payment_intent": done["payment_intent"]}, options={"idempotency_key": "rf-9"}
    )
    standin.flush()
    assert inbox.events[-1].request.id.startswith("req_")
    assert inbox.events[-1].request.idempotency_key == "rf-9"


def test_a_rejected_request_does_not_burn_its_idempotency_key(client, standin):
    done = standin.complete_checkout(gift_session(client).id)
    options = {"idempotency_key": "rf-10"}
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.refunds.create(
            params={"payment_intent": done["payment_intent"], "amount": 999999}, options=options
        )
    refund = client.v1.refunds.create(
        params={"payment_intent": done["payment_intent"], "amount": 100}, options=options
    )
    assert refund.amount == 100


def test_hosted_page_asks_for_an_email_when_the_session_has_none(client, standin):
    session = gift_session(client, customer_email=None)
    page = urllib.request.urlopen(session.url).read().decode()
    assert '<label for="email">Email</label>' in page
    request = urllib.request.Request(
        session.url, data=urllib.parse.urlencode({"card": "4242424242424242"}).encode()
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request)
    assert caught.value.code == 400 and "Enter your email address." in caught.value.read().decode()
    assert standin.get(session.id)["status"] == "open"


def test_module_runs_in_the_foreground_logs_requests_and_stops_on_sigterm():
    # given
    process = subprocess.Popen(
        [sys.executable, "-m", "devstripe", "--port", "0", "--webhook-secret", SECRET],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        first = process.stdout.readline()
        base_url = first.split("listening on ")[1].split(" ")[0]
        # when
        health = json.loads(urllib.request.urlopen(f"{base_url}/_standin/health", timeout=5).read())
        client = stripe.StripeClient(API_KEY, base_addresses={"api": base_url}, max_network_retries=0)
        session = gift_session(client)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    # then
    assert health["ok"] is True and session.id.startswith("cs_test_")
    assert process.returncode == 0
    assert '"POST /v1/checkout/sessions HTTP/1.1" 200' in output
    assert output.rstrip().endswith("stopped")


def test_public_url_is_what_hosted_pages_are_linked_with():
    with running_standin(webhook_secret=SECRET, public_url="http://payments.haven.test:8080/") as standin:
        client = stripe.StripeClient(API_KEY, base_addresses={"api": standin.base_url}, max_network_retries=0)
        session = gift_session(client)
        portal = client.v1.billing_portal.sessions.create(
            params={"customer": client.v1.customers.create(params={"email": "p@haven.example"}).id}
        )
    assert session.url == f"http://payments.haven.test:8080/checkout/pay/{session.id}"
    assert portal.url == f"http://payments.haven.test:8080/billing/{portal.id}"


def test_control_endpoints_accept_json_bodies(client, standin, inbox):
    session = gift_session(client)
    request = urllib.request.Request(
        f"{standin.base_url}/_standin/checkout/sessions/{session.id}/async",
        data=json.dumps({"outcome": "failed"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    body = json.loads(urllib.request.urlopen(request).read())
    standin.flush()
    assert (body["status"], body["payment_status"]) == ("complete", "unpaid")
    assert inbox.types[-1] == "checkout.session.async_payment_failed"


def test_control_endpoint_errors_are_json_with_a_status(standin):
    request = urllib.request.Request(
        f"{standin.base_url}/_standin/disputes/dp_nope/close", data=b"status=won"
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request)
    assert caught.value.code == 404
    assert json.loads(caught.value.read())["error"]["code"] == "resource_missing"
