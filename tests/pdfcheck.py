"""Reading generated PDFs back, for tests: the words on each page with their boxes (PDFium, the engine
Chrome uses, through pypdfium2), overlapping words, and which characters the embedded fonts really
have glyphs for (the font programs read with fontTools, their maps with pypdf).

pdfminer/pdfplumber are not used: they look fpdf2's CJK font up by CID instead of by character code
and lose Chinese text, so a test built on them could not check a Chinese name."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont
from pypdf import PdfReader

POINTS_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    left: float
    bottom: float
    right: float
    top: float

    def overlaps(self, other: Word, tolerance: float = 0.1) -> bool:
        return (
            self.page == other.page
            and min(self.right, other.right) - max(self.left, other.left) > tolerance
            and min(self.top, other.top) - max(self.bottom, other.bottom) > tolerance
        )


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    text: str
    words: list[Word]


def pages(content: bytes) -> list[Page]:
    """Every page's text (in PDFium's reading order) and its words, in drawing order.

    A word is a run of drawn characters with no whitespace, on one baseline, each next to the one
    before (either side, so right-to-left runs count too). Two cells drawn into each other therefore
    come out as separate words whose boxes overlap, not as one merged word. (Text that merely touches
    the next cell's, with no gap, comes out as one word: check such neighbours by their words.)"""
    document = pdfium.PdfDocument(content)
    result = []
    try:
        for number in range(len(document)):
            page = document[number]
            textpage = page.get_textpage()
            words: list[Word] = []
            current: list[tuple[str, tuple[float, float, float, float]]] = []
            size = 0.0

            def flush(current=current, words=words, number=number):
                if current:
                    boxes = [box for _, box in current]
                    words.append(
                        Word(
                            number + 1,
                            "".join(char for char, _ in current),
                            min(b[0] for b in boxes),
                            min(b[1] for b in boxes),
                            max(b[2] for b in boxes),
                            max(b[3] for b in boxes),
                        )
                    )
                    current.clear()

            for i in range(textpage.count_chars()):
                char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i))
                if pdfium_c.FPDFText_IsGenerated(textpage.raw, i) == 1 or char.isspace():
                    flush()
                    continue
                box = textpage.get_charbox(i)
                if box[2] - box[0] <= 0 and box[3] - box[1] <= 0:
                    continue  # a zero-size glyph (a joiner or mark folded into its base)
                size = pdfium_c.FPDFText_GetFontSize(textpage.raw, i) or size
                if current:
                    last = current[-1][1]
                    same_line = abs(box[1] - last[1]) <= 0.6 * size
                    # Left to right, the next letter starts where the last ended (kerning may pull it
                    # back a little); right to left, joined letters overlap a little more. A ligature
                    # ("ffi") gives each of its characters the glyph's box. Anything else, such as a
                    # cell's text starting half a word back over the cell before, starts a new word.
                    ltr = box[0] > last[0] and -0.15 * size <= box[0] - last[2] <= 0.35 * size
                    rtl = box[0] < last[0] and -0.25 * size <= last[0] - box[2] <= 0.35 * size
                    same_glyph = abs(box[0] - last[0]) < 0.01 and abs(box[2] - last[2]) < 0.01
                    # A mark (Thai vowels above, Devanagari vowel signs, accents) sits on its letter.
                    mark = unicodedata.category(char).startswith("M")
                    if not (mark or (same_line and (ltr or rtl or same_glyph))):
                        flush()
                current.append((char, box))
            flush()
            width, height = page.get_size()
            page_text = textpage.get_text_range().replace("\r\n", "\n")
            result.append(Page(number + 1, width, height, page_text, words))
    finally:
        document.close()
    return result


def all_words(content: bytes) -> list[Word]:
    return [word for page in pages(content) for word in page.words]


def text(content: bytes) -> str:
    return "\n".join(page.text for page in pages(content))


def overlapping_words(content: bytes) -> list[tuple[Word, Word]]:
    """Pairs of words whose boxes intersect."""
    words = all_words(content)
    found = []
    for i, word in enumerate(words):
        for other in words[i + 1 :]:
            if word.overlaps(other):
                found.append((word, other))
    return found


def words_outside(content: bytes, margin_mm: float) -> list[Word]:
    """Words that reach into the page's left or right margin (or off the page)."""
    outside = []
    for page in pages(content):
        low, high = margin_mm * POINTS_PER_MM, page.width - margin_mm * POINTS_PER_MM
        outside += [w for w in page.words if w.left < low - 0.5 or w.right > high + 0.5]
    return outside


# --- glyphs in the embedded fonts --------------------------------------------------------------


def _cmap_pairs(data: str, section: str) -> dict[int, int | str]:
    """The <code> → value entries of a CMap stream's `bfchar`/`cidchar` sections (and ranges)."""
    found: dict[int, int | str] = {}
    for block in re.findall(rf"begin{section}char(.*?)end{section}char", data, re.S):
        for code, value in re.findall(r"<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\d+)", block):
            found[int(code, 16)] = _cmap_value(value)
    for block in re.findall(rf"begin{section}range(.*?)end{section}range", data, re.S):
        for start, end, value in re.findall(
            r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\d+)", block
        ):
            first = _cmap_value(value)
            for offset, code in enumerate(range(int(start, 16), int(end, 16) + 1)):
                found[code] = chr(ord(first) + offset) if isinstance(first, str) else first + offset
    return found


def _cmap_value(value: str) -> int | str:
    if value.startswith("<"):
        return bytes.fromhex(value[1:-1]).decode("utf-16-be")
    return int(value)


def drawn_characters(content: bytes) -> set[str]:
    """Characters some embedded font maps (through its ToUnicode map) to a real glyph: one that is
    not .notdef and has an outline in the embedded font program."""
    reader = PdfReader(io.BytesIO(content))
    seen_fonts: set[int] = set()
    drawn: set[str] = set()
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            if ref.idnum in seen_fonts:
                continue
            seen_fonts.add(ref.idnum)
            drawn |= _font_characters(ref.get_object())
    return drawn


def _font_characters(font) -> set[str]:
    to_unicode = _cmap_pairs(font["/ToUnicode"].get_object().get_data().decode("latin-1"), "bf")
    descendant = font["/DescendantFonts"][0].get_object()
    descriptor = descendant["/FontDescriptor"].get_object()
    encoding = font["/Encoding"]
    code_to_cid = (
        {code: code for code in to_unicode}
        if encoding == "/Identity-H"
        else _cmap_pairs(encoding.get_object().get_data().decode("latin-1"), "cid")
    )
    chars = set()
    if "/FontFile2" in descriptor:  # TrueType outlines
        program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
        order, glyf = program.getGlyphOrder(), program["glyf"]
        gid_map = descendant.get("/CIDToGIDMap")
        gid_bytes = (
            gid_map.get_object().get_data() if gid_map is not None and gid_map != "/Identity" else None
        )
        for code, value in to_unicode.items():
            cid = code_to_cid.get(code)
            if cid is None:
                continue
            gid = int.from_bytes(gid_bytes[2 * cid : 2 * cid + 2], "big") if gid_bytes else cid
            if 0 < gid < len(order) and glyf[order[gid]].numberOfContours != 0:
                chars |= set(str(value))
    elif "/FontFile3" in descriptor:  # CFF outlines, CID-keyed: glyph names are "cid<number>"
        cff = CFFFontSet()
        cff.decompile(io.BytesIO(descriptor["/FontFile3"].get_object().get_data()), None)
        top = cff[cff.fontNames[0]]
        strings = top.CharStrings
        for code, value in to_unicode.items():
            cid = code_to_cid.get(code)
            name = f"cid{cid:05d}" if isinstance(cid, int) else None
            if cid and name in strings and strings[name].calcBounds(strings) is not None:
                chars |= set(str(value))
    return chars
