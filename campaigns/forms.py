"""Staff forms: they check the shape of input (dates, amounts in dollars); services decide."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from core.money import Cents, major_amount, major_amount_text, parse_major_amount

from .models import Campaign, Fund, SpendingCategory

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _dollars(minor: int | None, currency: str | None = None):
    return None if minor is None else major_amount(minor, currency)


class MoneyField(forms.DecimalField):
    """An amount typed in dollars (two decimals), cleaned to integer minor units."""

    def __init__(self, *, allow_zero: bool = False, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)
        self.allow_zero = allow_zero

    def clean(self, value):
        amount = super().clean(value)
        if amount is None:
            return None
        if amount < 0:
            raise ValidationError(_("The amount cannot be negative."), code="negative")
        if amount == 0 and not self.allow_zero:
            raise ValidationError(_("The amount must be more than zero."), code="zero")
        return int(amount * 100)


def _spanish(field: forms.Field) -> forms.Field:
    """The Spanish twin of an English field: optional, marked lang="es"."""
    field.required = False
    field.help_text = SPANISH_HELP
    field.widget.attrs["lang"] = "es"
    return field


SPANISH_HELP = _("Optional: English is shown when empty.")


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title (English)"), max_length=160)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=80,
        help_text=_("The web address: /campaigns/<slug>/ (letters, digits, -)."),
    )
    summary = forms.CharField(
        label=_("Summary (English)"),
        max_length=300,
        help_text=_("One or two sentences for cards and share previews."),
    )
    story = forms.CharField(
        label=_("Story (English)"),
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
        help_text=_("Plain text. Leave a blank line between paragraphs. Never name or describe a survivor."),
    )
    title_es = _spanish(forms.CharField(label=_("Title (Spanish)"), max_length=160))
    summary_es = _spanish(forms.CharField(label=_("Summary (Spanish)"), max_length=300))
    story_es = _spanish(
        forms.CharField(label=_("Story (Spanish)"), widget=forms.Textarea(attrs={"rows": 12}))
    )
    goal = MoneyField(label=_("Goal (dollars)"))
    fund = forms.ModelChoiceField(label=_("Fund"), queryset=Fund.objects.filter(is_active=True))
    starts_on = forms.DateField(widget=DATE, label=_("Starts on"))
    ends_on = forms.DateField(widget=DATE, required=False, label=_("Ends on"), help_text=_("Optional."))
    suggested_amounts = forms.CharField(
        required=False,
        label=_("Suggested amounts (dollars)"),
        help_text=_("Separated by commas, e.g. 25, 40, 100."),
    )
    is_published = forms.BooleanField(required=False, label=_("Published (visible to the public)"))

    @classmethod
    def initial_for(cls, campaign: Campaign) -> dict:
        return {
            "title": campaign.title_en,
            "slug": campaign.slug,
            "summary": campaign.summary_en,
            "story": campaign.story_en,
            "title_es": campaign.title_es or "",
            "summary_es": campaign.summary_es or "",
            "story_es": campaign.story_es or "",
            "goal": _dollars(campaign.goal_amount, campaign.currency),
            "fund": campaign.fund_id,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "suggested_amounts": ", ".join(
                major_amount_text(a, campaign.currency, cents=Cents.IF_ANY)
                for a in campaign.suggested_amounts or []
            ),
            "is_published": campaign.is_published,
        }

    def clean_suggested_amounts(self) -> list[int]:
        text = self.cleaned_data.get("suggested_amounts") or ""
        amounts = []
        for part in [p for p in text.split(",") if p.strip()]:
            try:
                minor = parse_major_amount(part)
            except ValueError as exc:
                raise ValidationError(str(exc)) from exc
            if minor <= 0:
                raise ValidationError(_("Suggested amounts must be more than zero."))
            amounts.append(minor)
        return sorted(set(amounts))

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The end date must be on or after the start date."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "slug": data["slug"],
            "summary": data["summary"],
            "story": data["story"],
            "title_es": data["title_es"],
            "summary_es": data["summary_es"],
            "story_es": data["story_es"],
            "goal_amount": data["goal"],
            "fund": data["fund"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "suggested_amounts": data["suggested_amounts"],
            "is_published": data["is_published"],
        }


class PercentField(forms.DecimalField):
    """A share typed as a percent (up to two decimals), cleaned to basis points."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 5)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def clean(self, value):
        percent = super().clean(value)
        if percent is None:
            return None
        if percent <= 0:
            raise ValidationError(_("A share must be more than 0%."), code="not_positive")
        if percent > 100:
            raise ValidationError(_("A share cannot be more than 100%."), code="too_big")
        return int(percent * 100)


class AllocationLineForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=SpendingCategory.objects.filter(is_active=True), required=False
    )
    percent = PercentField(label=_("Share (%)"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("category") and data.get("percent") is None and "percent" not in self.errors:
            self.add_error("percent", _("Enter this category's share."))
        if data.get("percent") is not None and not data.get("category"):
            self.add_error("category", _("Choose a category for this share."))
        return data


class BaseAllocationFormSet(forms.BaseFormSet):
    def lines(self) -> list[tuple[SpendingCategory, int]]:
        return [
            (form.cleaned_data["category"], form.cleaned_data["percent"])
            for form in self.forms
            if form.cleaned_data.get("category") and form.cleaned_data.get("percent") is not None
        ]

    def clean(self):
        if any(self.errors):
            return
        lines = self.lines()
        seen = set()
        for category, _share in lines:
            if category.pk in seen:
                raise ValidationError(
                    _("%(category)s appears more than once; combine it into one line.")
                    % {"category": category}
                )
            seen.add(category.pk)
        total = sum(share for _, share in lines)
        if not lines:
            raise ValidationError(_("Add at least one category to the plan."))
        if total != 10000:
            raise ValidationError(
                _("The split must add up to exactly 100%%; these lines add up to %(total)s%%.")
                % {"total": number_format(Decimal(total) / 100)}
            )


def allocation_formset(*, lines: int):
    """One empty line per active category not yet in the plan, so a whole plan fits in one save."""
    categories = SpendingCategory.objects.filter(is_active=True).count()
    extra = max(categories - lines, 1)
    return forms.formset_factory(AllocationLineForm, formset=BaseAllocationFormSet, extra=extra)


class ImpactUnitForm(forms.Form):
    amount = MoneyField(label=_("Amount (dollars)"), required=False)
    description = forms.CharField(
        label=_("What it pays for (English)"),
        max_length=160,
        required=False,
        help_text=_("e.g. one night of safe housing"),
    )
    description_es = _spanish(forms.CharField(label=_("What it pays for (Spanish)"), max_length=160))

    def clean(self):
        data = super().clean()
        if data.get("amount") and not (data.get("description") or "").strip():
            self.add_error("description", _("Say what this amount pays for."))
        if (data.get("description") or "").strip() and not data.get("amount") and "amount" not in self.errors:
            self.add_error("amount", _("Enter the amount."))
        return data


class BaseImpactFormSet(forms.BaseFormSet):
    def units(self) -> list[tuple[int, str, str]]:
        return [
            (
                form.cleaned_data["amount"],
                form.cleaned_data["description"],
                form.cleaned_data["description_es"],
            )
            for form in self.forms
            if form.cleaned_data.get("amount")
        ]


ImpactUnitFormSet = forms.formset_factory(ImpactUnitForm, formset=BaseImpactFormSet, extra=3)


class CampaignUpdateForm(forms.Form):
    title = forms.CharField(label=_("Title (English)"), max_length=160)
    body = forms.CharField(
        label=_("Text (English)"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text; blank line = new paragraph."),
    )
    title_es = _spanish(forms.CharField(label=_("Title (Spanish)"), max_length=160))
    body_es = _spanish(forms.CharField(label=_("Text (Spanish)"), widget=forms.Textarea(attrs={"rows": 8})))
    is_published = forms.BooleanField(required=False, initial=True, label=_("Published"))

    @classmethod
    def initial_for(cls, update) -> dict:
        return {
            "title": update.title_en,
            "body": update.body_en,
            "title_es": update.title_es or "",
            "body_es": update.body_es or "",
            "is_published": update.is_published,
        }


class ExpenditureForm(forms.Form):
    spent_on = forms.DateField(widget=DATE, label=_("Date paid"))
    amount = MoneyField(label=_("Amount (dollars)"))
    currency = forms.CharField(label=_("Currency"), max_length=3, initial=settings.HAVEN_CURRENCY.upper())
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=SpendingCategory.objects.filter(is_active=True)
    )
    fund = forms.ModelChoiceField(label=_("Fund"), queryset=Fund.objects.filter(is_active=True))
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.all(), required=False)
    payee = forms.CharField(label=_("Payee"), max_length=200, help_text=_("Staff only; never published."))
    document = forms.FileField(required=False, label=_("Receipt or invoice"), help_text=_("Staff only."))
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text=_("Staff only.")
    )

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().lower()

    @classmethod
    def initial_for(cls, expenditure) -> dict:
        return {
            "spent_on": expenditure.spent_on,
            "amount": _dollars(expenditure.amount, expenditure.currency),
            "currency": expenditure.currency.upper(),
            "category": expenditure.category_id,
            "fund": expenditure.fund_id,
            "campaign": expenditure.campaign_id,
            "payee": expenditure.payee,
            "note": expenditure.note,
        }


class ExpenditureFilterForm(forms.Form):
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}),
        help_text=_("YYYY-MM"),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=SpendingCategory.objects.all(), required=False
    )
    fund = forms.ModelChoiceField(label=_("Fund"), queryset=Fund.objects.all(), required=False)

    def clean_month(self):
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        try:
            return datetime.datetime.strptime(value, "%Y-%m").date()
        except ValueError as exc:
            raise ValidationError(_("Enter a month as YYYY-MM.")) from exc


class SpendingCategoryForm(forms.Form):
    name = forms.CharField(label=_("Name (English)"), max_length=80)
    slug = forms.SlugField(label=_("Address"), max_length=80)
    description = forms.CharField(label=_("Description (English)"), max_length=300, required=False)
    name_es = _spanish(forms.CharField(label=_("Name (Spanish)"), max_length=80))
    description_es = _spanish(forms.CharField(label=_("Description (Spanish)"), max_length=300))
    position = forms.IntegerField(
        label=_("Position"), min_value=0, initial=0, help_text=_("Order on public pages.")
    )
    is_active = forms.BooleanField(required=False, initial=True, label=_("Active"))


class FundForm(forms.Form):
    name = forms.CharField(label=_("Name (English)"), max_length=120)
    slug = forms.SlugField(label=_("Address"), max_length=80)
    description = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    name_es = _spanish(forms.CharField(label=_("Name (Spanish)"), max_length=120))
    description_es = _spanish(
        forms.CharField(label=_("Description (Spanish)"), widget=forms.Textarea(attrs={"rows": 3}))
    )
    is_restricted = forms.BooleanField(
        required=False, label=_("Restricted (may only be spent on its purpose)")
    )
    allowed_categories = forms.ModelMultipleChoiceField(
        label=_("Allowed categories"),
        queryset=SpendingCategory.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a restricted fund: what it may pay for. None ticked = any category."),
    )
    is_active = forms.BooleanField(required=False, initial=True, label=_("Active"))
