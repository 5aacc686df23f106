"""Campaign updates by email, with consent.

Opting in. A person ticks "email me updates" when giving (donations' form; unticked by default), or
opts in from /me/updates/. Each opt-in and opt-out is an UpdateConsent row: when, from where, and for
an opt-in the exact words the person saw, in the language they saw them in.

Sending. When staff publish an update (campaigns.services.campaign_update_post / _edit), every active
subscriber of that campaign, or of every campaign, gets one email: one outbox row per person (by
address, so someone subscribed both ways still gets one), written in one INSERT, with the dedupe key
`campaigns.update:<update>:<address hash>`, so publishing twice sends once. A scheduled update goes
out when its time comes; one unpublished before then is skipped by the renderer.

Leaving. Every email carries a signed link (no sign-in) and the RFC 8058 headers: `List-Unsubscribe:
<https://…/updates/unsubscribe/<token>/>` and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
A POST there unsubscribes at once (mail programs' one-click button); a GET only shows a confirm page,
since mail scanners follow links. Unsubscribing stops every update email to that address."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.privacy import is_erased_address
from core.i18n import active_language
from messaging.models import Message
from messaging.registry import Rendered, Skip, kind_register
from messaging.services import messages_queue_many

from .models import Campaign, CampaignUpdate, UpdateConsent, UpdateSubscription

KIND_UPDATE = "campaigns.update"
_TOKEN_SALT = "campaigns.update-unsubscribe"
Source = UpdateConsent.Source


def opt_in_wording(campaign: Campaign | None) -> str:
    """The words beside the opt-in box, in the active language (stored as shown)."""
    if campaign is not None:
        return _(
            "Yes, email me updates about “%(campaign)s”. I can unsubscribe at any time, in one click."
        ) % {"campaign": campaign.title}
    return _(
        "Yes, email me updates about %(org)s’s campaigns. I can unsubscribe at any time, in one click."
    ) % {"org": settings.HAVEN_ORG_NAME}


def _normalised(email: str) -> str:
    return email.strip().lower()


@transaction.atomic
def update_subscription_opt_in(
    *, email: str, wording: str, source: str, campaign: Campaign | None = None, user=None, language: str = ""
) -> UpdateSubscription:
    """Record an opt-in (with the words shown) and make the subscription active. Opting in again
    records the consent again and keeps one subscription."""
    if not wording.strip():
        raise ValueError("An opt-in is recorded with the words the person saw.")
    now = timezone.now()
    language = language or active_language()
    subscription, _created = UpdateSubscription.objects.select_for_update().get_or_create(
        email=_normalised(email), campaign=campaign, defaults={"language": language, "subscribed_at": now}
    )
    subscription.language = language
    subscription.unsubscribed_at = None
    if user is not None and getattr(user, "is_authenticated", False):
        subscription.user = user
    if not _created:
        subscription.subscribed_at = now
    subscription.save()
    UpdateConsent.objects.create(
        subscription=subscription,
        action=UpdateConsent.Action.OPT_IN,
        source=source,
        wording=wording,
        language=language,
        campaign=campaign,
        recorded_at=now,
    )
    return subscription


@transaction.atomic
def update_subscription_opt_out(*, subscription: UpdateSubscription, source: str) -> int:
    """Stop every update email to this subscription's address (each of its subscriptions). Returns how
    many were active; unsubscribing again changes nothing."""
    now = timezone.now()
    active = list(
        UpdateSubscription.objects.select_for_update()
        .filter(email=subscription.email, unsubscribed_at__isnull=True)
        .order_by("pk")
    )
    for row in active:
        row.unsubscribed_at = now
    UpdateSubscription.objects.bulk_update(active, ["unsubscribed_at"])
    UpdateConsent.objects.bulk_create(
        UpdateConsent(
            subscription=row,
            action=UpdateConsent.Action.OPT_OUT,
            source=source,
            language=active_language(),
            campaign=row.campaign,
            recorded_at=now,
        )
        for row in active
    )
    return len(active)


def unsubscribe_token(subscription: UpdateSubscription) -> str:
    return signing.dumps(subscription.pk, salt=_TOKEN_SALT, compress=False)


def subscription_for_token(token: str) -> UpdateSubscription | None:
    """The subscription a link was made for, or None for a token that is not ours."""
    try:
        pk = signing.loads(token, salt=_TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return UpdateSubscription.objects.filter(pk=pk).first()


def unsubscribe_url(subscription: UpdateSubscription) -> str:
    return settings.SITE_URL + reverse("campaigns:unsubscribe", args=[unsubscribe_token(subscription)])


def _address_hash(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:24]


def update_dedupe_key(update: CampaignUpdate, email: str) -> str:
    return f"{KIND_UPDATE}:{update.pk}:{_address_hash(_normalised(email))}"


def campaign_update_announce(*, update: CampaignUpdate) -> int:
    """Queue the update for every active subscriber (of its campaign, or of all), one email per address,
    in one INSERT (inside the caller's transaction). A draft, or a campaign not public, sends nothing.
    Returns how many emails were newly queued."""
    if (
        not update.is_published
        or not Campaign.objects.filter(pk=update.campaign_id, is_published=True).exists()
    ):
        return 0
    rows = (
        UpdateSubscription.objects.filter(unsubscribed_at__isnull=True)
        .filter(Q(campaign_id=update.campaign_id) | Q(campaign__isnull=True))
        # The campaign's own subscription first: its language and link win over the general one.
        .order_by("email", "campaign_id")
        .values_list("pk", "email", "user_id", "language", "campaign_id")
    )
    recipients, seen = [], set()
    for pk, email, user_id, language, _campaign_id in rows:
        if email in seen or is_erased_address(email):
            continue
        seen.add(email)
        recipients.append(
            {
                "recipient": email,
                "dedupe_key": update_dedupe_key(update, email),
                "user_id": user_id,
                "language": language,
                "data": {"subscription": pk},
            }
        )
    return messages_queue_many(
        kind=KIND_UPDATE, about=update, recipients=recipients, due_at=update.published_at
    )


def render_update(message: Message) -> Rendered | Skip:
    update = CampaignUpdate.objects.select_related("campaign").filter(pk=message.about_id).first()
    if update is None or not update.is_published or not update.campaign.is_published:
        return Skip("the update is no longer published")
    subscription = UpdateSubscription.objects.filter(pk=message.data.get("subscription")).first()
    if subscription is None or not subscription.is_active:
        return Skip("the person unsubscribed")
    if is_erased_address(subscription.email):
        return Skip("the person erased their data")
    link = unsubscribe_url(subscription)
    text = render_to_string(
        "campaigns/email/update.txt",
        {
            "update": update,
            "campaign": update.campaign,
            "campaign_url": settings.SITE_URL + reverse("campaigns:detail", args=[update.campaign.slug]),
            "unsubscribe_url": link,
            "org_name": settings.HAVEN_ORG_NAME,
        },
    )
    return Rendered(
        subject=_("%(campaign)s: %(title)s") % {"campaign": update.campaign.title, "title": update.title},
        text=text,
        # RFC 8058: mail programs show "Unsubscribe" and POST to the link, with no sign-in.
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def register() -> None:
    kind_register(
        KIND_UPDATE,
        render=render_update,
        description="A campaign update, to a person who opted in (with one-click unsubscribe headers).",
    )
