"""Statements on /me/giving/: the PDFs per calendar or fiscal year, and "Where your gifts went" for
one period (thin: selectors compute, templates show)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils import timezone

from accounts.roles import signed_in

from . import periods, selectors, services


def _period_from(value: str, offered: dict[str, list]) -> periods.StatementPeriod | None:
    """ "fiscal-2025" / "calendar-2026" from the query string, if it is one the donor is offered."""
    kind, _, year = value.partition("-")
    for period in offered.get(kind, []):
        if str(period.year) == year:
            return period
    return None


def statement_context(request, *, emails: list[str]) -> dict:
    """What /me/giving/ shows about statements: the periods to download, and where the gifts of the
    chosen period (?where=fiscal-2025; default the latest period with gifts) went."""
    user = request.user
    offered = selectors.giving_periods(user=user, emails=emails)
    chosen = _period_from(request.GET.get("where", ""), offered)
    first_kind = periods.offered_kinds()[0]
    gifts: list = []
    if chosen is None:
        for period in offered[first_kind]:
            gifts = list(selectors.donations_for_statement(emails=emails, period=period))
            chosen = period
            if gifts:
                break
    else:
        gifts = list(selectors.donations_for_statement(emails=emails, period=chosen))
    where = selectors.where_gifts_went(gifts=gifts, period=chosen)
    choices = [(f"{p.kind}-{p.year}", p) for kind in periods.offered_kinds() for p in offered[kind]]
    return {
        "statement_periods": offered,
        "fiscal_years_differ": periods.fiscal_years_differ(),
        "where": where,
        "where_choices": choices,
        "where_key": f"{chosen.kind}-{chosen.year}",
    }


@signed_in
def my_statement(request, year: int, kind: str = periods.CALENDAR):
    """The statement PDF of a calendar year, or (kind "fiscal") of the fiscal year starting in
    `year`, made afresh from the donor's verified addresses."""
    if kind == periods.FISCAL and not periods.fiscal_years_differ():
        raise Http404
    current = periods.period_of(timezone.localdate(), kind)
    if not 2000 <= year <= current.year:
        raise Http404
    period = periods.StatementPeriod(kind, year)
    emails = selectors.verified_emails(user=request.user)
    _, content = services.statement_content(emails=emails, period=period)
    return HttpResponse(
        content,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{period.file_stem}.pdf"'},
    )
