"""Disputes: opened on a charge (test card 4000 0000 0000 0259 or a helper) and closed won or lost."""

from __future__ import annotations

import copy

from devstripe import objects as o
from devstripe.resources.params import (
    StandInError,
    diff,
)


class DisputesMixin:
    """Part of `devstripe.server.StandIn` (see there for its state and lock)."""

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
            self._emit("charge.dispute.closed", dp, diff(before, dp))
            return copy.deepcopy(dp)
