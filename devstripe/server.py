"""An in-memory stand-in for the Stripe API, served over HTTP for the official stripe library.

This module is the HTTP side (routes, request handler, server); `StandIn` combines the operations
of `devstripe/resources/`.

State lives in one `StandIn` (thread-safe: every operation runs under one lock). Webhook events
leave through `deliver(payload_bytes, headers)` (tests) or are POSTed to `webhook_url` (demo), and
are all recorded in `standin.events`. See devstripe/README.md for endpoints and event order.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import queue
import threading
import traceback
from collections.abc import Callable, Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from devstripe import objects as o
from devstripe import pages
from devstripe.forms import FormError, parse_form, parse_pairs
from devstripe.resources.cards import (
    CARD_DECLINED,
    CARD_DISPUTED,
    CARD_INSUFFICIENT_FUNDS,
    CARD_SUCCESS,
)
from devstripe.resources.checkout import CheckoutMixin
from devstripe.resources.customers import CustomersMixin
from devstripe.resources.delivery import WebhookDeliveryMixin
from devstripe.resources.disputes import DisputesMixin
from devstripe.resources.invoices import InvoicesMixin
from devstripe.resources.params import (
    StandInError,
    check_known,
    int_param,
    missing,
    no_such,
)
from devstripe.resources.payments import PaymentsMixin
from devstripe.resources.portal import BillingPortalMixin
from devstripe.resources.refunds import RefundsMixin
from devstripe.resources.state import StateMixin
from devstripe.resources.subscriptions import SubscriptionsMixin

logger = logging.getLogger("devstripe")

__all__ = [
    "CARD_DECLINED",
    "CARD_DISPUTED",
    "CARD_INSUFFICIENT_FUNDS",
    "CARD_SUCCESS",
    "StandIn",
    "StandInError",
    "make_server",
    "running_standin",
]


class StandIn(
    StateMixin,
    WebhookDeliveryMixin,
    CustomersMixin,
    CheckoutMixin,
    PaymentsMixin,
    InvoicesMixin,
    RefundsMixin,
    SubscriptionsMixin,
    DisputesMixin,
    BillingPortalMixin,
):
    """The stand-in's state and operations. Python helpers mirror the `/_standin/` control endpoints.

    The operations live in `devstripe/resources/`, one mixin per Stripe resource (checkout,
    payments, customers and prices, subscriptions, invoices, refunds, disputes, billing portal) plus
    the object store (state) and webhook delivery; this class holds the state they share, all of it
    guarded by one re-entrant lock.

    Event delivery: events caused by a Python helper call are delivered before the call returns, in
    the caller's thread. Events caused by an HTTP request (API calls, the hosted pages, control
    endpoints) are POSTed to `webhook_url` from a background thread with retries; with a `deliver`
    callable they wait in `pending` until `flush()` delivers them in the caller's thread (so a test's
    database connection sees them)."""

    def __init__(
        self,
        webhook_secret: str,
        webhook_url: str | None = None,
        deliver: Callable[[bytes, dict], Any] | None = None,
        public_url: str | None = None,
    ) -> None:
        self.webhook_secret = webhook_secret
        self.webhook_url = webhook_url
        self.deliver = deliver
        self.public_url = public_url.rstrip("/") if public_url else None
        self.base_url: str | None = None
        self.events: list[dict] = []
        self.deliveries: list[dict] = []
        self.pending: list[dict] = []
        self._objects: dict[str, dict] = {}
        self._private: dict[str, dict] = {}
        self._idempotency: dict[str, tuple[str, str, str, int, bytes]] = {}
        self._lock = threading.RLock()
        self._batch: list[dict] | None = None
        self._local = threading.local()
        self._queue: queue.Queue[dict | None] = queue.Queue()
        self._worker: threading.Thread | None = None


class _Routes:
    """(method, pattern) → handler; patterns use {id} for one path segment."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, list[str], Callable]] = []

    def add(self, method: str, pattern: str):
        def register(func: Callable) -> Callable:
            self.routes.append((method, pattern.strip("/").split("/"), func))
            return func

        return register

    def match(self, method: str, path: str) -> tuple[Callable | None, list[str], bool]:
        segments = path.strip("/").split("/")
        path_known = False
        for route_method, parts, func in self.routes:
            if len(parts) != len(segments):
                continue
            args = []
            for part, segment in zip(parts, segments, strict=True):
                if part == "{id}":
                    args.append(segment)
                elif part != segment:
                    break
            else:
                path_known = True
                if route_method == method:
                    return func, args, True
        return None, [], path_known


api = _Routes()


@api.add("POST", "/v1/customers")
def _r_create_customer(s: StandIn, params: dict) -> dict:
    return s.api_create_customer(params)


def _list(s: StandIn, params: dict, kind: str, filters: tuple[str, ...], url: str) -> dict:
    """Stripe's list endpoints, newest first, filtered by exact match on the given fields."""
    check_known(params, {*filters, "limit", "starting_after", "ending_before"})
    limit = int_param(params, "limit", minimum=1)
    limit = 10 if limit is None else limit
    if limit > 100:
        raise StandInError("This value must be less than or equal to 100.", param="limit")
    wanted = {key: params[key] for key in filters if key in params}
    found = [
        obj
        for obj in reversed(list(s._objects.values()))
        if obj["object"] == kind and all(obj.get(key) == value for key, value in wanted.items())
    ]
    if params.get("starting_after"):
        ids = [obj["id"] for obj in found]
        found = found[ids.index(params["starting_after"]) + 1 :] if params["starting_after"] in ids else []
    return o.list_object(found[:limit], url, has_more=len(found) > limit)


@api.add("GET", "/v1/customers")
def _r_list_customers(s: StandIn, params: dict) -> dict:
    return _list(s, params, "customer", ("email",), "/v1/customers")


@api.add("GET", "/v1/customers/{id}")
def _r_get_customer(s: StandIn, params: dict, obj_id: str) -> dict:
    return s._find("customer", obj_id)


@api.add("POST", "/v1/products")
def _r_create_product(s: StandIn, params: dict) -> dict:
    return s.api_create_product(params)


@api.add("GET", "/v1/products/{id}")
def _r_get_product(s: StandIn, params: dict, obj_id: str) -> dict:
    return s._find("product", obj_id)


@api.add("POST", "/v1/prices")
def _r_create_price(s: StandIn, params: dict) -> dict:
    return s.api_create_price(params)


@api.add("GET", "/v1/prices/{id}")
def _r_get_price(s: StandIn, params: dict, obj_id: str) -> dict:
    return s._find("price", obj_id)


@api.add("POST", "/v1/checkout/sessions")
def _r_create_session(s: StandIn, params: dict) -> dict:
    return s.api_create_checkout_session(params)


@api.add("GET", "/v1/checkout/sessions")
def _r_list_sessions(s: StandIn, params: dict) -> dict:
    filters = ("payment_intent", "subscription", "customer", "status")
    return _list(s, params, "checkout.session", filters, "/v1/checkout/sessions")


@api.add("GET", "/v1/checkout/sessions/{id}")
def _r_get_session(s: StandIn, params: dict, obj_id: str) -> dict:
    return s._find("checkout.session", obj_id)


@api.add("GET", "/v1/checkout/sessions/{id}/line_items")
def _r_session_lines(s: StandIn, params: dict, obj_id: str) -> dict:
    return s.session_line_items(obj_id)


@api.add("POST", "/v1/checkout/sessions/{id}/expire")
def _r_expire_session(s: StandIn, params: dict, obj_id: str) -> dict:
    return s.expire_checkout(obj_id)


@api.add("GET", "/v1/payment_intents/{id}")
def _r_get_pi(s: StandIn, params: dict, obj_id: str) -> dict:
    return s._find("payment_intent", obj_id)


@api.add("GET", "/v1/charges/{id}")
def _r_get_charge(s: StandIn, params: dict, obj_id: str) -> dict:
    return s._find("charge", obj_id)


@api.add("POST", "/v1/refunds")
def _r_create_refund(s: StandIn, params: dict) -> dict:
    return s.api_create_refund(params)


@api.add("GET", "/v1/refunds")
def _r_list_refunds(s: StandIn, params: dict) -> dict:
    return _list(s, params, "refund", ("charge", "payment_intent"), "/v1/refunds")


@api.add("GET", "/v1/charges")
def _r_list_charges(s: StandIn, params: dict) -> dict:
    return _list(s, params, "charge", ("payment_intent", "customer"), "/v1/charges")


@api.add("GET", "/v1/subscriptions")
def _r_list_subscriptions(s: StandIn, params: dict) -> dict:
    # Like Stripe: canceled subscriptions only with status=canceled or status=all.
    status = params.pop("status", None)
    listed = _list(s, params | {"limit": "100"}, "subscription", ("customer",), "/v1/subscriptions")
    rows = [
        sub
        for sub in listed["data"]
        if (status == "all" or sub["status"] == status or (status is None and sub["status"] != "canceled"))
    ]
    limit = int_param(params, "limit", minimum=1) or 10
    return o.list_object(rows[:limit], "/v1/subscriptions", has_more=len(rows) > limit)


@api.add("GET", "/v1/refunds/{id}")
def _r_get_refund(s: StandIn, params: dict, obj_id: str) -> dict:
    return s._find("refund", obj_id)


@api.add("GET", "/v1/subscriptions/{id}")
def _r_get_sub(s: StandIn, params: dict, obj_id: str) -> dict:
    return s._find("subscription", obj_id)


@api.add("POST", "/v1/subscriptions/{id}")
def _r_update_sub(s: StandIn, params: dict, obj_id: str) -> dict:
    return s.api_update_subscription(obj_id, params)


@api.add("DELETE", "/v1/subscriptions/{id}")
def _r_cancel_sub(s: StandIn, params: dict, obj_id: str) -> dict:
    return s.api_cancel_subscription(obj_id, params)


@api.add("GET", "/v1/invoices/{id}")
def _r_get_invoice(s: StandIn, params: dict, obj_id: str) -> dict:
    return s._find("invoice", obj_id)


@api.add("GET", "/v1/invoice_payments")
def _r_list_invoice_payments(s: StandIn, params: dict) -> dict:
    if not params.get("invoice"):
        raise missing("invoice")
    s._find("invoice", params["invoice"], "invoice", status=400)
    return s._invoice_payments(params["invoice"])


@api.add("GET", "/v1/disputes/{id}")
def _r_get_dispute(s: StandIn, params: dict, obj_id: str) -> dict:
    return s._find("dispute", obj_id)


@api.add("GET", "/v1/events/{id}")
def _r_get_event(s: StandIn, params: dict, obj_id: str) -> dict:
    for event in s.events:
        if event["id"] == obj_id:
            return event
    raise no_such("event", obj_id)


@api.add("POST", "/v1/billing_portal/sessions")
def _r_create_portal(s: StandIn, params: dict) -> dict:
    return s.api_create_portal_session(params)


control = _Routes()


@control.add("POST", "/_standin/checkout/sessions/{id}/complete")
def _c_complete(s: StandIn, params: dict, obj_id: str) -> dict:
    return s.complete_checkout(obj_id, params.get("card", CARD_SUCCESS), email=params.get("email"))


@control.add("POST", "/_standin/checkout/sessions/{id}/expire")
def _c_expire(s: StandIn, params: dict, obj_id: str) -> dict:
    return s.expire_checkout(obj_id)


@control.add("POST", "/_standin/checkout/sessions/{id}/async")
def _c_async(s: StandIn, params: dict, obj_id: str) -> dict:
    return s.async_checkout(obj_id, params.get("outcome", "succeeded"), email=params.get("email"))


@control.add("POST", "/_standin/checkout/sessions/{id}/settle")
def _c_settle(s: StandIn, params: dict, obj_id: str) -> dict:
    return s.settle_async_checkout(obj_id, params.get("outcome", "succeeded"))


@control.add("POST", "/_standin/subscriptions/{id}/renew")
def _c_renew(s: StandIn, params: dict, obj_id: str) -> dict:
    fail = str(params.get("fail", "")).lower() in ("1", "true", "yes")
    invoice = s.renew_subscription(obj_id, fail=fail)
    return invoice if invoice is not None else s.get(obj_id)


@control.add("POST", "/_standin/subscriptions/resume_due")
def _c_resume_due(s: StandIn, params: dict) -> dict:
    at = params.get("at")
    return {"resumed": s.resume_due_collections(int(at) if at not in (None, "") else None)}


@control.add("POST", "/_standin/subscriptions/import")
def _c_import_subscription(s: StandIn, params: dict) -> dict:
    metadata = params.get("metadata")
    if metadata is None:  # form body: metadata[key]=value
        metadata = {k[len("metadata[") : -1]: v for k, v in params.items() if k.startswith("metadata[")}
    return s.import_subscription(
        subscription_id=params.get("subscription_id", ""),
        customer_id=params.get("customer_id", ""),
        amount=params.get("amount"),
        currency=params.get("currency", "usd"),
        interval=params.get("interval", "month"),
        metadata=metadata,
        email=params.get("email"),
        description=params.get("description"),
    )


@control.add("POST", "/_standin/charges/{id}/dispute")
def _c_dispute(s: StandIn, params: dict, obj_id: str) -> dict:
    return s.open_dispute(obj_id, params.get("reason", "fraudulent"))


@control.add("POST", "/_standin/disputes/{id}/close")
def _c_close_dispute(s: StandIn, params: dict, obj_id: str) -> dict:
    return s.close_dispute(obj_id, params.get("status", ""))


@control.add("GET", "/_standin/health")
def _c_health(s: StandIn, params: dict) -> dict:
    return {"ok": True, "events": len(s.events)}


@control.add("GET", "/_standin/events")
def _c_events(s: StandIn, params: dict) -> dict:
    return o.list_object([{"id": e["id"], "type": e["type"]} for e in s.events], "/_standin/events")


class _Handler(BaseHTTPRequestHandler):
    server_version = "devstripe/1.0"
    standin: StandIn  # set on the subclass made per server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        logger.info("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        s = self.standin
        s._local.in_http = True
        s._local.request = None
        try:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8") if length else ""
            path = split.path.rstrip("/") or "/"
            if path.startswith("/v1/"):
                self._api(method, path, split.query, raw)
            elif path.startswith("/_standin/"):
                self._control(method, path, split.query, raw)
            elif path.startswith("/checkout/pay/"):
                self._checkout_page(method, path.rsplit("/", 1)[-1], raw)
            elif path.startswith("/billing/"):
                self._portal_page(method, path.rsplit("/", 1)[-1], raw)
            else:
                self._send(404, pages.message_page("Not found", "devstripe has no page here."), "text/html")
        except Exception:  # answer like Stripe would on an internal error, and keep the trace
            logger.error("devstripe error on %s %s\n%s", method, self.path, traceback.format_exc())
            self._json(
                500, {"error": {"type": "api_error", "message": "devstripe internal error (see its log)"}}
            )
        finally:
            s._local.in_http = False
            s._local.request = None

    # --- API ------------------------------------------------------------------------------------
    def _api(self, method: str, path: str, query: str, raw: str) -> None:
        s = self.standin
        request_id = o.new_id("req")
        auth_error = self._auth_error()
        if auth_error:
            self._json(401, auth_error.body(), request_id=request_id)
            return
        func, args, known = api.match(method, path)
        if func is None:
            self._json(
                404,
                StandInError(
                    f"Unrecognized request URL ({method}: {path}). devstripe implements only what "
                    "Haven uses; see devstripe/README.md."
                ).body(),
                request_id=request_id,
            )
            return
        try:
            params = parse_pairs(parse_qsl(query, keep_blank_values=True)) if query else {}
            if raw:
                params |= parse_form(raw)
        except FormError as exc:
            self._json(400, StandInError(str(exc)).body(), request_id=request_id)
            return
        expand = params.pop("expand", None) or []
        if isinstance(expand, str):
            expand = [expand]
        key = self.headers.get("Idempotency-Key") if method == "POST" else None
        fingerprint = json.dumps(params, sort_keys=True) + "|" + json.dumps(expand)
        s._local.request = {"id": request_id, "idempotency_key": key}
        with s._transaction():
            if key and key in s._idempotency:
                first_method, first_path, first_fingerprint, status, body = s._idempotency[key]
                if (first_method, first_path) != (method, path):
                    error = StandInError(
                        "Keys for idempotent requests can only be used for the same endpoint they were "
                        f"first used for ('{first_method} {first_path}' vs '{method} {path}'). Try using a "
                        f"key other than '{key}' if you meant to execute a different request.",
                        type="idempotency_error",
                    )
                    self._json(400, error.body(), request_id=request_id)
                elif first_fingerprint != fingerprint:
                    error = StandInError(
                        "Keys for idempotent requests can only be used with the same parameters they were "
                        f"first used with. Try using a key other than '{key}' if you meant to execute a "
                        "different request.",
                        type="idempotency_error",
                    )
                    self._json(400, error.body(), request_id=request_id)
                else:
                    self._raw(
                        status,
                        body,
                        "application/json",
                        {"Idempotent-Replayed": "true", "Request-Id": request_id},
                    )
                return
            try:
                result = func(s, params, *args)
                status, payload = 200, s.expand(result, expand)
            except StandInError as exc:
                status, payload = exc.status, exc.body()
            body = json.dumps(payload, indent=2).encode()
            # Like Stripe, keep the result only if the request ran: not when parameters failed validation.
            if key and (status < 400 or status == 402):
                s._idempotency[key] = (method, path, fingerprint, status, body)
        self._raw(status, body, "application/json", {"Request-Id": request_id, "Idempotency-Key": key or ""})

    def _auth_error(self) -> StandInError | None:
        header = self.headers.get("Authorization") or ""
        api_key = ""
        if header.startswith("Bearer "):
            api_key = header[len("Bearer ") :].strip()
        elif header.startswith("Basic "):
            import base64
            import binascii

            try:
                api_key = base64.b64decode(header[6:]).decode().split(":", 1)[0]
            except (binascii.Error, UnicodeDecodeError):
                api_key = ""
        if not api_key:
            return StandInError(
                "You did not provide an API key. You need to provide your API key in the Authorization "
                "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
                status=401,
            )
        if not api_key.startswith(("sk_test_", "rk_test_")):
            live = api_key.startswith(("sk_live_", "rk_live_"))
            return StandInError(
                "devstripe refuses live mode keys: use a sk_test_ key."
                if live
                else f"Invalid API Key provided: {api_key[:8]}…{api_key[-4:]}",
                status=401,
            )
        return None

    # --- test control ---------------------------------------------------------------------------
    def _control(self, method: str, path: str, query: str, raw: str) -> None:
        func, args, known = control.match(method, path)
        if func is None:
            self._json(
                405 if known else 404,
                {"error": {"type": "invalid_request_error", "message": f"No {method} {path}"}},
            )
            return
        try:
            params = dict(parse_qsl(query, keep_blank_values=True))
            if raw:
                if (self.headers.get("Content-Type") or "").startswith("application/json"):
                    params |= json.loads(raw)
                else:
                    params |= dict(parse_qsl(raw, keep_blank_values=True))
            self._json(200, func(self.standin, params, *args))
        except StandInError as exc:
            self._json(exc.status, exc.body())
        except (KeyError, ValueError) as exc:
            self._json(400, StandInError(f"Bad request: {exc}").body())

    # --- hosted pages ---------------------------------------------------------------------------
    def _checkout_page(self, method: str, session_id: str, raw: str) -> None:
        s = self.standin
        with s._lock:
            session = s._objects.get(session_id)
            if session is None or session["object"] != "checkout.session":
                self._send(404, pages.message_page("Not found", "No such checkout session."), "text/html")
                return
            session = copy.deepcopy(session)
            lines = copy.deepcopy(s._private[session_id]["line_items"])
        if method == "GET":
            self._send(200, pages.checkout_page(session, lines), "text/html")
            return
        if method != "POST":
            self._send(405, b"", "text/plain")
            return
        form = dict(parse_qsl(raw, keep_blank_values=True))
        card, email = form.get("card", ""), form.get("email", "").strip() or None
        if not session.get("customer_email") and not session.get("customer") and not email:
            page = pages.checkout_page(session, lines, card=card, error="Enter your email address.")
            self._send(400, page, "text/html")
            return
        try:
            done = s.complete_checkout(session_id, card, email=email)
        except StandInError as exc:
            self._send(
                exc.status,
                pages.checkout_page(session, lines, card=card, email=email or "", error=exc.message),
                "text/html",
            )
            return
        if done["status"] != "complete":
            message = s.last_payment_error(session_id) or "Your card was declined."
            self._send(
                402,
                pages.checkout_page(done, lines, card=card, email=email or "", error=message),
                "text/html",
            )
            return
        if done.get("success_url"):
            location = done["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
            self._raw(303, b"", "text/plain", {"Location": location})
        else:
            self._send(200, pages.message_page("Thank you", "Your payment is complete."), "text/html")

    def _portal_page(self, method: str, portal_id: str, raw: str) -> None:
        s = self.standin
        message, error, status = "", "", 200
        if method == "POST":
            form = dict(parse_qsl(raw, keep_blank_values=True))
            try:
                if form.get("action") == "cancel":
                    s.portal_cancel_subscription(portal_id, form.get("subscription", ""))
                    message = "Your subscription will end at the end of the current period."
                else:
                    last4 = s.portal_update_card(portal_id, form.get("card", ""))
                    message = f"Card ending in {last4} saved."
            except StandInError as exc:
                error, status = exc.message, exc.status
        with s._lock:
            portal = s._objects.get(portal_id)
            if portal is None or portal["object"] != "billing_portal.session":
                self._send(
                    404, pages.message_page("Not found", "No such billing portal session."), "text/html"
                )
                return
            customer = copy.deepcopy(s._objects[portal["customer"]])
            subs = [
                copy.deepcopy(x)
                for x in s._objects.values()
                if x["object"] == "subscription" and x["customer"] == customer["id"]
            ]
            last4 = s._private.get(customer["id"], {}).get("card_last4")
            if last4 is None:
                charges = [
                    c
                    for c in s._objects.values()
                    if c["object"] == "charge" and c["customer"] == customer["id"]
                ]
                if charges and charges[-1]["payment_method_details"].get("card"):
                    last4 = charges[-1]["payment_method_details"]["card"]["last4"]
            page = pages.portal_page(
                copy.deepcopy(portal), customer, subs, card_last4=last4, message=message, error=error
            )
        self._send(status, page, "text/html")

    # --- responses ------------------------------------------------------------------------------
    def _json(self, status: int, payload: dict, request_id: str | None = None) -> None:
        headers = {"Request-Id": request_id} if request_id else {}
        self._raw(status, json.dumps(payload, indent=2).encode(), "application/json", headers)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        # The hosted pages carry a policy as strict as Haven's: their one style sheet allowed by hash.
        headers = (
            {"Content-Security-Policy": pages.CONTENT_SECURITY_POLICY} if content_type == "text/html" else {}
        )
        self._raw(
            status,
            body,
            content_type + ("; charset=utf-8" if content_type.startswith("text/") else ""),
            headers,
        )

    def _raw(self, status: int, body: bytes, content_type: str, headers: dict[str, str]) -> None:
        self.send_response(
            status, HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
        )
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Stripe-Version", o.API_VERSION)
        for name, value in headers.items():
            if value:
                self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def make_server(standin: StandIn, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """An HTTP server bound to `standin` (sets `standin.base_url`); call serve_forever() on it."""
    handler = type("StandInHandler", (_Handler,), {"standin": standin})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    bound_host, bound_port = server.server_address[:2]
    standin.base_url = f"http://{bound_host}:{bound_port}"
    return server


@contextlib.contextmanager
def running_standin(**kwargs: Any) -> Iterator[StandIn]:
    """Start a stand-in on 127.0.0.1 (free port) in a daemon thread; yields it with `.base_url` set."""
    standin = StandIn(**kwargs)
    server = make_server(standin)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="devstripe-http", daemon=True
    )
    thread.start()
    try:
        yield standin
    finally:
        server.shutdown()
        server.server_close()
        standin.close()
