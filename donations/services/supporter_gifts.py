"""A gift made through a supporter's fundraising page: its owner hears of it (once per gift), in the
transaction that confirmed the payment."""

from __future__ import annotations

from django.conf import settings

from campaigns.models import SupporterPage
from messaging.services import message_queue

from ..models import Donation

KIND_SUPPORTER_GIFT = "donations.supporter_page_gift"


def supporter_gift_dedupe_key(donation: Donation) -> str:
    return f"{KIND_SUPPORTER_GIFT}:{donation.pk}"


def supporter_gift_notify(donation: Donation) -> None:
    """Queue the owner's notice, in the owner's language. What it may say is decided when it is
    rendered (donations.supporter_messages): never the donor's email, never a name the donor did not
    choose to show, never a name at all for an anonymous gift, and no amount (the public rule)."""
    page = SupporterPage.objects.select_related("owner").filter(pk=donation.supporter_page_id).first()
    owner = page.owner if page is not None else None
    if owner is None or not owner.email or not owner.is_active:
        return
    message_queue(
        kind=KIND_SUPPORTER_GIFT,
        recipient=owner.email,
        user=owner,
        language=owner.language or settings.LANGUAGE_CODE,
        about=donation,
        dedupe_key=supporter_gift_dedupe_key(donation),
    )
