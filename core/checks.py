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
def public_cache_after_session_and_locale(app_configs, **kwargs):
    """The shared copies are keyed by language and skipped for a session: the cache middleware must
    come after whatever sets those (core/public_cache.py)."""
    from django.conf import settings  # noqa: PLC0415

    middleware = list(settings.MIDDLEWARE)
    name = "core.public_cache.PublicPageCacheMiddleware"
    if name not in middleware:
        return []
    position = middleware.index(name)
    early = [
        m
        for m in middleware[position + 1 :]
        if m.endswith("LocaleMiddleware") or m.endswith("sessions.middleware.SessionMiddleware")
    ]
    if not early:
        return []
    return [
        Error(
            f"{name} comes before {', '.join(early)}: anonymous pages would be cached in the wrong language.",
            hint="Put it right after the session and locale middleware in MIDDLEWARE.",
            id="core.E102",
        )
    ]
