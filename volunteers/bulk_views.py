"""A coordinator's message to everyone booked on the shifts of a day or of a role, at once."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import role_required

from . import selectors, services
from .models import Role
from .services import CoordinationError

coordinator_required = role_required("coordinator", "staff")


class BulkMessageForm(forms.Form):
    day = forms.DateField(
        label=gettext_lazy("Shifts on this day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    role = forms.ModelChoiceField(
        label=gettext_lazy("Shifts of this role"),
        queryset=Role.objects.none(),
        required=False,
        empty_label=gettext_lazy("All my roles"),
        help_text=gettext_lazy("Without a day: the role's upcoming shifts."),
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=150)
    body = forms.CharField(
        label=gettext_lazy("Message"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
        help_text=gettext_lazy(
            "Each person gets one email, however many of these shifts they are on; nobody sees who else "
            "received it. Those who opted in to texts get a short text pointing to the email."
        ),
    )

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles.filter(is_active=True).order_by("name")

    def clean(self):
        data = super().clean()
        if not data.get("day") and not data.get("role"):
            raise forms.ValidationError(_("Choose a day, a role, or both."))
        return data


@coordinator_required
def bulk_message(request):
    roles = selectors.coordinator_roles(user=request.user)
    form = BulkMessageForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = services.bulk_message_send(
                sender=request.user,
                roles=roles,
                role=data["role"],
                day=data["day"],
                subject=data["subject"],
                body=data["body"],
            )
        except CoordinationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Your message is on its way to %(n)s people, one email each.") % {"n": sent.recipients},
            )
            return redirect("volunteers:coordinate:dashboard")
    return render(
        request,
        "volunteers/coordinate/bulk_message.html",
        {"form": form, "today": timezone.localdate()},
        status=400 if form.errors else 200,
    )
