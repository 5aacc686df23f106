"""Checkout sessions: creation with Stripe's validation, the hosted payment page's completion (card or
async payment methods), expiry, and subscription-mode sessions."""

from __future__ import annotations

import copy

from devstripe import objects as o
from devstripe.resources.cards import (
    CARD_DISPUTED,
    CARD_SUCCESS,
    CARDS,
)
from devstripe.resources.params import (
    StandInError,
    check_known,
    check_url,
    diff,
    int_param,
    metadata_param,
    missing,
    normalize_card,
)


class CheckoutMixin:
    """Part of `devstripe.server.StandIn` (see there for its state and lock)."""

    def api_create_checkout_session(self, params: dict) -> dict:
        check_known(
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
            raise missing("mode")
        if mode not in ("payment", "subscription"):
            raise StandInError(
                f"Invalid mode: {mode}. devstripe supports `payment` and `subscription`.", param="mode"
            )
        raw_items = params.get("line_items")
        if not raw_items:
            raise missing("line_items")
        if not isinstance(raw_items, list):
            raise StandInError("Invalid array", param="line_items")
        prices: list[tuple[dict, int, str]] = []
        for index, item in enumerate(raw_items):
            prefix = f"line_items[{index}]"
            if not isinstance(item, dict):
                raise StandInError("Invalid object", param=prefix)
            check_known(item, {"price", "price_data", "quantity"}, prefix)
            quantity = int_param(item, "quantity", f"{prefix}[quantity]", minimum=1)
            if quantity is None:
                raise missing(f"{prefix}[quantity]")
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
        check_known(
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
        check_known(sub_data, {"metadata", "description"}, "subscription_data")
        submit_type = params.get("submit_type")
        if submit_type is not None and submit_type not in ("auto", "book", "donate", "pay", "subscribe"):
            raise StandInError(f"Invalid submit_type: {submit_type}", param="submit_type")
        success_url = check_url(params, "success_url")
        cancel_url = check_url(params, "cancel_url")
        amount = sum((price_obj["unit_amount"] or 0) * quantity for price_obj, quantity, _ in prices)
        created = o.now()
        expires_at = int_param(params, "expires_at")
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
            metadata=metadata_param(params.get("metadata"), "metadata"),
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
                "metadata": metadata_param(pi_data.get("metadata"), "payment_intent_data[metadata]"),
                "description": pi_data.get("description"),
                "statement_descriptor_suffix": suffix,
                "receipt_email": pi_data.get("receipt_email"),
            },
            "subscription_data": {
                "metadata": metadata_param(sub_data.get("metadata"), "subscription_data[metadata]"),
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
        number = normalize_card(card)
        if number not in CARDS:
            raise StandInError(
                "Your card number is incorrect.",
                status=402,
                type="card_error",
                param="card",
                code="incorrect_number",
            )
        outcome, decline_code = CARDS[number]
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
        self._emit("customer.subscription.updated", sub, diff(before, sub))
        session.update(
            status="complete",
            payment_status="paid",
            subscription=sub["id"],
            invoice=inv["id"],
            customer_details=self._customer_details(email),
        )
        self._emit("checkout.session.completed", session)

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
