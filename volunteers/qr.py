"""QR codes as inline SVG, drawn on the server (no script, no image request, prints sharply)."""

import re

import qrcode
import qrcode.image.svg
from django.utils.html import escape


def qr_svg(data: str, *, title: str) -> str:
    """An SVG <svg> element encoding `data`, with an accessible name, sized by CSS (class "qr").
    Safe to mark safe: the only text in it besides the drawing is `title`, escaped here."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    svg = svg[svg.index("<svg") :]  # no XML declaration inside HTML
    svg = re.sub(r' width="[^"]*" height="[^"]*"', ' class="qr"', svg, count=1)
    return svg.replace("<svg", f'<svg role="img" aria-label="{escape(title)}"', 1)
