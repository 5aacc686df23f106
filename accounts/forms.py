import uuid

from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.internal.userkit import filter_users_by_email
from allauth.account.models import EmailAddress
from allauth.account.utils import setup_user_email
from allauth.core import context, ratelimit
from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .roles import SIGNUP_ROLES


class SignupForm(AllauthSignupForm):
    """allauth's sign-up plus what the person comes for. Only self-service roles can be chosen here;
    coordinator and staff are granted by staff on /staff/people/."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        required=False,
        help_text=_("The name coordinators and staff know you by. Volunteers need to give one."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    roles = forms.MultipleChoiceField(
        label=_("I would like to"),
        choices=[("donor", _("Give to campaigns")), ("volunteer", _("Volunteer"))],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "If you choose nothing, you start as a donor. You can volunteer later from your account."
        ),
    )

    field_order = ["name", "email", "password1", "password2", "roles"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = context.request
        wants = request.GET.get("as") if request is not None else None
        self.fields["roles"].initial = [wants] if wants in SIGNUP_ROLES else ["donor"]

    def clean_roles(self) -> list[str]:
        chosen = [role for role in self.cleaned_data.get("roles") or [] if role in SIGNUP_ROLES]
        return chosen or ["donor"]

    def clean(self):
        cleaned = super().clean()
        cleaned["name"] = " ".join((cleaned.get("name") or "").split())
        if "volunteer" in (cleaned.get("roles") or []) and not cleaned["name"]:
            self.add_error("name", _("Enter your name: coordinators see it on the shifts you book."))
        return cleaned

    def try_save(self, request):
        """For an address that already has an account allauth creates nothing and mails the owner
        ("you already have an account"), so the page answered in a few milliseconds, where a new
        account takes the better part of a second to hash its password: the time told an attacker who
        has an account. Now the known-address path first rehearses a new account's work: the same
        password hashing and the same rows written (user, address, roles), under a stand-in address
        that cannot collide, in a transaction that is then rolled back (nothing stays, and nothing
        queued inside it is sent; PostgreSQL's id sequences move on, which shows nothing). Then both
        paths queue exactly one mail.

        Both paths run in one transaction that commits: the new account's rows, or the rehearsal's
        savepoint rolled back inside it, so each ends with one commit flushed to disk (a rolled-back
        transaction alone would skip that flush and answer a few milliseconds sooner)."""
        with transaction.atomic():
            if self.account_already_exists:
                self._rehearse_new_account(request)
            return super().try_save(request)

    def _rehearse_new_account(self, request) -> None:
        real = self.cleaned_data
        stand_in = f"signup-rehearsal-{uuid.uuid4().hex}@rehearsal.invalid"
        self.cleaned_data = {**real, "email": stand_in}
        try:
            with transaction.atomic():
                adapter = get_adapter()
                user = adapter.save_user(request, adapter.new_user(request), self)
                setup_user_email(request, user, [EmailAddress(email=stand_in)])
                transaction.set_rollback(True)
        finally:
            self.cleaned_data = real


class LoginForm(AllauthLoginForm):
    """allauth's sign-in, its labels in sentence case like the rest of the site."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Keep me signed in on this device")


class RequestLoginCodeForm(AllauthRequestLoginCodeForm):
    """Sign-in by emailed code is the owner's way in while password sign-in is paused for their
    address (five wrong passwords from anyone): so nobody else may close it. allauth limits code
    requests per address ("3/m/key"), which anyone who knows the address can use up to keep the owner
    out; here the per-address limit counts per address *and* requesting IP (ACCOUNT_RATE_LIMITS
    "request_login_code", with the per-IP limit as it was). Guessing a code gains nothing from this:
    each code is 8 characters, allows 3 tries, and lives only in the session that asked for it."""

    def clean_email(self) -> str:
        adapter = get_adapter()
        email = self.cleaned_data["email"]
        if email:
            users = filter_users_by_email(email, is_active=True, prefer_verified=True, for_login=True)
            key = f"{email.lower()}|{adapter.get_client_ip(context.request)}"
            if not ratelimit.consume(context.request, action="request_login_code", key=key):
                raise adapter.validation_error("too_many_login_attempts")
            self._user = users[0] if users else None
        return email
