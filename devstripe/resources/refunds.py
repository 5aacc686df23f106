"""Refunds (`POST /v1/refunds`): full and partial, with Stripe's amount checks and `charge.refunded`."""

from __future__ import annotations

import copy

from devstripe import objects as o
from devstripe import pages
from devstripe.resources.params import (
    StandInError,
    check_known,
    diff,
    int_param,
    metadata_param,
)


class RefundsMixin:
    """Part of `devstripe.server.StandIn` (see there for its state and lock)."""

    def api_create_refund(self, params: dict) -> dict:
        check_known(params, {"payment_intent", "charge", "amount", "reason", "metadata"})
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
        amount = int_param(params, "amount", minimum=1)
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
                metadata=metadata_param(params.get("metadata"), "metadata"),
            )
        )
        before = copy.deepcopy(ch)
        ch["amount_refunded"] += amount
        ch["refunded"] = ch["amount_refunded"] >= ch["amount"]
        ch["refunds"]["data"].insert(0, copy.deepcopy(ref))
        self._emit("refund.created", ref)
        previous = diff(before, ch)
        previous.pop("refunds", None)
        self._emit("charge.refunded", ch, previous)
        return ref
