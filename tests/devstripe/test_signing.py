"""Signatures are made exactly as Stripe makes them: the stripe library accepts them, and rejects
tampered, foreign or stale ones."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from devstripe import objects as o
from devstripe.signing import deliver, sign, signed_headers

SECRET = "whsec_signing_tests"


def payload() -> bytes:
    return json.dumps(o.event("payment_intent.succeeded", o.payment_intent(status="succeeded"))).encode()


def test_signature_is_accepted_by_construct_event():
    # given
    body = payload()
    # when
    event = stripe.Webhook.construct_event(body, sign(body, SECRET), SECRET)
    # then
    assert event.type == "payment_intent.succeeded"
    assert event.data.object.status == "succeeded"


def test_header_has_stripes_format_and_uses_the_given_timestamp():
    header = sign(b"{}", SECRET, timestamp=1700000000)
    t, v1 = header.split(",")
    assert t == "t=1700000000"
    assert v1.startswith("v1=") and len(v1) == 3 + 64


def test_str_and_bytes_payloads_sign_the_same():
    assert sign("{}", SECRET, timestamp=1) == sign(b"{}", SECRET, timestamp=1)


def test_tampered_payload_is_rejected():
    body = payload()
    header = sign(body, SECRET)
    tampered = body.replace(b"succeeded", b"failed")
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(tampered, header, SECRET)


def test_other_secret_is_rejected():
    body = payload()
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, sign(body, "whsec_someone_else"), SECRET)


def test_stale_timestamp_is_rejected_by_the_default_tolerance():
    body = payload()
    header = sign(body, SECRET, timestamp=int(time.time()) - 3600)
    with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
        stripe.Webhook.construct_event(body, header, SECRET)


def test_signed_headers_are_django_test_client_kwargs():
    body = payload()
    headers = signed_headers(body, SECRET)
    assert headers["content_type"] == "application/json"
    stripe.Webhook.construct_event(body, headers["HTTP_STRIPE_SIGNATURE"], SECRET)


def test_deliver_posts_the_body_with_a_real_signature_header():
    # given a local endpoint that verifies like Haven's webhook view
    received: list[str] = []

    class Endpoint(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            try:
                received.append(
                    stripe.Webhook.construct_event(body, self.headers["Stripe-Signature"], SECRET).type
                )
                self.send_response(200)
            except stripe.SignatureVerificationError:
                self.send_response(400)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/webhooks/stripe/"
    try:
        # when
        ok = deliver(url, payload(), SECRET)
        refused = deliver(url, payload(), "whsec_wrong")
    finally:
        server.shutdown()
        server.server_close()
    # then
    assert (ok, refused) == (200, 400)
    assert received == ["payment_intent.succeeded"]
