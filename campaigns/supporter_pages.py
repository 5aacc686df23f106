"""Every write about supporter fundraising pages (peer-to-peer): a supporter starts one under a
published campaign, staff approve or decline it, its owner edits or closes it.

The rules:
- A page is public only while approved. A new page waits for review; an approved or declined page
  whose owner changes its title, name, story, goal or photo waits for review again (and is not public
  meanwhile: nothing a reviewer has not seen is ever shown, and gifts through it pause with it).
- Closing is final: no more gifts through the page; an approved page stays visible, marked closed,
  with what it raised. A closed page cannot be edited (start a new one).
- No survivor's story, name or image may appear: the form and the review say so, and staff decline.
- Each transition locks the page's row and returns early when already done.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import SUPPORTER_STORY_MAX_LENGTH, Campaign, SupporterPage
from .supporter_photos import photo_reencode

GOAL_MAX = 10_000_000  # $100,000 in minor units: a supporter's page, not a capital campaign


def _lock(page: SupporterPage) -> SupporterPage:
    return SupporterPage.objects.select_for_update().get(pk=page.pk)


def _check(*, title: str, display_name: str, story: str, goal_amount: int | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors.setdefault("title", []).append(_("Give your page a title."))
    if not display_name.strip():
        errors.setdefault("display_name", []).append(_("Give the name the page shows as its organiser."))
    if not story.strip():
        errors.setdefault("story", []).append(_("Tell people in a few sentences why you are raising money."))
    if len(story) > SUPPORTER_STORY_MAX_LENGTH:
        errors.setdefault("story", []).append(_("The story is too long."))
    if goal_amount is None or goal_amount <= 0:
        errors.setdefault("goal_amount", []).append(_("The goal must be more than zero."))
    elif goal_amount > GOAL_MAX:
        errors.setdefault("goal_amount", []).append(_("The goal can be at most $100,000."))
    return errors


def _new_slug(title: str) -> str:
    base = slugify(title)[:60].strip("-") or "fundraiser"
    return f"{base}-{secrets.token_hex(3)}"


def _delete_after_commit(name: str) -> None:
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


def _store(stored) -> str:
    return default_storage.save(f"supporter-pages/{stored.name}", stored) if stored is not None else ""


def supporter_page_create(
    *,
    campaign: Campaign,
    owner,
    title: str,
    display_name: str,
    story: str,
    goal_amount: int,
    photo=None,
) -> SupporterPage:
    """A new page under a published campaign, waiting for review. `photo` is an uploaded file: it is
    re-encoded without metadata (campaigns.supporter_photos) and only that copy is stored (the file
    is removed again if the page cannot be saved)."""
    if owner is None or not owner.is_authenticated:
        raise ValidationError(_("Sign in to start a fundraising page."))
    if not campaign.is_published or (campaign.ends_on and campaign.ends_on < timezone.localdate()):
        raise ValidationError(_("This campaign is not taking new fundraising pages."))
    name = _checked_and_stored(
        title=title, display_name=display_name, story=story, goal_amount=goal_amount, photo=photo
    )
    try:
        with transaction.atomic():
            page = SupporterPage(
                campaign=campaign,
                owner=owner,
                slug=_new_slug(title),
                title=title.strip(),
                display_name=" ".join(display_name.split()),
                story=story.strip(),
                goal_amount=goal_amount,
                currency=campaign.currency,
                photo=name,
                submitted_at=timezone.now(),
            )
            page.full_clean()
            page.save()
    except Exception:
        if name:
            default_storage.delete(name)
        raise
    return page


def _checked_and_stored(*, title, display_name, story, goal_amount, photo) -> str:
    """Check a page's fields and re-encode its photo, raising every error at once; then store the
    photo's clean copy. Returns its name in storage ("" without a photo)."""
    errors = _check(title=title, display_name=display_name, story=story, goal_amount=goal_amount)
    stored = None
    if photo:
        try:
            stored = photo_reencode(photo)
        except ValidationError as exc:
            errors.setdefault("photo", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return _store(stored)


EDITABLE = ("title", "display_name", "story", "goal_amount")


def supporter_page_edit(
    *,
    page: SupporterPage,
    editor,
    title: str,
    display_name: str,
    story: str,
    goal_amount: int,
    photo=None,
    remove_photo: bool = False,
) -> SupporterPage:
    """The owner changes their page. Any change sends it back to review (see the module's rules);
    saving without a change changes nothing. A closed page cannot be edited."""
    if editor is None or page.owner_id != editor.pk:
        raise ValidationError(_("Only the page's owner can change it."))
    name = _checked_and_stored(
        title=title, display_name=display_name, story=story, goal_amount=goal_amount, photo=photo
    )
    try:
        with transaction.atomic():
            locked = _lock(page)
            if locked.is_closed:
                raise ValidationError(_("This page is closed and can no longer be changed."))
            new = {
                "title": title.strip(),
                "display_name": " ".join(display_name.split()),
                "story": story.strip(),
                "goal_amount": goal_amount,
            }
            changed = [field for field, value in new.items() if getattr(locked, field) != value]
            for field in changed:
                setattr(locked, field, new[field])
            old_photo = locked.photo.name or ""
            if name or (remove_photo and old_photo):
                locked.photo = name
                changed.append("photo")
                _delete_after_commit(old_photo)
            if changed:
                locked.status = SupporterPage.Status.PENDING
                locked.decline_reason = ""
                locked.submitted_at = timezone.now()
                locked.reviewed_at = None
                locked.reviewed_by = None
                locked.full_clean()
                locked.save(
                    update_fields=[
                        *changed,
                        "status",
                        "decline_reason",
                        "submitted_at",
                        "reviewed_at",
                        "reviewed_by",
                        "updated_at",
                    ]
                )
    except Exception:
        if name:
            default_storage.delete(name)
        raise
    return locked


def _review(page: SupporterPage, reviewer, status: str, reason: str = "") -> SupporterPage:
    with transaction.atomic():
        locked = _lock(page)
        if locked.status == status and locked.decline_reason == reason:
            return locked  # already decided so
        locked.status = status
        locked.decline_reason = reason
        locked.reviewed_by = reviewer
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["status", "decline_reason", "reviewed_by", "reviewed_at", "updated_at"])
    return locked


def supporter_page_approve(*, page: SupporterPage, reviewer) -> SupporterPage:
    """Staff make the page public (it shows on its campaign's page from the next request)."""
    return _review(page, reviewer, SupporterPage.Status.APPROVED)


def supporter_page_decline(*, page: SupporterPage, reviewer, reason: str) -> SupporterPage:
    """Staff decline the page with a reason its owner sees; it is not public (or no longer)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": [_("Say why, so the supporter can change the page.")]})
    return _review(page, reviewer, SupporterPage.Status.DECLINED, reason[:500])


def supporter_page_close(*, page: SupporterPage, closed_by) -> SupporterPage:
    """The owner (or staff) closes the page: no more gifts through it, for good. Once only."""
    is_staff = closed_by is not None and (closed_by.is_superuser or closed_by.has_role("staff"))
    if closed_by is None or (page.owner_id != closed_by.pk and not is_staff):
        raise ValidationError(_("Only the page's owner can close it."))
    with transaction.atomic():
        locked = _lock(page)
        if locked.is_closed:
            return locked
        locked.closed_at = timezone.now()
        locked.save(update_fields=["closed_at", "updated_at"])
    return locked
