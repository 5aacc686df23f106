"""The person's own data-protection pages: download my data, erase my data."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from .privacy import ErasureRefused, personal_data_erase, personal_data_export
from .roles import signed_in


class EraseConfirmForm(forms.Form):
    confirm_email = forms.CharField(label=gettext_lazy("Type your email address to confirm"), max_length=254)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_confirm_email(self):
        typed = self.cleaned_data["confirm_email"].strip()
        if typed.lower() != self.user.email.lower():
            raise forms.ValidationError(_("This is not the email address you are signed in with."))
        return typed


@signed_in
def privacy(request):
    """What Haven holds, how to download it, and how to erase it."""
    response = render(request, "accounts/privacy.html")
    add_never_cache_headers(response)
    return response


@signed_in
@require_http_methods(["GET", "POST"])
def privacy_export(request):
    """Everything Haven holds about the signed-in person, as a JSON download (never cached)."""
    data = personal_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="haven-personal-data.json"'
    add_never_cache_headers(response)
    return response


@signed_in
@require_http_methods(["GET", "POST"])
def privacy_erase(request):
    """Explains erasure; on a POST with the person's own email typed in, erases and signs them out."""
    form = EraseConfirmForm(request.POST or None, user=request.user)
    refused = ""
    if request.method == "POST" and form.is_valid():
        try:
            personal_data_erase(user=request.user)
        except ErasureRefused as exc:
            refused = str(exc)
        else:
            logout(request)
            messages.success(request, _("Your personal data has been erased and you have been signed out."))
            return redirect("pages:home")
    response = render(
        request,
        "accounts/privacy_erase.html",
        {"form": form, "refused": refused},
        status=400 if request.method == "POST" else 200,
    )
    add_never_cache_headers(response)
    return response
