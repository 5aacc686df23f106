"""System checks for what the shared helpers need from the machine."""

from django.core.checks import Error, register

from . import pdf


@register()
def pdf_fonts_installed(app_configs, **kwargs):
    """Receipts and statements must not print people's names as '?': say so at startup, not at the
    first receipt."""
    missing = pdf.missing_fonts()
    if not missing:
        return []
    return [
        Error(
            f"Fonts for PDF documents are not installed: {', '.join(missing)}.",
            hint=f"Install the Debian packages {pdf.FONT_PACKAGES} (scripts/debian-packages.sh --runtime).",
            id="core.E101",
        )
    ]


@register()
def public_cache_first_with_havens_locale(app_configs, **kwargs):
    """The shared copies are answered before any other middleware runs, keyed by the language that
    core.i18n.LocaleMiddleware chooses (core/public_cache.py works it out the same way): the cache
    middleware must come first, and that locale middleware must be the one choosing."""
    from django.conf import settings  # noqa: PLC0415

    middleware = list(settings.MIDDLEWARE)
    name = "core.public_cache.PublicPageCacheMiddleware"
    if name not in middleware:
        return []
    errors = []
    if middleware[0] != name:
        errors.append(
            Error(
                f"{name} is not first in MIDDLEWARE: a cached page would skip what the middleware "
                f"before it ({middleware[0]}) does on a full run, or be stored without it.",
                hint="Put it first in MIDDLEWARE.",
                id="core.E102",
            )
        )
    others = [m for m in middleware if m.endswith("LocaleMiddleware") and m != "core.i18n.LocaleMiddleware"]
    if others or "core.i18n.LocaleMiddleware" not in middleware:
        errors.append(
            Error(
                "The page cache works out the language as core.i18n.LocaleMiddleware does; "
                f"MIDDLEWARE chooses it with {', '.join(others) or 'nothing'}.",
                hint="Use core.i18n.LocaleMiddleware alone.",
                id="core.E103",
            )
        )
    return errors
