"""A supporter's fundraising pages, for the data export and for erasure: the "fundraising_pages" part
of accounts/privacy.py, registered from CampaignsConfig.ready().

Erasure keeps each page's row (the gifts made through it point at it, and stay counted for the
campaign) but takes out everything the person wrote or chose: the title, the "organised by" name,
the story and the photo (its file deleted after commit). The page is closed and declined, so it is
never public again; its address answers 404."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.privacy import Erasure, PrivacyPart
from core.public_cache import content_changed

from .models import SupporterPage

ERASED_REASON = "The organiser erased their data."


def _iso(value):
    return value.isoformat() if value is not None else None


def export_for(user) -> list[dict]:
    """The person's pages, in one query."""
    pages = SupporterPage.objects.filter(owner=user).select_related("campaign").order_by("created_at", "pk")
    return [
        {
            "campaign": page.campaign.slug,
            "address": f"/fundraisers/{page.slug}/",
            "title": page.title,
            "organised_by": page.display_name,
            "story": page.story,
            "goal": page.goal_amount,
            "currency": page.currency,
            "has_photo": bool(page.photo),
            "status": page.status,
            "decline_reason": page.decline_reason,
            "raised": page.raised,
            "created_at": _iso(page.created_at),
            "closed_at": _iso(page.closed_at),
        }
        for page in pages
    ]


def erase(erasure: Erasure) -> dict[str, int]:
    pages = SupporterPage.objects.select_for_update().filter(owner=erasure.user).order_by("pk")
    photos = [name for name in pages.values_list("photo", flat=True) if name]
    count = pages.update(
        owner=None,
        title="—",
        display_name="—",
        story="",
        photo="",
        status=SupporterPage.Status.DECLINED,
        decline_reason=ERASED_REASON,
        closed_at=timezone.now(),
        updated_at=timezone.now(),
    )
    for name in photos:
        transaction.on_commit(lambda name=name: default_storage.delete(name))
    if count:
        content_changed("campaigns")  # an update() sends no post_save: tell the page cache
    return {"fundraising_pages_erased": count}


PART = PrivacyPart(section="fundraising_pages", export=export_for, erase=erase)
