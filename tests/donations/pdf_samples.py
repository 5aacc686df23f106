"""A receipt and a statement built from unsaved gifts (no database), the hard cases in them: a
Vietnamese and Chinese donor name, an Arabic tribute, a very long campaign name, a covered fee, dozens
of gifts and a refund. The tests render them; so can you, to look at them:

    .venv/bin/python -m tests.donations.pdf_samples var/pdf-samples

writes the PDFs there, and a PNG of each page when pdftoppm (Debian's poppler-utils) is installed.
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import sys
from pathlib import Path

MIXED_NAME = "Nguyễn Thị Ánh · 王芳"
ARABIC_NAME = "فاطمة الزهراء"
LONG_CAMPAIGN = (
    "Safe homes for survivors: emergency housing, medical care and legal help for families leaving "
    "trafficking in the Rio Grande Valley, 2026 appeal"
)


def _gift(number: int, *, name: str = MIXED_NAME, title: str = "Legal help", refunded: int = 0, **fields):
    from campaigns.models import Campaign, Fund
    from donations.models import Donation, Receipt

    fund = Fund(pk=1, name="General fund", slug="general")
    gift = Donation(
        pk=number,
        donor_name=name,
        donor_email="anh@example.org",
        amount=fields.pop("amount", 10000),
        amount_refunded=refunded,
        currency="usd",
        status=Donation.Status.SUCCEEDED,
        succeeded_at=datetime.datetime(2026, 1, 2, 15, tzinfo=datetime.UTC)
        + datetime.timedelta(days=4 * (number % 90)),
        created_at=datetime.datetime(2026, 1, 2, 15, tzinfo=datetime.UTC),
        fund=fund,
        campaign=Campaign(pk=number % 3 + 1, title=title, slug=f"c{number}", fund=fund),
        **fields,
    )
    gift.receipt = Receipt(donation=gift, year=2026, sequence=number, number=f"2026-{number:06d}")
    return gift


def sample_receipt():
    """The receipt of a one-time gift with a covered fee, in memory of someone with an Arabic name."""
    gift = _gift(123, fee_covered=330, tribute_type="memory", tribute_name=ARABIC_NAME, title=LONG_CAMPAIGN)
    return gift.receipt


def sample_statement_gifts(count: int = 60) -> list:
    """A year of gifts to campaigns with short and very long names; every seventh partly refunded."""
    titles = ["Legal help", "Counseling and job training for survivors", LONG_CAMPAIGN]
    return [
        _gift(n, title=titles[n % 3], refunded=2500 if n % 7 == 0 else 0, amount=2500 * (1 + n % 5))
        for n in range(1, count + 1)
    ]


def render(folder: Path) -> list[Path]:
    from donations import pdf

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    documents = {
        "receipt.pdf": pdf.receipt_pdf(receipt=sample_receipt()),
        "statement.pdf": pdf.statement_pdf(
            emails=["anh@example.org"], year=2026, gifts=sample_statement_gifts()
        ),
    }
    for name, content in documents.items():
        path = folder / name
        path.write_bytes(content)
        written.append(path)
        pdftoppm = shutil.which("pdftoppm")
        if pdftoppm:
            subprocess.run([pdftoppm, "-png", "-r", "80", str(path), str(path.with_suffix(""))], check=True)  # noqa: S603
    return written


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    for path in render(Path(sys.argv[1] if len(sys.argv) > 1 else "var/pdf-samples")):
        print(path)
