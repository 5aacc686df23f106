"""The volunteer's text-message settings: opt in with a mobile number (the consent is recorded with
its time and the exact words shown), or stop texts. Replying STOP to any text works too."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from phonenumber_field.formfields import PhoneNumberField

from accounts.roles import signed_in

from . import services
from .models import SmsConsentRecord, VolunteerProfile
from .services import TextsError


class TextsOptInForm(forms.Form):
    mobile = PhoneNumberField(
        label=gettext_lazy("Mobile number"),
        help_text=gettext_lazy("A US number, or any number with its country code (+44 …)."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    agree = forms.BooleanField(label="", required=True)

    def __init__(self, *args, wording: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agree"].label = wording
        self.fields["agree"].error_messages["required"] = _("Tick the box to agree to texts.")


@signed_in
def texts_settings(request):
    profile = VolunteerProfile.objects.filter(user=request.user).first()
    if profile is None:
        messages.info(request, _("Complete your volunteer profile first."))
        return redirect("volunteers:profile")
    wording = services.consent_wording()
    form = TextsOptInForm(
        request.POST if request.POST.get("action") == "opt_in" else None,
        wording=wording,
        initial={"mobile": profile.mobile or ""},
    )
    if request.method == "POST":
        if request.POST.get("action") == "opt_out":
            services.sms_opt_out(volunteer=request.user)
            messages.success(request, _("Texts are stopped. You still get every email."))
            return redirect("volunteers:texts")
        if form.is_valid():
            try:
                services.sms_opt_in(
                    volunteer=request.user, number=form.cleaned_data["mobile"].as_e164, wording=wording
                )
            except TextsError as error:
                form.add_error("mobile", error.message)
            else:
                messages.success(request, _("Texts are on. Reply STOP to any of them to stop."))
                return redirect("volunteers:texts")
    return render(
        request,
        "volunteers/texts.html",
        {
            "form": form,
            "profile": profile,
            "available": services.texts_available(),
            "records": SmsConsentRecord.objects.filter(volunteer=request.user)[:20],
        },
        status=400 if form.errors else 200,
    )
