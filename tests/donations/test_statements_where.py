"""Statements per fiscal or calendar year, and "where my gift went": for each campaign or fund the
donor gave to in the period, its published spending in the period split by category, checked against
figures computed by hand (two campaigns, a restricted fund, a refund, spending outside the period or
not published yet, rounding to 100)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone, translation

from donations import pdf, periods, selectors, services, tasks
from donations.models import Donation, Statement
from messaging.models import Message
from tests import pdfcheck
from tests.donations.test_pdfs import assert_laid_out
from tests.factories import (
    CampaignFactory,
    DonationFactory,
    ExpenditureFactory,
    FundFactory,
    SpendingCategoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

EMAIL = "where@example.org"
# The spending of 2025 is all published by then (a month is published 15 days after it ends).
AFTER_2025 = datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)


def _day(y, m, d):
    return datetime.datetime(y, m, d, 15, tzinfo=datetime.UTC)


def _gift(campaign=None, fund=None, *, amount, on, refunded=0, status=Donation.Status.SUCCEEDED, email=EMAIL):
    return DonationFactory(
        donor_email=email,
        campaign=campaign,
        fund=fund or campaign.fund,
        amount=amount,
        amount_refunded=refunded,
        status=status,
        succeeded_at=on,
    )


@pytest.fixture
def books():
    """Two campaigns and a restricted fund, with spending in and around 2025 (hand-computed splits
    in the test below)."""
    housing = SpendingCategoryFactory(name="Emergency housing", slug="housing", position=1)
    legal = SpendingCategoryFactory(name="Legal aid", slug="legal", position=2)
    transport = SpendingCategoryFactory(name="Transport", slug="transport", position=3)
    medical = SpendingCategoryFactory(name="Medical care", slug="medical", position=4)
    safe_nights = CampaignFactory(title="Safe Nights")
    legal_help = CampaignFactory(title="Legal Help")
    medical_fund = FundFactory(name="Medical fund", is_restricted=True)
    other_fund = FundFactory(name="Other fund", is_restricted=True)

    def spend(amount, category, on, campaign=None, fund=None):
        ExpenditureFactory(
            amount=amount,
            category=category,
            spent_on=on,
            campaign=campaign,
            fund=fund or campaign.fund,
            payee="Never shown LLC",
        )

    # Safe Nights in 2025: 700 + 200 + 100 → 70 % / 20 % / 10 %
    spend(70000, housing, datetime.date(2025, 3, 10), safe_nights)
    spend(20000, legal, datetime.date(2025, 6, 2), safe_nights)
    spend(10000, transport, datetime.date(2025, 9, 30), safe_nights)
    # outside 2025: not counted
    spend(99900, housing, datetime.date(2024, 12, 31), safe_nights)
    spend(55500, legal, datetime.date(2026, 1, 5), safe_nights)
    # Legal Help: three equal thirds → 34 / 33 / 33 (the point left goes to the first)
    spend(10000, housing, datetime.date(2025, 2, 1), legal_help)
    spend(10000, legal, datetime.date(2025, 2, 2), legal_help)
    spend(10000, transport, datetime.date(2025, 2, 3), legal_help)
    # the restricted fund (no campaign): 150 + 50 → 75 % / 25 %; another fund's spending is not its
    spend(15000, medical, datetime.date(2025, 4, 1), fund=medical_fund)
    spend(5000, transport, datetime.date(2025, 11, 20), fund=medical_fund)
    spend(50000, medical, datetime.date(2025, 4, 1), fund=other_fund)
    return {
        "safe_nights": safe_nights,
        "legal_help": legal_help,
        "medical_fund": medical_fund,
        "housing": housing,
        "legal": legal,
    }


def _donor_gifts(books):
    # Safe Nights: $200 + $100 with $60 refunded → $240
    _gift(books["safe_nights"], amount=20000, on=_day(2025, 2, 1))
    _gift(books["safe_nights"], amount=10000, refunded=6000, on=_day(2025, 8, 1))
    # Legal Help: $50, and a $100 gift refunded in full (not counted)
    _gift(books["legal_help"], amount=5000, on=_day(2025, 5, 1))
    _gift(
        books["legal_help"],
        amount=10000,
        refunded=10000,
        status=Donation.Status.REFUNDED,
        on=_day(2025, 5, 2),
    )
    # the restricted fund directly: $30
    _gift(fund=books["medical_fund"], amount=3000, on=_day(2025, 12, 1))
    # outside 2025, and someone else's: not on this statement
    _gift(books["safe_nights"], amount=99900, on=_day(2024, 12, 30))
    _gift(books["safe_nights"], amount=77700, on=_day(2025, 3, 1), email="other@example.org")


def _where(year=2025, kind=periods.CALENDAR):
    period = periods.StatementPeriod(kind, year)
    gifts = list(selectors.donations_for_statement(emails=[EMAIL], period=period))
    return selectors.where_gifts_went(gifts=gifts, period=period)


def _shares(destination):
    return [(share.percent, share.name) for share in destination.shares]


@time_machine.travel(AFTER_2025)
def test_where_my_gifts_went_matches_the_figures_computed_by_hand(books, django_assert_max_num_queries):
    _donor_gifts(books)

    with django_assert_max_num_queries(4):
        where = _where()

    assert where.published and where.whole_period
    assert [(d.name, d.given, d.is_restricted) for d in where.destinations] == [
        ("Safe Nights", 24000, False),
        ("Legal Help", 5000, False),
        ("Medical fund", 3000, True),
    ]
    safe_nights, legal_help, medical = where.destinations
    assert _shares(safe_nights) == [(70, "Emergency housing"), (20, "Legal aid"), (10, "Transport")]
    assert safe_nights.spent == 100000
    assert _shares(legal_help) == [(34, "Emergency housing"), (33, "Legal aid"), (33, "Transport")]
    assert _shares(medical) == [(75, "Medical care"), (25, "Transport")]
    for destination in where.destinations:
        assert sum(share.percent for share in destination.shares) == 100


def test_whole_percents_add_up_to_100_by_largest_remainder():
    assert selectors.whole_percents([1, 1, 1]) == [34, 33, 33]
    assert selectors.whole_percents([2, 1]) == [67, 33]
    assert selectors.whole_percents([70000, 20000, 10000]) == [70, 20, 10]
    assert selectors.whole_percents([999, 1]) == [100, 0]
    assert selectors.whole_percents([1234, 5678, 91]) == [18, 81, 1]
    assert selectors.whole_percents([]) == []
    assert selectors.whole_percents([0, 0]) == [0, 0]


def test_spending_not_published_yet_is_left_out_and_the_page_says_what_is_covered(books):
    # given it is March 2026: January's spending is published, February's not yet
    with time_machine.travel(datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.UTC)):
        _gift(books["safe_nights"], amount=4000, on=timezone.now())
    ExpenditureFactory(
        amount=44400,
        category=books["legal"],
        spent_on=datetime.date(2026, 2, 10),
        campaign=books["safe_nights"],
    )

    with time_machine.travel(AFTER_2025):
        where = _where(2026)

    assert where.published and not where.whole_period
    assert (where.months_from, where.months_to) == (datetime.date(2026, 1, 1), datetime.date(2026, 1, 1))
    (safe_nights,) = where.destinations
    # only January's $555 (legal aid): February's $444 is not published
    assert _shares(safe_nights) == [(100, "Legal aid")] and safe_nights.spent == 55500


def test_when_nothing_of_the_period_is_published_it_says_so(client, books):
    user = UserFactory(email=EMAIL)
    with time_machine.travel(datetime.datetime(2026, 1, 10, 12, tzinfo=datetime.UTC)):
        _gift(books["safe_nights"], amount=4000, on=timezone.now())
        client.force_login(user)

        where = _where(2026)
        body = client.get("/me/giving/").content.decode()
        content = client.get("/me/giving/statements/2026.pdf").content

    assert not where.published
    assert [(d.name, d.shares) for d in where.destinations] == [("Safe Nights", ())]
    assert "Spending for this period is not published yet" in body
    assert "Spending for this period is not published yet" in pdfcheck.text(content)


@time_machine.travel(AFTER_2025)
def test_a_campaign_with_no_published_spending_in_the_period_says_so(books):
    quiet = CampaignFactory(title="Winter Coats")
    _gift(quiet, amount=2500, on=_day(2025, 10, 1))

    (destination,) = _where().destinations

    assert destination.name == "Winter Coats" and destination.shares == ()


@time_machine.travel(AFTER_2025)
def test_my_giving_shows_where_the_gifts_went(client, books, django_assert_max_num_queries):
    _donor_gifts(books)
    client.force_login(UserFactory(email=EMAIL))

    body = client.get("/me/giving/?where=calendar-2025").content.decode()

    assert "Where your gifts went" in body and "Calendar year 2025" in body
    assert "Your $240.00 to Safe Nights" in body
    assert "Your $30.00 to Medical fund (restricted fund)" in body
    for text in ("70%", "Emergency housing", "34%", "75%", "Medical care"):
        assert text in body
    assert "Never shown LLC" not in body
    # the statement links: calendar years only while the fiscal year is the calendar year
    assert 'href="/me/giving/statements/2025.pdf"' in body and "/fiscal/" not in body


@time_machine.travel(AFTER_2025)
def test_the_statement_pdf_ends_with_where_the_gifts_went(client, books):
    _donor_gifts(books)
    client.force_login(UserFactory(email=EMAIL))

    response = client.get("/me/giving/statements/2025.pdf")

    assert response.status_code == 200
    content = response.content
    text = " ".join(pdfcheck.text(content).split())
    assert "Where your gifts went" in text
    assert "Safe Nights $240.00 70% Emergency housing, 20% Legal aid, 10% Transport" in text
    assert "Legal Help $50.00 34% Emergency housing, 33% Legal aid, 33% Transport" in text
    assert "Medical fund (restricted fund) $30.00 75% Medical care, 25% Transport" in text
    assert "Never shown LLC" not in text
    assert_laid_out(content)


# --- fiscal years ------------------------------------------------------------------------------------


def test_fiscal_year_periods_are_labelled_with_both_months(settings):
    settings.HAVEN_FISCAL_YEAR_START_MONTH = 7
    period = periods.fiscal_year(2025)

    assert (period.start, period.end) == (datetime.date(2025, 7, 1), datetime.date(2026, 7, 1))
    assert period.label == "Fiscal year July 2025 – June 2026"
    with translation.override("es"):
        assert period.label == "Año fiscal julio de 2025 – junio de 2026"
    assert periods.period_of(datetime.date(2026, 6, 30), periods.FISCAL) == period
    assert periods.period_of(datetime.date(2026, 7, 1), periods.FISCAL).year == 2026
    assert periods.calendar_year(2025).label == "Calendar year 2025"


@time_machine.travel(datetime.datetime(2026, 8, 3, 12, tzinfo=datetime.UTC))
def test_a_fiscal_year_statement_covers_july_to_june(client, settings, books):
    settings.HAVEN_FISCAL_YEAR_START_MONTH = 7
    _gift(books["safe_nights"], amount=1000, on=_day(2025, 6, 30))  # fiscal 2024
    _gift(books["safe_nights"], amount=2000, on=_day(2025, 7, 1))
    _gift(books["legal_help"], amount=3000, on=_day(2026, 6, 29))
    _gift(books["safe_nights"], amount=4000, on=_day(2026, 7, 2))  # fiscal 2026
    client.force_login(UserFactory(email=EMAIL))

    body = client.get("/me/giving/").content.decode()
    response = client.get("/me/giving/statements/fiscal/2025.pdf")

    assert 'href="/me/giving/statements/fiscal/2025.pdf"' in body
    assert "Fiscal year July 2025 – June 2026 (PDF)" in body
    assert 'href="/me/giving/statements/2025.pdf"' in body  # and calendar years as well
    assert response.status_code == 200
    assert 'filename="giving-statement-fy2025-2026.pdf"' in response["Content-Disposition"]
    text = " ".join(pdfcheck.text(response.content).split())
    assert "Giving statement: Fiscal year July 2025 – June 2026" in text
    assert "Period July 1, 2025 – June 30, 2026" in text
    assert "Gifts 2" in text and "Total given $50.00" in text
    # Safe Nights' spending from July 2025 to June 2026: $555 legal aid (Jan 2026) and $100 transport
    # (Sep 2025); June 2025's $200 is before it. 84.73 % and 15.27 %: the point left goes to 84.
    assert "Safe Nights $20.00 85% Legal aid, 15% Transport" in text
    assert "No spending from it has been published for this period." in text  # Legal Help
    # a fiscal year not yet begun, or with fiscal years off, is not there
    assert client.get("/me/giving/statements/fiscal/2027.pdf").status_code == 404
    settings.HAVEN_FISCAL_YEAR_START_MONTH = 1
    assert client.get("/me/giving/statements/fiscal/2025.pdf").status_code == 404


def test_the_yearly_email_sends_fiscal_statements_after_the_fiscal_year_and_calendar_ones_in_january(
    settings, books, django_capture_on_commit_callbacks, mailoutbox
):
    settings.HAVEN_FISCAL_YEAR_START_MONTH = 7
    _gift(books["safe_nights"], amount=2000, on=_day(2025, 9, 1))
    _gift(books["safe_nights"], amount=3000, on=_day(2026, 2, 1))

    with time_machine.travel(datetime.datetime(2026, 5, 3, 12, tzinfo=datetime.UTC)):
        assert tasks.statements_send_last_year() == 0
    july = datetime.datetime(2026, 7, 3, 12, tzinfo=datetime.UTC)
    with time_machine.travel(july), django_capture_on_commit_callbacks(execute=True):
        assert tasks.statements_send_last_year() == 1
        assert tasks.statements_send_last_year() == 1  # again: nothing sent twice

    statement = Statement.objects.get()
    assert (statement.period, statement.year, statement.total) == ("fiscal", 2025, 5000)
    assert Message.objects.filter(kind=services.KIND_STATEMENT).count() == 1
    (mail,) = mailoutbox
    assert mail.subject.endswith("Fiscal year July 2025 – June 2026")
    assert "Your giving statement for Fiscal year July 2025 – June 2026 is attached" in mail.body
    assert mail.attachments[0][0] == "giving-statement-fy2025-2026.pdf"

    january = datetime.datetime(2027, 1, 4, 12, tzinfo=datetime.UTC)
    with time_machine.travel(january), django_capture_on_commit_callbacks(execute=True):
        assert tasks.statements_send_last_year() == 1
    assert set(Statement.objects.values_list("period", "year")) == {("fiscal", 2025), ("calendar", 2026)}


def test_a_spanish_statement_labels_the_fiscal_year_and_the_split_in_spanish(settings, books):
    settings.HAVEN_FISCAL_YEAR_START_MONTH = 7
    UserFactory(email=EMAIL, language="es")
    _gift(books["safe_nights"], amount=2000, on=_day(2025, 9, 1))

    with time_machine.travel(datetime.datetime(2026, 8, 3, 12, tzinfo=datetime.UTC)):
        statement = services.statement_issue(email=EMAIL, year=2025, kind="fiscal", send=False)

    text = " ".join(pdfcheck.text(bytes(statement.pdf)).split())
    assert "Año fiscal julio de 2025 – junio de 2026" in text
    assert "Adónde fueron sus donaciones" in text
    assert "85% Legal aid, 15% Transport" in text  # staff-written category names, as written


def test_pdf_of_the_where_section_without_gifts_is_just_the_statement():
    content = pdf.statement_pdf(emails=["none@example.org"], year=2026, gifts=[], where=None)
    assert "Where your gifts went" not in pdfcheck.text(content)
