"""Giving statements: one per email address and period (a calendar year, or a fiscal year when
HAVEN_FISCAL_YEAR_START_MONTH is not 1; donations/periods.py), emailed once through the outbox, with
"Where your gifts went" (the published spending of each campaign or fund given to)."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import translation

from accounts.models import User
from core.i18n import default_language
from messaging.services import message_queue

from .. import pdf
from ..models import Donation, Statement
from ..periods import CALENDAR, StatementPeriod

KIND_STATEMENT = "donations.statement"


def statement_dedupe_key(statement: Statement) -> str:
    return f"{KIND_STATEMENT}:{statement.pk}"


def statement_content(*, emails: list[str], period: StatementPeriod) -> tuple[list[Donation], bytes]:
    """The period's counted gifts and the statement PDF (in the active language)."""
    from ..selectors import donations_for_statement, where_gifts_went

    gifts = list(donations_for_statement(emails=emails, period=period))
    where = where_gifts_went(gifts=gifts, period=period)
    content = pdf.statement_pdf(emails=emails, year=period.year, gifts=gifts, period=period, where=where)
    return gifts, content


def statement_issue(*, email: str, year: int, kind: str = CALENDAR, send: bool = True) -> Statement:
    """The statement of one email address for one period (the calendar `year`, or with `kind`
    "fiscal" the fiscal year starting in `year`): created once (unique email, year, period), emailed
    once (the message's dedupe key). Running it twice (two beat workers, a retry) sends nothing
    twice. The statement and its email are in the donor's language (their account's, else their
    latest gift's)."""
    period = StatementPeriod(kind, year)
    email = email.strip().lower()
    language = _statement_language(email)
    with transaction.atomic():
        statement = Statement.objects.filter(email=email, year=year, period=kind).first()
        if statement is None:
            with translation.override(language):
                gifts, content = statement_content(emails=[email], period=period)
            total = sum(d.amount - d.amount_refunded for d in gifts)
            statement, _ = Statement.objects.get_or_create(
                email=email,
                year=year,
                period=kind,
                defaults={"total": total, "pdf": content, "pdf_sha256": hashlib.sha256(content).hexdigest()},
            )
        if send:
            message_queue(
                kind=KIND_STATEMENT,
                recipient=email,
                language=language,
                about=statement,
                dedupe_key=statement_dedupe_key(statement),
                data={"year": year, "period": kind},
            )
    return statement


def _statement_language(email: str) -> str:
    account = User.objects.filter(email__iexact=email).only("language").first()
    if account is not None and account.language:
        return account.language
    latest = (
        Donation.objects.filter(donor_email__iexact=email).order_by("-created_at").only("language").first()
    )
    return latest.language if latest is not None else default_language()


def statements_send_for_period(*, period: StatementPeriod) -> int:
    """Issue the statements of `period` for every email with a counted gift in it."""
    from ..selectors import statement_emails

    count = 0
    for email in statement_emails(period=period):
        statement_issue(email=email, year=period.year, kind=period.kind)
        count += 1
    return count


def statements_send_for_year(*, year: int) -> int:
    """Issue the calendar-year statements of `year` for every email with a counted gift that year."""
    return statements_send_for_period(period=StatementPeriod(CALENDAR, year))
