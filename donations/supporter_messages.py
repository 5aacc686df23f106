"""The outbox renderer of the notice a supporter page's owner gets for each gift through it
(registered from DonationsConfig.ready()). It tells them what the public may see of the gift and no
more: the name the donor chose to show, or no name (always none for an anonymous gift), never the
donor's email or full name, and no amount, as on every public page. Nor does it quote the page's
total: with the time of each gift known, the total next to it would give the gift's amount."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from messaging.models import Message
from messaging.registry import Rendered, Skip, kind_register

from .models import Donation
from .services.supporter_gifts import KIND_SUPPORTER_GIFT


def shown_name(donation: Donation) -> str:
    """The only name of a donor a page's owner or the public may ever see ('' for none)."""
    if donation.is_anonymous or not donation.show_name_publicly:
        return ""
    return " ".join(donation.public_name.split())


def render_supporter_gift(message: Message) -> Rendered | Skip:
    donation = (
        Donation.objects.select_related("supporter_page", "supporter_page__campaign")
        .filter(pk=message.about_id)
        .first()
    )
    if donation is None or donation.supporter_page is None:
        return Skip("the gift is no longer attributed to a page")
    if donation.status != Donation.Status.SUCCEEDED:
        return Skip("the gift no longer counts (refunded or disputed)")
    page = donation.supporter_page
    context = {
        "org_name": settings.HAVEN_ORG_NAME,
        "page": page,
        "name": shown_name(donation),
        "page_url": settings.SITE_URL + reverse("campaigns:supporter_page", args=[page.slug]),
        "mine_url": settings.SITE_URL + reverse("campaigns:my_supporter_pages"),
    }
    return Rendered(
        subject=_("A new gift through your page “%(title)s”") % {"title": page.title},
        text=render_to_string("donations/email/supporter_gift.txt", context),
    )


def register() -> None:
    kind_register(
        KIND_SUPPORTER_GIFT,
        render=render_supporter_gift,
        description="A gift through a supporter's page, told to its owner (no name if anonymous).",
    )
