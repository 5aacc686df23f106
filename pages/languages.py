"""The languages a partner service can be listed as helping in, and their names.

Entries store language codes (BCP 47: "es", "vi", "ase" for American Sign Language); a name is
looked up in CLDR's tables (Babel) in the visitor's language when shown, so no name needs
translating by hand. Which codes staff can choose from is HAVEN_DIRECTORY_LANGUAGES."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from django.conf import settings
from django.utils.translation import get_language


def directory_language_codes() -> list[str]:
    return list(settings.HAVEN_DIRECTORY_LANGUAGES)


def language_name(code: str, *, language: str | None = None) -> str:
    """`code`'s name in `language` (default: the active language), then in English, then the code."""
    shown_in = (language or get_language() or "en").replace("-", "_")
    for locale_code in (shown_in, "en"):
        try:
            name = Locale.parse(locale_code).languages.get(code)
        except (UnknownLocaleError, ValueError):
            continue
        if name:
            return name[:1].upper() + name[1:]
    return code


def language_choices() -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code in directory_language_codes()]
