"""Money is integer minor units plus a currency code; these turn it into text at the edge."""

from decimal import Decimal, InvalidOperation

SYMBOLS = {"usd": "$", "cad": "CA$", "aud": "A$", "eur": "\u20ac", "gbp": "\u00a3"}


def format_money(minor: int | None, currency: str = "usd", *, cents: bool | None = None) -> str:
    """1234500, "usd" -> "$12,345"; 1250 -> "$12.50". `cents` forces or drops the decimals."""
    minor = int(minor or 0)
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), 100)
    show_cents = fraction != 0 if cents is None else cents
    number = f"{whole:,}" + (f".{fraction:02d}" if show_cents else "")
    symbol = SYMBOLS.get((currency or "").lower())
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {(currency or '').upper()}"


def parse_major_amount(text: str) -> int:
    """ "40", "40.5", "$1,000.00" -> minor units. Raises ValueError on anything else."""
    cleaned = (text or "").strip().replace(",", "").lstrip("$\u20ac\u00a3").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(f"\u201c{text}\u201d is not an amount.") from exc
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"\u201c{text}\u201d has more than two decimals.")
    return int(value * 100)
