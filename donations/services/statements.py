"""Annual giving statements: one per email address and year, emailed once."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import User
from core.i18n import default_language

from .. import pdf
from ..models import Donation, Statement
from .outbox import outbox_enqueue


def statement_issue(*, email: str, year: int, send: bool = True) -> Statement:
    """The annual statement of one email address for one calendar year: created once (unique email,
    year), emailed once. Running it twice (two beat workers, a retry) sends nothing twice."""

    email = email.strip().lower()
    # The statement and its email in the donor's language (their account's, else their latest gift's).
    with translation.override(_statement_language(email, year)):
        return _statement_issue(email=email, year=year, send=send)


def _statement_language(email: str, year: int) -> str:
    account = User.objects.filter(email__iexact=email).only("language").first()
    if account is not None and account.language:
        return account.language
    latest = (
        Donation.objects.filter(donor_email__iexact=email).order_by("-created_at").only("language").first()
    )
    return latest.language if latest is not None else default_language()


def _statement_issue(*, email: str, year: int, send: bool) -> Statement:
    from ..selectors import donations_for_statement

    statement = Statement.objects.filter(email=email, year=year).first()
    if statement is None:
        gifts = list(donations_for_statement(emails=[email], year=year))
        total = sum(d.amount - d.amount_refunded for d in gifts)
        content = pdf.statement_pdf(emails=[email], year=year, gifts=gifts)
        statement, _ = Statement.objects.get_or_create(
            email=email,
            year=year,
            defaults={"total": total, "pdf": content, "pdf_sha256": hashlib.sha256(content).hexdigest()},
        )
    if send and statement.sent_at is None:
        with transaction.atomic():
            outbox_enqueue(
                dedupe_key=f"statement:{statement.pk}",
                to=email,
                subject=gettext("Your %(year)s giving statement from %(org)s")
                % {"year": year, "org": settings.HAVEN_ORG_NAME},
                template="donations/email/statement",
                context={
                    "statement": statement,
                    "org_name": settings.HAVEN_ORG_NAME,
                    "giving_url": settings.SITE_URL + reverse("donations:my_giving"),
                },
                attachment=(f"giving-statement-{year}.pdf", "application/pdf", bytes(statement.pdf)),
            )
    return statement


def statements_send_for_year(*, year: int) -> int:
    """Issue the statements of `year` for every email with a counted gift that year."""
    from ..selectors import statement_emails

    count = 0
    for email in statement_emails(year=year):
        statement_issue(email=email, year=year)
        count += 1
    return count
