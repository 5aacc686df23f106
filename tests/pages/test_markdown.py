"""Staff Markdown comes out as safe HTML: no script, no javascript: link, no event handler, no
iframe, no image from anywhere, whatever is typed."""

from html.parser import HTMLParser

import pytest

from pages.markdown import ALLOWED_TAGS, render_markdown, sanitise_html


class _Elements(HTMLParser):
    """The elements and attributes a browser would build from the HTML (text stays text)."""

    def __init__(self, html):
        super().__init__()
        self.tags, self.attributes = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value) for name, value in attrs]


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert('x')</script>",
        "Hello <script src='https://tracker.example/t.js'></script>",
        "<img src=x onerror=alert(1)>",
        '<a href="https://ok.example" onclick="steal()">link</a>',
        '<iframe src="https://video.example/embed/1"></iframe>',
        "![a pixel](https://tracker.example/pixel.gif)",
        "<style>body{display:none}</style>",
        '<div style="background:url(https://tracker.example/x)">x</div>',
    ],
)
def test_nothing_that_runs_or_loads_from_elsewhere_survives(text):
    html = render_markdown(text)

    found = _Elements(html)
    assert set(found.tags) <= ALLOWED_TAGS, html
    assert not {"script", "iframe", "img", "style"} & set(found.tags), html
    assert all(name in ("href", "rel", "title") for _tag, name, _value in found.attributes), html
    assert "tracker.example/pixel" not in html


@pytest.mark.parametrize(
    "link",
    [
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](file:///etc/passwd)",
    ],
)
def test_links_to_anything_but_web_mail_and_phone_are_dropped(link):
    html = render_markdown(link)

    assert "href" not in html, html


def test_web_mail_phone_and_own_links_are_kept():
    html = render_markdown(
        "[site](https://partner.example.org) [mail](mailto:help@example.org) "
        "[call](tel:+18883737888) [ours](/find-help/)"
    )

    assert 'href="https://partner.example.org"' in html
    assert 'href="mailto:help@example.org"' in html
    assert 'href="tel:+18883737888"' in html
    assert 'href="/find-help/"' in html
    assert 'rel="noopener noreferrer"' in html  # a partner's site does not learn where the visitor came from


def test_the_sanitiser_alone_also_strips_raw_html_attacks():
    # Defence in depth: even HTML that reached the sanitiser (Markdown keeps raw HTML as text)
    html = sanitise_html(
        '<p onmouseover="x()">hi</p><a href="javascript:x()">a</a>'
        '<iframe src="//e"></iframe><script>x()</script>'
    )

    assert html == '<p>hi</p><a rel="noopener noreferrer">a</a>'


def test_markdown_formatting_works_and_headings_start_below_the_title():
    html = render_markdown("# Big\n\n## Section\n\n- **one**\n- *two*\n\n> quoted")

    assert "<h1>" not in html
    assert "<h2>Big</h2>" in html and "<h2>Section</h2>" in html
    assert "<strong>one</strong>" in html and "<em>two</em>" in html
    assert "<blockquote>" in html


def test_empty_text_is_empty():
    assert render_markdown("") == ""
