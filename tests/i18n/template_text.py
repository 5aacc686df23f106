"""The words a template shows that do not go through translation: text outside {% translate %} and
{% blocktranslate %} (and outside tags, comments, scripts and styles), plus the text-bearing
attributes (title, alt, placeholder, aria-label, aria-description, a meta description's content).

Read from the template's source with Django's own lexer, so {% if %} branches, includes and emails
are all covered without rendering them with data. Template variables ({{ name }}) are data or
translated in Python, and count as nothing here."""

from __future__ import annotations

import re
from pathlib import Path

from django.template.base import Lexer, TokenType

HOLE = "\x00"  # where a variable or tag stood
# Blocks whose content is not shown as text: CSS classes, allauth's element tags, URLs.
NON_TEXT_BLOCKS = {"main_class", "extra_tags", "action_url", "body_class"}
_ATTRIBUTE = re.compile(
    r"""\b(title|alt|placeholder|aria-label|aria-description|label)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I
)
_META_DESCRIPTION = re.compile(r"""<meta\b[^>]*name=["']description["'][^>]*content=["']([^"']*)["']""", re.I)
_WORD = re.compile(r"[^\W\d_]{2,}")
_ENTITY = re.compile(r"&[a-zA-Z]+;|&#\d+;|&#x[0-9a-fA-F]+;")


def untranslated_words(source: str) -> list[str]:
    """The words of `source` (a template) a reader sees that are not translated."""
    visible = _visible_source(source)
    words: list[str] = []
    for match in _META_DESCRIPTION.finditer(visible):
        words += _words(match.group(1))
    for tag in re.finditer(r"<[^>]*>", visible):
        for match in _ATTRIBUTE.finditer(tag.group(0)):
            words += _words(match.group(2) or match.group(3) or "")
    text = re.sub(r"<[^>]*>", " ", visible)
    words += _words(text)
    return words


def _words(text: str) -> list[str]:
    return _WORD.findall(_ENTITY.sub(" ", text.replace(HOLE, " ")))


def _visible_source(source: str) -> str:
    """The template's text, with every tag, variable, comment and translated block replaced by HOLE
    and scripts, styles and HTML comments removed."""
    parts: list[str] = []
    skip_until: str | None = None
    for token in Lexer(source).tokenize():
        if skip_until is not None:
            if token.token_type is TokenType.BLOCK and token.contents.split()[:1] == [skip_until]:
                skip_until = None
            continue
        if token.token_type is TokenType.TEXT:
            parts.append(token.contents)
            continue
        parts.append(HOLE)
        if token.token_type is TokenType.BLOCK:
            name = (token.contents.split() or [""])[0]
            if name in ("blocktranslate", "blocktrans"):
                skip_until = "endblocktranslate" if name == "blocktranslate" else "endblocktrans"
            elif name == "comment":
                skip_until = "endcomment"
            elif name == "verbatim":
                skip_until = "endverbatim"
            elif (
                name == "block"
                and token.contents.split()[1:2]
                and token.contents.split()[1] in NON_TEXT_BLOCKS
            ):
                skip_until = "endblock"
            elif name == "setvar" and token.contents.split()[1:2] and "tags" in token.contents.split()[1]:
                skip_until = "endsetvar"
    text = "".join(parts)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1\s*>", " ", text, flags=re.S | re.I)
    return text


def template_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in {".html", ".txt"} and p.is_file())
