"""Receipts and statements that print right: people's names exactly (Vietnamese, Chinese, Arabic), no
two words on top of each other, nothing in the margins, the same bytes for the same data. Each PDF is
read back with PDFium (tests/pdfcheck.py)."""

from __future__ import annotations

import datetime
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from donations import pdf, selectors, services
from donations.models import Donation, Statement
from tests import pdfcheck
from tests.factories import CampaignFactory, DonationFactory, ReceiptFactory, UserFactory

from .pdf_samples import ARABIC_NAME, LONG_CAMPAIGN, MIXED_NAME, sample_receipt, sample_statement_gifts

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
MARGIN_MM = 19  # the documents' margins are 20 mm


def assert_laid_out(content: bytes) -> None:
    assert pdfcheck.overlapping_words(content) == []
    assert pdfcheck.words_outside(content, margin_mm=MARGIN_MM) == []


def assert_drawn(content: bytes, *names: str) -> None:
    """Every character of the names has a real glyph in the embedded fonts (no tofu, no '?')."""
    needed = {c for name in names for c in name if not c.isspace()}
    assert needed - pdfcheck.drawn_characters(content) == set()


def line_of(page: pdfcheck.Page, first_word: str) -> list[str]:
    """The words on the line that starts with `first_word`, left to right."""
    start = next(w for w in page.words if w.text == first_word)
    same = [w for w in page.words if max(w.bottom, start.bottom) < min(w.top, start.top)]
    return [w.text for w in sorted(same, key=lambda w: w.left)]


def assert_right_to_left(content: bytes, name: str) -> None:
    words = {w.text: w for w in pdfcheck.all_words(content)}
    parts = name.split()
    assert all(part in words for part in parts), (parts, list(words))
    for before, after in zip(parts, parts[1:], strict=False):
        assert words[before].left > words[after].right  # the first word is the rightmost


def test_a_receipt_prints_a_vietnamese_and_chinese_name_and_an_arabic_tribute_exactly():
    # given a gift from Nguyễn Thị Ánh · 王芳 in memory of فاطمة الزهراء, fee covered, to a long campaign
    campaign = CampaignFactory(title=LONG_CAMPAIGN)
    gift = DonationFactory(
        donor_name=MIXED_NAME,
        donor_email="anh@example.org",
        amount=10000,
        fee_covered=330,
        campaign=campaign,
        tribute_type=Donation.Tribute.MEMORY,
        tribute_name=ARABIC_NAME,
    )
    receipt = ReceiptFactory(donation=gift)

    content = services.receipt_pdf(receipt=receipt)

    # then the names come out exactly, with real glyphs, the Arabic right to left
    (page,) = pdfcheck.pages(content)
    assert f"Donor {MIXED_NAME}\n" in page.text
    assert "Email anh@example.org" in page.text
    assert "?" not in page.text
    assert_drawn(content, MIXED_NAME, ARABIC_NAME)
    assert_right_to_left(content, ARABIC_NAME)
    assert line_of(page, "In")[:3] == ["In", "memory", "of"]
    # and nothing overlaps: the long campaign name wraps in its column, each amount beside its label
    assert_laid_out(content)
    assert line_of(page, "Your") == ["Your", "gift", "$100.00"]
    assert line_of(page, "Processing") == ["Processing", "fee", "you", "covered", "$3.30"]
    assert line_of(page, "Total") == ["Total", "paid", "$103.30"]
    assert " ".join(LONG_CAMPAIGN.split()) in " ".join(page.text.split())


def test_a_receipt_carries_the_organisations_legal_details(settings):
    settings.HAVEN_ORG_NAME = "Haven"
    settings.HAVEN_ORG_LEGAL_NAME = "Haven Community Fund, Inc."
    settings.HAVEN_ORG_ADDRESS = "1200 Main Street, Suite 400, Brownsville, TX 78520"
    settings.HAVEN_ORG_TAX_ID = "12-3456789"
    receipt = ReceiptFactory(donation=DonationFactory(donor_name="Jane Doe"))

    content = pdf.receipt_pdf(receipt=receipt)

    text = pdfcheck.text(content)
    assert text.startswith("Haven Community Fund, Inc.\n1200 Main Street, Suite 400, Brownsville, TX 78520\n")
    assert "Tax ID (EIN): 12-3456789" in text
    assert "Haven Community Fund, Inc. is a tax-exempt charitable organization" in " ".join(text.split())
    assert_laid_out(content)


def test_a_receipt_without_a_covered_fee_shows_the_gift_and_the_total():
    receipt = ReceiptFactory(
        donation=DonationFactory(
            donor_name="", method=Donation.Method.CHEQUE, offline_reference="Cheque 10442", amount=2500
        )
    )

    content = pdf.receipt_pdf(receipt=receipt)

    (page,) = pdfcheck.pages(content)
    assert "Processing" not in page.text
    assert line_of(page, "Your") == ["Your", "gift", "$25.00"]
    assert line_of(page, "Total") == ["Total", "paid", "$25.00"]
    assert "Reference Cheque 10442" in page.text
    assert f"Donor {receipt.donation.donor_email}" in page.text and "Email" not in page.text
    assert_laid_out(content)


def test_a_statement_names_the_donor_and_lists_every_gift_in_columns_across_pages(django_assert_num_queries):
    # given 60 gifts in 2026 from one address, names as typed at checkout, every seventh partly refunded
    titles = ["Legal help", "Counseling and job training for survivors", LONG_CAMPAIGN]
    campaigns = [CampaignFactory(title=title) for title in titles]
    start = datetime.datetime(2026, 1, 5, 15, tzinfo=datetime.UTC)
    for n in range(60):
        gift = DonationFactory(
            donor_email="anh@example.org",
            donor_name="Anh Nguyen" if n < 59 else MIXED_NAME,  # the latest name wins
            amount=2500 * (1 + n % 5),
            amount_refunded=1000 if n % 7 == 0 else 0,
            campaign=campaigns[n % 3],
            succeeded_at=start + datetime.timedelta(days=5 * n),
        )
        ReceiptFactory(donation=gift)
    gifts = list(selectors.donations_for_statement(emails=["anh@example.org"], year=2026))

    with django_assert_num_queries(0):
        content = pdf.statement_pdf(emails=["anh@example.org"], year=2026, gifts=gifts)

    # then the donor is named (and the address), with real glyphs
    pages = pdfcheck.pages(content)
    first = pages[0]
    assert f"Donor {MIXED_NAME}\nEmail anh@example.org\n" in first.text
    assert_drawn(content, MIXED_NAME)
    # every gift is a row: its date, its receipt number, its designation and amounts, never overlapping
    assert len(pages) >= 3
    assert_laid_out(content)
    words = [w.text for w in pdfcheck.all_words(content)]
    for gift in gifts:
        assert words.count(gift.receipt.number) == 1
    for page in pages:
        header = line_of(page, "Date")
        assert header == ["Date", "Receipt", "Designation", "Gift", "Refunded", "Net"]
    row = line_of(first, gifts[0].receipt.number)
    assert row[-3:] == ["$25.00", "-$10.00", "$15.00"]  # the first gift was partly refunded
    # and the totals: given, refunded, net
    given = sum(g.amount for g in gifts)
    refunded = sum(g.amount_refunded for g in gifts)
    total = line_of(pages[-1], "Total")
    assert total[-3:] == [
        f"${given / 100:,.2f}",
        f"-${refunded / 100:,.2f}",
        f"${(given - refunded) / 100:,.2f}",
    ]
    assert f"Total given ${(given - refunded) / 100:,.2f}" in first.text


def test_a_statement_without_refunds_has_one_amount_column_and_an_arabic_name_reads_right_to_left():
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)):
        DonationFactory(
            donor_email="f@example.org", donor_name=ARABIC_NAME, amount=5000, succeeded_at=timezone.now()
        )
    gifts = list(selectors.donations_for_statement(emails=["f@example.org"], year=2026))

    content = pdf.statement_pdf(emails=["f@example.org"], year=2026, gifts=gifts)

    (page,) = pdfcheck.pages(content)
    assert line_of(page, "Date") == ["Date", "Receipt", "Designation", "Amount"]
    assert line_of(page, "Total")[-1] == "$50.00"
    assert_right_to_left(content, ARABIC_NAME)
    assert_drawn(content, ARABIC_NAME)
    assert_laid_out(content)


def test_the_emailed_statement_names_the_donor_from_their_gifts():
    with time_machine.travel(datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC)):
        DonationFactory(donor_email="anh@example.org", donor_name=MIXED_NAME, succeeded_at=timezone.now())

    statement = services.statement_issue(email="anh@example.org", year=2025, send=False)

    assert f"Donor {MIXED_NAME}\n" in pdfcheck.text(bytes(statement.pdf))
    assert Statement.objects.get().pdf_sha256 == hashlib.sha256(bytes(statement.pdf)).hexdigest()


def test_the_downloaded_statement_names_the_donor(client):
    user = UserFactory(email="anh@example.org")
    with time_machine.travel(datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC)):
        DonationFactory(donor_email="anh@example.org", donor_name=MIXED_NAME, succeeded_at=timezone.now())
    client.force_login(user)

    response = client.get("/me/giving/statements/2025.pdf")

    assert response.status_code == 200
    assert f"Donor {MIXED_NAME}\n" in pdfcheck.text(response.content)


def test_a_year_without_gifts_says_so():
    content = pdf.statement_pdf(emails=["none@example.org"], year=2026, gifts=[])

    text = pdfcheck.text(content)
    assert "No gifts were received from you in 2026." in text
    assert "Total given $0.00" in text
    assert "Donor" not in text  # no name to give
    assert_laid_out(content)


def test_the_samples_lay_out_without_overlap():
    receipt = pdf.receipt_pdf(receipt=sample_receipt())
    statement = pdf.statement_pdf(emails=["anh@example.org"], year=2026, gifts=sample_statement_gifts())

    for content in (receipt, statement):
        assert_laid_out(content)
        assert_drawn(content, MIXED_NAME)


def test_the_same_gift_gives_the_same_bytes_in_another_process():
    # given the receipt and statement rendered here
    here = [
        hashlib.sha256(pdf.receipt_pdf(receipt=sample_receipt())).hexdigest(),
        hashlib.sha256(
            pdf.statement_pdf(emails=["anh@example.org"], year=2026, gifts=sample_statement_gifts())
        ).hexdigest(),
    ]
    # when a fresh process with another hash seed renders them again
    script = (
        "import django, hashlib; django.setup()\n"
        "from donations import pdf\n"
        "from tests.donations.pdf_samples import sample_receipt, sample_statement_gifts\n"
        "print(hashlib.sha256(pdf.receipt_pdf(receipt=sample_receipt())).hexdigest())\n"
        "print(hashlib.sha256(pdf.statement_pdf(emails=['anh@example.org'], year=2026, "
        "gifts=sample_statement_gifts())).hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    there = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()

    # then the bytes are the same (the stored hash of a receipt can be checked against a fresh copy)
    assert there == here
