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
