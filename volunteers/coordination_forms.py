"""Coordinator forms: they check the shape of input and turn local dates and times into UTC
instants; services decide outcomes (capacity against bookings, what a series produces)."""

import datetime

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .models import Requirement, Role, ShiftSeries, Weekday
from .services import local_instant

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
CUTOFF_HELP = _("Volunteers may cancel online until this many hours before the start.")


def _zone_help() -> str:
    return gettext("Local time (%(zone)s). An end time at or before the start means the next day.") % {
        "zone": settings.TIME_ZONE
    }


ZONE_HELP = lazy(_zone_help, str)()


def _minutes_between(start: datetime.time, end: datetime.time) -> int:
    """Length of a shift from wall-clock start to end; an end at or before the start is the next day."""
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return minutes if minutes > 0 else minutes + 24 * 60


class RoleChoiceMixin:
    def _limit_roles(self, roles) -> None:
        self.fields["role"].queryset = roles.filter(is_active=True).order_by("name")


class FillRateFilterForm(forms.Form, RoleChoiceMixin):
    hide_optional = True  # a filter: every field is optional, no need to say so
    role = forms.ModelChoiceField(
        label=_("Role"), queryset=Role.objects.none(), required=False, empty_label=_("All my roles")
    )
    date_from = forms.DateField(required=False, label=pgettext_lazy("date range", "From"), widget=DATE)
    date_to = forms.DateField(required=False, label=pgettext_lazy("date range", "To"), widget=DATE)
    open_only = forms.BooleanField(required=False, label=_("Only shifts with open places"))

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_roles(roles)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class _ShiftFieldsForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=160,
        required=False,
        help_text=_("Optional; the role name is shown otherwise."),
    )
    start_time = forms.TimeField(label=_("Starts at"), widget=TIME, help_text=ZONE_HELP)
    end_time = forms.TimeField(label=_("Ends at"), widget=TIME)
    capacity = forms.IntegerField(min_value=1, max_value=500, label=_("Places"))
    neighbourhood = forms.CharField(
        label=_("Neighbourhood"),
        max_length=120,
        required=False,
        help_text=_("Shown to volunteers before they book. Keep it general."),
    )
    address = forms.CharField(
        label=pgettext_lazy("where a shift takes place", "Address"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Shown only to the people booked on the shift; never sent by email."),
    )
    cancellation_cutoff_hours = forms.IntegerField(
        min_value=0, max_value=336, initial=24, label=_("Cancellation cut-off (hours)"), help_text=CUTOFF_HELP
    )

    @property
    def duration_minutes(self) -> int:
        return _minutes_between(self.cleaned_data["start_time"], self.cleaned_data["end_time"])


class ShiftCreateForm(_ShiftFieldsForm, RoleChoiceMixin):
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none())
    date = forms.DateField(label=_("Date"), widget=DATE)
    description = forms.CharField(
        label=pgettext_lazy("of a shift", "Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    field_order = ["role", "title", "date", "start_time", "end_time", "capacity"]

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_roles(roles)

    def instants(self) -> tuple[datetime.datetime, datetime.datetime]:
        starts_at = local_instant(self.cleaned_data["date"], self.cleaned_data["start_time"])
        return starts_at, starts_at + datetime.timedelta(minutes=self.duration_minutes)


class SeriesCreateForm(_ShiftFieldsForm, RoleChoiceMixin):
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none())
    frequency = forms.ChoiceField(
        label=_("Frequency"),
        choices=ShiftSeries.Frequency.choices,
        initial=ShiftSeries.Frequency.WEEKLY,
        widget=forms.RadioSelect,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a weekly series."),
    )
    start_date = forms.DateField(label=_("First date"), widget=DATE)
    until_date = forms.DateField(
        label=_("Last date"), widget=DATE, help_text=_("The series ends on this date.")
    )
    field_order = [
        "role",
        "title",
        "frequency",
        "weekdays",
        "start_date",
        "until_date",
        "start_time",
        "end_time",
    ]

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_roles(roles)

    def clean(self):
        data = super().clean()
        if data.get("frequency") == ShiftSeries.Frequency.WEEKLY and not data.get("weekdays"):
            self.add_error("weekdays", _("Choose at least one weekday for a weekly series."))
        if data.get("start_date") and data.get("until_date") and data["until_date"] < data["start_date"]:
            self.add_error("until_date", _("The last date is before the first date."))
        return data


class ShiftEditForm(_ShiftFieldsForm):
    SCOPE_THIS = "this"
    SCOPE_FUTURE = "future"

    scope = forms.ChoiceField(
        choices=[
            (SCOPE_THIS, _("Only this shift")),
            (SCOPE_FUTURE, _("This and all later shifts of the series")),
        ],
        initial=SCOPE_THIS,
        widget=forms.RadioSelect,
        label=pgettext_lazy("which shifts an edit applies to", "Change"),
        help_text=_(
            "Later shifts edited on their own stay as they are. A new date applies to this shift only."
        ),
    )
    date = forms.DateField(label=_("Date"), widget=DATE)
    description = forms.CharField(
        label=pgettext_lazy("of a shift", "Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    field_order = ["scope", "title", "date", "start_time", "end_time", "capacity"]

    def __init__(self, *args, in_series: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not in_series:
            del self.fields["scope"]

    @property
    def scope_value(self) -> str:
        return self.cleaned_data.get("scope") or self.SCOPE_THIS

    def instants(self) -> tuple[datetime.datetime, datetime.datetime]:
        starts_at = local_instant(self.cleaned_data["date"], self.cleaned_data["start_time"])
        return starts_at, starts_at + datetime.timedelta(minutes=self.duration_minutes)


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(min_value=0, max_value=500, label=_("Places"))


class CancelShiftForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
        label=_("Note to the booked volunteers (optional)"),
        help_text=_("Sent to each booked person in their own email. Do not include anything confidential."),
    )


class ShiftMessageForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
        label=_("Message"),
        help_text=_("Each booked person gets their own email; nobody sees who else received it."),
    )


class ApproveByEmailForm(forms.Form, RoleChoiceMixin):
    email = forms.EmailField(label=_("Volunteer's email address"))
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none())

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_roles(roles)


class ApprovalForm(forms.Form, RoleChoiceMixin):
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none())

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_roles(roles)


class VerificationForm(forms.Form):
    requirement = forms.ModelChoiceField(label=_("Requirement"), queryset=Requirement.objects.none())
    verified_on = forms.DateField(label=_("Verified on"), widget=DATE)
    expires_on = forms.DateField(
        label=_("Valid until"),
        widget=DATE,
        required=False,
        help_text=_("Leave empty to use the requirement's usual validity period."),
    )

    def __init__(self, *args, requirements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement"].queryset = requirements
