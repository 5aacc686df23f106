"""Forms check the shape of input; business outcomes are decided in services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from campaigns.models import Campaign, Fund
from campaigns.subscriptions import opt_in_wording
from core.money import AmountNotANumber, AmountTooPrecise, Cents, format_money, parse_major_amount

from .models import PUBLIC_NAME_MAX_LENGTH, Donation
from .selectors import GiftFilters
from .services import Designation

OTHER = "other"


def parse_amount(value: str) -> int:
    """'25', '25.50', '$1,000' -> minor units. Raises ValidationError with a message for people."""
    try:
        return parse_major_amount(value, settings.HAVEN_CURRENCY)
    except AmountNotANumber:
        raise forms.ValidationError(_("Enter an amount in dollars, like 25 or 25.50.")) from None
    except AmountTooPrecise:
        raise forms.ValidationError(_("Enter an amount in dollars and cents, like 25.50.")) from None


def check_range(cents: int) -> int:
    low, high = settings.DONATION_MIN_AMOUNT, settings.DONATION_MAX_AMOUNT
    if cents < low:
        raise forms.ValidationError(
            _("The smallest gift we can take online is %(amount)s.")
            % {"amount": format_money(low, settings.HAVEN_CURRENCY)}
        )
    if cents > high:
        raise forms.ValidationError(
            _("For gifts above %(amount)s please contact us; we will help you give by bank transfer.")
            % {"amount": format_money(high, settings.HAVEN_CURRENCY)}
        )
    return cents


def designation_choices(*, campaign: Campaign | None) -> list[tuple[str, str]]:
    choices = []
    if campaign is not None:
        choices.append((f"campaign:{campaign.pk}", campaign.title))
    choices.append(("general", _("Where it is needed most (general fund)")))
    for fund in Fund.objects.filter(is_active=True, is_restricted=True).order_by("name"):
        choices.append((f"fund:{fund.pk}", _("%(fund)s (restricted fund)") % {"fund": fund.name}))
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


class GiftAmountForm(forms.Form):
    """Step one of giving: how often and how much (and whether to cover the card fee). Another amount
    is revealed by static/js/donate.js when chosen; without JavaScript it always shows, and an amount
    typed there is the one used."""

    # Optional fields here are asked for only when chosen (and then needed): no "(optional)" labels.
    hide_optional = True

    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=[
            (Donation.Frequency.ONE_TIME, pgettext_lazy("donation frequency", "Once")),
            (Donation.Frequency.MONTHLY, pgettext_lazy("donation frequency", "Monthly")),
        ],
        initial=Donation.Frequency.ONE_TIME,
        widget=forms.RadioSelect,
    )
    amount_choice = forms.ChoiceField(label=_("Amount"), widget=forms.RadioSelect, required=False)
    custom_amount = forms.CharField(
        label=_("Other amount in dollars"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"}),
    )
    cover_fee = forms.BooleanField(
        label=_("Cover the card fee"),
        required=False,
        widget=forms.CheckboxInput(attrs={"aria-describedby": "fee-note"}),
    )

    def __init__(
        self,
        *args,
        campaign: Campaign | None = None,
        impacts: dict[int, str | None] | None = None,
        **kwargs,
    ):
        """`impacts` maps a suggested amount to what it buys ("one night of safe housing"), from
        campaigns.selectors.suggested_amounts_with_impact; the template shows it on the amount's tile."""
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        amounts = (campaign.suggested_amounts if campaign else None) or [2500, 5000, 10000, 25000]
        self.currency = campaign.currency if campaign else settings.HAVEN_CURRENCY
        self.suggested = [a for a in amounts if isinstance(a, int) and a > 0]
        self.impacts = {a: impacts[a] for a in self.suggested if impacts and impacts.get(a)}
        self.fields["amount_choice"].choices = [
            (str(a), format_money(a, self.currency, cents=Cents.IF_ANY)) for a in self.suggested
        ] + [(OTHER, _("Other amount"))]
        if self.suggested and not self.is_bound:
            self.fields["amount_choice"].initial = str(self.suggested[min(1, len(self.suggested) - 1)])

    def amount_tiles(self) -> list[dict]:
        """The suggested amounts as the template draws them: the radio, its amount and impact line."""
        radios = {radio.data["value"]: radio for radio in self["amount_choice"]}
        return [
            {
                "radio": radios[str(a)],
                "amount": format_money(a, self.currency, cents=Cents.IF_ANY),
                "impact": self.impacts.get(a),
            }
            for a in self.suggested
        ]

    def other_tile(self):
        return next(radio for radio in self["amount_choice"] if radio.data["value"] == OTHER)

    def clean(self):
        data = super().clean()
        choice, custom = data.get("amount_choice"), (data.get("custom_amount") or "").strip()
        amount = None
        try:
            # A typed amount wins: with JavaScript the field only exists once "Other amount" is chosen;
            # without it, someone who typed an amount meant it (the next step shows it either way).
            if custom:
                amount = check_range(parse_amount(custom))
            elif choice and choice != OTHER:
                amount = check_range(int(choice))
            else:
                self.add_error("custom_amount", _("Choose an amount or enter your own."))
        except forms.ValidationError as exc:
            self.add_error("custom_amount", exc)
        data["amount"] = amount
        return data


class DonateForm(GiftAmountForm):
    """The whole gift: step one's amount, then (step two) who gives, where it goes, how they are shown,
    a dedication. The optional parts (the name to show, a dedication's fields, a notice to someone) are
    revealed by static/js/donate.js when chosen; without JavaScript every field shows and the choices
    decide which fields count."""

    AMOUNT_FIELDS = ("frequency", "amount_choice", "custom_amount", "cover_fee")
    NAMED, UNNAMED, ANONYMOUS = "named", "unnamed", "anonymous"

    designation = forms.ChoiceField(label=_("Where should your gift go?"))
    name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        error_messages={"required": _("Enter your full name, for your receipt.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your email"),
        help_text=_(
            "For your receipt, and for update emails only if you ask for them. Never shown or shared."
        ),
        error_messages={
            "required": _("Enter your email address, for your receipt."),
            "invalid": _("Enter an email address like name@example.org."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    recognition = forms.ChoiceField(
        label=_("Among the people giving"),
        choices=[
            (UNNAMED, _("Do not show my name")),
            (NAMED, _("Show a name I choose")),
            (ANONYMOUS, _("Give anonymously: no name anywhere, not even in thanks lists")),
        ],
        initial=UNNAMED,
        required=False,
        widget=forms.RadioSelect,
    )
    public_name = forms.CharField(
        label=_("Name to show"),
        help_text=_("Shown exactly as you write it, for example “Maria” or “The Lee family”."),
        max_length=PUBLIC_NAME_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    tribute_type = forms.ChoiceField(
        label=_("Dedicate this gift"),
        choices=[
            ("", _("No dedication")),
            (Donation.Tribute.HONOUR, _("In honour of someone")),
            (Donation.Tribute.MEMORY, _("In memory of someone")),
        ],
        required=False,
        initial="",
        widget=forms.RadioSelect,
    )
    tribute_name = forms.CharField(label=_("Their name"), max_length=200, required=False)
    tribute_notify = forms.BooleanField(
        label=_("Let someone know about the dedication by email"), required=False
    )
    tribute_notify_email = forms.EmailField(
        label=_("Their email address"),
        help_text=_("We tell them who the gift honours and who gave it. The amount is never mentioned."),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    # Consent to campaign updates by email: unticked unless the donor ticks it. Its label is the exact
    # wording recorded with the consent (campaigns.subscriptions.opt_in_wording).
    updates_opt_in = forms.BooleanField(required=False)

    def __init__(self, *args, user=None, **kwargs):
        """A signed-in donor finds their name, email and given name (as the name to show) filled in."""
        super().__init__(*args, **kwargs)
        self.fields["updates_opt_in"].label = opt_in_wording(self.campaign)
        self.fields["designation"].choices = designation_choices(campaign=self.campaign)
        self.fields["designation"].initial = f"campaign:{self.campaign.pk}" if self.campaign else "general"
        if user is not None and user.is_authenticated and not self.is_bound:
            self.fields["name"].initial = user.name
            self.fields["email"].initial = user.email
            self.fields["public_name"].initial = user.preferred_name or (user.name.split() or [""])[0]

    @classmethod
    def detail_fields(cls) -> set[str]:
        return set(cls.base_fields) - set(cls.AMOUNT_FIELDS)

    def has_amount_errors(self) -> bool:
        return any(name in self.errors for name in self.AMOUNT_FIELDS)

    def clean(self):
        data = super().clean()
        recognition = data.get("recognition") or self.UNNAMED
        data["is_anonymous"] = recognition == self.ANONYMOUS
        data["show_name_publicly"] = recognition == self.NAMED
        data["public_name"] = " ".join((data.get("public_name") or "").split())
        if recognition != self.NAMED:
            data["public_name"] = ""
        elif not data["public_name"]:
            self.add_error("public_name", _("Enter the name to show, or choose not to show a name."))
        tribute = data.get("tribute_type") or ""
        data["tribute_name"] = (data.get("tribute_name") or "").strip()
        if tribute and not data["tribute_name"]:
            self.add_error("tribute_name", _("Enter the name of the person the gift honours."))
        notify_email = data.get("tribute_notify_email") or ""
        if not tribute:
            data["tribute_name"] = ""
            if notify_email or data.get("tribute_notify"):
                self.add_error(
                    "tribute_type", _("Choose “in honour of” or “in memory of” to send a notification.")
                )
        elif data.get("tribute_notify") and not notify_email and "tribute_notify_email" not in self.errors:
            self.add_error(
                "tribute_notify_email", _("Enter their email address, or untick “let someone know”.")
            )
        if not tribute:
            data["tribute_notify_email"] = ""
        return data


class OfflineGiftForm(forms.Form):
    nonce = forms.UUIDField(widget=forms.HiddenInput)
    method = forms.ChoiceField(
        label=_("Received as"),
        choices=[
            (Donation.Method.CHEQUE, Donation.Method.CHEQUE.label),
            (Donation.Method.CASH, Donation.Method.CASH.label),
            (Donation.Method.BANK_TRANSFER, Donation.Method.BANK_TRANSFER.label),
        ],
    )
    amount = forms.CharField(label=_("Amount (USD)"), max_length=20)
    received_on = forms.DateField(label=_("Date received"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Cheque number or bank reference"), max_length=120, required=False)
    designation = forms.ChoiceField(label=_("Designation"))
    name = forms.CharField(label=_("Donor name"), max_length=200)
    email = forms.EmailField(label=_("Donor email"), help_text=_("The receipt is emailed here."))
    is_anonymous = forms.BooleanField(label=_("Anonymous (never shown publicly)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["designation"].choices = designation_choices(campaign=None)

    def clean_amount(self):
        cents = parse_amount(self.cleaned_data["amount"])
        if cents <= 0:
            raise forms.ValidationError(_("Enter an amount above zero."))
        return cents


class RefundForm(forms.Form):
    amount = forms.CharField(label=_("Amount to refund (USD)"), max_length=20)
    reason = forms.CharField(label=_("Reason (staff only)"), max_length=200, required=False)

    def clean_amount(self):
        cents = parse_amount(self.cleaned_data["amount"])
        if cents <= 0:
            raise forms.ValidationError(_("Enter an amount above zero."))
        return cents


class ChangeAmountForm(forms.Form):
    amount = forms.CharField(label=_("New monthly amount (USD)"), max_length=20)
    cover_fee = forms.BooleanField(label=_("Add the card processing fee"), required=False)

    def clean_amount(self):
        return check_range(parse_amount(self.cleaned_data["amount"]))


class GiftFilterForm(forms.Form):
    date_from = forms.DateField(
        label=pgettext_lazy("date range", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=pgettext_lazy("date range", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.order_by("title"), required=False
    )
    fund = forms.ModelChoiceField(label=_("Fund"), queryset=Fund.objects.order_by("name"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", pgettext_lazy("filter", "Any"))] + list(Donation.Status.choices),
        required=False,
    )
    method = forms.ChoiceField(
        label=pgettext_lazy("payment method", "Method"),
        choices=[("", pgettext_lazy("filter", "Any"))] + list(Donation.Method.choices),
        required=False,
    )
    needs_review = forms.BooleanField(label=_("Held for review only"), required=False)

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


class PauseForm(forms.Form):
    """Pause a monthly gift for 1, 2 or 3 months. `nonce` is a hidden field made when the page is
    shown: the same form submitted twice is one pause (donations.services.pauses)."""

    months = forms.TypedChoiceField(
        label=_("Pause for"),
        widget=forms.RadioSelect,
        coerce=int,
        choices=(),
        error_messages={
            "required": _("Choose how long to pause: 1, 2 or 3 months."),
            "invalid_choice": _("Choose how long to pause: 1, 2 or 3 months."),
        },
    )
    nonce = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, resume_dates: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["months"].choices = [
            (
                months,
                ngettext(
                    "%(count)d month (resumes on %(date)s)", "%(count)d months (resumes on %(date)s)", months
                )
                % {"count": months, "date": date},
            )
            for months, date in resume_dates.items()
        ]


class ResumeForm(forms.Form):
    nonce = forms.UUIDField(widget=forms.HiddenInput)
