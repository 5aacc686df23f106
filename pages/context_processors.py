from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from core.i18n import LANG_PARAM, language_alternates

from .navigation import navigation_items

HOTLINE = {
    "name": _("National Human Trafficking Hotline"),
    "phone": "1-888-373-7888",
    "phone_href": "tel:+18883737888",
    "tty": "711",
    "text": "233733",
    "text_href": "sms:233733",
}


def haven(request):
    user = getattr(request, "user", None)
    roles = user.roles if user is not None and user.is_authenticated else set()
    if user is not None and user.is_authenticated and user.is_superuser:
        roles = {"donor", "volunteer", "coordinator", "staff"}
    return {
        "org_name": settings.HAVEN_ORG_NAME,
        # The footer's legal line: the registered name (the public name when none is set).
        "org_legal": {
            "legal_name": settings.HAVEN_ORG_LEGAL_NAME or settings.HAVEN_ORG_NAME,
            "address": settings.HAVEN_ORG_ADDRESS,
            "tax_id": settings.HAVEN_ORG_TAX_ID,
        },
        "hotline": HOTLINE,
        "quick_exit_url": settings.HAVEN_QUICK_EXIT_URL,
        "nav_roles": roles,
        # Published pages for the main navigation, from the cache (no query on most requests).
        "nav_pages": SimpleLazyObject(navigation_items),
        # <link rel="alternate" hreflang> for each language, and where the switcher brings a person back.
        "language_alternates": SimpleLazyObject(lambda: language_alternates(request)),
        "language_next": SimpleLazyObject(lambda: _path_without_lang(request)),
    }


def _path_without_lang(request) -> str:
    query = request.GET.copy()
    query.pop(LANG_PARAM, None)
    return request.path + (f"?{query.urlencode()}" if query else "")
