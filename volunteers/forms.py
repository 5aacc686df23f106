"""Volunteer-side forms: they check the shape of input; services decide outcomes."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import PhoneInput

from .models import DayPart, Role, Weekday

SKILL_CHOICES = [
    ("cooking", _("Cooking and meal prep")),
    ("driving", _("Driving (I have a licence)")),
    ("tutoring", _("Tutoring and teaching")),
    ("interpreting", _("Interpreting or translation")),
    ("first_aid", _("First aid")),
    ("events", _("Events and logistics")),
    ("admin", _("Office and admin")),
    ("childcare", _("Childcare")),
]


def skill_labels(skills: list[str]) -> list[str]:
    """A profile's skills as a reader sees them: the label of each listed skill, in the active language,
    and the volunteer's own words for any other."""
    labels = dict(SKILL_CHOICES)
    return [str(labels.get(skill, skill)) for skill in skills]


_PART_SHORT = {
    DayPart.MORNING: pgettext_lazy("availability", "morning"),
    DayPart.AFTERNOON: pgettext_lazy("availability", "afternoon"),
    DayPart.EVENING: pgettext_lazy("availability", "evening"),
}
AVAILABILITY_CHOICES = [
    (f"{day.value}-{part.value}", format_lazy("{} {}", day.label, _PART_SHORT[part]))
    for day in Weekday
    for part in DayPart
]


def _split_list(value: str) -> list[str]:
    items = [item.strip() for item in (value or "").replace(";", ",").split(",")]
    seen: list[str] = []
    for item in items:
        if item and item.lower() not in {s.lower() for s in seen}:
            seen.append(item[:60])
    return seen[:20]


class VolunteerProfileForm(forms.Form):
    skills = forms.MultipleChoiceField(
        choices=SKILL_CHOICES, widget=forms.CheckboxSelectMultiple, required=False, label=_("Skills")
    )
    other_skills = forms.CharField(
        required=False, max_length=300, label=_("Other skills"), help_text=_("Separate several with commas.")
    )
    languages = forms.CharField(
        max_length=300,
        label=_("Languages you speak"),
        help_text=_("Separate several with commas, for example: English, Spanish."),
    )
    availability = forms.MultipleChoiceField(
        choices=AVAILABILITY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("When you are usually available"),
    )
    phone = forms.CharField(
        max_length=40,
        required=False,
        label=_("Your phone"),
        help_text=_("Coordinators use it on the day of a shift."),
        widget=PhoneInput(attrs={"autocomplete": "tel"}),
    )
    emergency_contact_name = forms.CharField(
        max_length=200,
        label=_("Emergency contact: name"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    emergency_contact_phone = forms.CharField(
        max_length=40, label=_("Emergency contact: phone"), widget=PhoneInput(attrs={"autocomplete": "off"})
    )
    emergency_contact_relationship = forms.CharField(
        max_length=80, required=False, label=_("Emergency contact: relationship to you")
    )
    accept_agreement = forms.BooleanField(
        required=False, label=_("I have read the confidentiality agreement above and agree to it.")
    )

    def __init__(self, *args, needs_agreement: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_agreement = needs_agreement
        if needs_agreement:
            self.fields["accept_agreement"].required = True
        else:
            del self.fields["accept_agreement"]

    @classmethod
    def initial_from(cls, profile) -> dict:
        known = {value for value, _ in SKILL_CHOICES}
        return {
            "skills": [s for s in profile.skills if s in known],
            "other_skills": ", ".join(s for s in profile.skills if s not in known),
            "languages": ", ".join(profile.languages),
            "availability": profile.availability,
            "phone": profile.phone,
            "emergency_contact_name": profile.emergency_contact_name,
            "emergency_contact_phone": profile.emergency_contact_phone,
            "emergency_contact_relationship": profile.emergency_contact_relationship,
        }

    def clean_languages(self) -> list[str]:
        languages = _split_list(self.cleaned_data["languages"])
        if not languages:
            raise forms.ValidationError(_("Please name at least one language."))
        return languages

    def clean_emergency_contact_phone(self) -> str:
        phone = self.cleaned_data["emergency_contact_phone"].strip()
        if sum(ch.isdigit() for ch in phone) < 7:
            raise forms.ValidationError(_("Please enter a phone number with at least 7 digits."))
        return phone

    def availability_rows(self) -> list[tuple[str, list]]:
        """The availability checkboxes as (weekday, [morning, afternoon, evening]) for a table."""
        boxes = list(self["availability"])
        per_day = len(DayPart.choices)
        return [(day.label, boxes[i * per_day : (i + 1) * per_day]) for i, day in enumerate(Weekday)]

    def all_skills(self) -> list[str]:
        return list(self.cleaned_data["skills"]) + _split_list(self.cleaned_data.get("other_skills", ""))


class AgreementSignForm(forms.Form):
    accept = forms.BooleanField(label=_("I have read this agreement and agree to it."))


class ShiftFilterForm(forms.Form):
    hide_optional = True  # a filter: every field is optional, no need to say so
    role = forms.ModelChoiceField(
        label=_("Role"),
        queryset=Role.objects.filter(is_active=True),
        required=False,
        empty_label=_("All roles"),
    )
    date_from = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False,
        label=pgettext_lazy("date range", "To"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    free = forms.BooleanField(required=False, label=_("Only shifts with free places"))
