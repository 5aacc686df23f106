"""Receipt and annual statement PDFs, laid out by `core.pdf` (fonts for every name, measured columns).
Deterministic for the same data, so a stored hash can be checked against a re-rendered copy.

Every word a donor reads is in the `CommonText`, `ReceiptText` and `StatementText` classes below, in
one place per document, translated (lazily: a document is laid out in the active language, which the
callers set to the donor's, donations.services.receipts and statements)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils import dateformat, timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import local_format
from core.money import format_money as money
from core.pdf import Cell, Column, Document, Row

from .match_selectors import match_sponsor_name


class CommonText:
    tax_id = _("Tax ID (EIN): {tax_id}")
    page = _("Page {page} of {pages}")
    long_date = "HAVEN_LONG_DATE"  # a named format (core/formats): March 3, 2026 / 3 de marzo de 2026
    short_date = "HAVEN_DATE"  # Mar 3, 2026 / 3 de mar de 2026


class ReceiptText:
    document = _("Receipt {number}")
    title = _("Official donation receipt")
    footer = _("{org} · Receipt {number}")
    number = _("Receipt number")
    date = _("Date received")
    donor = _("Donor")
    email = _("Email")
    method = _("Payment method")
    reference = _("Reference")
    frequency = _("Frequency")
    designation = _("Designation")
    amounts = _("Amount")
    what = _("Description")
    gift = _("Your gift")
    fee = _("Processing fee you covered")
    total = _("Total paid")
    no_goods = _(
        "No goods or services were provided in exchange for this contribution. {org} is a tax-exempt "
        "charitable organization; please keep this receipt for your tax records."
    )
    # Information only: the sponsor's match is their gift, never part of the donor's amounts.
    matched_by = _(
        "Matched by {sponsor}. The match is {sponsor}'s own gift: it is not part of your gift or of "
        "this receipt."
    )


class StatementText:
    document = _("Giving statement {year}")
    title = _("Annual giving statement {year}")
    footer = _("{org} · Giving statement {year}")
    donor = _("Donor")
    email = _("Email")
    emails = _("Emails")
    period = _("Period")
    period_value = "{start} – {end}"
    gift_count = _("Gifts")
    total_given = _("Total given")
    gifts = _("Your gifts")
    no_gifts = _("No gifts were received from you in {year}.")
    date = _("Date")
    receipt = _("Receipt")
    designation = _("Designation")
    amount = _("Amount")
    gift = _("Gift")
    refunded = _("Refunded")
    net = _("Net")
    total = _("Total")
    total_currency = _("Total ({currency})")
    no_goods = _(
        "No goods or services were provided in exchange for these contributions. Amounts are net of any "
        "refunds; gifts refunded in full are not listed."
    )
    # A fiscal-year statement (donations/periods.py); `period` is "Fiscal year July 2025 – June 2026".
    document_period = _("Giving statement, {period}")
    title_period = _("Giving statement: {period}")
    footer_period = _("{org} · Giving statement, {period}")
    no_gifts_period = _("No gifts were received from you between {start} and {end}.")


class WhereText:
    """ "Where your gifts went": the published spending of each campaign or fund the donor gave to."""

    heading = _("Where your gifts went")
    intro = _(
        "For each campaign or fund you gave to, how the spending it published for this period was split "
        "by category. This is how the campaign's or fund's money was spent overall, not a record of which "
        "dollars of yours paid for what."
    )
    destination = _("Campaign or fund")
    given = _("You gave")
    split = _("Its published spending, by category")
    restricted = _("{name} (restricted fund)")
    share = _("{percent} {category}")
    nothing_spent = _("No spending from it has been published for this period.")
    not_published = _(
        "Spending for this period is not published yet: the open books publish each month's spending "
        "by category {days} days after the month ends. It will appear on a statement downloaded later."
    )
    partial = _("Spending published so far covers {start} – {end}; later months are not published yet.")
    method = _(
        "Computed only from the totals the organisation publishes in its open books (the spending of "
        "each published month, summed by category); never from single payments or who was paid. "
        "Percentages are rounded to whole numbers that add up to 100 (the largest remainders get the "
        "points left over); a category under half a percent can show as 0 %."
    )


def _local_date(value, fmt: str = CommonText.long_date) -> str:
    return dateformat.format(timezone.localtime(value), local_format(fmt)) if value else ""


def _designation(gift) -> str:
    return gift.campaign.title if gift.campaign_id else gift.fund.name


def _document(*, title: str, footer: str) -> Document:
    doc = Document(title=title, author=_org_name(), footer=footer, page_label=CommonText.page)
    doc.letterhead(
        _org_name(),
        [settings.HAVEN_ORG_ADDRESS, CommonText.tax_id.format(tax_id=settings.HAVEN_ORG_TAX_ID)],
    )
    return doc


def _org_name() -> str:
    return settings.HAVEN_ORG_LEGAL_NAME or settings.HAVEN_ORG_NAME


def receipt_pdf(*, receipt) -> bytes:
    donation = receipt.donation
    words = ReceiptText
    org = _org_name()
    doc = _document(
        title=words.document.format(number=receipt.number),
        footer=words.footer.format(org=org, number=receipt.number),
    )
    doc.title(words.title)
    rows = [
        (words.number, receipt.number),
        (words.date, _local_date(donation.succeeded_at)),
        (words.donor, donation.donor_name or donation.donor_email),
    ]
    if donation.donor_name:
        rows.append((words.email, donation.donor_email))
    rows.append((words.method, donation.get_method_display()))
    if donation.offline_reference:
        rows.append((words.reference, donation.offline_reference))
    rows.append((words.frequency, donation.get_frequency_display()))
    rows.append((words.designation, _designation(donation)))
    if donation.tribute_type and donation.tribute_name:
        rows.append((donation.get_tribute_type_display(), donation.tribute_name))
    doc.key_values(rows)
    doc.space(5)

    currency = donation.currency
    lines = [Row([words.gift, money(donation.amount, currency)])]
    if donation.fee_covered:
        lines.append(Row([words.fee, money(donation.fee_covered, currency)]))
    lines.append(Row([words.total, money(donation.charged_amount, currency)], bold=True, rule_above=True))
    doc.table([Column(words.what, wrap=True), Column(words.amounts, align="RIGHT")], lines)
    doc.space(6)
    sponsor = match_sponsor_name(donation)
    if sponsor:
        doc.text(words.matched_by.format(sponsor=sponsor), size=9)
        doc.space(3)
    doc.text(words.no_goods.format(org=org), size=9, muted=True)
    return doc.output()


def statement_donor_name(gifts: Iterable) -> str:
    """The name on the most recent gift that has one (what the donor last typed at checkout)."""
    named = [g for g in gifts if g.donor_name.strip()]
    if not named:
        return ""
    latest = max(named, key=lambda g: (g.succeeded_at or g.created_at, g.pk))
    return latest.donor_name.strip()


def statement_pdf(*, emails: list[str], year: int, gifts: list, period=None, where=None) -> bytes:
    """The statement of `gifts` (the counted gifts of the period, oldest first, as
    `selectors.donations_for_statement` gives them), naming the donor as their latest gift does. The
    period is the calendar `year`, or `period` (donations.periods.StatementPeriod); `where`
    (selectors.where_gifts_went) adds "Where your gifts went"."""
    from .periods import CALENDAR, calendar_year

    words = StatementText
    org = _org_name()
    name = statement_donor_name(gifts)
    period = period or calendar_year(year)
    if period.kind == CALENDAR:
        year = period.year
        doc = _document(
            title=words.document.format(year=year), footer=words.footer.format(org=org, year=year)
        )
        doc.title(words.title.format(year=year))
    else:
        label = period.label
        doc = _document(
            title=words.document_period.format(period=label),
            footer=words.footer_period.format(org=org, period=label),
        )
        doc.title(words.title_period.format(period=label))

    totals: dict[str, list[int]] = {}
    for gift in gifts:
        sums = totals.setdefault(gift.currency, [0, 0])
        sums[0] += gift.amount
        sums[1] += gift.amount_refunded
    start = dateformat.format(period.start, local_format(CommonText.long_date))
    end = dateformat.format(period.last_day, local_format(CommonText.long_date))
    period_text = words.period_value.format(start=start, end=end)
    given_net = [money(given - refunded, cur) for cur, (given, refunded) in sorted(totals.items())]
    summary = []
    if name:
        summary.append((words.donor, name))
    summary.append((words.emails if len(emails) > 1 else words.email, ", ".join(emails)))
    summary.append((words.period, period_text))
    summary.append((words.gift_count, str(len(gifts))))
    summary.append((words.total_given, ", ".join(given_net) or money(0, settings.HAVEN_CURRENCY)))
    doc.key_values(summary)
    doc.heading(words.gifts)
    if not gifts and period.kind == CALENDAR:
        doc.text(words.no_gifts.format(year=year))
    elif not gifts:
        doc.text(words.no_gifts_period.format(start=start, end=end))
    else:
        doc.table(*_statement_table(gifts, totals))
    if where is not None and where.destinations:
        _where_section(doc, where)
    doc.space(6)
    doc.text(words.no_goods, size=9, muted=True)
    return doc.output()


def share_text(share) -> str:
    """ "70% Emergency housing" ("70 % …" in Spanish): the share's whole percent in the active
    language's style."""
    return WhereText.share.format(percent=share.percent_text, category=share.name)


def _where_section(doc: Document, where) -> None:
    words = WhereText
    doc.heading(words.heading)
    doc.text(words.intro, size=9.5, after=2)
    if not where.published:
        doc.text(
            words.not_published.format(days=settings.HAVEN_SPENDING_PUBLISH_DELAY_DAYS), size=9.5, after=2
        )
    elif not where.whole_period:
        month_year = local_format("HAVEN_MONTH_YEAR")
        doc.text(
            words.partial.format(
                start=dateformat.format(where.months_from, month_year),
                end=dateformat.format(where.months_to, month_year),
            ),
            size=9.5,
            after=2,
        )
    rows = []
    for destination in where.destinations:
        name = (
            words.restricted.format(name=destination.name) if destination.is_restricted else destination.name
        )
        if destination.shares:
            split = ", ".join(share_text(share) for share in destination.shares)
        elif where.published:
            split = str(words.nothing_spent)
        else:
            split = "—"
        rows.append(Row([name, money(destination.given, destination.currency), split]))
    doc.table(
        [
            Column(words.destination, wrap=True),
            Column(words.given, align="RIGHT"),
            Column(words.split, wrap=True),
        ],
        rows,
    )
    doc.space(2)
    doc.text(words.method, size=8.5, muted=True)


def _statement_table(gifts: list, totals: dict[str, list[int]]) -> tuple[list[Column], list[Row]]:
    words = StatementText
    refunds = any(gift.amount_refunded for gift in gifts)
    columns = [Column(words.date), Column(words.receipt), Column(words.designation, wrap=True)]
    if refunds:
        columns += [
            Column(words.gift, align="RIGHT"),
            Column(words.refunded, align="RIGHT"),
            Column(words.net, align="RIGHT"),
        ]
    else:
        columns.append(Column(words.amount, align="RIGHT"))
    rows = []
    for gift in gifts:
        receipt = getattr(gift, "receipt", None)
        cells = [
            _local_date(gift.succeeded_at, CommonText.short_date),
            receipt.number if receipt else "",
            _designation(gift),
        ]
        net = money(gift.amount - gift.amount_refunded, gift.currency)
        if refunds:
            refunded = money(-gift.amount_refunded, gift.currency) if gift.amount_refunded else ""
            cells += [money(gift.amount, gift.currency), refunded, net]
        else:
            cells.append(net)
        rows.append(Row(cells))
    for i, (currency, (given, refunded)) in enumerate(sorted(totals.items())):
        label = words.total_currency.format(currency=currency.upper()) if len(totals) > 1 else words.total
        net = money(given - refunded, currency)
        if refunds:
            cells = [Cell(label, colspan=3), money(given, currency), money(-refunded, currency), net]
        else:
            cells = [Cell(label, colspan=3), net]
        rows.append(Row(cells, bold=True, rule_above=i == 0))
    return columns, rows
