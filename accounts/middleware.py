"""Staff and coordinators must have MFA enrolled before they use pages that show personal data."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _

from core.i18n import supported

# Paths a person without MFA may still reach, so that they can enrol (or leave).
_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/stripe/webhook/", "/i18n/")


class UserLanguageMiddleware:
    """A signed-in person's saved language, on a browser that has made no choice of its own (no
    ?lang= and no language cookie): their pages then read as their emails do. Runs after
    AuthenticationMiddleware; LocaleMiddleware's response step reads the language activated here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not getattr(request, "_haven_language_from_url", False)
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        ):
            saved = supported(user.language)
            if saved:
                translation.activate(saved)
                request.LANGUAGE_CODE = saved
        return self.get_response(request)


class RequireMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        required_roles = getattr(settings, "HAVEN_MFA_REQUIRED_ROLES", [])
        user = getattr(request, "user", None)
        if (
            required_roles
            and user is not None
            and user.is_authenticated
            and not request.path.startswith(_EXEMPT_PREFIXES)
            and (user.is_superuser or any(role in user.roles for role in required_roles))
            and not _has_mfa(user)
        ):
            messages.warning(request, _("Your role needs two-factor authentication. Please set it up first."))
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def _has_mfa(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
