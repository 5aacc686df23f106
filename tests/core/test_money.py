"""core.money is the one money formatter: Babel, in the active language's locale, with one rule for
when cents are shown."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core.money import (
    AmountNotANumber,
    AmountTooPrecise,
    Cents,
    format_money,
    major_amount,
    major_amount_text,
    parse_major_amount,
)


def test_an_amount_always_shows_its_cents():
    assert format_money(4000, "usd") == "$40.00"
    assert format_money(1234500, "usd") == "$12,345.00"
    assert format_money(-1250, "usd") == "-$12.50"
    assert format_money(None, "usd") == "$0.00"


def test_a_headline_figure_drops_only_zero_cents():
    assert format_money(150000, "usd", cents=Cents.IF_ANY) == "$1,500"
    assert format_money(12345, "usd", cents=Cents.IF_ANY) == "$123.45"


def test_a_chart_label_is_rounded_to_whole_units():
    assert format_money(1234567, "usd", cents=Cents.NEVER) == "$12,346"


def test_the_currency_defaults_to_the_organisations(settings):
    settings.HAVEN_CURRENCY = "eur"
    assert format_money(1250) == "€12.50"


def test_spanish_gets_spanish_numbers_without_any_change_to_the_callers():
    # given the page is rendered in Spanish
    with translation.override("es"):
        # then separators and the symbol's place follow the Spanish locale
        assert format_money(1234500, "usd") == "12.345,00\xa0US$"
        assert format_money(150000, "usd", cents=Cents.IF_ANY) == "1.500\xa0US$"
        assert format_money(1250, "eur") == "12,50\xa0€"


def test_a_currency_without_minor_units_has_no_decimals():
    assert format_money(500, "jpy") == "¥500"
    assert major_amount(500, "jpy") == Decimal("500")
    assert parse_major_amount("500", "jpy") == 500


def test_plain_major_amounts_for_inputs_and_csv_are_the_same_in_every_language():
    with translation.override("es"):
        assert major_amount_text(123456, "usd") == "1234.56"
        assert major_amount_text(4000, "usd") == "40.00"
        assert major_amount_text(4000, "usd", cents=Cents.IF_ANY) == "40"
    assert major_amount(4050, "usd") == Decimal("40.50")


@pytest.mark.parametrize(
    ("text", "minor"), [("40", 4000), ("40.5", 4050), ("$1,000.00", 100000), (" 25.50 ", 2550)]
)
def test_parse_major_amount_reads_what_people_type(text, minor):
    assert parse_major_amount(text, "usd") == minor


@pytest.mark.parametrize("text", ["ten", "", "Infinity", "NaN", "4O"])
def test_parse_major_amount_refuses_what_is_not_a_number(text):
    with pytest.raises(AmountNotANumber, match="is not an amount"):
        parse_major_amount(text, "usd")


def test_parse_major_amount_refuses_fractions_of_a_cent():
    with pytest.raises(AmountTooPrecise, match="more than 2 decimals"):
        parse_major_amount("10.555", "usd")


def test_the_template_filters_follow_the_same_rule():
    template = Template("{% load money %}{{ a|money:'usd' }} | {{ a|money_headline:'usd' }}")

    assert template.render(Context({"a": 150000})) == "$1,500.00 | $1,500"
