from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context
from django import forms

from .roles import SIGNUP_ROLES


class SignupForm(AllauthSignupForm):
    """allauth's sign-up plus what the person comes for. Only self-service roles can be chosen here;
    coordinator and staff are granted by staff on /staff/people/."""

    roles = forms.MultipleChoiceField(
        label="I would like to",
        choices=[("donor", "Give to campaigns"), ("volunteer", "Volunteer")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="If you choose nothing, you start as a donor. You can volunteer later from your account.",
    )

    field_order = ["email", "password1", "password2", "roles"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = context.request
        wants = request.GET.get("as") if request is not None else None
        self.fields["roles"].initial = [wants] if wants in SIGNUP_ROLES else ["donor"]

    def clean_roles(self) -> list[str]:
        chosen = [role for role in self.cleaned_data.get("roles") or [] if role in SIGNUP_ROLES]
        return chosen or ["donor"]
