"""A pseudo-locale for the tests: every translated string comes out between markers (⁅ ⁆), so any text a
page, an email or a PDF shows outside them did not go through translation.

The locale ("en-xa", the pseudo-English code Android and Chromium use) is built at test time from
the msgids of the catalogues a Spanish reader is served by: ours (locale/es/LC_MESSAGES/django.po and
djangojs.po, which list every string the code marks) and those of Django, its contrib apps and the
installed third-party apps (allauth's forms and messages, phone number errors). Each msgstr is
MARK_OPEN + msgid + MARK_CLOSE: %(name)s and {name} placeholders stay as they are, and plural entries
keep both forms (English plural rule). The .mo files go to a temporary directory put first in
LOCALE_PATHS, and the language is added to LANGUAGES, for the duration of `pseudo_locale()` only.

Django keeps translations in process-wide caches (trans_real._translations, the active language,
lru_caches of the supported languages): overriding LANGUAGES and LOCALE_PATHS clears them on the way
in and on the way out (Django's setting_changed receivers), and `_forget_translations` does it once
more explicitly, so nothing of the pseudo-locale outlives the block and no test depends on the order.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django.utils import translation

PSEUDO = "en-xa"
PSEUDO_NAME = "Pseudo"
# ⁅ ⁆: in no string of any catalogue, and drawn by the PDFs' font (Noto Sans), so they survive
# into a PDF's text.
MARK_OPEN, MARK_CLOSE = "\u2045", "\u2046"
DOMAINS = ("django", "djangojs")
_SOURCE_LANGUAGE = "es"  # the catalogues that list every string (any translated language would do)


def wrap(text: str) -> str:
    return f"{MARK_OPEN}{text}{MARK_CLOSE}"


def catalogue_sources(domain: str) -> list[Path]:
    """The .po files whose msgids the pseudo-locale translates: ours, Django's, each installed app's."""
    relative = Path(_SOURCE_LANGUAGE) / "LC_MESSAGES" / f"{domain}.po"
    roots = [Path(translation.trans_real.__file__).parents[2] / "conf" / "locale"]
    roots += [Path(config.path) / "locale" for config in apps.get_app_configs()]
    roots += [Path(path) for path in settings.LOCALE_PATHS]
    seen, found = set(), []
    for root in roots:
        path = (root / relative).resolve()
        if path.exists() and path not in seen:
            seen.add(path)
            found.append(path)
    return found


def pseudo_catalogue(domain: str) -> Catalog:
    pseudo = Catalog(locale="en", domain=domain, charset="utf-8")
    for path in catalogue_sources(domain):
        # babel prints a warning for each plural entry whose form count differs from its locale's
        with path.open("rb") as handle, contextlib.redirect_stdout(io.StringIO()):
            source = read_po(handle, locale=_SOURCE_LANGUAGE)
        for message in source:
            if not message.id:
                continue  # the header
            if isinstance(message.id, (tuple, list)):
                string = tuple(wrap(form) for form in message.id)
            else:
                string = wrap(message.id)
            pseudo.add(message.id, string, context=message.context)
    return pseudo


def build(directory: Path) -> Path:
    """Write <directory>/en_XA/LC_MESSAGES/<domain>.mo for every domain; returns `directory`."""
    messages = directory / translation.to_locale(PSEUDO) / "LC_MESSAGES"
    messages.mkdir(parents=True, exist_ok=True)
    for domain in DOMAINS:
        with (messages / f"{domain}.mo").open("wb") as handle:
            write_mo(handle, pseudo_catalogue(domain))
    return directory


def _forget_translations() -> None:
    trans_real = translation.trans_real
    trans_real._translations = {}
    trans_real._default = None
    trans_real.translation_catalog_exists.cache_clear()
    trans_real.get_languages.cache_clear()
    trans_real._get_supported_language_variant.cache_clear()


@contextlib.contextmanager
def pseudo_locale() -> Iterator[str]:
    """The pseudo-locale is a language of the site (and the active one) inside the block."""
    with tempfile.TemporaryDirectory(prefix="haven-pseudo-") as tmp:
        build(Path(tmp))
        overrides = override_settings(
            LANGUAGES=[*settings.LANGUAGES, (PSEUDO, PSEUDO_NAME)],
            LOCALE_PATHS=[tmp, *settings.LOCALE_PATHS],
        )
        with overrides:
            _forget_translations()
            cache.clear()  # pages and navigation cached in another language
            try:
                with translation.override(PSEUDO):
                    yield PSEUDO
            finally:
                cache.clear()
        _forget_translations()


# --- what a reader sees ---------------------------------------------------------------------------

# Attributes a reader sees or hears (a submit button's value is its label).
TEXT_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "aria-roledescription"}
HIDDEN_ELEMENTS = {"script", "style", "template", "noscript"}
VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
}  # fmt: skip


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.flow: list[str] = []  # text nodes, in document order
        self.texts: list[str] = []  # attributes
        self._hidden = 0
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag not in VOID_ELEMENTS:
            self._stack.append(tag)
            if tag in HIDDEN_ELEMENTS:
                self._hidden += 1
        if self._hidden:
            return
        for name, value in attrs:
            if name in TEXT_ATTRIBUTES and value:
                self.texts.append(value)
        if tag == "meta" and (attributes.get("name") or "").lower() == "description":
            self.texts.append(attributes.get("content") or "")
        # an input button shows its value (a <button>'s value is only sent, its content is shown)
        kind = (attributes.get("type") or "").lower()
        if tag == "input" and kind in ("submit", "button", "reset") and attributes.get("value"):
            self.texts.append(attributes["value"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS and self._stack and self._stack[-1] == tag:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID_ELEMENTS or tag not in self._stack:
            return
        while self._stack:
            top = self._stack.pop()
            if top in HIDDEN_ELEMENTS:
                self._hidden -= 1
            if top == tag:
                break

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.flow.append(data)


NODE = "\x1f"  # between two text nodes of a document's flow


def visible_texts(html: str) -> list[str]:
    """What an HTML document shows, scripts and styles left out: first its text nodes in document
    order, as one string (NODE between nodes: a translated string may hold markup, so its markers
    can be nodes apart), then each text-bearing attribute on its own."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return ([NODE.join(parser.flow)] if parser.flow else []) + parser.texts


def pdf_lines(content: bytes) -> list[str]:
    """A PDF's text (pypdf), its lines in order as one flow like a page's text nodes: a translated
    sentence wraps over lines."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    lines = [line for page in reader.pages for line in page.extract_text().splitlines() if line.strip()]
    return [NODE.join(lines)] if lines else []


# --- what is not translated -----------------------------------------------------------------------

_MARKED = re.compile(re.escape(MARK_OPEN) + f"[^{MARK_OPEN}{MARK_CLOSE}]*" + re.escape(MARK_CLOSE))
_WORD = re.compile(r"[^\W\d_]{2,}")
_SINGLE_WORD = re.compile(r"[^\W\d_]+")
# An address shown as text (a page's path, a website): not words.
_ADDRESS = re.compile(r"(?<![\w/])(?:https?://[^\s]+|/[\w\-./]*)")


class KnownContent:
    """Text that is not the site's to translate: what the database holds (names, titles, emails,
    staff-written pages: made by the factories and services of the test), the organisation's settings
    (its name, address, the hotline's number) and the languages' own names. Matched as whole strings
    (longest first, at word boundaries), never as loose words; a single lower-case word from the
    database (a stored code such as "email") only where it is a whole text node, so a code cannot
    hide the same word in an untranslated sentence (a one-word name, "Driver", counts anywhere)."""

    def __init__(self, strings: Iterable[str] = ()):
        self._anywhere: set[str] = set()
        self._whole: set[str] = set()
        self.add_settings(*strings)

    def add(self, *strings: str) -> None:
        """Content from the database."""
        for string in strings:
            for piece in _pieces(string):
                piece = " ".join(piece.split())
                if _WORD.search(piece):
                    code = _SINGLE_WORD.fullmatch(piece) and not piece[0].isupper()
                    (self._whole if code else self._anywhere).add(piece)
        self.__dict__.pop("_pattern", None)

    def add_settings(self, *strings: str) -> None:
        """The organisation's settings and locale data: matched anywhere."""
        self._anywhere.update(" ".join(s.split()) for s in strings if s and _WORD.search(s))
        self.__dict__.pop("_pattern", None)

    @functools.cached_property
    def _pattern(self) -> re.Pattern | None:
        if not self._anywhere:
            return None
        alternatives = sorted(self._anywhere, key=len, reverse=True)
        return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(s) for s in alternatives) + r")(?!\w)")

    def remove_from(self, text: str) -> str:
        rest = self._pattern.sub(" ", text) if self._pattern else text
        return "" if rest.strip(" ()[],.:;·–—-") in self._whole else rest


def _pieces(string: str) -> list[str]:
    """A value, and each of its lines and of the text nodes it renders to as Markdown (page bodies)."""
    from pages.markdown import render_markdown

    string = str(string)
    pieces = [string.strip()]
    if re.match(r"https?://", string):
        pieces.append(re.sub(r"^https?://(www\.)?", "", string).rstrip("/"))  # a website, as shown
    if "\n" in string or any(mark in string for mark in "*_#[`-"):
        pieces += [line.strip() for line in string.splitlines()]
        for text in visible_texts(render_markdown(string)):
            pieces += text.split(NODE)
    return [piece for piece in pieces if piece]


def without_marked(text: str) -> str:
    """`text` with every marked (translated) part taken out, innermost first (a translated sentence
    may hold a translated word in a placeholder)."""
    while True:
        stripped = _MARKED.sub(" ", text)
        if stripped == text:
            return text
        text = stripped


def untranslated(texts: Iterable[str], known: KnownContent) -> list[str]:
    """The pieces of `texts` with a word (two letters or more) that is neither translated nor known
    content; numbers, amounts, punctuation and marked text are fine."""
    found = []
    for text in texts:
        for piece in without_marked(text).split(NODE):
            rest = known.remove_from(" ".join(piece.split()))
            rest = _ADDRESS.sub(" ", rest)
            if _WORD.search(rest):
                found.append(" ".join(rest.split()))
    return found
