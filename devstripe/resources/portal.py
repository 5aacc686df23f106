"""The customer billing portal: sessions, updating the card, cancelling a subscription."""

from __future__ import annotations

import copy

from devstripe import objects as o
from devstripe.resources.cards import (
    CARDS,
)
from devstripe.resources.params import (
    StandInError,
    check_known,
    check_url,
    diff,
    missing,
    no_such,
    normalize_card,
)


class BillingPortalMixin:
    """Part of `devstripe.server.StandIn` (see there for its state and lock)."""

    def api_create_portal_session(self, params: dict) -> dict:
        check_known(params, {"customer", "return_url", "configuration", "locale"})
        if not params.get("customer"):
            raise missing("customer")
        self._find("customer", params["customer"], "customer", status=400)
        portal_id = o.new_id("bps")
        return self._store(
            o.billing_portal_session(
                id=portal_id,
                customer=params["customer"],
                return_url=check_url(params, "return_url"),
                locale=params.get("locale"),
                url=f"{self.url}/billing/{portal_id}",
            )
        )

    def portal_update_card(self, portal_id: str, card: str) -> str:
        """The portal's "update card" form: records the card as the customer's and their
        subscriptions' default (`customer.updated`, `customer.subscription.updated`). Returns last4."""
        with self._transaction():
            portal = self._find("billing_portal.session", portal_id)
            number = normalize_card(card)
            if number not in CARDS:
                raise StandInError(
                    "Your card number is incorrect.", status=402, type="card_error", param="card"
                )
            if CARDS[number][0] != "success":
                raise StandInError("Your card was declined.", status=402, type="card_error", param="card")
            cust = self._objects[portal["customer"]]
            pm_id = o.new_id("pm")
            before = copy.deepcopy(cust)
            cust["invoice_settings"] = cust["invoice_settings"] | {"default_payment_method": pm_id}
            self._private.setdefault(cust["id"], {})["card_last4"] = number[-4:]
            self._emit("customer.updated", cust, diff(before, cust))
            for sub in self._objects.values():
                if (
                    sub["object"] == "subscription"
                    and sub["customer"] == cust["id"]
                    and sub["status"] != "canceled"
                ):
                    sub_before = copy.deepcopy(sub)
                    sub["default_payment_method"] = pm_id
                    self._private.setdefault(sub["id"], {})["card"] = number
                    self._emit("customer.subscription.updated", sub, diff(sub_before, sub))
            return number[-4:]

    def portal_cancel_subscription(self, portal_id: str, sub_id: str) -> dict:
        """The portal's cancel button: cancel at period end, as Stripe's portal does by default."""
        with self._transaction():
            portal = self._find("billing_portal.session", portal_id)
            sub = self._find("subscription", sub_id, "subscription")
            if sub["customer"] != portal["customer"]:
                raise no_such("subscription", sub_id, "subscription")
            return copy.deepcopy(self.api_update_subscription(sub_id, {"cancel_at_period_end": "true"}))
