from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction

from core.http import client_ip

from .roles import SIGNUP_ROLES, user_grant_role


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return getattr(settings, "HAVEN_SIGNUP_OPEN", True)

    def get_client_ip(self, request) -> str:
        """allauth's rate limits (failed sign-ins per address, sign-ups, codes) count per client
        with the same helper as Haven's own limits, trusted-proxy aware."""
        return client_ip(request)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            # The sign-up form offers only self-service roles; anything else in the POST is ignored.
            for role in form.cleaned_data.get("roles") or ["donor"]:
                if role in SIGNUP_ROLES:
                    user_grant_role(user=user, role=role)
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render now, while the request and its objects are at hand; send from a Celery task after
        commit, so a slow or dead mail server never holds up (or breaks) a sign-in page."""
        from .tasks import email_send

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        alternatives = getattr(message, "alternatives", [])
        html = next((body for body, mime in alternatives if mime == "text/html"), None)
        payload = {
            "subject": message.subject,
            "body": message.body,
            "from_email": message.from_email,
            "to": list(message.to),
            "html": html,
            "headers": dict(message.extra_headers),
        }
        transaction.on_commit(lambda: email_send.delay(**payload))
