"""Forms of hours: a volunteer's off-roster report (no free text), the letter's period, the staff
report's filters."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import HoursCategory, HoursReport, Role

DATE = forms.DateInput(attrs={"type": "date"})


class HoursReportForm(forms.Form):
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none())
    date = forms.DateField(label=_("Date"), widget=DATE)
    minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=1,
        max_value=HoursReport.MAX_MINUTES,
        help_text=_("For example 90 for an hour and a half."),
    )
    category = forms.ChoiceField(label=_("What the time was for"), choices=HoursCategory.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = Role.objects.filter(is_active=True).order_by("name")


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=DATE)
    date_to = forms.DateField(label=_("To"), widget=DATE)

    MAX_DAYS = 366 * 10

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("The end is before the start."))
            elif (end - start).days > self.MAX_DAYS:
                self.add_error("date_to", _("Choose at most ten years."))
        return data

    @staticmethod
    def default_initial() -> dict:
        today = timezone.localdate()
        return {"date_from": today.replace(month=1, day=1), "date_to": today}


class HoursSummaryFilterForm(PeriodForm):
    role = forms.ModelChoiceField(
        label=_("Role"), queryset=Role.objects.order_by("name"), required=False, empty_label=_("All roles")
    )

    @staticmethod
    def default_initial() -> dict:
        today = timezone.localdate()
        first = (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
        return {"date_from": first, "date_to": today}
