"""Markdown that staff write, turned into HTML that is safe to show to anyone.

Two well-kept libraries, one after the other: markdown-it-py (CommonMark, with raw HTML switched
off, so `<script>` typed into a page comes out as text) renders, and nh3 (the Ammonia sanitiser)
keeps only the tags and attributes listed here and links to http(s), mailto and tel (and to our own
pages by path). No images, iframes, scripts, styles, classes, ids or event handlers survive: a page
can never embed something from another site, so no page carries a tracker or a third-party embed.

A `#` heading becomes <h2> (like `##`), because the page's title is its only <h1>."""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"scope"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

# "js-default" is CommonMark with raw HTML off; tables and strikethrough on, typographer off.
_parser = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False}).enable("table")


def _demote_headings(tokens) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"


def sanitise_html(html: str) -> str:
    """Keeps only the allowed tags, attributes and link schemes; drops <script>, <style> and
    <iframe> with their content."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template", "noscript"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(text: str) -> SafeString:
    """Staff Markdown as sanitised HTML, ready for a template."""
    if not text:
        return mark_safe("")  # noqa: S308 - the empty string
    tokens = _parser.parse(text)
    _demote_headings(tokens)
    html = _parser.renderer.render(tokens, _parser.options, {})
    return mark_safe(sanitise_html(html))  # noqa: S308 - sanitised by nh3 just above
