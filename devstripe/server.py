"""An in-memory stand-in for the Stripe API, served over HTTP for the official stripe library.

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
import time
import traceback
from collections.abc import Callable, Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from devstripe import objects as o
from devstripe import pages
from devstripe.forms import FormError, parse_form, parse_pairs
from devstripe.signing import http_headers, post

logger = logging.getLogger("devstripe")

# Stripe's test card numbers the stand-in understands.
CARD_SUCCESS = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_INSUFFICIENT_FUNDS = "4000000000009995"
CARD_DISPUTED = "4000000000000259"
_CARDS = {
    CARD_SUCCESS: ("success", None),
    CARD_DISPUTED: ("success", None),
    CARD_DECLINED: ("declined", "generic_decline"),
    CARD_INSUFFICIENT_FUNDS: ("declined", "insufficient_funds"),
}
_DECLINE_MESSAGES = {
    "generic_decline": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
}

WEBHOOK_ATTEMPTS = 4
WEBHOOK_BACKOFF = (0.5, 1.0, 2.0)


class StandInError(Exception):
    """An API error in Stripe's shape; the HTTP layer answers it as JSON with `status`."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        type: str = "invalid_request_error",  # noqa: A002 - Stripe's field name
        param: str | None = None,
        code: str | None = None,
        decline_code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message, self.status, self.type = message, status, type
        self.param, self.code, self.decline_code = param, code, decline_code

    def body(self) -> dict:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.param:
            error["param"] = self.param
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.decline_code:
            error["decline_code"] = self.decline_code
        return {"error": error}


def _missing(param: str) -> StandInError:
    return StandInError(f"Missing required param: {param}.", param=param, code="parameter_missing")


def _no_such(kind: str, obj_id: str, param: str = "id", status: int = 404) -> StandInError:
    return StandInError(f"No such {kind}: '{obj_id}'", status=status, param=param, code="resource_missing")


def _int(params: dict, name: str, param: str | None = None, *, minimum: int | None = None) -> int | None:
    if name not in params or params[name] == "":
        return None
    raw = params[name]
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise StandInError(f"Invalid integer: {raw}", param=param or name) from None
    if minimum is not None and value < minimum:
        raise StandInError(
            f"This value must be greater than or equal to {minimum}.",
            param=param or name,
            code="parameter_invalid_integer",
        )
    return value


def _bool(params: dict, name: str) -> bool | None:
    if name not in params:
        return None
    raw = str(params[name]).lower()
    if raw not in ("true", "false"):
        raise StandInError(f"Invalid boolean: {params[name]}", param=name)
    return raw == "true"


def _check_known(params: dict, allowed: set[str], prefix: str = "") -> None:
    for key in params:
        if key not in allowed and key != "expand":
            name = f"{prefix}[{key}]" if prefix else key
            raise StandInError(f"Received unknown parameter: {name}", param=name)


def _check_url(params: dict, name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if (
        not isinstance(value, str)
        or urlsplit(value).scheme not in ("http", "https")
        or not urlsplit(value).netloc
    ):
        raise StandInError("Not a valid URL", param=name, code="url_invalid")
    return value


def _metadata(value: Any, param: str) -> dict[str, str]:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise StandInError("Invalid object", param=param)
    if len(value) > 50:
        raise StandInError("Metadata can have at most 50 keys.", param=param)
    for key, val in value.items():
        if len(key) > 40:
            raise StandInError("Metadata keys can be at most 40 characters.", param=f"{param}[{key}]")
        if not isinstance(val, str):
            raise StandInError("Metadata values must be strings.", param=f"{param}[{key}]")
        if len(val) > 500:
            raise StandInError("Metadata values can be at most 500 characters.", param=f"{param}[{key}]")
    return dict(value)


def _merge_metadata(current: dict, update: Any, param: str = "metadata") -> dict:
    """Stripe's update semantics: keys set, an empty value unsets a key, `metadata=""` clears all."""
    if update == "":
        return {}
    merged = dict(current)
    for key, val in _metadata(update, param).items():
        if val == "":
            merged.pop(key, None)
        else:
            merged[key] = val
    return merged


def _normalize_card(card: str) -> str:
    return "".join(ch for ch in str(card) if ch.isdigit())


def _diff(old: dict, new: dict) -> dict:
    """Stripe's previous_attributes: old values of changed top-level keys (for metadata, of the
    changed keys only, with null for keys that were added)."""
    previous: dict[str, Any] = {}
    for key, new_value in new.items():
        old_value = old.get(key)
        if old_value == new_value:
            continue
        if key == "metadata" and isinstance(old_value, dict) and isinstance(new_value, dict):
            changed = {
                k: old_value.get(k)
                for k in set(old_value) | set(new_value)
                if old_value.get(k) != new_value.get(k)
            }
            previous[key] = changed
        else:
            previous[key] = copy.deepcopy(old_value)
    return previous


class StandIn:
    """The stand-in's state and operations. Python helpers mirror the `/_standin/` control endpoints.

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

    # --- state --------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.public_url or self.base_url or "http://127.0.0.1:12111"

    def get(self, obj_id: str) -> dict:
        """A copy of any object the stand-in holds, by id (KeyError if unknown)."""
        with self._lock:
            return copy.deepcopy(self._objects[obj_id])

    def all(self, object_type: str) -> list[dict]:
        """Copies of every object of one type (`"charge"`, `"checkout.session"`, …), oldest first."""
        with self._lock:
            return [copy.deepcopy(obj) for obj in self._objects.values() if obj["object"] == object_type]

    def events_of(self, event_type: str) -> list[dict]:
        return [event for event in self.events if event["type"] == event_type]

    def _store(self, obj: dict) -> dict:
        self._objects[obj["id"]] = obj
        return obj

    def _find(self, kind: str, obj_id: Any, param: str = "id", status: int = 404) -> dict:
        obj = self._objects.get(obj_id) if isinstance(obj_id, str) else None
        if obj is None or obj["object"] != kind:
            raise _no_such(kind, str(obj_id), param, status)
        return obj

    # --- events and delivery ------------------------------------------------------------------
    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """Run an operation under the lock. Its events are recorded (and queued, when an HTTP request
        caused them) before the lock is released, so `events` keeps their true order; synchronous
        deliveries happen after releasing it, so a webhook handler that calls back into the API
        cannot deadlock."""
        direct: list[dict] = []
        with self._lock:
            outer = self._batch is None
            if outer:
                self._batch = []
            try:
                yield
                if outer and self._batch:
                    self.events.extend(self._batch)
                    direct = self._route(self._batch)
            finally:
                if outer:
                    self._batch = None
        if direct:
            self._send_now(direct)

    def _emit(self, event_type: str, obj: dict, previous_attributes: dict | None = None) -> dict:
        assert self._batch is not None, "events are emitted inside a transaction"
        event = o.event(event_type, obj, previous_attributes=previous_attributes)
        request = getattr(self._local, "request", None)
        if request:
            event["request"] = dict(request)
        self._batch.append(event)
        return event

    def signed_payload(self, event: dict, timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
        """The body and HTTP headers of a delivery of `event`, signed now (or at `timestamp`)."""
        payload = json.dumps(event, indent=2).encode()
        return payload, http_headers(payload, self.webhook_secret, timestamp)

    def _route(self, events: list[dict]) -> list[dict]:
        """Queue the events an HTTP request caused; return those to deliver now, in this thread."""
        if self.deliver is None and not self.webhook_url:
            return []
        if not getattr(self._local, "in_http", False):
            return list(events)
        if self.deliver is not None:
            self.pending.extend(events)
        else:
            for event in events:
                self._enqueue(event)
        return []

    def _send_now(self, events: list[dict]) -> None:
        """Deliver in order; if the endpoint raises (a test's webhook view), the rest are still
        delivered and the first error is raised afterwards."""
        first_error: BaseException | None = None
        for event in events:
            try:
                if self.deliver is not None:
                    self._deliver_now(event)
                else:
                    self._deliver_with_retries(event)
            except Exception as exc:
                first_error = first_error or exc
        if first_error is not None:
            raise first_error

    def _deliver_now(self, event: dict) -> Any:
        payload, headers = self.signed_payload(event)
        result = self.deliver(payload, headers)  # type: ignore[misc]
        status = getattr(result, "status_code", result if isinstance(result, int) else None)
        self.deliveries.append({"event": event["id"], "type": event["type"], "attempt": 1, "status": status})
        return result

    def _deliver_with_retries(self, event: dict) -> int | None:
        status: int | None = None
        for attempt in range(1, WEBHOOK_ATTEMPTS + 1):
            payload, headers = self.signed_payload(event)
            error = None
            try:
                status = post(self.webhook_url, payload, headers)  # type: ignore[arg-type]
            except OSError as exc:
                status, error = None, str(exc)
            self.deliveries.append(
                {
                    "event": event["id"],
                    "type": event["type"],
                    "attempt": attempt,
                    "status": status,
                    "error": error,
                }
            )
            logger.info(
                "webhook %s %s -> %s (attempt %d)", event["type"], event["id"], status or error, attempt
            )
            if status is not None and 200 <= status < 300:
                return status
            if attempt < WEBHOOK_ATTEMPTS:
                time.sleep(WEBHOOK_BACKOFF[min(attempt - 1, len(WEBHOOK_BACKOFF) - 1)])
        logger.warning(
            "webhook %s %s gave up after %d attempts", event["type"], event["id"], WEBHOOK_ATTEMPTS
        )
        return status

    def _enqueue(self, event: dict) -> None:
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="devstripe-webhooks", daemon=True)
                self._worker.start()
        self._queue.put(event)

    def _work(self) -> None:
        while True:
            event = self._queue.get()
            try:
                if event is None:
                    return
                self._deliver_with_retries(event)
            except Exception:  # a delivery bug must not kill the worker
                logger.exception("webhook delivery failed")
            finally:
                self._queue.task_done()

    def flush(self, timeout: float = 15.0) -> list[dict]:
        """Deliver the events HTTP requests caused: with a `deliver` callable, now, in this thread
        (returns them); with a webhook_url, wait until the background sender is idle."""
        if self.deliver is not None:
            with self._lock:
                sent, self.pending[:] = list(self.pending), []
            self._send_now(sent)
            return sent
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.02)
        return []

    def redeliver(self, event: dict | str) -> Any:
        """Send a recorded event again (fresh signature), e.g. to test duplicate deliveries."""
        if isinstance(event, str):
            event = next(e for e in self.events if e["id"] == event)
        if self.deliver is not None:
            return self._deliver_now(event)
        if self.webhook_url:
            return self._deliver_with_retries(event)
        raise RuntimeError("no webhook destination: pass deliver= or webhook_url=")

    def close(self) -> None:
        if self._worker is not None and self._worker.is_alive():
            self.flush(timeout=5)
            self._queue.put(None)

    # --- API: customers, products, prices -----------------------------------------------------
    def api_create_customer(self, params: dict) -> dict:
        _check_known(params, {"email", "name", "description", "phone", "metadata"})
        return self._store(
            o.customer(
                email=params.get("email"),
                name=params.get("name"),
                description=params.get("description"),
                phone=params.get("phone"),
                metadata=_metadata(params.get("metadata"), "metadata"),
            )
        )

    def _new_customer(self, email: str | None, name: str | None = None) -> dict:
        cust = self._store(o.customer(email=email, name=name))
        self._emit("customer.created", cust)
        return cust

    def api_create_product(self, params: dict) -> dict:
        _check_known(params, {"name", "description", "metadata", "statement_descriptor", "active"})
        if not params.get("name"):
            raise _missing("name")
        return self._store(
            o.product(
                name=params["name"],
                description=params.get("description"),
                metadata=_metadata(params.get("metadata"), "metadata"),
                statement_descriptor=params.get("statement_descriptor"),
            )
        )

    def api_create_price(self, params: dict) -> dict:
        _check_known(
            params,
            {
                "currency",
                "unit_amount",
                "product",
                "product_data",
                "recurring",
                "metadata",
                "nickname",
                "active",
            },
        )
        return self._store(self._price_from(params, "", inline=False))

    def _price_from(self, data: dict, prefix: str, *, inline: bool, product_key: str = "product") -> dict:
        """A price from `price_data`-style params (also POST /v1/prices). `prefix` names the params
        in errors, e.g. "line_items[0][price_data]"."""

        def name(key: str) -> str:
            return f"{prefix}[{key}]" if prefix else key

        if not isinstance(data, dict):
            raise StandInError("Invalid object", param=prefix)
        if not data.get("currency"):
            raise _missing(name("currency"))
        unit_amount = _int(data, "unit_amount", name("unit_amount"), minimum=0)
        if unit_amount is None:
            raise _missing(name("unit_amount"))
        if data.get("product"):
            product_id = self._find("product", data["product"], name("product"), status=400)["id"]
        elif product_key == "product_data" and isinstance(data.get("product_data"), dict):
            product_name = data["product_data"].get("name")
            if not product_name:
                raise _missing(name("product_data][name"))
            prod = self._store(
                o.product(
                    name=product_name,
                    description=data["product_data"].get("description"),
                    metadata=_metadata(data["product_data"].get("metadata"), name("product_data][metadata")),
                )
            )
            product_id = prod["id"]
        else:
            raise _missing(name(product_key))
        rec = None
        if data.get("recurring") not in (None, ""):
            rec_params = data["recurring"]
            interval = rec_params.get("interval") if isinstance(rec_params, dict) else None
            if interval not in ("day", "week", "month", "year"):
                raise StandInError(
                    "Invalid recurring[interval]: must be one of day, week, month, or year",
                    param=name("recurring][interval"),
                )
            count = _int(rec_params, "interval_count", name("recurring][interval_count"), minimum=1) or 1
            rec = o.recurring(interval, count)
        return o.price(
            currency=str(data["currency"]).lower(),
            unit_amount=unit_amount,
            product=product_id,
            recurring=rec,
            active=not inline,  # Stripe creates inline price_data prices inactive
            metadata=_metadata(data.get("metadata"), name("metadata")),
            nickname=data.get("nickname"),
        )

    # --- API: checkout sessions ---------------------------------------------------------------
    def api_create_checkout_session(self, params: dict) -> dict:
        _check_known(
            params,
            {
                "mode", "line_items", "customer", "customer_email", "metadata", "payment_intent_data",
                "subscription_data", "submit_type", "success_url", "cancel_url", "client_reference_id",
                "locale", "payment_method_types", "expires_at", "customer_creation",
                "billing_address_collection", "ui_mode",
            },
        )  # fmt: skip
        mode = params.get("mode")
        if mode is None:
            raise _missing("mode")
        if mode not in ("payment", "subscription"):
            raise StandInError(
                f"Invalid mode: {mode}. devstripe supports `payment` and `subscription`.", param="mode"
            )
        raw_items = params.get("line_items")
        if not raw_items:
            raise _missing("line_items")
        if not isinstance(raw_items, list):
            raise StandInError("Invalid array", param="line_items")
        prices: list[tuple[dict, int, str]] = []
        for index, item in enumerate(raw_items):
            prefix = f"line_items[{index}]"
            if not isinstance(item, dict):
                raise StandInError("Invalid object", param=prefix)
            _check_known(item, {"price", "price_data", "quantity"}, prefix)
            quantity = _int(item, "quantity", f"{prefix}[quantity]", minimum=1)
            if quantity is None:
                raise _missing(f"{prefix}[quantity]")
            if item.get("price") and item.get("price_data"):
                raise StandInError(
                    f"You may only specify one of these parameters: {prefix}[price], {prefix}[price_data].",
                    param=f"{prefix}[price]",
                )
            if item.get("price"):
                price_obj = self._find("price", item["price"], f"{prefix}[price]", status=400)
                description = self._objects.get(price_obj["product"], {}).get("name", "Item")
            elif item.get("price_data"):
                price_obj = self._store(
                    self._price_from(
                        item["price_data"], f"{prefix}[price_data]", inline=True, product_key="product_data"
                    )
                )
                description = self._objects[price_obj["product"]]["name"]
            else:
                raise StandInError(
                    f"You must specify either `price` or `price_data` in {prefix}.", param=prefix
                )
            if mode == "payment" and price_obj["recurring"]:
                raise StandInError(
                    "You specified `payment` mode but passed a recurring price. Either switch to "
                    "`subscription` mode or use only one-time prices.",
                    param=prefix,
                )
            if mode == "subscription" and not price_obj["recurring"]:
                raise StandInError(
                    "devstripe supports only recurring prices in `subscription` mode.", param=prefix
                )
            prices.append((price_obj, quantity, description))
        currencies = {price_obj["currency"] for price_obj, _, _ in prices}
        if len(currencies) > 1:
            raise StandInError("All line items must use the same currency.", param="line_items")
        customer_id = params.get("customer")
        if customer_id and params.get("customer_email"):
            raise StandInError(
                "You may only specify one of these parameters: customer, customer_email.", param="customer"
            )
        if customer_id:
            self._find("customer", customer_id, "customer", status=400)
        pi_data = params.get("payment_intent_data") or {}
        sub_data = params.get("subscription_data") or {}
        if pi_data and mode != "payment":
            raise StandInError(
                "You can not pass `payment_intent_data` in `subscription` mode.", param="payment_intent_data"
            )
        if sub_data and mode != "subscription":
            raise StandInError(
                "You can not pass `subscription_data` in `payment` mode.", param="subscription_data"
            )
        _check_known(
            pi_data,
            {"metadata", "description", "statement_descriptor", "statement_descriptor_suffix",
             "receipt_email", "setup_future_usage"},
            "payment_intent_data",
        )  # fmt: skip
        if pi_data.get("statement_descriptor"):
            raise StandInError(
                "The `statement_descriptor` parameter is not supported for the `card` payment method "
                "type. To override the statement descriptor on a card transaction, use "
                "`statement_descriptor_suffix`.",
                param="payment_intent_data[statement_descriptor]",
            )
        suffix = pi_data.get("statement_descriptor_suffix")
        if suffix is not None and (
            len(suffix) > 22
            or not any(ch.isalpha() for ch in suffix)
            or any(ch in "<>\\'\"*" for ch in suffix)
        ):
            raise StandInError(
                "Invalid statement_descriptor_suffix: at most 22 characters, at least one letter, "
                "none of < > \\ ' \" *",
                param="payment_intent_data[statement_descriptor_suffix]",
            )
        _check_known(sub_data, {"metadata", "description"}, "subscription_data")
        submit_type = params.get("submit_type")
        if submit_type is not None and submit_type not in ("auto", "book", "donate", "pay", "subscribe"):
            raise StandInError(f"Invalid submit_type: {submit_type}", param="submit_type")
        success_url = _check_url(params, "success_url")
        cancel_url = _check_url(params, "cancel_url")
        amount = sum((price_obj["unit_amount"] or 0) * quantity for price_obj, quantity, _ in prices)
        created = o.now()
        expires_at = _int(params, "expires_at")
        if expires_at is None:
            expires_at = created + 24 * 3600
        elif not created + 30 * 60 <= expires_at <= created + 24 * 3600:
            raise StandInError(
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session "
                "creation.",
                param="expires_at",
            )
        method_types = params.get("payment_method_types") or ["card"]
        if not isinstance(method_types, list) or not all(isinstance(t, str) for t in method_types):
            raise StandInError("Invalid array", param="payment_method_types")
        session_id = o.new_id("cs_test")
        session = o.checkout_session(
            id=session_id,
            created=created,
            expires_at=expires_at,
            payment_method_types=method_types,
            mode=mode,
            amount_subtotal=amount,
            amount_total=amount,
            currency=prices[0][0]["currency"],
            customer=customer_id,
            customer_email=params.get("customer_email"),
            client_reference_id=params.get("client_reference_id"),
            locale=params.get("locale"),
            metadata=_metadata(params.get("metadata"), "metadata"),
            submit_type=submit_type,
            success_url=success_url,
            cancel_url=cancel_url,
            customer_creation=params.get("customer_creation", "if_required" if mode == "payment" else None),
            url=f"{self.url}/checkout/pay/{session_id}",
        )
        self._store(session)
        self._private[session_id] = {
            "line_items": [
                o.checkout_line_item(price_obj=price_obj, quantity=quantity, description=description)
                for price_obj, quantity, description in prices
            ],
            "payment_intent_data": {
                "metadata": _metadata(pi_data.get("metadata"), "payment_intent_data[metadata]"),
                "description": pi_data.get("description"),
                "statement_descriptor_suffix": suffix,
                "receipt_email": pi_data.get("receipt_email"),
            },
            "subscription_data": {
                "metadata": _metadata(sub_data.get("metadata"), "subscription_data[metadata]"),
                "description": sub_data.get("description"),
            },
        }
        return session

    def session_line_items(self, session_id: str) -> dict:
        with self._lock:
            self._find("checkout.session", session_id)
            return o.list_object(
                copy.deepcopy(self._private[session_id]["line_items"]),
                f"/v1/checkout/sessions/{session_id}/line_items",
            )

    def complete_checkout(
        self, session_id: str, card: str = CARD_SUCCESS, *, email: str | None = None
    ) -> dict:
        """Pay an open Checkout Session with a test card, as the hosted page does. Returns the
        session: complete on success; still open after a decline (see the events)."""
        with self._transaction():
            return copy.deepcopy(self._complete_checkout(session_id, card, email))

    def _complete_checkout(self, session_id: str, card: str, email: str | None) -> dict:
        session = self._find("checkout.session", session_id)
        if session["status"] != "open":
            raise StandInError(
                f"This Checkout Session is no longer active (status: {session['status']}).",
                param="session",
                code="checkout_session_inactive",
            )
        number = _normalize_card(card)
        if number not in _CARDS:
            raise StandInError(
                "Your card number is incorrect.",
                status=402,
                type="card_error",
                param="card",
                code="incorrect_number",
            )
        outcome, decline_code = _CARDS[number]
        email = self._checkout_email(session, email)
        if session["mode"] == "payment":
            self._pay_session(session, number, outcome, decline_code, email)
        else:
            self._subscribe_session(session, number, outcome, decline_code, email)
        if outcome == "success" and number == CARD_DISPUTED:
            pi_id = (
                session["payment_intent"]
                if session["mode"] == "payment"
                else self._invoice_pi(session["invoice"])
            )
            pi = self._objects[pi_id]
            self._open_dispute(pi["latest_charge"])
        return session

    def last_payment_error(self, session_id: str) -> str | None:
        """The message of the last declined attempt on a session, if any."""
        with self._lock:
            session = self._find("checkout.session", session_id)
            pi_id = session.get("payment_intent")
            sub_id = self._private[session_id].get("subscription_id")
            if not pi_id and sub_id:
                pi_id = self._invoice_pi(self._objects[sub_id]["latest_invoice"])
            error = self._objects[pi_id].get("last_payment_error") if pi_id else None
            return error["message"] if error else None

    def _checkout_email(self, session: dict, email: str | None) -> str:
        if session.get("customer"):
            return self._objects[session["customer"]].get("email") or email or "donor@example.com"
        return session.get("customer_email") or email or "donor@example.com"

    def _customer_for(self, session: dict, email: str) -> dict:
        if session.get("customer"):
            return self._objects[session["customer"]]
        cust = self._new_customer(email)
        session["customer"] = cust["id"]
        return cust

    def _customer_details(self, email: str) -> dict:
        return {
            "address": {
                "city": None,
                "country": "US",
                "line1": None,
                "line2": None,
                "postal_code": "10001",
                "state": None,
            },
            "business_name": None,
            "email": email,
            "individual_name": None,
            "name": None,
            "phone": None,
            "tax_exempt": "none",
            "tax_ids": [],
        }

    def _pay_session(
        self, session: dict, number: str, outcome: str, decline_code: str | None, email: str
    ) -> None:
        private = self._private[session["id"]]
        pi_data = private["payment_intent_data"]
        if outcome == "success":
            cust = self._customer_for(session, email)
        else:
            cust = self._objects.get(session.get("customer") or "")
        pi = self._objects.get(session.get("payment_intent") or "")
        if pi is None:
            pi = self._store(
                o.payment_intent(
                    amount=session["amount_total"],
                    currency=session["currency"],
                    customer=cust["id"] if cust else None,
                    description=pi_data["description"],
                    metadata=dict(pi_data["metadata"]),
                    statement_descriptor_suffix=pi_data["statement_descriptor_suffix"],
                    receipt_email=pi_data["receipt_email"],
                )
            )
            session["payment_intent"] = pi["id"]
            self._emit("payment_intent.created", pi)
        elif cust and not pi["customer"]:
            pi["customer"] = cust["id"]
        self._charge_intent(pi, number, outcome, decline_code, email)
        if outcome == "success":
            session.update(
                status="complete", payment_status="paid", customer_details=self._customer_details(email)
            )
            self._emit("checkout.session.completed", session)

    def _charge_intent(
        self, pi: dict, number: str, outcome: str, decline_code: str | None, email: str
    ) -> dict:
        """Attempt a card payment for a PaymentIntent: a new charge, then the PI's new state and events
        (`charge.succeeded` + `payment_intent.succeeded`, or `charge.failed` +
        `payment_intent.payment_failed`)."""
        suffix = pi.get("statement_descriptor_suffix")
        ch = o.charge(
            amount=pi["amount"],
            currency=pi["currency"],
            customer=pi["customer"],
            payment_intent=pi["id"],
            description=pi["description"],
            metadata=dict(pi["metadata"]),
            receipt_email=pi.get("receipt_email") or email,
            billing_details={
                "address": o._address(), "email": email, "name": None, "phone": None, "tax_id": None,
            },
            payment_method_details=o.card_details(last4=number[-4:]),
            statement_descriptor_suffix=suffix,
            calculated_statement_descriptor=f"DEVSTRIPE* {suffix}"[:22] if suffix else "DEVSTRIPE",
        )  # fmt: skip
        self._store(ch)
        pi["latest_charge"] = ch["id"]
        pi["payment_method"] = ch["payment_method"]
        if outcome == "success":
            pi.update(status="succeeded", amount_received=pi["amount"], last_payment_error=None)
            self._emit("charge.succeeded", ch)
            self._emit("payment_intent.succeeded", pi)
        else:
            message = _DECLINE_MESSAGES.get(decline_code or "", "Your card was declined.")
            ch.update(
                status="failed",
                paid=False,
                captured=False,
                amount_captured=0,
                failure_code="card_declined",
                failure_message=message,
                outcome=ch["outcome"]
                | {
                    "network_status": "declined_by_network",
                    "reason": decline_code,
                    "seller_message": "The bank did not return any further details with this decline.",
                    "type": "issuer_declined",
                },
                receipt_url=None,
            )
            pi.update(
                status="requires_payment_method",
                last_payment_error={
                    "charge": ch["id"],
                    "code": "card_declined",
                    "decline_code": decline_code,
                    "doc_url": "https://stripe.com/docs/error-codes/card-declined",
                    "message": message,
                    "payment_method": {
                        "id": ch["payment_method"],
                        "object": "payment_method",
                        "type": "card",
                    },
                    "type": "card_error",
                },
            )
            self._emit("charge.failed", ch)
            self._emit("payment_intent.payment_failed", pi)
        return ch

    def _subscribe_session(
        self, session: dict, number: str, outcome: str, decline_code: str | None, email: str
    ) -> None:
        """Subscription mode, as Stripe runs it: the subscription starts `incomplete` with a finalized
        first invoice; its PaymentIntent is charged. A decline leaves all of it incomplete/open (the
        session stays open and a later card pays the same invoice); success activates it."""
        private = self._private[session["id"]]
        sub = self._objects.get(private.get("subscription_id") or "")
        if sub is None:
            sub_data = private["subscription_data"]
            cust = self._customer_for(session, email)
            created = o.now()
            sub_id = o.new_id("sub")
            items = [
                o.subscription_item(
                    subscription=sub_id,
                    price=copy.deepcopy(line["price"]),
                    quantity=line["quantity"],
                    created=created,
                )
                for line in private["line_items"]
            ]
            sub = self._store(
                o.subscription(
                    id=sub_id,
                    created=created,
                    customer=cust["id"],
                    items=o.list_object(items, f"/v1/subscription_items?subscription={sub_id}"),
                    metadata=dict(sub_data["metadata"]),
                    description=sub_data["description"],
                    status="incomplete",
                    currency=session["currency"],
                )
            )
            private["subscription_id"] = sub_id
            inv = self._new_subscription_invoice(sub, cust, "subscription_create", created, created)
            self._emit("customer.subscription.created", sub)
            self._emit("invoice.created", inv)
            self._finalize_invoice(inv, cust, "Subscription creation")
        cust = self._objects[sub["customer"]]
        inv = self._objects[sub["latest_invoice"]]
        if not self._attempt_invoice(inv, number, outcome, decline_code, email):
            return
        self._private[sub["id"]] = {"card": number}
        before = copy.deepcopy(sub)
        sub.update(
            status="active",
            default_payment_method=self._objects[self._invoice_pi(inv["id"])]["payment_method"],
        )
        self._emit("customer.subscription.updated", sub, _diff(before, sub))
        session.update(
            status="complete",
            payment_status="paid",
            subscription=sub["id"],
            invoice=inv["id"],
            customer_details=self._customer_details(email),
        )
        self._emit("checkout.session.completed", session)

    def _new_subscription_invoice(
        self, sub: dict, cust: dict, reason: str, period_start: int, period_end: int
    ) -> dict:
        inv_id = o.new_id("in")
        lines = [
            o.invoice_line_item(
                invoice_id=inv_id,
                price_obj=item["price"],
                quantity=item["quantity"],
                period_start=item["current_period_start"],
                period_end=item["current_period_end"],
                subscription_id=sub["id"],
                subscription_item_id=item["id"],
                description=f"{item['quantity']} × {self._product_name(item['price'])} (at "
                f"{pages.money(item['price']['unit_amount'], item['price']['currency'])} / "
                f"{item['price']['recurring']['interval']})",
            )
            for item in sub["items"]["data"]
        ]
        total = sum(line["amount"] for line in lines)
        cust["next_invoice_sequence"] += 1
        inv = o.invoice(
            id=inv_id,
            customer=cust["id"],
            customer_email=cust.get("email"),
            customer_name=cust.get("name"),
            currency=sub["currency"],
            billing_reason=reason,
            lines=o.list_object(lines, f"/v1/invoices/{inv_id}/lines"),
            parent=o.subscription_parent(sub["id"], sub["metadata"]),
            amount_due=total,
            amount_remaining=total,
            subtotal=total,
            subtotal_excluding_tax=total,
            total=total,
            total_excluding_tax=total,
            period_start=period_start,
            period_end=period_end,
            number=f"{cust['invoice_prefix']}-{cust['next_invoice_sequence'] - 1:04d}",
        )
        self._store(inv)
        self._private[inv_id] = {"payments": []}
        sub["latest_invoice"] = inv_id
        return inv

    def _product_name(self, price_obj: dict) -> str:
        return self._objects.get(price_obj["product"], {}).get("name", "Subscription")

    def _finalize_invoice(self, inv: dict, cust: dict, description: str) -> dict:
        """Finalize an invoice (`invoice.finalized`) and create the PaymentIntent that will collect
        it (`payment_intent.created`), linked through an invoice_payment."""
        now = o.now()
        inv.update(
            status="open",
            effective_at=now,
            status_transitions=inv["status_transitions"] | {"finalized_at": now},
            hosted_invoice_url=f"https://invoice.stripe.com/i/{inv['id']}",
            invoice_pdf=f"https://pay.stripe.com/invoice/{inv['id']}/pdf",
        )
        self._emit("invoice.finalized", inv)
        pi = self._store(
            o.payment_intent(
                amount=inv["amount_due"],
                currency=inv["currency"],
                customer=cust["id"],
                description=description,
                setup_future_usage="off_session",
            )
        )
        pay = self._store(
            o.invoice_payment(
                amount_requested=inv["amount_due"],
                currency=inv["currency"],
                invoice=inv["id"],
                payment={"payment_intent": pi["id"], "type": "payment_intent"},
            )
        )
        self._private[inv["id"]]["payments"].append(pay["id"])
        self._emit("payment_intent.created", pi)
        return pi

    def _attempt_invoice(
        self, inv: dict, number: str, outcome: str, decline_code: str | None, email: str
    ) -> bool:
        """Charge an open invoice's PaymentIntent: its events, then invoice.paid +
        invoice.payment_succeeded, or invoice.payment_failed."""
        now = o.now()
        pay = self._objects[self._private[inv["id"]]["payments"][-1]]
        pi = self._objects[pay["payment"]["payment_intent"]]
        self._charge_intent(pi, number, outcome, decline_code, email)
        inv.update(attempted=True, attempt_count=inv["attempt_count"] + 1, webhooks_delivered_at=now)
        if outcome == "success":
            pay.update(
                amount_paid=inv["amount_due"],
                status="paid",
                status_transitions={"canceled_at": None, "paid_at": now},
            )
            inv.update(
                status="paid",
                amount_paid=inv["amount_due"],
                amount_remaining=0,
                next_payment_attempt=None,
                status_transitions=inv["status_transitions"] | {"paid_at": now},
            )
            self._emit("invoice.paid", inv)
            self._emit("invoice.payment_succeeded", inv)
            return True
        inv.update(next_payment_attempt=now + 3 * 86400)
        self._emit("invoice.payment_failed", inv)
        return False

    def _invoice_pi(self, invoice_id: str) -> str:
        payments = self._private[invoice_id]["payments"]
        return self._objects[payments[-1]]["payment"]["payment_intent"]

    def expire_checkout(self, session_id: str) -> dict:
        """Expire an open session (`checkout.session.expired`)."""
        with self._transaction():
            session = self._find("checkout.session", session_id)
            if session["status"] != "open":
                raise StandInError(
                    f'Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session '
                    f'has a status of "{session["status"]}".',
                    param="session",
                )
            session.update(status="expired", url=None)
            self._emit("checkout.session.expired", session)
            return copy.deepcopy(session)

    def async_checkout(
        self, session_id: str, outcome: str = "succeeded", *, email: str | None = None
    ) -> dict:
        """Pay with a delayed-notification method (bank debit): the session completes with
        payment_status "unpaid" (`checkout.session.completed`), then, per `outcome`,
        `checkout.session.async_payment_succeeded` or `_failed`; "pending" stops after completion
        (finish later with `settle_async_checkout`)."""
        if outcome not in ("succeeded", "failed", "pending"):
            raise StandInError("outcome must be succeeded, failed or pending", param="outcome")
        with self._transaction():
            session = self._find("checkout.session", session_id)
            if session["status"] != "open":
                raise StandInError("This Checkout Session is no longer active.", param="session")
            if session["mode"] != "payment":
                raise StandInError(
                    "devstripe supports async payments in `payment` mode only.", param="session"
                )
            email = self._checkout_email(session, email)
            cust = self._customer_for(session, email)
            pi_data = self._private[session_id]["payment_intent_data"]
            pi = self._store(
                o.payment_intent(
                    amount=session["amount_total"],
                    currency=session["currency"],
                    customer=cust["id"],
                    description=pi_data["description"],
                    metadata=dict(pi_data["metadata"]),
                    statement_descriptor_suffix=pi_data["statement_descriptor_suffix"],
                    payment_method_types=["us_bank_account"],
                    status="processing",
                )
            )
            ch = self._store(
                o.charge(
                    amount=pi["amount"],
                    currency=pi["currency"],
                    customer=cust["id"],
                    payment_intent=pi["id"],
                    description=pi["description"],
                    metadata=dict(pi["metadata"]),
                    status="pending",
                    paid=False,
                    billing_details={
                        "address": o._address(),
                        "email": email,
                        "name": None,
                        "phone": None,
                        "tax_id": None,
                    },
                    payment_method_details={
                        "type": "us_bank_account",
                        "us_bank_account": {
                            "account_holder_type": "individual",
                            "account_type": "checking",
                            "bank_name": "STRIPE TEST BANK",
                            "fingerprint": "devstripebank",
                            "last4": "6789",
                            "routing_number": "110000000",
                        },
                    },
                )
            )
            pi["latest_charge"] = ch["id"]
            pi["payment_method"] = ch["payment_method"]
            session.update(
                status="complete",
                payment_status="unpaid",
                payment_intent=pi["id"],
                customer_details=self._customer_details(email),
                payment_method_types=["us_bank_account"],
            )
            self._emit("payment_intent.created", pi)
            self._emit("payment_intent.processing", pi)
            self._emit("charge.pending", ch)
            self._emit("checkout.session.completed", session)
            if outcome != "pending":
                self._settle_async(session, outcome)
            return copy.deepcopy(session)

    def settle_async_checkout(self, session_id: str, outcome: str) -> dict:
        """Finish a delayed payment started with `async_checkout(…, outcome="pending")`."""
        if outcome not in ("succeeded", "failed"):
            raise StandInError("outcome must be succeeded or failed", param="outcome")
        with self._transaction():
            session = self._find("checkout.session", session_id)
            pi = self._objects.get(session.get("payment_intent") or "")
            if session["status"] != "complete" or not pi or pi["status"] != "processing":
                raise StandInError("This session has no payment processing.", param="session")
            self._settle_async(session, outcome)
            return copy.deepcopy(session)

    def _settle_async(self, session: dict, outcome: str) -> None:
        pi = self._objects[session["payment_intent"]]
        ch = self._objects[pi["latest_charge"]]
        if outcome == "succeeded":
            ch.update(status="succeeded", paid=True)
            pi.update(status="succeeded", amount_received=pi["amount"])
            session["payment_status"] = "paid"
            self._emit("charge.succeeded", ch)
            self._emit("payment_intent.succeeded", pi)
            self._emit("checkout.session.async_payment_succeeded", session)
        else:
            ch.update(
                status="failed",
                failure_code="debit_not_authorized",
                failure_message="The debit was not authorized.",
            )
            pi.update(
                status="requires_payment_method",
                last_payment_error={
                    "charge": ch["id"],
                    "code": "debit_not_authorized",
                    "message": "The debit was not authorized.",
                    "type": "invalid_request_error",
                },
            )
            self._emit("charge.failed", ch)
            self._emit("payment_intent.payment_failed", pi)
            self._emit("checkout.session.async_payment_failed", session)

    # --- API: refunds -------------------------------------------------------------------------
    def api_create_refund(self, params: dict) -> dict:
        _check_known(params, {"payment_intent", "charge", "amount", "reason", "metadata"})
        if params.get("charge"):
            ch = self._find("charge", params["charge"], "charge", status=400)
            if params.get("payment_intent") and ch["payment_intent"] != params["payment_intent"]:
                raise StandInError(
                    "The charge and payment_intent you provided do not match.", param="payment_intent"
                )
        elif params.get("payment_intent"):
            pi = self._find("payment_intent", params["payment_intent"], "payment_intent", status=400)
            if not pi["latest_charge"] or self._objects[pi["latest_charge"]]["status"] != "succeeded":
                raise StandInError(
                    f"This PaymentIntent ({pi['id']}) does not have a successful charge to refund.",
                    param="payment_intent",
                )
            ch = self._objects[pi["latest_charge"]]
        else:
            raise StandInError(
                "One of the following params should be provided for this request: payment_intent or charge."
            )
        reason = params.get("reason")
        if reason is not None and reason not in ("duplicate", "fraudulent", "requested_by_customer"):
            raise StandInError(f"Invalid reason: {reason}", param="reason")
        if ch["status"] != "succeeded":
            raise StandInError(f"Charge {ch['id']} has not succeeded and cannot be refunded.", param="charge")
        remaining = ch["amount"] - ch["amount_refunded"]
        if remaining <= 0:
            raise StandInError(
                f"Charge {ch['id']} has already been refunded.",
                param="charge",
                code="charge_already_refunded",
            )
        dispute = next(
            (d for d in self._objects.values() if d["object"] == "dispute" and d["charge"] == ch["id"]), None
        )
        if (
            dispute
            and not dispute["is_charge_refundable"]
            and dispute["status"] not in ("won", "warning_closed")
        ):
            raise StandInError(
                f"Charge {ch['id']} has been charged back; cannot issue a refund.",
                param="charge",
                code="charge_disputed",
            )
        amount = _int(params, "amount", minimum=1)
        if amount is None:
            amount = remaining
        if amount > remaining:
            raise StandInError(
                f"Refund amount ({pages.money(amount, ch['currency'])}) is greater than unrefunded amount on "
                f"charge ({pages.money(remaining, ch['currency'])})",
                param="amount",
                code="amount_too_large",
            )
        ref = self._store(
            o.refund(
                amount=amount,
                charge=ch["id"],
                currency=ch["currency"],
                customer=ch["customer"],
                payment_intent=ch["payment_intent"],
                payment_method=ch["payment_method"],
                reason=reason,
                metadata=_metadata(params.get("metadata"), "metadata"),
            )
        )
        before = copy.deepcopy(ch)
        ch["amount_refunded"] += amount
        ch["refunded"] = ch["amount_refunded"] >= ch["amount"]
        ch["refunds"]["data"].insert(0, copy.deepcopy(ref))
        self._emit("refund.created", ref)
        previous = _diff(before, ch)
        previous.pop("refunds", None)
        self._emit("charge.refunded", ch, previous)
        return ref

    # --- API: subscriptions -------------------------------------------------------------------
    def api_update_subscription(self, sub_id: str, params: dict) -> dict:
        _check_known(
            params,
            {"items", "proration_behavior", "cancel_at_period_end", "metadata", "description", "cancel_at"},
        )
        sub = self._find("subscription", sub_id)
        if sub["status"] in ("canceled", "incomplete_expired"):
            raise StandInError(
                "A canceled subscription can only update its cancellation_details and metadata.",
                param=next(iter(params), None),
            )
        proration = params.get("proration_behavior")
        if proration is not None and proration not in ("create_prorations", "none", "always_invoice"):
            raise StandInError(f"Invalid proration_behavior: {proration}", param="proration_behavior")
        before = copy.deepcopy(sub)
        new_items = copy.deepcopy(sub["items"])
        for index, item_params in enumerate(params.get("items") or []):
            prefix = f"items[{index}]"
            if not isinstance(item_params, dict):
                raise StandInError("Invalid object", param=prefix)
            _check_known(item_params, {"id", "price", "price_data", "quantity"}, prefix)
            item = next((i for i in new_items["data"] if i["id"] == item_params.get("id")), None)
            if item is None:
                if not item_params.get("id"):
                    raise StandInError(
                        "devstripe can only change existing items: pass items[n][id].", param=f"{prefix}[id]"
                    )
                raise _no_such("subscription_item", item_params["id"], f"{prefix}[id]", status=400)
            if item_params.get("price"):
                price_obj = self._find("price", item_params["price"], f"{prefix}[price]", status=400)
            elif item_params.get("price_data"):
                price_obj = self._store(
                    self._price_from(item_params["price_data"], f"{prefix}[price_data]", inline=True)
                )
                if not price_obj["recurring"]:
                    raise _missing(f"{prefix}[price_data][recurring]")
            else:
                price_obj = None
            if price_obj is not None:
                if not price_obj["recurring"]:
                    raise StandInError("The price specified is not recurring.", param=f"{prefix}[price]")
                item["price"] = copy.deepcopy(price_obj)
                item["plan"] = o.plan_from_price(price_obj)
            quantity = _int(item_params, "quantity", f"{prefix}[quantity]", minimum=1)
            if quantity is not None:
                item["quantity"] = quantity
        if new_items != sub["items"]:
            sub["items"] = new_items
        cancel = _bool(params, "cancel_at_period_end")
        if cancel is not None:
            period_end = sub["items"]["data"][0]["current_period_end"]
            sub.update(
                cancel_at_period_end=cancel,
                cancel_at=period_end if cancel else None,
                canceled_at=o.now() if cancel else None,
                cancellation_details={
                    "comment": None,
                    "feedback": None,
                    "reason": "cancellation_requested" if cancel else None,
                },
            )
        if "metadata" in params:
            sub["metadata"] = _merge_metadata(sub["metadata"], params["metadata"])
        if "description" in params:
            sub["description"] = params["description"] or None
        previous = _diff(before, sub)
        if previous:
            self._emit("customer.subscription.updated", sub, previous)
        return sub

    def api_cancel_subscription(self, sub_id: str, params: dict) -> dict:
        _check_known(params, {"invoice_now", "prorate", "cancellation_details"})
        sub = self._find("subscription", sub_id)
        if sub["status"] == "canceled":
            raise StandInError(
                f"This subscription ({sub_id}) has already been canceled.", param="subscription"
            )
        details = params.get("cancellation_details") or {}
        self._end_subscription(sub, comment=details.get("comment"), feedback=details.get("feedback"))
        return sub

    def _end_subscription(
        self, sub: dict, *, comment: str | None = None, feedback: str | None = None
    ) -> None:
        now = o.now()
        sub.update(
            status="canceled",
            canceled_at=sub["canceled_at"] or now,
            ended_at=now,
            cancellation_details={
                "comment": comment,
                "feedback": feedback,
                "reason": "cancellation_requested",
            },
        )
        self._emit("customer.subscription.deleted", sub)

    def renew_subscription(self, sub_id: str, fail: bool = False) -> dict | None:
        """Start the next billing period: invoice it and charge the card on file. Success sends
        invoice.paid + invoice.payment_succeeded; `fail=True` sends invoice.payment_failed and moves
        the subscription to past_due. A subscription set to cancel at period end is canceled
        instead (`customer.subscription.deleted`) and None is returned."""
        with self._transaction():
            sub = self._find("subscription", sub_id)
            if sub["status"] not in ("active", "past_due"):
                raise StandInError(
                    f"Subscription {sub_id} is {sub['status']}; only active or past_due renew."
                )
            if sub["cancel_at_period_end"]:
                self._end_subscription(sub)
                return None
            cust = self._objects[sub["customer"]]
            before = copy.deepcopy(sub)
            for item in sub["items"]["data"]:
                rec = item["price"]["recurring"]
                start = item["current_period_end"]
                item.update(
                    current_period_start=start,
                    current_period_end=o.add_interval(start, rec["interval"], rec["interval_count"]),
                )
            first = sub["items"]["data"][0]
            inv = self._new_subscription_invoice(
                sub,
                cust,
                "subscription_cycle",
                before["items"]["data"][0]["current_period_start"],
                first["current_period_start"],
            )
            self._emit("customer.subscription.updated", sub, _diff(before, sub))
            self._emit("invoice.created", inv)
            card = CARD_DECLINED if fail else self._private.get(sub_id, {}).get("card", CARD_SUCCESS)
            if card == CARD_DISPUTED:
                card = CARD_SUCCESS
            self._finalize_invoice(inv, cust, "Subscription update")
            outcome, decline_code = _CARDS.get(card, ("success", None))
            paid = self._attempt_invoice(inv, card, outcome, decline_code, cust.get("email") or "")
            before_status = copy.deepcopy(sub)
            sub["status"] = "active" if paid else "past_due"
            previous = _diff(before_status, sub)
            if previous:
                self._emit("customer.subscription.updated", sub, previous)
            return copy.deepcopy(inv)

    def import_subscription(
        self,
        *,
        subscription_id: str,
        customer_id: str,
        amount: int | str,
        currency: str = "usd",
        interval: str = "month",
        metadata: dict | None = None,
        email: str | None = None,
        description: str | None = None,
    ) -> dict:
        """Demo-only: put an active subscription with a GIVEN id (and its customer, product and
        price) into the stand-in, as if it had been paid through Checkout earlier, so that an app
        whose database already knows `sub_…`/`cus_…` can change, cancel, renew it and open the
        billing portal after the in-memory stand-in restarted. Sends no webhooks (the app already
        has these objects); the card on file is the succeeding test card. An existing customer id
        is reused; an existing subscription id is an error."""
        if not isinstance(subscription_id, str) or not subscription_id.startswith("sub_"):
            raise StandInError("subscription_id must look like sub_…", param="subscription_id")
        if not isinstance(customer_id, str) or not customer_id.startswith("cus_"):
            raise StandInError("customer_id must look like cus_…", param="customer_id")
        if amount is None or amount == "":
            raise _missing("amount")
        amount = _int({"amount": amount}, "amount", minimum=1)
        if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
            raise StandInError(f"Invalid currency: {currency}", param="currency")
        if interval not in ("day", "week", "month", "year"):
            raise StandInError(f"Invalid interval: {interval}", param="interval")
        metadata = _metadata(metadata, "metadata")
        with self._transaction():
            if subscription_id in self._objects:
                raise StandInError(
                    f"A subscription with id {subscription_id} already exists.",
                    param="subscription_id",
                    code="resource_already_exists",
                )
            cust = self._objects.get(customer_id)
            if cust is None:
                cust = self._store(o.customer(id=customer_id, email=email))
            elif cust["object"] != "customer":
                raise StandInError(f"{customer_id} is not a customer.", param="customer_id")
            pm_id = o.new_id("pm")
            cust["invoice_settings"] = cust["invoice_settings"] | {"default_payment_method": pm_id}
            prod = self._store(o.product(name=description or "Subscription"))
            price_obj = self._store(
                o.price(
                    currency=currency.lower(),
                    unit_amount=amount,
                    product=prod["id"],
                    recurring=o.recurring(interval),
                )
            )
            item = o.subscription_item(subscription=subscription_id, price=copy.deepcopy(price_obj))
            sub = self._store(
                o.subscription(
                    id=subscription_id,
                    customer=customer_id,
                    items=o.list_object([item], f"/v1/subscription_items?subscription={subscription_id}"),
                    metadata=metadata,
                    status="active",
                    currency=currency.lower(),
                    default_payment_method=pm_id,
                )
            )
            self._private[subscription_id] = {"card": CARD_SUCCESS}
            return copy.deepcopy(sub)

    # --- disputes -----------------------------------------------------------------------------
    def open_dispute(self, charge_id: str, reason: str = "fraudulent") -> dict:
        """Open a dispute on a succeeded charge (`charge.dispute.created`)."""
        with self._transaction():
            return copy.deepcopy(self._open_dispute(charge_id, reason))

    def _open_dispute(self, charge_id: str, reason: str = "fraudulent") -> dict:
        ch = self._find("charge", charge_id, "charge")
        if ch["status"] != "succeeded":
            raise StandInError(
                f"Charge {charge_id} has not succeeded; it cannot be disputed.", param="charge"
            )
        if ch["disputed"]:
            raise StandInError(f"Charge {charge_id} is already disputed.", param="charge")
        dp = self._store(
            o.dispute(
                amount=ch["amount"],
                charge=ch["id"],
                currency=ch["currency"],
                payment_intent=ch["payment_intent"],
                reason=reason,
            )
        )
        ch["disputed"] = True
        self._emit("charge.dispute.created", dp)
        return dp

    def close_dispute(self, dispute_id: str, status: str) -> dict:
        """Close a dispute as `won` or `lost` (`charge.dispute.closed`)."""
        if status not in ("won", "lost"):
            raise StandInError("status must be won or lost", param="status")
        with self._transaction():
            dp = self._find("dispute", dispute_id)
            if dp["status"] in ("won", "lost", "warning_closed"):
                raise StandInError(
                    f"Dispute {dispute_id} is already closed ({dp['status']}).", param="dispute"
                )
            before = copy.deepcopy(dp)
            dp["status"] = status
            self._emit("charge.dispute.closed", dp, _diff(before, dp))
            return copy.deepcopy(dp)

    # --- billing portal -----------------------------------------------------------------------
    def api_create_portal_session(self, params: dict) -> dict:
        _check_known(params, {"customer", "return_url", "configuration", "locale"})
        if not params.get("customer"):
            raise _missing("customer")
        self._find("customer", params["customer"], "customer", status=400)
        portal_id = o.new_id("bps")
        return self._store(
            o.billing_portal_session(
                id=portal_id,
                customer=params["customer"],
                return_url=_check_url(params, "return_url"),
                locale=params.get("locale"),
                url=f"{self.url}/billing/{portal_id}",
            )
        )

    def portal_update_card(self, portal_id: str, card: str) -> str:
        """The portal's "update card" form: records the card as the customer's and their
        subscriptions' default (`customer.updated`, `customer.subscription.updated`). Returns last4."""
        with self._transaction():
            portal = self._find("billing_portal.session", portal_id)
            number = _normalize_card(card)
            if number not in _CARDS:
                raise StandInError(
                    "Your card number is incorrect.", status=402, type="card_error", param="card"
                )
            if _CARDS[number][0] != "success":
                raise StandInError("Your card was declined.", status=402, type="card_error", param="card")
            cust = self._objects[portal["customer"]]
            pm_id = o.new_id("pm")
            before = copy.deepcopy(cust)
            cust["invoice_settings"] = cust["invoice_settings"] | {"default_payment_method": pm_id}
            self._private.setdefault(cust["id"], {})["card_last4"] = number[-4:]
            self._emit("customer.updated", cust, _diff(before, cust))
            for sub in self._objects.values():
                if (
                    sub["object"] == "subscription"
                    and sub["customer"] == cust["id"]
                    and sub["status"] != "canceled"
                ):
                    sub_before = copy.deepcopy(sub)
                    sub["default_payment_method"] = pm_id
                    self._private.setdefault(sub["id"], {})["card"] = number
                    self._emit("customer.subscription.updated", sub, _diff(sub_before, sub))
            return number[-4:]

    def portal_cancel_subscription(self, portal_id: str, sub_id: str) -> dict:
        """The portal's cancel button: cancel at period end, as Stripe's portal does by default."""
        with self._transaction():
            portal = self._find("billing_portal.session", portal_id)
            sub = self._find("subscription", sub_id, "subscription")
            if sub["customer"] != portal["customer"]:
                raise _no_such("subscription", sub_id, "subscription")
            return copy.deepcopy(self.api_update_subscription(sub_id, {"cancel_at_period_end": "true"}))

    # --- expansion ----------------------------------------------------------------------------
    def _includable(self, node: dict, key: str) -> dict | None:
        if node.get("object") == "checkout.session" and key == "line_items":
            return o.list_object(
                copy.deepcopy(self._private[node["id"]]["line_items"]),
                f"/v1/checkout/sessions/{node['id']}/line_items",
            )
        if node.get("object") == "invoice" and key == "payments":
            return self._invoice_payments(node["id"])
        return None

    def _invoice_payments(self, invoice_id: str) -> dict:
        payments = [copy.deepcopy(self._objects[pid]) for pid in self._private[invoice_id]["payments"]]
        return o.list_object(payments, f"/v1/invoices/{invoice_id}/payments")

    def expand(self, obj: dict, paths: list[str]) -> dict:
        obj = copy.deepcopy(obj)
        for path in paths:
            self._expand_path(obj, path.split("."), path)
        return obj

    def _expand_path(self, node: Any, parts: list[str], full: str) -> None:
        if not isinstance(node, dict):
            return
        key, rest = parts[0], parts[1:]
        if node.get("object") == "list" and key == "data":
            for item in node["data"]:
                if rest:
                    self._expand_path(item, rest, full)
            return
        includable = self._includable(node, key)
        if includable is not None:
            node[key] = includable
        elif isinstance(node.get(key), str) and node[key] in self._objects:
            node[key] = copy.deepcopy(self._objects[node[key]])
        elif key in node and (node[key] is None or isinstance(node[key], dict)):
            pass
        else:
            raise StandInError(f"This property cannot be expanded ({full}).", param="expand")
        if rest:
            self._expand_path(node[key], rest, full)


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
    _check_known(params, {*filters, "limit", "starting_after", "ending_before"})
    limit = _int(params, "limit", minimum=1)
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
    limit = _int(params, "limit", minimum=1) or 10
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
        raise _missing("invoice")
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
    raise _no_such("event", obj_id)


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
        self._raw(
            status, body, content_type + ("; charset=utf-8" if content_type.startswith("text/") else ""), {}
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
