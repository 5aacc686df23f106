from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation

from core.http import client_ip
from core.i18n import active_language

from .mail import AccountMail, account_mail_queue
from .models import User
from .roles import SIGNUP_ROLES, user_grant_role

# The form errors allauth raises when a rate limit refuses an attempt (wrong passwords for an address or
# from an IP, sign-in code requests, two-factor codes).
RATE_LIMIT_ERRORS = frozenset({"too_many_login_attempts", "rate_limited"})


class AccountAdapter(DefaultAccountAdapter):
    def validation_error(self, code, *args):
        """allauth reports most of its rate limits as a form error on a 200 page; every limit answers
        429 here instead (the page of config.urls.handler429), the same status as allauth's view-level
        limits, so clients and monitoring see one consistent answer."""
        if code in RATE_LIMIT_ERRORS and allauth_context.request is not None:
            raise ImmediateHttpResponse(respond_429(allauth_context.request))
        return super().validation_error(code, *args)

    def is_open_for_signup(self, request):
        return getattr(settings, "HAVEN_SIGNUP_OPEN", True)

    def get_client_ip(self, request) -> str:
        """allauth's rate limits (failed sign-ins per address, sign-ups, codes) count per client
        with the same helper as Haven's own limits, trusted-proxy aware."""
        return client_ip(request)

    def save_user(self, request, user, form, commit=True):
        if form.cleaned_data.get("name"):
            user.name = form.cleaned_data["name"]
        # Messages to the new account are written in the language they signed up in.
        user.language = active_language()
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            # The sign-up form offers only self-service roles; anything else in the POST is ignored.
            for role in form.cleaned_data.get("roles") or ["donor"]:
                if role in SIGNUP_ROLES:
                    user_grant_role(user=user, role=role)
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render now, while the request and its objects are at hand, and write the email to the
        outbox in the current transaction (accounts.mail): a slow or dead mail server or broker never
        holds up or breaks a sign-in page, and the code or link never travels through the broker."""
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        alternatives = getattr(message, "alternatives", [])
        html = next((body for body, mime in alternatives if mime == "text/html"), "")
        user = context.get("user")
        account_mail_queue(
            AccountMail(
                recipient=email,
                subject=message.subject,
                text=message.body,
                html=html,
                headers=dict(message.extra_headers),
                user=user if isinstance(user, User) and user.pk else None,
                language=translation.get_language(),
            )
        )
