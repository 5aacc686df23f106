"""Documents people keep (receipts, statements, letters), on top of fpdf2.

Two things every such document needs and fpdf2 leaves to its caller:

- **Fonts that cover the names people have.** Noto Sans for Latin (Vietnamese included), Greek and
  Cyrillic; Noto Sans Arabic and Noto Sans CJK SC are required too, further Noto scripts are used when
  installed. Only the fonts a document's text needs are loaded into it, so a Latin-only receipt does not
  pay for the 20 MB Chinese font. Text is shaped with HarfBuzz (Arabic joins and runs right to left
  inside a left-to-right line). Without the required fonts a document raises `FontsMissing` instead of
  printing `?` (the Debian packages are in `scripts/debian-packages.sh`).
- **Layout that measures text.** `key_values` rows and `table` columns are as wide as their content,
  long text wraps inside its own column, and a table that runs onto a new page repeats its headings.

Same content, same bytes: the creation date is fixed and fonts are chosen in a fixed order, so a stored
hash can be checked against a fresh copy. This module imports no project app; callers pass every
user-facing string in (so each document keeps its words in one place, ready for translation).
"""

from __future__ import annotations

import datetime
import functools
import logging
import shutil
import subprocess
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from django.core.exceptions import ImproperlyConfigured
from fontTools.ttLib import TTCollection, TTFont
from fpdf import FPDF, FontFace
from fpdf.enums import CellBordersLayout, TableCellFillMode, VAlign

logger = logging.getLogger(__name__)

# fpdf2 subsets fonts with fontTools, which logs every glyph at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

PRIMARY_FAMILY = "Noto Sans"
# Without these a document refuses to render: Latin (with Vietnamese), Arabic and Chinese names.
REQUIRED_FAMILIES = (PRIMARY_FAMILY, "Noto Sans Arabic", "Noto Sans CJK SC")
# Used when installed (Debian's fonts-noto-core has them all), for the characters the ones before lack.
# The order decides which font draws a character two of them have.
OPTIONAL_FAMILIES = (
    "Noto Sans Hebrew",
    "Noto Sans Devanagari",
    "Noto Sans Bengali",
    "Noto Sans Gurmukhi",
    "Noto Sans Gujarati",
    "Noto Sans Tamil",
    "Noto Sans Telugu",
    "Noto Sans Kannada",
    "Noto Sans Malayalam",
    "Noto Sans Sinhala",
    "Noto Sans Thai",
    "Noto Sans Lao",
    "Noto Sans Khmer",
    "Noto Sans Myanmar",
    "Noto Sans Ethiopic",
    "Noto Sans Armenian",
    "Noto Sans Georgian",
    "Noto Sans Symbols",
)
FALLBACK_FAMILIES = REQUIRED_FAMILIES[1:] + OPTIONAL_FAMILIES
FONT_PACKAGES = "fonts-noto-core fonts-noto-cjk"

# Where Debian's fonts-noto-core and fonts-noto-cjk put them; fontconfig is asked when they are not there.
_FONT_ROOTS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
_CJK_COLLECTIONS = {"": "opentype/noto/NotoSansCJK-Regular.ttc", "B": "opentype/noto/NotoSansCJK-Bold.ttc"}

# Characters that never need a glyph of their own.
_INVISIBLE = {"\n", "\r", "\t", "\u00ad", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\ufeff"}
_INVISIBLE |= {chr(c) for c in range(0x202A, 0x202F)} | {chr(c) for c in range(0x2066, 0x206A)}


class FontsMissing(ImproperlyConfigured):
    """A required font is not installed: a document would print `?` or nothing for people's names."""


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int = 0  # the face in a .ttc collection


@dataclass(frozen=True)
class FontFamily:
    name: str
    regular: FontFile
    bold: FontFile | None

    @property
    def key(self) -> str:
        """fpdf2's name for it: lower case, no spaces."""
        return self.name.lower().replace(" ", "")


def _collection_index(path: Path, family: str) -> int | None:
    """The face of a .ttc collection whose family name is `family`."""
    collection = TTCollection(str(path), lazy=True)
    try:
        for index, face in enumerate(collection.fonts):
            names = {face["name"].getDebugName(name_id) for name_id in (1, 16)}
            if family in names:
                return index
    finally:
        collection.close()
    return None


def _debian_file(family: str, style: str) -> FontFile | None:
    for root in _FONT_ROOTS:
        if family.startswith("Noto Sans CJK"):
            path = root / _CJK_COLLECTIONS[style]
            if path.is_file():
                index = _collection_index(path, family)
                if index is not None:
                    return FontFile(str(path), index)
            continue
        stem = family.replace(" ", "") + ("-Bold" if style == "B" else "-Regular")
        for sub in ("truetype/noto", "opentype/noto"):
            for ext in (".ttf", ".otf"):
                path = root / sub / (stem + ext)
                if path.is_file():
                    return FontFile(str(path))
    return None


@functools.cache
def _fontconfig_faces() -> tuple[tuple[frozenset[str], int, int, int, FontFile], ...]:
    """Every face fontconfig knows: (family names, weight, slant, width, file)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ()
    fields = "%{family}\t%{weight}\t%{slant}\t%{width}\t%{file}\t%{index}\n"
    try:
        listing = subprocess.run(  # noqa: S603 (a fixed command, no shell)
            [fc_list, "--format", fields], capture_output=True, text=True, timeout=20, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        logger.warning("fc-list failed; PDF fonts are looked for in Debian's paths only", exc_info=True)
        return ()
    faces = []
    for line in sorted(listing.splitlines()):
        parts = line.split("\t")
        if len(parts) != 6 or not parts[5].isdigit():
            continue
        try:
            weight, slant, width = (int(float(v)) for v in parts[1:4])
        except ValueError:
            continue  # a variable font lists ranges; our documents use static faces
        names = frozenset(name.strip() for name in parts[0].split(","))
        faces.append((names, weight, slant, width, FontFile(parts[4], int(parts[5]))))
    return tuple(faces)


def _fontconfig_file(family: str, style: str) -> FontFile | None:
    # fontconfig's scale: regular 80, bold 200; roman slant 0; normal width 100.
    weight = 200 if style == "B" else 80
    for names, face_weight, slant, width, file in _fontconfig_faces():
        if family in names and face_weight == weight and slant == 0 and width == 100:
            return file
    return None


@functools.cache
def find_family(name: str) -> FontFamily | None:
    """The regular and bold files of a font family: Debian's paths first, then fontconfig's list."""
    regular = _debian_file(name, "") or _fontconfig_file(name, "")
    if regular is None:
        return None
    return FontFamily(name, regular, _debian_file(name, "B") or _fontconfig_file(name, "B"))


def missing_fonts() -> list[str]:
    """Required families (regular and bold) that are not installed; empty when documents can render."""
    missing = []
    for name in REQUIRED_FAMILIES:
        family = find_family(name)
        if family is None:
            missing.append(name)
        elif family.bold is None:
            missing.append(f"{name} Bold")
    return missing


def require_fonts() -> None:
    missing = missing_fonts()
    if missing:
        raise FontsMissing(
            f"PDF fonts not installed: {', '.join(missing)}. Install the Debian packages {FONT_PACKAGES} "
            "(scripts/debian-packages.sh does); documents would print people's names as '?'."
        )


@functools.cache
def font_coverage(file: FontFile) -> frozenset[int]:
    """The code points a font file has glyphs for (read once per process)."""
    font = TTFont(file.path, fontNumber=file.index, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


@functools.cache
def family_for(code: int) -> FontFamily | None:
    """The first installed family (primary, then fallbacks in order) with a glyph for `code`."""
    for name in (PRIMARY_FAMILY, *FALLBACK_FAMILIES):
        family = find_family(name)
        if family is not None and code in font_coverage(family.regular):
            return family
    return None


def needs_shaping(char: str) -> bool:
    """Whether HarfBuzz must place this character: right-to-left and joining scripts (Hebrew, Arabic),
    Indic and South-East Asian scripts, Hangul jamo, combining marks. Latin (Vietnamese included once
    in NFC), Greek, Cyrillic and CJK come out right without it, and a table draws three times faster."""
    code = ord(char)
    return (
        bool(unicodedata.combining(char))
        or 0x0590 <= code < 0x1E00
        or 0xA800 <= code < 0xAB00
        or 0xFB1D <= code < 0xFF00
        or code >= 0x10000
    )


# --- layout ----------------------------------------------------------------------------------------

Align = Literal["LEFT", "RIGHT", "CENTER"]


@dataclass(frozen=True)
class Column:
    heading: str
    align: Align = "LEFT"
    # False: the column is as wide as its widest cell and never wraps (dates, numbers, amounts).
    # True: it takes the width left over and wraps long text onto more lines.
    wrap: bool = False


@dataclass(frozen=True)
class Cell:
    text: str
    colspan: int = 1


@dataclass(frozen=True)
class Row:
    cells: Sequence[str | Cell]
    bold: bool = False
    rule_above: bool = False


# Sizes in points; distances in millimetres.
BODY_SIZE = 10
SMALL_SIZE = 8.5
TITLE_SIZE = 15
LETTERHEAD_SIZE = 16
MUTED = (85, 85, 85)
RULE = (150, 150, 150)
ZEBRA = (243, 244, 246)
PAD_X, PAD_Y = 1.8, 1.2
LINE_HEIGHT = 1.35  # times the font size


_PRIMARY_KEY = PRIMARY_FAMILY.lower().replace(" ", "")


class _PDF(FPDF):
    """fpdf2 with a footer: a caller's text, then "page X of Y"."""

    footer_text = ""
    page_label = ""

    def footer(self) -> None:
        if not (self.footer_text or self.page_label):
            return
        self.set_y(-14)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.y, self.w - self.r_margin, self.y)
        self.set_y(-12)
        self.set_text_color(*MUTED)
        # One left-aligned line: fpdf2 fills in the page count ("{nb}") when the document is done,
        # in the space the alias took, so anything right-aligned after it would sit off the margin.
        label = self.page_label.format(page=self.page_no(), pages=self.str_alias_nb_pages)
        line = " · ".join(part for part in (self.footer_text, label) if part)
        size = SMALL_SIZE
        self.set_font(_PRIMARY_KEY, "", size)
        while size > 6 and self.get_string_width(line) > self.epw - 4:
            size -= 0.5  # a long legal name: smaller rather than off the page
            self.set_font(_PRIMARY_KEY, "", size)
        self.cell(self.epw, 5, line, align="L")
        self.set_text_color(0, 0, 0)


class Document:
    """One document being written. Every text goes through here, so the fonts it needs are loaded
    first and characters no installed font has are logged (by code point, never the text)."""

    def __init__(
        self, *, title: str, author: str, footer: str = "", page_label: str = "", page_format: str = "Letter"
    ):
        require_fonts()
        self.pdf = _PDF(format=page_format)
        # A fixed creation date keeps the bytes (and the stored hash) the same for the same content.
        self.pdf.set_creation_date(datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))
        self.pdf.set_margins(20, 18, 20)
        self.pdf.set_auto_page_break(True, margin=20)
        self.pdf.set_title(unicodedata.normalize("NFC", title))
        self.pdf.set_author(unicodedata.normalize("NFC", author))
        self.font = _PRIMARY_KEY
        self.missing_characters: set[str] = set()
        self.shaped = False
        self._loaded: set[tuple[str, str]] = set()
        self._fallbacks: list[FontFamily] = []
        primary = find_family(PRIMARY_FAMILY)
        self._load(primary, "")
        self._load(primary, "B")
        self.pdf.footer_text = self._prepare(footer)
        self.pdf.page_label = self._prepare(page_label)
        self.pdf.add_page()
        self._set_font(BODY_SIZE)

    @property
    def width(self) -> float:
        """The width between the margins, in millimetres."""
        return self.pdf.epw

    # --- fonts --------------------------------------------------------------------------------

    def _load(self, family: FontFamily | None, style: str) -> None:
        """Add one face to the document (once), keeping fallbacks in the configured order."""
        assert family is not None  # require_fonts() checked the required ones
        if (family.name, style) in self._loaded:
            return
        file = (family.bold or family.regular) if style == "B" else family.regular
        self.pdf.add_font(family.key, style, file.path, collection_font_number=file.index)
        self._loaded.add((family.name, style))
        if family.name != PRIMARY_FAMILY:
            if family not in self._fallbacks:
                self._fallbacks.append(family)
                order = {name: i for i, name in enumerate(FALLBACK_FAMILIES)}
                self._fallbacks.sort(key=lambda f: order[f.name])
            # fpdf2 takes every face of a family loaded so far: set again when a weight is added.
            self.pdf.set_fallback_fonts([f.key for f in self._fallbacks], exact_match=False)

    def _prepare(self, text: str, *, bold: bool = False) -> str:
        """The text in NFC, with a face loaded for each of its characters in the weight it is drawn
        in, and HarfBuzz switched on from the first text that needs it."""
        text = unicodedata.normalize("NFC", str(text))
        for char in sorted(set(text) - _INVISIBLE):
            if char.isspace():
                continue
            if not self.shaped and needs_shaping(char):
                self.pdf.set_text_shaping(True)
                self.shaped = True
            family = family_for(ord(char))
            if family is not None:
                self._load(family, "B" if bold else "")
            elif char not in self.missing_characters:
                logger.warning("No installed font has U+%04X; the PDF leaves it out", ord(char))
                self.missing_characters.add(char)
        return text

    def _set_font(self, size: float, *, bold: bool = False) -> None:
        self.pdf.set_font(self.font, "B" if bold else "", size)

    # --- blocks -------------------------------------------------------------------------------

    def space(self, height: float = 4) -> None:
        self.pdf.ln(height)

    def text(
        self, text: str, *, size: float = BODY_SIZE, bold: bool = False, muted: bool = False, after: float = 0
    ) -> None:
        """A paragraph across the page, wrapped at words."""
        text = self._prepare(text, bold=bold)
        self._set_font(size, bold=bold)
        if muted:
            self.pdf.set_text_color(*MUTED)
        self.pdf.multi_cell(0, size * LINE_HEIGHT * 0.3528, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_text_color(0, 0, 0)
        if after:
            self.space(after)

    def letterhead(self, name: str, lines: Sequence[str]) -> None:
        """The organisation's name large, its details small beneath, and a rule."""
        self.text(name, size=LETTERHEAD_SIZE, bold=True, after=1)
        for line in lines:
            self.text(line, size=SMALL_SIZE + 0.5, muted=True)
        self.space(3)
        self.rule()
        self.space(5)

    def title(self, text: str) -> None:
        self.text(text, size=TITLE_SIZE, bold=True, after=3)

    def heading(self, text: str) -> None:
        """A section heading, kept on the same page as the start of its section."""
        if self.pdf.will_page_break(25):
            self.pdf.add_page()
        self.space(2)
        self.text(text, size=BODY_SIZE + 2, bold=True, after=1.5)

    def rule(self) -> None:
        self.pdf.set_draw_color(*RULE)
        self.pdf.set_line_width(0.3)
        self.pdf.line(self.pdf.l_margin, self.pdf.y, self.pdf.w - self.pdf.r_margin, self.pdf.y)

    def key_values(self, rows: Sequence[tuple[str, str]], *, size: float = BODY_SIZE) -> None:
        """Label / value lines: the label column as wide as the widest label (at most 40 % of the
        page), the value in the rest, both wrapping when they must."""
        rows = [(self._prepare(label, bold=True), self._prepare(value)) for label, value in rows]
        if not rows:
            return
        self._set_font(size, bold=True)
        label_width = max((self._line_width(label) for label, _ in rows), default=0) + 2 * PAD_X + 4
        label_width = min(label_width, self.width * 0.4)
        self._set_font(size)
        with self.pdf.table(
            col_widths=(label_width, self.width - label_width),
            width=self.width,
            first_row_as_headings=False,
            borders_layout="NONE",
            text_align=("LEFT", "LEFT"),
            v_align=VAlign.T,
            line_height=size * LINE_HEIGHT * 0.3528,
            padding=(PAD_Y * 0.6, PAD_X, PAD_Y * 0.6, 0),
            align="LEFT",
        ) as table:
            for label, value in rows:
                row = table.row()
                row.cell(label, style=FontFace(emphasis="BOLD"))
                row.cell(value)

    def table(self, columns: Sequence[Column], rows: Sequence[Row], *, size: float = BODY_SIZE - 0.5) -> None:
        """A table whose columns fit their content (see `fit_columns`); rows never overlap, and the
        heading row is repeated on every page the table runs onto."""
        columns = [Column(self._prepare(c.heading, bold=True), c.align, c.wrap) for c in columns]
        rows = [
            Row(
                [self._cell(c, bold=row.bold) for c in row.cells],
                bold=row.bold,
                rule_above=row.rule_above,
            )
            for row in rows
        ]
        widths = self._column_widths(columns, rows, size)
        line_height = size * LINE_HEIGHT * 0.3528
        self._set_font(size)
        self.pdf.set_draw_color(*RULE)
        self.pdf.set_line_width(0.3)
        with self.pdf.table(
            col_widths=widths,
            width=sum(widths),
            align="LEFT",
            borders_layout="NONE",
            text_align=[c.align for c in columns],
            v_align=VAlign.T,
            line_height=line_height,
            padding=(PAD_Y, PAD_X, PAD_Y, PAD_X),
            headings_style=FontFace(emphasis="BOLD"),
            cell_fill_color=ZEBRA,
            cell_fill_mode=TableCellFillMode.EVEN_ROWS,
            repeat_headings=1,
        ) as table:
            heading = table.row()
            for column in columns:
                heading.cell(column.heading, border=CellBordersLayout.BOTTOM)
            for row in rows:
                line = table.row(style=FontFace(emphasis="BOLD") if row.bold else None)
                for cell in row.cells:
                    border = CellBordersLayout.TOP if row.rule_above else CellBordersLayout.NONE
                    line.cell(cell.text, colspan=cell.colspan, border=border)

    def output(self) -> bytes:
        return bytes(self.pdf.output())

    # --- measuring ----------------------------------------------------------------------------

    def _cell(self, cell: str | Cell, *, bold: bool) -> Cell:
        cell = cell if isinstance(cell, Cell) else Cell(cell)
        return Cell(self._prepare(cell.text, bold=bold), cell.colspan)

    def _line_width(self, text: str) -> float:
        return max((self.pdf.get_string_width(line) for line in text.split("\n")), default=0)

    def _longest_word(self, text: str) -> float:
        return max((self.pdf.get_string_width(word) for word in text.split()), default=0)

    def _column_widths(self, columns: Sequence[Column], rows: Sequence[Row], size: float) -> list[float]:
        count = len(columns)
        natural, shortest = [0.0] * count, [0.0] * count
        self._set_font(size, bold=True)
        for i, column in enumerate(columns):
            natural[i] = self._line_width(column.heading)
            shortest[i] = self._longest_word(column.heading)
        for row in rows:
            self._set_font(size, bold=row.bold)
            i = 0
            for cell in row.cells:
                if cell.colspan == 1 and i < count:
                    natural[i] = max(natural[i], self._line_width(cell.text))
                    shortest[i] = max(shortest[i], self._longest_word(cell.text))
                i += cell.colspan
        pad = 2 * PAD_X + 0.5
        return fit_columns(
            natural=[w + pad for w in natural],
            shortest=[w + pad for w in shortest],
            wrap=[c.wrap for c in columns],
            available=self.width,
        )


def fit_columns(
    *, natural: Sequence[float], shortest: Sequence[float], wrap: Sequence[bool], available: float
) -> list[float]:
    """Column widths that add up to `available`.

    `natural` is each column's width on one line, `shortest` the width of its longest word. Columns
    that do not wrap get their natural width; wrapping ones share what is left, each at least its
    longest word where possible. Spare room goes to the wrapping columns (or the first column), so a
    table spans the page. When even that cannot fit, every column wraps, in proportion to its content.
    """
    count = len(natural)
    if count == 0:
        return []
    fixed = sum(w for w, wraps in zip(natural, wrap, strict=True) if not wraps)
    flexible = [i for i in range(count) if wrap[i]]
    if sum(natural) <= available:
        widths = list(natural)
        grow = flexible or [0]
        share = sum(natural[i] for i in grow) or 1
        spare = available - sum(natural)
        for i in grow:
            widths[i] += spare * natural[i] / share
        return widths
    room = available - fixed
    floor = sum(shortest[i] for i in flexible)
    if flexible and room >= floor:
        widths = list(natural)
        extra = [natural[i] - shortest[i] for i in flexible]
        spare, share = room - floor, sum(extra) or 1
        for i, more in zip(flexible, extra, strict=True):
            widths[i] = shortest[i] + spare * more / share
        return widths
    total = sum(natural)
    return [available * w / total for w in natural]
