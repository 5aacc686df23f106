"""Forms check the shape of input; business outcomes are decided in services."""

from __future__ import annotations

from django import forms
from django.conf import settings

from campaigns.models import Campaign, Fund
from core.money import AmountNotANumber, AmountTooPrecise, format_money, parse_major_amount

from .models import Donation
from .selectors import GiftFilters
from .services import Designation

OTHER = "other"


def parse_amount(value: str) -> int:
    """'25', '25.50', '$1,000' -> minor units. Raises ValidationError with a message for people."""
    try:
        return parse_major_amount(value, settings.HAVEN_CURRENCY)
    except AmountNotANumber:
        raise forms.ValidationError("Enter an amount in dollars, like 25 or 25.50.") from None
    except AmountTooPrecise:
        raise forms.ValidationError("Enter an amount in dollars and cents, like 25.50.") from None


def check_range(cents: int) -> int:
    low, high = settings.DONATION_MIN_AMOUNT, settings.DONATION_MAX_AMOUNT
    if cents < low:
        raise forms.ValidationError(
            f"The smallest gift we can take online is {format_money(low, settings.HAVEN_CURRENCY)}."
        )
    if cents > high:
        raise forms.ValidationError(
            f"For gifts above {format_money(high, settings.HAVEN_CURRENCY)} please contact us; we will "
            "help you give by bank transfer."
        )
    return cents


def designation_choices(*, campaign: Campaign | None) -> list[tuple[str, str]]:
    choices = []
    if campaign is not None:
        choices.append((f"campaign:{campaign.pk}", campaign.title))
    choices.append(("general", "Where it is needed most (general fund)"))
    for fund in Fund.objects.filter(is_active=True, is_restricted=True).order_by("name"):
        choices.append((f"fund:{fund.pk}", f"{fund.name} (restricted fund)"))
    if campaign is None:
        for other in Campaign.objects.filter(is_published=True).order_by("title"):
            choices.append((f"campaign:{other.pk}", other.title))
    return choices


def resolve_designation(value: str) -> Designation:
    kind, _, pk = value.partition(":")
    if kind == "campaign":
        campaign = Campaign.objects.select_related("fund").get(pk=int(pk))
        return Designation(campaign=campaign, fund=campaign.fund)
    if kind == "fund":
        return Designation(campaign=None, fund=Fund.objects.get(pk=int(pk)))
    return Designation(campaign=None, fund=Fund.general())


class DonateForm(forms.Form):
    amount_choice = forms.ChoiceField(label="Amount", widget=forms.RadioSelect, required=False)
    custom_amount = forms.CharField(
        label="Other amount (USD)",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    frequency = forms.ChoiceField(
        label="How often",
        choices=Donation.Frequency.choices,
        initial=Donation.Frequency.ONE_TIME,
        widget=forms.RadioSelect,
    )
    cover_fee = forms.BooleanField(
        label="Add the card processing fee, so that all of my gift reaches the work", required=False
    )
    designation = forms.ChoiceField(label="Where should your gift go?")
    name = forms.CharField(label="Your name", max_length=200)
    email = forms.EmailField(label="Your email", help_text="For your receipt. We never share it.")
    is_anonymous = forms.BooleanField(
        label="Give anonymously (your name is never shown publicly)", required=False
    )
    show_name_publicly = forms.BooleanField(
        label="Show my first name among recent supporters", required=False
    )
    tribute_type = forms.ChoiceField(
        label="Dedicate this gift", choices=Donation.Tribute.choices, required=False, widget=forms.RadioSelect
    )
    tribute_name = forms.CharField(label="Their name", max_length=200, required=False)
    tribute_notify_email = forms.EmailField(
        label="Let them (or their family) know by email — the amount is never mentioned",
        required=False,
    )

    def __init__(
        self,
        *args,
        campaign: Campaign | None = None,
        impacts: dict[int, str | None] | None = None,
        **kwargs,
    ):
        """`impacts` maps a suggested amount to what it buys ("one night of safe housing"), from
        campaigns.selectors.suggested_amounts_with_impact; it becomes part of that amount's label."""
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        amounts = (campaign.suggested_amounts if campaign else None) or [2500, 5000, 10000, 25000]
        currency = campaign.currency if campaign else settings.HAVEN_CURRENCY
        self.suggested = [a for a in amounts if isinstance(a, int) and a > 0]
        impacts = impacts or {}
        self.fields["amount_choice"].choices = [
            (
                str(a),
                f"{format_money(a, currency)} — {impacts[a]}"
                if impacts.get(a)
                else format_money(a, currency),
            )
            for a in self.suggested
        ] + [(OTHER, "Other amount")]
        self.fields["designation"].choices = designation_choices(campaign=campaign)
        self.fields["designation"].initial = f"campaign:{campaign.pk}" if campaign else "general"
        if self.suggested and not self.is_bound:
            self.fields["amount_choice"].initial = str(self.suggested[min(1, len(self.suggested) - 1)])

    def clean(self):
        data = super().clean()
        choice, custom = data.get("amount_choice"), (data.get("custom_amount") or "").strip()
        amount = None
        try:
            if custom and choice in ("", OTHER, None):
                amount = check_range(parse_amount(custom))
            elif choice and choice != OTHER:
                amount = check_range(int(choice))
            elif custom:
                amount = check_range(parse_amount(custom))
            else:
                self.add_error("custom_amount", "Choose an amount or enter your own.")
        except forms.ValidationError as exc:
            self.add_error("custom_amount", exc)
        data["amount"] = amount
        if data.get("is_anonymous") and data.get("show_name_publicly"):
            self.add_error(
                "show_name_publicly", "An anonymous gift cannot show your name. Choose one or the other."
            )
        if data.get("tribute_type") and not (data.get("tribute_name") or "").strip():
            self.add_error("tribute_name", "Please tell us who the gift honours.")
        if data.get("tribute_notify_email") and not data.get("tribute_type"):
            self.add_error("tribute_type", "Choose “in honour of” or “in memory of” to send a notification.")
        return data


class OfflineGiftForm(forms.Form):
    nonce = forms.UUIDField(widget=forms.HiddenInput)
    method = forms.ChoiceField(
        label="Received as",
        choices=[
            (Donation.Method.CHEQUE, "Cheque"),
            (Donation.Method.CASH, "Cash"),
            (Donation.Method.BANK_TRANSFER, "Bank transfer"),
        ],
    )
    amount = forms.CharField(label="Amount (USD)", max_length=20)
    received_on = forms.DateField(label="Date received", widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label="Cheque number or bank reference", max_length=120, required=False)
    designation = forms.ChoiceField(label="Designation")
    name = forms.CharField(label="Donor name", max_length=200)
    email = forms.EmailField(label="Donor email", help_text="The receipt is emailed here.")
    is_anonymous = forms.BooleanField(label="Anonymous (never shown publicly)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["designation"].choices = designation_choices(campaign=None)

    def clean_amount(self):
        cents = parse_amount(self.cleaned_data["amount"])
        if cents <= 0:
            raise forms.ValidationError("Enter an amount above zero.")
        return cents


class RefundForm(forms.Form):
    amount = forms.CharField(label="Amount to refund (USD)", max_length=20)
    reason = forms.CharField(label="Reason (staff only)", max_length=200, required=False)

    def clean_amount(self):
        cents = parse_amount(self.cleaned_data["amount"])
        if cents <= 0:
            raise forms.ValidationError("Enter an amount above zero.")
        return cents


class ChangeAmountForm(forms.Form):
    amount = forms.CharField(label="New monthly amount (USD)", max_length=20)
    cover_fee = forms.BooleanField(label="Add the card processing fee", required=False)

    def clean_amount(self):
        return check_range(parse_amount(self.cleaned_data["amount"]))


class GiftFilterForm(forms.Form):
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.order_by("title"), required=False)
    fund = forms.ModelChoiceField(queryset=Fund.objects.order_by("name"), required=False)
    status = forms.ChoiceField(choices=[("", "Any")] + list(Donation.Status.choices), required=False)
    method = forms.ChoiceField(choices=[("", "Any")] + list(Donation.Method.choices), required=False)
    needs_review = forms.BooleanField(label="Held for review only", required=False)

    def filters(self) -> GiftFilters:
        if not self.is_valid():
            return GiftFilters()
        data = self.cleaned_data
        return GiftFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            campaign_id=data["campaign"].pk if data.get("campaign") else None,
            fund_id=data["fund"].pk if data.get("fund") else None,
            status=data.get("status") or "",
            method=data.get("method") or "",
            needs_review=bool(data.get("needs_review")),
        )
