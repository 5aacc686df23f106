"""Content-Security-Policy helpers (the policy itself is settings.CONTENT_SECURITY_POLICY)."""

import base64
import hashlib
from html.parser import HTMLParser


def _hash(source: str) -> str:
    digest = hashlib.sha256(source.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


class _StyleCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sources: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.sources.extend(value for name, value in attrs if name == "style" and value)
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.sources.append(data)


def inline_style_hashes(html: str) -> list[str]:
    """The CSP source expressions ('sha256-…') of every style attribute and <style> element of
    `html`, for a response that must show a document written with inline styles (an email) and allow
    those styles only. A style attribute needs 'unsafe-hashes' next to its hash."""
    collector = _StyleCollector()
    collector.feed(html)
    return sorted({_hash(source) for source in collector.sources})
