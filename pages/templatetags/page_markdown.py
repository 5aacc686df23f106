from django import template

from ..markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """Staff Markdown as sanitised HTML (pages.markdown says what is kept)."""
    return render_markdown(text or "")


@register.filter
def url_display(url: str) -> str:
    """A web address as people read it: without the scheme, "www." or a trailing slash."""
    shown = (url or "").removeprefix("https://").removeprefix("http://").removeprefix("www.")
    return shown.rstrip("/")
