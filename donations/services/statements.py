"""Annual giving statements: one per email address and year, emailed once through the outbox."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import translation

from accounts.models import User
from core.i18n import default_language
from messaging.services import message_queue

from .. import pdf
from ..models import Donation, Statement

KIND_STATEMENT = "donations.statement"


def statement_dedupe_key(statement: Statement) -> str:
    return f"{KIND_STATEMENT}:{statement.pk}"


def statement_issue(*, email: str, year: int, send: bool = True) -> Statement:
    """The annual statement of one email address for one calendar year: created once (unique email,
    year), emailed once (the message's dedupe key). Running it twice (two beat workers, a retry)
    sends nothing twice. The statement and its email are in the donor's language (their account's,
    else their latest gift's)."""
    from ..selectors import donations_for_statement

    email = email.strip().lower()
    language = _statement_language(email, year)
    with transaction.atomic():
        statement = Statement.objects.filter(email=email, year=year).first()
        if statement is None:
            gifts = list(donations_for_statement(emails=[email], year=year))
            total = sum(d.amount - d.amount_refunded for d in gifts)
            with translation.override(language):
                content = pdf.statement_pdf(emails=[email], year=year, gifts=gifts)
            statement, _ = Statement.objects.get_or_create(
                email=email,
                year=year,
                defaults={"total": total, "pdf": content, "pdf_sha256": hashlib.sha256(content).hexdigest()},
            )
        if send:
            message_queue(
                kind=KIND_STATEMENT,
                recipient=email,
                language=language,
                about=statement,
                dedupe_key=statement_dedupe_key(statement),
                data={"year": year},
            )
    return statement


def _statement_language(email: str, year: int) -> str:
    account = User.objects.filter(email__iexact=email).only("language").first()
    if account is not None and account.language:
        return account.language
    latest = (
        Donation.objects.filter(donor_email__iexact=email).order_by("-created_at").only("language").first()
    )
    return latest.language if latest is not None else default_language()


def statements_send_for_year(*, year: int) -> int:
    """Issue the statements of `year` for every email with a counted gift that year."""
    from ..selectors import statement_emails

    count = 0
    for email in statement_emails(year=year):
        statement_issue(email=email, year=year)
        count += 1
    return count
