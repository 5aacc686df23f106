"""Receipt and annual statement PDFs (fpdf2). Deterministic for the same data, so a stored hash can
be checked against a re-rendered copy."""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from fpdf import FPDF

from core.money import format_money

# fpdf2 subsets fonts with fontTools, which logs every glyph at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


class _Document(FPDF):
    def __init__(self, title: str):
        super().__init__(format="Letter")
        # A fixed creation date keeps the bytes (and the hash) stable for the same content.
        self.set_creation_date(datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))
        self.set_title(title)
        self.set_author(settings.HAVEN_ORG_NAME)
        regular, bold = _FONT_DIR / "DejaVuSans.ttf", _FONT_DIR / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            self.add_font("body", "", str(regular))
            self.add_font("body", "B", str(bold))
            self.font_name, self.unicode_ok = "body", True
        else:
            self.font_name, self.unicode_ok = "helvetica", False
        self.add_page()
        self.set_margins(20, 20, 20)

    def text_safe(self, text: str) -> str:
        return text if self.unicode_ok else text.encode("latin-1", "replace").decode("latin-1")

    def line_text(self, text: str, *, size: int = 11, bold: bool = False, height: float = 6) -> None:
        self.set_font(self.font_name, "B" if bold else "", size)
        self.multi_cell(0, height, self.text_safe(text), new_x="LMARGIN", new_y="NEXT")

    def header_block(self, title: str) -> None:
        self.line_text(settings.HAVEN_ORG_NAME, size=18, bold=True, height=9)
        self.line_text(settings.HAVEN_ORG_ADDRESS, size=10)
        self.line_text(f"Tax ID (EIN): {settings.HAVEN_ORG_TAX_ID}", size=10)
        self.ln(6)
        self.line_text(title, size=15, bold=True, height=8)
        self.ln(2)


def _local_date(value) -> str:
    return timezone.localtime(value).strftime("%B %-d, %Y") if value else ""


def receipt_pdf(*, receipt) -> bytes:
    donation = receipt.donation
    doc = _Document(f"Receipt {receipt.number}")
    doc.header_block(f"Official donation receipt {receipt.number}")
    rows = [
        ("Receipt number", receipt.number),
        ("Donor", donation.donor_name or donation.donor_email),
        ("Email", donation.donor_email),
        ("Date received", _local_date(donation.succeeded_at)),
        ("Gift amount", format_money(donation.amount, donation.currency)),
    ]
    if donation.fee_covered:
        rows.append(("Processing fee you covered", format_money(donation.fee_covered, donation.currency)))
        rows.append(("Total charged", format_money(donation.charged_amount, donation.currency)))
    rows.append(("Payment", donation.get_method_display()))
    rows.append(("Frequency", donation.get_frequency_display()))
    designation = donation.campaign.title if donation.campaign_id else donation.fund.name
    rows.append(("Designation", designation))
    if donation.tribute_type and donation.tribute_name:
        rows.append((donation.get_tribute_type_display(), donation.tribute_name))
    for label, value in rows:
        doc.set_font(doc.font_name, "B", 11)
        doc.cell(60, 7, doc.text_safe(label))
        doc.set_font(doc.font_name, "", 11)
        doc.cell(0, 7, doc.text_safe(str(value)), new_x="LMARGIN", new_y="NEXT")
    doc.ln(6)
    doc.line_text(
        "No goods or services were provided in exchange for this contribution. "
        f"{settings.HAVEN_ORG_NAME} is a tax-exempt charitable organization; please keep this receipt "
        "for your tax records.",
        size=10,
    )
    return bytes(doc.output())


def statement_pdf(*, emails: list[str], year: int, gifts: list) -> bytes:
    doc = _Document(f"Giving statement {year}")
    doc.header_block(f"Annual giving statement {year}")
    doc.line_text("For: " + ", ".join(emails), size=10)
    doc.ln(3)
    widths = (34, 44, 70, 32)
    doc.set_font(doc.font_name, "B", 10)
    for width, label in zip(widths, ("Date", "Receipt", "Designation", "Amount"), strict=True):
        doc.cell(width, 7, label, border="B")
    doc.ln()
    doc.set_font(doc.font_name, "", 10)
    total = 0
    currency = settings.HAVEN_CURRENCY
    for gift in gifts:
        net = gift.amount - gift.amount_refunded
        total += net
        currency = gift.currency
        receipt = getattr(gift, "receipt", None)
        designation = gift.campaign.title if gift.campaign_id else gift.fund.name
        cells = (
            _local_date(gift.succeeded_at),
            receipt.number if receipt else "",
            designation[:38],
            format_money(net, gift.currency),
        )
        for width, value in zip(widths, cells, strict=True):
            doc.cell(width, 7, doc.text_safe(value))
        doc.ln()
    doc.set_font(doc.font_name, "B", 11)
    doc.cell(sum(widths[:3]), 8, "Total (net of refunds)", border="T")
    doc.cell(widths[3], 8, format_money(total, currency), border="T", new_x="LMARGIN", new_y="NEXT")
    doc.ln(6)
    doc.line_text(
        "No goods or services were provided in exchange for these contributions. Amounts are net of any "
        "refunds.",
        size=10,
    )
    return bytes(doc.output())
