"""The one place money becomes text, and text becomes money.

Money is integer minor units plus an ISO currency code everywhere else (`amount=4000,
currency="usd"`). Formatting is Babel's (CLDR data), in the locale of the active Django language:
"$12,345.00" in English, "12.345,00 US$" in Spanish. The currency's own number of minor digits
comes from CLDR too (2 for USD and EUR, 0 for JPY).

When cents are shown (`cents=`):

- `Cents.ALWAYS` (the default, template filter `money`): every amount a person gave, was charged,
  refunded, receipted or is asked for: gifts, fees, refunds, receipts, statements, the donation form
  and its limits, staff gift pages, emails. "$40.00", never "$40".
- `Cents.IF_ANY` (filter `money_headline`): headline figures that are sums or round targets:
  campaign and fund totals, goals, open-books spending, impact units on campaign pages. ".00" is
  dropped, other cents stay: "$1,500", "$123.45".
- `Cents.NEVER`: chart axis labels, rounded to whole units.
"""

import copy
import enum
import functools
from decimal import Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_percent, get_currency_precision
from django.conf import settings
from django.utils.translation import get_language, to_locale


class Cents(enum.Enum):
    ALWAYS = "always"
    IF_ANY = "if_any"
    NEVER = "never"


class InvalidAmount(ValueError):
    """Text that is not an amount of money; the message is for people."""


class AmountNotANumber(InvalidAmount):
    pass


class AmountTooPrecise(InvalidAmount):
    """More decimals than the currency has minor units (e.g. 10.555 dollars)."""


def format_money(minor: int | None, currency: str | None = None, *, cents: Cents = Cents.ALWAYS) -> str:
    """4000, "usd" -> "$40.00" (English) or "40,00 US$" (Spanish); see the module docstring for
    `cents`. `currency` defaults to HAVEN_CURRENCY."""
    code = _code(currency)
    value = major_amount(minor, code)
    locale = _active_locale()
    if cents is Cents.NEVER or (cents is Cents.IF_ANY and value == value.to_integral_value()):
        return format_currency(
            value, code, format=_whole_units_pattern(locale), locale=locale, currency_digits=False
        )
    return format_currency(value, code, locale=locale)


def major_amount(minor: int | None, currency: str | None = None) -> Decimal:
    """4000, "usd" -> Decimal("40.00"): for form fields that take an amount in major units."""
    digits = _digits(_code(currency))
    return Decimal(int(minor or 0)).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


def major_amount_text(minor: int | None, currency: str | None = None, *, cents: Cents = Cents.ALWAYS) -> str:
    """4000, "usd" -> "40.00" (Cents.IF_ANY: "40"): no symbol, no grouping, a dot for decimals, in
    every language. For CSV cells and the starting value of amount inputs, which spreadsheets and
    `parse_major_amount` read back; never for people to read."""
    value = major_amount(minor, currency)
    if cents is Cents.NEVER or (cents is Cents.IF_ANY and value == value.to_integral_value()):
        value = value.to_integral_value()
    return f"{value:f}"


def parse_major_amount(text: str, currency: str | None = None) -> int:
    """ "40", "40.5", "$1,000.00" -> minor units (4000, 4050, 100000). Commas are thousands
    separators. Raises AmountNotANumber or AmountTooPrecise (both InvalidAmount, a ValueError)."""
    digits = _digits(_code(currency))
    cleaned = (text or "").strip().replace(",", "").lstrip("$\u20ac\u00a3").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise AmountNotANumber(f"\u201c{text}\u201d is not an amount.") from exc
    if not value.is_finite():
        raise AmountNotANumber(f"\u201c{text}\u201d is not an amount.")
    if value != value.quantize(Decimal(1).scaleb(-digits)):
        raise AmountTooPrecise(f"\u201c{text}\u201d has more than {digits} decimals.")
    return int(value.scaleb(digits))


def _code(currency: str | None) -> str:
    return (currency or settings.HAVEN_CURRENCY).upper()


def _digits(code: str) -> int:
    return get_currency_precision(code)


def _active_locale() -> Locale:
    return _locale(to_locale(get_language() or settings.LANGUAGE_CODE))


@functools.cache
def _locale(name: str) -> Locale:
    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        # A region CLDR does not know (en_XX) still has its language.
        return Locale.parse(name.split("_")[0])


@functools.cache
def _whole_units_pattern(locale: Locale):
    """The locale's own currency pattern (symbol position, grouping) with no fraction digits."""
    pattern = copy.copy(locale.currency_formats["standard"])
    pattern.frac_prec = (0, 0)
    return pattern


def format_basis_points(bps: int) -> str:
    """290 -> "2.9%" (English) or "2,9 %" (Spanish): a rate in the active language's own style."""
    return format_percent(Decimal(bps) / 10_000, format="#,##0.##%", locale=_active_locale())
