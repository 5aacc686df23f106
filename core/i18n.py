"""The visitor's language, one place.

Order: `?lang=xx` in the address (what the hreflang alternates point at, so each language version of a
page has an address of its own), then the switcher's cookie (django_language), then the browser's
Accept-Language, then LANGUAGE_CODE. A signed-in person without the cookie gets the language saved on
their account (accounts.middleware.UserLanguageMiddleware). Django's LocaleMiddleware does the rest:
it activates the language, sets `Content-Language` and adds `Vary: Accept-Language, Cookie`, so a
cache keeps one copy per language.

Messages are rendered later, in a worker, in the recipient's language: `message_language(user)`.
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import formats, translation
from django.utils.cache import patch_vary_headers

LANG_PARAM = "lang"


def supported(code: str | None) -> str | None:
    """The supported language for `code` ("es-MX" -> "es"), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def default_language() -> str:
    return supported(settings.LANGUAGE_CODE) or settings.LANGUAGES[0][0]


def active_language() -> str:
    """The active language as one of LANGUAGES ("en", not "en-us")."""
    return supported(translation.get_language()) or default_language()


def message_language(user=None) -> str:
    """The language a message to `user` is written in: theirs when they chose one, else the active one
    (an anonymous donor's gift stores the language of the page they gave on)."""
    return supported(getattr(user, "language", None)) or active_language()


def local_format(name: str) -> str:
    """The active language's date format called `name` (core/formats/<lang>/formats.py: HAVEN_DATE,
    HAVEN_SHORT_DAY_TIME, ...); Django's own names (DATE_FORMAT, ...) through get_format."""
    if name in formats.FORMAT_SETTINGS:
        return formats.get_format(name)
    for module in formats.get_format_modules(lang=translation.get_language()):
        if hasattr(module, name):
            return getattr(module, name)
    raise ValueError(f"No date format named {name!r} in core/formats.")


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, plus `?lang=` first. No language prefix in paths: every address stays as it is."""

    def process_request(self, request):
        chosen = supported(request.GET.get(LANG_PARAM))
        if chosen is None:
            return super().process_request(request)
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
        request._haven_language_from_url = True
        return None

    def process_response(self, request, response):
        response = super().process_response(request, response)
        patch_vary_headers(response, ("Cookie",))
        return response


def language_alternates(request) -> list[dict[str, str]]:
    """The same page in each language, for <link rel="alternate" hreflang>: the path with ?lang=."""
    query = request.GET.copy()
    query.pop(LANG_PARAM, None)
    alternates = []
    for code, name in settings.LANGUAGES:
        params = query.copy()
        params[LANG_PARAM] = code
        alternates.append(
            {
                "code": code,
                "name": name,
                "url": request.build_absolute_uri(f"{request.path}?{params.urlencode()}"),
            }
        )
    base = query.urlencode()
    alternates.append(
        {
            "code": "x-default",
            "name": "",
            "url": request.build_absolute_uri(request.path + (f"?{base}" if base else "")),
        }
    )
    return alternates


__all__ = [
    "LANG_PARAM",
    "LocaleMiddleware",
    "active_language",
    "default_language",
    "language_alternates",
    "local_format",
    "message_language",
    "supported",
]


def in_default_language(model, values: dict) -> dict:
    """`values` for a model whose fields staff write per language (django-modeltranslation), with each
    translated field's plain name ("title") turned into its default-language column ("title_en").
    modeltranslation writes a plain name into the *active* language's column, so a staff member
    reading the site in Spanish would otherwise overwrite the Spanish text with the English one.
    Other languages' columns ("title_es") pass through as they are."""
    from modeltranslation.translator import NotRegistered, translator

    try:
        translated = set(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        return dict(values)
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    return {(f"{key}_{default}" if key in translated else key): value for key, value in values.items()}
