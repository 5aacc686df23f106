"""Forms of check-in at the door: the kiosk, the volunteer's own PIN, a coordinator's walk-in."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .services.checkin import PIN_PATTERN


class KioskCheckInForm(forms.Form):
    """Pick your name from the shift's list, type your PIN or the code from your confirmation email."""

    booking = forms.TypedChoiceField(label=_("Your name"), coerce=int, widget=forms.RadioSelect)
    # Masked, and never shown again after a wrong try: the next person at the door must not read it.
    code = forms.CharField(
        label=_("Your PIN or the code from your confirmation email"),
        max_length=12,
        widget=forms.PasswordInput(
            render_value=False,
            attrs={"inputmode": "numeric", "autocomplete": "off", "autocapitalize": "off"},
        ),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["booking"].choices = [(person.booking_id, person.label) for person in people]


class CheckInPinForm(forms.Form):
    pin = forms.CharField(
        label=_("New PIN (4 to 6 digits)"),
        min_length=4,
        max_length=6,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password"}),
    )
    pin_again = forms.CharField(
        label=_("The same PIN again"),
        max_length=6,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password"}),
    )

    def clean_pin(self):
        pin = self.cleaned_data["pin"]
        if not PIN_PATTERN.match(pin):
            raise forms.ValidationError(_("Use 4 to 6 digits, nothing else."))
        return pin

    def clean(self):
        data = super().clean()
        if data.get("pin") and data.get("pin") != data.get("pin_again"):
            self.add_error("pin_again", _("The two PINs are not the same."))
        return data


class WalkInForm(forms.Form):
    email = forms.EmailField(label=_("The volunteer's email address"))
