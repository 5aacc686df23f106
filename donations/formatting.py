"""Money is integer minor units plus a currency code; it is formatted only here, at the edge."""

_SYMBOLS = {"usd": "$", "cad": "CA$", "eur": "€", "gbp": "£", "aud": "A$"}


def money(amount: int | None, currency: str = "usd") -> str:
    amount = amount or 0
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(int(amount)), 100)
    symbol = _SYMBOLS.get((currency or "").lower(), (currency or "").upper() + " ")
    return f"{sign}{symbol}{whole:,}.{cents:02d}"
