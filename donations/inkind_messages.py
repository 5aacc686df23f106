"""The outbox renderers of in-kind gifts (registered from DonationsConfig.ready()): the drop-off
instructions a supporter gets when they pledge (the only place the drop-off address is written), and
the acknowledgement when staff receive the items, which describes them and states no value."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.privacy import is_erased_address
from messaging.models import Message
from messaging.registry import Attachment, Rendered, Skip, kind_register

from .inkind_pdf import acknowledgement_pdf
from .models import InKindPledge


def _pledge(message: Message) -> InKindPledge | None:
    return InKindPledge.objects.select_related("need", "need__campaign").filter(pk=message.about_id).first()


def render_dropoff(message: Message) -> Rendered | Skip:
    pledge = _pledge(message)
    if pledge is None or pledge.status != InKindPledge.Status.PLEDGED:
        return Skip("the pledge is no longer open")
    if is_erased_address(pledge.email):
        return Skip("the supporter erased their data")
    text = render_to_string(
        "donations/email/inkind_dropoff.txt",
        {
            "pledge": pledge,
            "need": pledge.need,
            "dropoff": pledge.need.dropoff_text,
            "org_name": settings.HAVEN_ORG_NAME,
        },
    )
    return Rendered(
        subject=_("Where to bring your %(item)s") % {"item": pledge.need.title},
        text=text,
    )


def render_received(message: Message) -> Rendered | Skip:
    pledge = _pledge(message)
    if pledge is None or pledge.status != InKindPledge.Status.RECEIVED:
        return Skip("the pledge is not received")
    if is_erased_address(pledge.email):
        return Skip("the supporter erased their data")
    text = render_to_string(
        "donations/email/inkind_received.txt",
        {
            "pledge": pledge,
            "need": pledge.need,
            "org_name": settings.HAVEN_ORG_NAME,
            "giving_url": settings.SITE_URL + reverse("donations:my_giving") if pledge.user_id else "",
        },
    )
    return Rendered(
        subject=_("We received your gift of %(item)s: thank you") % {"item": pledge.need.title},
        text=text,
        attachments=(
            Attachment(
                f"in-kind-gift-{pledge.public_id}.pdf", acknowledgement_pdf(pledge=pledge), "application/pdf"
            ),
        ),
    )


def register() -> None:
    kind_register(
        InKindPledge.KIND_DROPOFF,
        render=render_dropoff,
        description="Drop-off instructions for an in-kind pledge (holds the private drop-off address).",
    )
    kind_register(
        InKindPledge.KIND_RECEIVED,
        render=render_received,
        description="Acknowledgement of an in-kind gift received (no value stated), with its PDF.",
    )
