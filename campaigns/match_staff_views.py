"""Staff pages for sponsors' matches, under a campaign's staff pages (same role). Thin: the form
checks input shape, campaigns.matching writes, campaigns.match_selectors reads."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import role_required

from . import match_selectors, matching
from .match_forms import MatchOfferForm
from .models import Campaign, MatchOffer
from .staff_views import _apply


@role_required("staff")
@require_http_methods(["GET", "POST"])
def match_offers(request, pk: int):
    """A campaign's matches (what each sponsor owes) and the form to record a new one."""
    campaign = get_object_or_404(Campaign, pk=pk)
    form = MatchOfferForm(request.POST or None, initial=MatchOfferForm.initial_for(None))
    if request.method == "POST" and form.is_valid():
        try:
            matching.match_offer_create(campaign=campaign, created_by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Match recorded."))
            return redirect("campaigns:staff_matches", pk=campaign.pk)
    offers = match_selectors.match_offers_for_staff(campaign)
    return render(
        request,
        "campaigns/staff/matches.html",
        {"campaign": campaign, "offers": offers, "form": form},
        status=400 if form.errors else 200,
    )


@role_required("staff")
@require_http_methods(["GET", "POST"])
def match_offer_edit(request, pk: int, offer_pk: int):
    offer = get_object_or_404(MatchOffer.objects.select_related("campaign"), pk=offer_pk, campaign_id=pk)
    form = MatchOfferForm(request.POST or None, initial=MatchOfferForm.initial_for(offer))
    if request.method == "POST" and form.is_valid():
        try:
            matching.match_offer_edit(offer=offer, data=form.service_kwargs())
        except ValidationError as exc:
            offer.refresh_from_db()
            _apply(form, exc)
        else:
            messages.success(request, _("Match changed."))
            return redirect("campaigns:staff_matches", pk=pk)
    return render(
        request,
        "campaigns/staff/match_form.html",
        {"campaign": offer.campaign, "offer": offer, "form": form},
        status=400 if form.errors else 200,
    )


@role_required("staff")
@require_POST
def match_offer_end(request, pk: int, offer_pk: int):
    offer = get_object_or_404(MatchOffer, pk=offer_pk, campaign_id=pk)
    matching.match_offer_end(offer=offer)
    messages.success(request, _("Match ended: gifts from now on are not matched."))
    return redirect("campaigns:staff_matches", pk=pk)
