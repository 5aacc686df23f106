"""Forms of in-kind needs: a supporter's pledge, and the staff's need, receipt and cancellation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PledgeForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("How many can you bring?"),
        min_value=1,
        max_value=100000,
        error_messages={
            "required": _("Enter how many you can bring."),
            "invalid": _("Enter a whole number, like 3."),
            "min_value": _("Enter how many you can bring (at least 1)."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        error_messages={"required": _("Enter your name, so we know who is coming.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your email"),
        help_text=_("We email you where and when to bring the items. Never shown or shared."),
        error_messages={
            "required": _("Enter your email address: the drop-off instructions go there."),
            "invalid": _("Enter an email address like name@example.org."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated and not self.is_bound:
            self.fields["name"].initial = user.name
            self.fields["email"].initial = user.email

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Enter your name, so we know who is coming."))
        return name


def _spanish(field: forms.Field) -> forms.Field:
    field.required = False
    field.help_text = _("Optional. Shown to visitors reading in Spanish; English is shown when empty.")
    field.widget.attrs["lang"] = "es"
    return field


class NeedForm(forms.Form):
    title = forms.CharField(
        label=_("Item (English)"), max_length=160, help_text=_("For example “Winter coats, adult sizes”.")
    )
    title_es = _spanish(forms.CharField(label=_("Item (Spanish)"), max_length=160))
    description = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    description_es = _spanish(
        forms.CharField(label=_("Description (Spanish)"), widget=forms.Textarea(attrs={"rows": 4}))
    )
    quantity_needed = forms.IntegerField(label=_("Quantity needed"), min_value=1)
    deadline = forms.DateField(label=_("Needed by"), widget=DATE)
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.all(), required=False)
    dropoff = forms.CharField(
        label=_("Drop-off address and hours (private)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only emailed to people who pledge; never shown on a public page. Empty: the organisation’s "
            "usual drop-off address (setting HAVEN_INKIND_DROPOFF)."
        ),
    )
    is_published = forms.BooleanField(label=_("Published"), required=False, initial=True)

    @classmethod
    def initial_for(cls, need) -> dict:
        return {
            "title": need.title_en,
            "title_es": need.title_es or "",
            "description": need.description_en,
            "description_es": need.description_es or "",
            "quantity_needed": need.quantity_needed,
            "deadline": need.deadline,
            "campaign": need.campaign_id,
            "dropoff": need.dropoff,
            "is_published": need.is_published,
        }


class ReceiveForm(forms.Form):
    quantity = forms.IntegerField(label=_("How many arrived"), min_value=1)
