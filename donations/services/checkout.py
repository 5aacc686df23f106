"""The donor's path: a pending gift written before anyone talks to Stripe, then its Checkout session."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from campaigns.models import Campaign, Fund, SupporterPage
from core.i18n import active_language

from .. import stripe_gateway
from ..models import Donation, RecurringGift
from .errors import DonationError
from .fees import fee_for
from .payments import donation_link_stripe_ids, donation_mark_failed


@dataclass(frozen=True)
class Designation:
    campaign: Campaign | None
    fund: Fund


def donation_create(
    *,
    amount: int,
    cover_fee: bool,
    monthly: bool,
    designation: Designation,
    email: str,
    name: str,
    is_anonymous: bool = False,
    show_name_publicly: bool = False,
    public_name: str = "",
    tribute_type: str = "",
    tribute_name: str = "",
    tribute_notify_email: str = "",
    donor=None,
    supporter_page: SupporterPage | None = None,
) -> Donation:
    """Write a pending gift (and, for monthly, its RecurringGift) before anyone talks to Stripe. A
    gift through a supporter's fundraising page (`supporter_page`) is one-time, to that page's
    campaign, and only while the page is approved and open."""
    if supporter_page is not None:
        if monthly:
            raise DonationError("Gifts through a supporter's page are one-time gifts.")
        if not supporter_page.takes_gifts:
            raise DonationError("This fundraising page is closed or not public; nothing was charged.")
        if designation.campaign is None or designation.campaign.pk != supporter_page.campaign_id:
            raise DonationError("A gift through a supporter's page goes to that page's campaign.")
    if is_anonymous and show_name_publicly:
        raise DonationError(_("An anonymous gift cannot show your name."))
    if not settings.DONATION_MIN_AMOUNT <= amount <= settings.DONATION_MAX_AMOUNT:
        raise DonationError(_("The amount is outside the allowed range."))
    if tribute_type and not tribute_name:
        raise DonationError(_("Please give the name of the person the gift honours."))
    # Shown exactly as given, and only when the donor asked to be named (never for an anonymous gift).
    public_name = " ".join(public_name.split()) if show_name_publicly and not is_anonymous else ""
    if show_name_publicly and not is_anonymous and not public_name:
        raise DonationError(_("Please give the name to show, or choose not to be named."))
    fee = fee_for(net=amount) if cover_fee else 0
    email = email.strip().lower()
    with transaction.atomic():
        recurring = None
        if monthly:
            recurring = RecurringGift(
                donor=donor,
                donor_email=email,
                donor_name=name,
                amount=amount,
                fee_covered=fee,
                campaign=designation.campaign,
                fund=designation.fund,
                is_anonymous=is_anonymous,
                show_name_publicly=show_name_publicly and not is_anonymous,
                public_name=public_name,
                language=active_language(),
            )
            recurring.full_clean()
            recurring.save()
        donation = Donation(
            donor=donor,
            donor_email=email,
            donor_name=name,
            amount=amount,
            fee_covered=fee,
            frequency=Donation.Frequency.MONTHLY if monthly else Donation.Frequency.ONE_TIME,
            method=Donation.Method.CARD,
            campaign=designation.campaign,
            fund=designation.fund,
            is_anonymous=is_anonymous,
            show_name_publicly=show_name_publicly and not is_anonymous,
            public_name=public_name,
            tribute_type=tribute_type if tribute_name else "",
            tribute_name=tribute_name if tribute_type else "",
            tribute_notify_email=tribute_notify_email if tribute_type else "",
            recurring_gift=recurring,
            language=active_language(),
            supporter_page=supporter_page,
        )
        donation.full_clean()
        donation.save()
    return donation


def donation_checkout_start(*, donation: Donation) -> str:
    """Create the Stripe Checkout session for a pending gift and return the URL to send the donor to.
    Called outside any transaction: the gift row is committed first, so a webhook that arrives before
    we saved the session id still finds the gift by the id in metadata."""
    thanks = settings.SITE_URL + reverse("donations:thanks", args=[donation.public_id])
    if donation.campaign_id:
        cancel = settings.SITE_URL + reverse("donations:campaign_donate", args=[donation.campaign.slug])
        if donation.supporter_page_id:
            cancel += f"?fundraiser={donation.supporter_page.slug}"
    else:
        cancel = settings.SITE_URL + reverse("donations:donate")
    # Shown on Stripe's checkout page, in the language of the page the donor gave on.
    to = donation.campaign.title if donation.campaign_id else settings.HAVEN_ORG_NAME
    if donation.frequency == Donation.Frequency.MONTHLY:
        description = _("Monthly gift to %(name)s") % {"name": to}
    else:
        description = _("Gift to %(name)s") % {"name": to}
    try:
        session = stripe_gateway.checkout_session_create(
            public_id=str(donation.public_id),
            idempotency_key=str(donation.idempotency_key),
            amount=donation.charged_amount,
            currency=donation.currency,
            monthly=donation.frequency == Donation.Frequency.MONTHLY,
            description=description,
            customer_email=donation.donor_email,
            success_url=thanks,
            cancel_url=cancel,
            supporter_page_id=donation.supporter_page_id,
        )
    except stripe_gateway.GatewayError as exc:
        donation_mark_failed(donation=donation, reason=f"Checkout could not start: {exc}")
        raise DonationError(
            _("We could not reach our payment provider. Nothing was charged; please try again.")
        ) from exc
    donation_link_stripe_ids(donation=donation, checkout_session_id=session.id)
    return session.url
