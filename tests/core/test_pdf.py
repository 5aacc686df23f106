"""The shared PDF layout: fonts that cover people's names, columns measured from their content, tables
across pages. Every document is read back with PDFium (tests/pdfcheck.py), never trusted blind."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from core import pdf
from core.pdf import Cell, Column, Document, Row, fit_columns
from tests import pdfcheck

VIETNAMESE_CHINESE = "Nguyễn Thị Ánh · 王芳"
ARABIC = "فاطمة الزهراء"


def embedded_fonts(content: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(content))
    return {
        str(font.get_object()["/BaseFont"]).split("+", 1)[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }


def same_line(a: pdfcheck.Word, b: pdfcheck.Word) -> bool:
    return max(a.bottom, b.bottom) < min(a.top, b.top)


def document() -> Document:
    return Document(title="Test", author="Haven", footer="Haven · test", page_label="Page {page} of {pages}")


def test_the_required_fonts_are_installed():
    assert pdf.missing_fonts() == []


def test_a_latin_document_embeds_only_the_latin_font_and_is_not_shaped():
    # given a document whose text is all Latin
    doc = document()
    doc.text("Jane Doe gave $40.00 on March 3, 2026 — thank you.")

    content = doc.output()

    # then the big Arabic and Chinese fonts stay out of it, and HarfBuzz was not needed
    assert embedded_fonts(content) == {"NotoSans"}
    assert doc.shaped is False


def test_mixed_script_names_come_out_exactly_with_real_glyphs():
    # given names in Vietnamese, Chinese and Arabic, in regular and bold
    doc = document()
    doc.text(VIETNAMESE_CHINESE)
    doc.text(ARABIC, bold=True)
    doc.key_values([("Donor", VIETNAMESE_CHINESE), (ARABIC, "value")])

    content = doc.output()

    # then each name is in the text, no character is missing, and each has a real glyph
    text = pdfcheck.text(content)
    assert text.count(VIETNAMESE_CHINESE) == 2
    assert "?" not in text
    drawn = pdfcheck.drawn_characters(content)
    assert {c for c in VIETNAMESE_CHINESE + ARABIC if not c.isspace()} <= drawn
    assert doc.missing_characters == set()
    assert {"NotoSansCJKSC", "NotoSansArabicBold"} <= embedded_fonts(content)
    assert pdfcheck.overlapping_words(content) == []


@pytest.mark.parametrize(
    "name",
    ["דוד כהן", "अनीता शर्मा", "สมชาย ใจดี", "김민준", "さくら", "Հայկ", "ሰላም", "Ξανθή Σοφία", "Дмитрий"],
)
def test_names_in_other_scripts_have_real_glyphs(name):
    doc = document()
    doc.key_values([("Donor", name)])

    content = doc.output()

    assert doc.missing_characters == set()
    assert {c for c in name if not c.isspace()} <= pdfcheck.drawn_characters(content)
    assert pdfcheck.overlapping_words(content) == []


def test_an_arabic_name_runs_right_to_left():
    # given an Arabic name of two words inside a left-to-right line
    doc = document()
    doc.text(f"Donor: {ARABIC} Fatima 2026-000123")

    content = doc.output()

    # then its first word is drawn to the right of its second, and the Latin around it stays in place
    words = [w.text for w in pdfcheck.all_words(content)]
    boxes = {w.text: w for w in pdfcheck.all_words(content)}
    first, second = ARABIC.split()
    assert boxes[first].left > boxes[second].right
    assert boxes["Donor:"].right < boxes[second].left
    assert boxes[first].right < boxes["Fatima"].left < boxes["2026-000123"].left
    assert words[:5] == ["Donor:", second, first, "Fatima", "2026-000123"]
    assert doc.shaped is True


def test_a_character_no_font_has_is_reported_not_printed_as_a_question_mark(caplog):
    # given a name with an emoji (no emoji font is installed)
    doc = document()
    with caplog.at_level(logging.WARNING, logger="core.pdf"):
        doc.text("Ana \U0001f49c Silva")

    content = doc.output()

    # then the rest is printed, the gap is logged by code point (never the name itself)
    assert doc.missing_characters == {"\U0001f49c"}
    assert "U+1F49C" in caplog.text
    assert "Silva" not in caplog.text
    words = [w.text for w in pdfcheck.all_words(content)]
    assert "Ana" in words and "Silva" in words and "?" not in pdfcheck.text(content)


def test_without_the_fonts_a_document_refuses_and_the_system_check_fails(monkeypatch):
    # given a machine where no Noto font can be found (neither in Debian's paths nor by fontconfig)
    with monkeypatch.context() as patch:
        patch.setattr(pdf, "_FONT_ROOTS", ())
        patch.setattr(pdf, "_fontconfig_faces", lambda: ())
        pdf.find_family.cache_clear()
        # then a document raises instead of printing '?' for names
        with pytest.raises(pdf.FontsMissing, match="fonts-noto-core fonts-noto-cjk"):
            Document(title="Receipt", author="Haven")
        # and the system check says what to install
        with pytest.raises(SystemCheckError, match="core.E101"):
            call_command("check")
    pdf.find_family.cache_clear()
    assert pdf.missing_fonts() == []


def test_fontconfig_finds_the_fonts_when_they_are_not_in_debians_paths(monkeypatch):
    # given fonts installed somewhere only fontconfig knows
    with monkeypatch.context() as patch:
        patch.setattr(pdf, "_FONT_ROOTS", ())
        pdf.find_family.cache_clear()
        family = pdf.find_family("Noto Sans CJK SC")
    pdf.find_family.cache_clear()

    # then the regular and bold faces are found, in the right face of the collection
    assert family is not None and family.bold is not None
    assert family.regular.path.endswith(".ttc")
    assert family.regular == pdf.find_family("Noto Sans CJK SC").regular


def test_a_long_table_runs_onto_more_pages_and_repeats_its_headings():
    # given 120 rows with long, wrapping descriptions and a totals row
    columns = [Column("Date"), Column("Receipt"), Column("Designation", wrap=True), Column("Amount", "RIGHT")]
    rows = [
        Row(
            [f"Sep {1 + i % 28}, 2026", f"2026-{i:06d}", "Shelter and legal help " * (1 + i % 5), "$1,000.00"]
        )
        for i in range(120)
    ]
    rows.append(Row([Cell("Total", colspan=3), "$120,000.00"], bold=True, rule_above=True))
    doc = document()
    doc.table(columns, rows)

    content = doc.output()

    # then no two words overlap, nothing runs into the margins, and each page starts with the headings
    pages = pdfcheck.pages(content)
    assert len(pages) >= 4
    assert pdfcheck.overlapping_words(content) == []
    assert pdfcheck.words_outside(content, margin_mm=19) == []
    for page in pages:
        assert [w.text for w in page.words[:4]] == ["Date", "Receipt", "Designation", "Amount"]
        assert f"Page {page.number} of {len(pages)}" in page.text
    assert "$120,000.00" in pages[-1].text


def test_columns_that_do_not_wrap_keep_their_text_on_one_line():
    # given a narrow wrapping column squeezed by wide fixed ones
    columns = [Column("Date"), Column("Receipt"), Column("Designation", wrap=True), Column("Amount", "RIGHT")]
    rows = [
        Row(["September 30, 2026", "2026-000123", "A" + " very long campaign name" * 12, "$1,234,567.89"])
    ]
    doc = document()
    doc.table(columns, rows)

    content = doc.output()

    # then the date, the receipt number and the amount are each on one line beside each other
    words = {w.text: w for w in pdfcheck.all_words(content)}
    date, number, amount = words["September"], words["2026-000123"], words["$1,234,567.89"]
    assert same_line(date, number) and same_line(number, amount)
    assert date.right < words["2026"].right < number.left < number.right < amount.left
    assert pdfcheck.overlapping_words(content) == []


def test_a_word_longer_than_its_column_is_broken_inside_the_column():
    columns = [Column("Name", wrap=True), Column("Amount", "RIGHT")]
    doc = document()
    doc.table(columns, [Row(["Supercalifragilistic" * 8, "$5.00"])])

    content = doc.output()

    assert pdfcheck.overlapping_words(content) == []
    assert pdfcheck.words_outside(content, margin_mm=19) == []


def test_a_long_footer_gets_smaller_instead_of_running_off_the_page():
    doc = Document(
        title="Test",
        author="Haven",
        footer="The Haven Community Fund for Survivors of Human Trafficking, Incorporated · Statement 2026",
        page_label="Page {page} of {pages}",
    )
    doc.text("Body")

    content = doc.output()

    assert pdfcheck.overlapping_words(content) == []
    assert pdfcheck.words_outside(content, margin_mm=19) == []
    assert "Page 1 of 1" in pdfcheck.text(content)


def test_a_heading_at_the_foot_of_a_page_moves_to_the_next_with_its_section():
    doc = document()
    while not doc.pdf.will_page_break(22):
        doc.text("Filler line")
    doc.heading("Your gifts")
    doc.table([Column("Date")], [Row(["Jan 1, 2026"])])

    pages = pdfcheck.pages(doc.output())

    assert "Your gifts" not in pages[0].text
    assert pages[1].text.startswith("Your gifts\nDate\nJan 1, 2026")


def test_the_same_content_gives_the_same_bytes():
    def render():
        doc = document()
        doc.text(VIETNAMESE_CHINESE)
        doc.key_values([("Donor", ARABIC)])
        return doc.output()

    assert render() == render()


def test_the_overlap_check_catches_text_drawn_into_other_text():
    # given a document drawn the old way: fixed cells too narrow for a date
    doc = document()
    doc.pdf.set_font(doc.font, "", 10)
    doc.pdf.cell(20, 7, "September 30, 2026")
    doc.pdf.cell(30, 7, "2026-000123")

    # then the check sees the date's year under the receipt number
    pairs = pdfcheck.overlapping_words(doc.output())
    assert ("2026", "2026-000123") in [(a.text, b.text) for a, b in pairs]


widths = st.lists(st.floats(min_value=1, max_value=150), min_size=1, max_size=7)


@given(natural=widths, data=st.data())
def test_fitted_columns_fill_the_width_and_respect_what_they_can(natural, data):
    count = len(natural)
    shortest = [data.draw(st.floats(min_value=1, max_value=w)) for w in natural]
    wrap = data.draw(st.lists(st.booleans(), min_size=count, max_size=count))
    available = 176.0

    result = fit_columns(natural=natural, shortest=shortest, wrap=wrap, available=available)

    assert sum(result) == pytest.approx(available)
    assert all(w > 0 for w in result)
    fixed = sum(w for w, wraps in zip(natural, wrap, strict=True) if not wraps)
    floor = sum(s for s, wraps in zip(shortest, wrap, strict=True) if wraps)
    if sum(natural) <= available:
        # everything fits on one line: nobody is narrower than its content
        assert all(r >= n - 1e-9 for r, n in zip(result, natural, strict=True))
    elif any(wrap) and fixed + floor <= available:
        # fixed columns keep their width; wrapping ones get at least their longest word
        for r, n, s, wraps in zip(result, natural, shortest, wrap, strict=True):
            assert r == pytest.approx(n) if not wraps else r >= s - 1e-9
