"""Public campaign pages, the open books and their CSV downloads. Thin: selectors do the reading."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.roles import public
from core.csv import csv_writer
from core.i18n import local_format
from core.money import Cents, format_money
from core.public_cache import public_cached

from . import charts, selectors
from .supporter_selectors import supporter_pages_for_campaign


@public
@public_cached("campaigns")
@require_GET
def campaign_list(request):
    return render(
        request,
        "campaigns/list.html",
        {"cards": selectors.campaigns_active(), "finished": False},
    )


@public
@public_cached("campaigns")
@require_GET
def campaign_finished_list(request):
    return render(
        request,
        "campaigns/list.html",
        {"cards": selectors.campaigns_finished(), "finished": True},
    )


def _is_staff(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role("staff"))


@public
@public_cached("campaigns")
@require_GET
def campaign_detail(request, slug: str):
    # Staff may preview an unpublished campaign; everyone else gets 404 for it.
    campaign = selectors.campaign_for_page(slug, include_unpublished=_is_staff(request.user))
    if campaign is None:
        raise Http404("No such campaign.")
    page = selectors.campaign_page(campaign)
    context = {
        "page": page,
        "campaign": campaign,
        "raised_chart": charts.raised_over_time(
            chart_id="raised-chart", months=page.months, goal=campaign.goal_amount, currency=campaign.currency
        ),
        "uses_chart": charts.planned_vs_spent(chart_id="uses-chart", uses=page.uses) if page.uses else "",
        # The configured public address, not the request's Host header: share cards must point home.
        "share_url": settings.SITE_URL + reverse("campaigns:detail", args=[campaign.slug]),
        "share_image": settings.SITE_URL + settings.STATIC_URL + "img/favicon.svg",
        "donate_url": f"/campaigns/{campaign.slug}/donate/",
        # Supporters' own fundraising pages (approved ones, most raised first).
        "supporter_cards": supporter_pages_for_campaign(campaign),
        "campaign_takes_pages": campaign.is_published and not page.finished,
    }
    return render(request, "campaigns/detail.html", context)


TRANSPARENCY_MONTHS = 12


@public
@public_cached("campaigns")
@require_GET
def transparency(request):
    # The page shows the last year; the CSV downloads and the API carry every month.
    since = selectors.months_back(TRANSPARENCY_MONTHS)
    income = [row for row in selectors.income_by_fund_month() if row["month"] >= since]
    spending = [row for row in selectors.spending_by_category_month() if row["month"] >= since]
    books = selectors.fund_books()
    currency = settings.HAVEN_CURRENCY

    income_months = _pivot(income, "fund")
    spending_months = _pivot(spending, "category")
    context = {
        "income": income_months,
        "spending": spending_months,
        "books": books,
        "restricted_books": [b for b in books if b.fund.is_restricted],
        "currency": currency,
        "published_before": selectors.spending_published_before(),
        "delay_days": settings.HAVEN_SPENDING_PUBLISH_DELAY_DAYS,
        "months_shown": TRANSPARENCY_MONTHS,
        "income_chart": charts.bars_by_month(
            chart_id="income-chart",
            title=_("Income by month"),
            desc=_("Gifts received each month across all funds, net of refunds: %(months)s")
            % {"months": _month_amounts(income_months["rows"], currency)},
            rows=[(_short_month(m["month"]), m["total"]) for m in income_months["rows"]][-24:],
            currency=currency,
        ),
        "spending_chart": charts.bars_by_month(
            chart_id="spending-chart",
            title=_("Spending by month"),
            desc=_("Money spent each published month across all categories: %(months)s")
            % {"months": _month_amounts(spending_months["rows"], currency)},
            rows=[(_short_month(m["month"]), m["total"]) for m in spending_months["rows"]][-24:],
            currency=currency,
        ),
    }
    return render(request, "campaigns/transparency.html", context)


def _short_month(month) -> str:
    """A chart's axis label: "Dec 2026" / "dic 2026"."""
    return dateformat.format(month, local_format("HAVEN_SHORT_MONTH_YEAR"))


def _month_amounts(rows: list[dict], currency: str) -> str:
    """A chart's description, month by month: "December 2026: $1,200; ..." in the active language."""
    return "; ".join(
        _("%(month)s: %(amount)s")
        % {
            "month": dateformat.format(row["month"], local_format("HAVEN_MONTH_YEAR")),
            "amount": format_money(row["total"], currency, cents=Cents.IF_ANY),
        }
        for row in rows
    )


def _pivot(rows: list[dict], key: str) -> dict:
    """Rows of (month, key, amount) -> columns (key names) and one row per month, newest first
    in the table (the chart reverses it)."""
    columns: list[str] = []
    by_month: dict = {}
    for row in rows:
        if row[key] not in columns:
            columns.append(row[key])
        by_month.setdefault(row["month"], {})[row[key]] = (
            by_month.get(row["month"], {}).get(row[key], 0) + row["amount"]
        )
    table = [
        {"month": month, "cells": [cells.get(c, 0) for c in columns], "total": sum(cells.values())}
        for month, cells in sorted(by_month.items())
    ]
    return {"columns": columns, "rows": table}


# --- CSV downloads -----------------------------------------------------------------------------------


def _csv(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv_writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row[h] for h in header])
    return response


@public
@public_cached("campaigns")
@require_GET
def campaigns_csv(request):
    header = ["slug", "title", "fund", "currency", "goal", "raised", "donor_count", "starts_on", "ends_on"]
    return _csv("haven-campaigns.csv", header, selectors.campaigns_open_data())


@public
@public_cached("campaigns")
@require_GET
def allocations_csv(request):
    header = ["campaign", "category", "category_slug", "share_basis_points"]
    return _csv("haven-planned-split.csv", header, selectors.allocation_open_data())


@public
@public_cached("campaigns")
@require_GET
def spending_csv(request):
    header = ["month", "category", "category_slug", "currency", "amount"]
    rows = [
        {**row, "month": row["month"].strftime("%Y-%m")} for row in selectors.spending_by_category_month()
    ]
    return _csv("haven-spending-by-category-month.csv", header, rows)


@public
@public_cached("campaigns")
@require_GET
def funds_csv(request):
    header = ["fund", "name", "is_restricted", "currency", "raised", "donor_count", "spent_published"]
    rows = [
        {
            "fund": b.fund.slug,
            "name": b.fund.name,
            "is_restricted": b.fund.is_restricted,
            "currency": b.currency,
            "raised": b.raised,
            "donor_count": b.donor_count,
            "spent_published": b.spent,
        }
        for b in selectors.fund_books()
    ]
    return _csv("haven-funds.csv", header, rows)


@public
@public_cached("campaigns")
@require_GET
def income_csv(request):
    header = ["month", "fund", "currency", "amount"]
    rows = [
        {
            "month": r["month"].strftime("%Y-%m"),
            "fund": r["fund_slug"],
            "currency": r["currency"],
            "amount": r["amount"],
        }
        for r in selectors.income_by_fund_month()
    ]
    return _csv("haven-income-by-fund-month.csv", header, rows)
