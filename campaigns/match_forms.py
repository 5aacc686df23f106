"""The staff form of a sponsor's match: it checks the shape of input; campaigns.matching decides."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import major_amount

from .forms import MoneyField
from .models import MatchOffer

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MatchOfferForm(forms.Form):
    sponsor_name = forms.CharField(
        label=_("Sponsor"),
        max_length=120,
        help_text=_("As the sponsor wants to be named on the campaign page and on receipts."),
    )
    ratio = forms.TypedChoiceField(
        label=_("Ratio"),
        coerce=int,
        choices=[(n, f"{n}:1") for n in range(1, MatchOffer.RATIO_MAX + 1)],
        help_text=_("What the sponsor gives for each dollar a donor gives: 2:1 means $2 for every $1."),
    )
    cap = MoneyField(label=_("Cap (dollars)"), help_text=_("The most the sponsor gives in all."))
    starts_at = forms.DateTimeField(label=_("Matches gifts from"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Until"), widget=DATETIME)
    qualifies = forms.ChoiceField(
        label=_("Gifts that qualify"),
        choices=MatchOffer.Qualifies.choices,
        initial=MatchOffer.Qualifies.BOTH,
        widget=forms.RadioSelect,
        help_text=_("Renewals of monthly gifts are never matched; offline gifts are not matched."),
    )

    @classmethod
    def initial_for(cls, offer: MatchOffer | None) -> dict:
        if offer is None:
            start = timezone.localtime().replace(second=0, microsecond=0)
            return {"starts_at": start, "ends_at": start + datetime.timedelta(days=30)}
        return {
            "sponsor_name": offer.sponsor_name,
            "ratio": offer.ratio,
            "cap": major_amount(offer.cap, offer.currency),
            "starts_at": timezone.localtime(offer.starts_at),
            "ends_at": timezone.localtime(offer.ends_at),
            "qualifies": offer.qualifies,
        }

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)
