"""Giving through a supporter's fundraising page: the donate link carries `?fundraiser=<page slug>`
(the donate form posts back to the same address, so both steps keep it). The gift is then one-time,
to that page's campaign; a link to a page that is closed, not approved or of another campaign gives
to the campaign alone, and the page says so."""

from __future__ import annotations

from campaigns.models import SupporterPage
from campaigns.supporter_selectors import supporter_page_for_gift

from .models import Donation

_ATTR = "_haven_fundraiser"


def fundraiser_resolve(request, campaign) -> SupporterPage | None:
    """Read the page from the link (once per request) and remember it on the request."""
    slug = (request.GET.get("fundraiser") or "").strip()[:80]
    page = supporter_page_for_gift(campaign, slug) if slug else None
    setattr(request, _ATTR, (page, bool(slug)))
    return page


def fundraiser_of(request) -> SupporterPage | None:
    return getattr(request, _ATTR, (None, False))[0]


def fundraiser_limit(request, form) -> None:
    """Through a page, the form offers only what such a gift can be: one-time, to its campaign."""
    page = fundraiser_of(request)
    if page is None:
        return
    if "frequency" in form.fields:
        form.fields["frequency"].choices = [
            c for c in form.fields["frequency"].choices if c[0] == Donation.Frequency.ONE_TIME
        ]
    if "designation" in form.fields:
        wanted = f"campaign:{page.campaign_id}"
        form.fields["designation"].choices = [c for c in form.fields["designation"].choices if c[0] == wanted]


def fundraiser_context(request) -> dict:
    page, asked = getattr(request, _ATTR, (None, False))
    return {"fundraiser": page, "fundraiser_unavailable": asked and page is None}
