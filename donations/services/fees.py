"""Stripe's processing fee, for "cover the fee"."""

from __future__ import annotations

from django.conf import settings


def fee_gross_up(*, net: int, bps: int | None = None, fixed: int | None = None) -> int:
    """What to charge so that, after Stripe's fee (bps of the gross plus a fixed part), the charity
    nets `net`: gross = ceil((net + fixed) / (1 - bps/10000)), all in integers (no float rounding)."""
    bps = settings.STRIPE_FEE_BPS if bps is None else bps
    fixed = settings.STRIPE_FEE_FIXED if fixed is None else fixed
    if not 0 <= bps < 10_000:
        raise ValueError("bps must be in [0, 10000)")
    numerator = (net + fixed) * 10_000
    denominator = 10_000 - bps
    return -(-numerator // denominator)


def fee_for(*, net: int) -> int:
    return fee_gross_up(net=net) - net
