"""Subscriptions: update (amount, metadata, cancel at period end, pause of collection), cancel,
renewal (paid, failed, or voided while collection is paused), the automatic resume of paused
collection, and the demo's import of existing monthly gifts."""

from __future__ import annotations

import copy

from devstripe import objects as o
from devstripe.resources.cards import (
    CARD_DECLINED,
    CARD_DISPUTED,
    CARD_SUCCESS,
    CARDS,
)
from devstripe.resources.params import (
    StandInError,
    bool_param,
    check_known,
    diff,
    int_param,
    merge_metadata,
    metadata_param,
    missing,
    no_such,
)


class SubscriptionsMixin:
    """Part of `devstripe.server.StandIn` (see there for its state and lock)."""

    def api_update_subscription(self, sub_id: str, params: dict) -> dict:
        check_known(
            params,
            {
                "items",
                "proration_behavior",
                "cancel_at_period_end",
                "metadata",
                "description",
                "cancel_at",
                "pause_collection",
            },
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
            check_known(item_params, {"id", "price", "price_data", "quantity"}, prefix)
            item = next((i for i in new_items["data"] if i["id"] == item_params.get("id")), None)
            if item is None:
                if not item_params.get("id"):
                    raise StandInError(
                        "devstripe can only change existing items: pass items[n][id].", param=f"{prefix}[id]"
                    )
                raise no_such("subscription_item", item_params["id"], f"{prefix}[id]", status=400)
            if item_params.get("price"):
                price_obj = self._find("price", item_params["price"], f"{prefix}[price]", status=400)
            elif item_params.get("price_data"):
                price_obj = self._store(
                    self._price_from(item_params["price_data"], f"{prefix}[price_data]", inline=True)
                )
                if not price_obj["recurring"]:
                    raise missing(f"{prefix}[price_data][recurring]")
            else:
                price_obj = None
            if price_obj is not None:
                if not price_obj["recurring"]:
                    raise StandInError("The price specified is not recurring.", param=f"{prefix}[price]")
                item["price"] = copy.deepcopy(price_obj)
                item["plan"] = o.plan_from_price(price_obj)
            quantity = int_param(item_params, "quantity", f"{prefix}[quantity]", minimum=1)
            if quantity is not None:
                item["quantity"] = quantity
        if new_items != sub["items"]:
            sub["items"] = new_items
        cancel = bool_param(params, "cancel_at_period_end")
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
        if "pause_collection" in params:
            sub["pause_collection"] = _pause_collection_param(params["pause_collection"])
        if "metadata" in params:
            sub["metadata"] = merge_metadata(sub["metadata"], params["metadata"])
        if "description" in params:
            sub["description"] = params["description"] or None
        previous = diff(before, sub)
        if previous:
            self._emit("customer.subscription.updated", sub, previous)
        return sub

    def api_cancel_subscription(self, sub_id: str, params: dict) -> dict:
        check_known(params, {"invoice_now", "prorate", "cancellation_details"})
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
            # Stripe resumes paused collection at `resumes_at`: if that is due by the time this
            # period starts, collection resumes first and this period is charged.
            self._resume_if_due(sub, sub["items"]["data"][0]["current_period_end"])
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
            self._emit("customer.subscription.updated", sub, diff(before, sub))
            self._emit("invoice.created", inv)
            if sub["pause_collection"] and sub["pause_collection"]["behavior"] == "void":
                # Paused with behavior "void": the period's invoice is voided at once, never charged.
                now = o.now()
                inv.update(
                    status="void",
                    amount_remaining=0,
                    status_transitions=inv["status_transitions"] | {"finalized_at": now, "voided_at": now},
                )
                self._emit("invoice.voided", inv)
                return copy.deepcopy(inv)
            card = CARD_DECLINED if fail else self._private.get(sub_id, {}).get("card", CARD_SUCCESS)
            if card == CARD_DISPUTED:
                card = CARD_SUCCESS
            self._finalize_invoice(inv, cust, "Subscription update")
            outcome, decline_code = CARDS.get(card, ("success", None))
            paid = self._attempt_invoice(inv, card, outcome, decline_code, cust.get("email") or "")
            before_status = copy.deepcopy(sub)
            sub["status"] = "active" if paid else "past_due"
            previous = diff(before_status, sub)
            if previous:
                self._emit("customer.subscription.updated", sub, previous)
            return copy.deepcopy(inv)

    def _resume_if_due(self, sub: dict, at: int) -> bool:
        pause = sub.get("pause_collection")
        if not pause or pause.get("resumes_at") is None or pause["resumes_at"] > at:
            return False
        before = copy.deepcopy(sub)
        sub["pause_collection"] = None
        self._emit("customer.subscription.updated", sub, diff(before, sub))
        return True

    def resume_due_collections(self, at: int | None = None) -> list[str]:
        """What Stripe does on its own clock: every subscription whose paused collection's
        `resumes_at` is at or before `at` (default: now) resumes (`pause_collection` becomes null,
        `customer.subscription.updated` with `previous_attributes.pause_collection`). Returns their
        ids."""
        at = o.now() if at is None else int(at)
        resumed = []
        with self._transaction():
            for sub in self._objects.values():
                if sub.get("object") != "subscription" or sub["status"] in ("canceled", "incomplete_expired"):
                    continue
                if self._resume_if_due(sub, at):
                    resumed.append(sub["id"])
        return resumed

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
            raise missing("amount")
        amount = int_param({"amount": amount}, "amount", minimum=1)
        if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
            raise StandInError(f"Invalid currency: {currency}", param="currency")
        if interval not in ("day", "week", "month", "year"):
            raise StandInError(f"Invalid interval: {interval}", param="interval")
        metadata = metadata_param(metadata, "metadata")
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


PAUSE_BEHAVIORS = ("keep_as_draft", "mark_uncollectible", "void")


def _pause_collection_param(value) -> dict | None:
    """`pause_collection` as Stripe takes it: an object with `behavior` (required) and an optional
    future `resumes_at`, or "" to unset it (resume now)."""
    if value == "":
        return None
    if not isinstance(value, dict):
        raise StandInError("Invalid object", param="pause_collection")
    check_known(value, {"behavior", "resumes_at"}, "pause_collection")
    behavior = value.get("behavior")
    if not behavior:
        raise missing("pause_collection[behavior]")
    if behavior not in PAUSE_BEHAVIORS:
        raise StandInError(
            "Invalid pause_collection[behavior]: must be one of keep_as_draft, mark_uncollectible, or void",
            param="pause_collection[behavior]",
        )
    resumes_at = int_param(value, "resumes_at", "pause_collection[resumes_at]", minimum=1)
    if resumes_at is not None and resumes_at <= o.now():
        raise StandInError(
            "pause_collection[resumes_at] must be in the future.", param="pause_collection[resumes_at]"
        )
    return {"behavior": behavior, "resumes_at": resumes_at}
