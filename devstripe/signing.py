"""Webhook signatures exactly as Stripe makes them (`Stripe-Signature: t=<unix>,v1=<hex hmac>`)."""

from __future__ import annotations

import urllib.error
import urllib.request

import stripe

USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"


def sign(payload: bytes | str, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header value for `payload` signed with the endpoint `secret`.

    Uses the stripe library's own generator (HMAC-SHA256 over f"{t}.{payload}"), so what the
    library verifies is by construction what we sign."""
    text = payload.decode("utf-8") if isinstance(payload, bytes | bytearray) else payload
    return stripe.WebhookSignature.generate_signature_header(text, secret, timestamp=timestamp)


def signed_headers(payload: bytes | str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Keyword arguments for Django's test client:
    `client.post(url, payload, **signed_headers(payload, secret))`."""
    return {"HTTP_STRIPE_SIGNATURE": sign(payload, secret, timestamp), "content_type": "application/json"}


def http_headers(payload: bytes | str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The HTTP headers Stripe sends with a webhook delivery."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": sign(payload, secret, timestamp),
        "User-Agent": USER_AGENT,
        "Cache-Control": "no-cache",
    }


def post(url: str, payload: bytes, headers: dict[str, str], *, timeout: float = 10.0) -> int:
    """POST a body with the given headers; returns the HTTP status (non-2xx statuses are returned,
    connection failures raise OSError)."""
    request = urllib.request.Request(url, data=payload, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code


def deliver(url: str, payload: bytes | str, secret: str, *, timeout: float = 10.0) -> int:
    """Sign `payload` now and POST it to `url` like a Stripe webhook delivery; returns the status."""
    body = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
    return post(url, body, http_headers(body, secret), timeout=timeout)
