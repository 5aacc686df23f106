"""The stand-in's hosted pages (Checkout and the billing portal): plain, accessible HTML, no JS."""

from __future__ import annotations

import base64
import hashlib
from html import escape

# Stripe's zero-decimal currencies: amounts are in whole units.
ZERO_DECIMAL = frozenset(
    {
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    }
)

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
.test{background:#fff4d6;border:1px solid #b58a00;padding:.5rem .75rem;border-radius:4px}
label{display:block;font-weight:600;margin-top:1rem}
input{font-size:1.1rem;padding:.5rem;width:100%;box-sizing:border-box;border:1px solid #555;border-radius:4px}
button{margin-top:1.25rem;font-size:1.1rem;padding:.6rem 1.4rem;background:#2b4acb;color:#fff;border:0;
border-radius:4px;cursor:pointer}
button:focus,a:focus,input:focus{outline:3px solid #f5a623;outline-offset:2px}
.error{color:#a30000;font-weight:600}
.visually-hidden{position:absolute;left:-9999px}
.amount{font-size:2rem;font-weight:700;margin:.25rem 0}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem;border-bottom:1px solid #ddd}
"""

# No script at all, the inline style sheet by its hash; forms post back here (the page then
# redirects to the site), so form-action is left open.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; "
    f"style-src 'sha256-{base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()}'; "
    "img-src 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def money(amount: int | None, currency: str | None) -> str:
    currency = (currency or "usd").lower()
    amount = amount or 0
    if currency in ZERO_DECIMAL:
        return f"{amount:,} {currency.upper()}"
    return f"{amount / 100:,.2f} {currency.upper()}"


def _page(title: str, body: str) -> bytes:
    return (
        "<!doctype html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} · devstripe</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_STYLE}</style></head><body><main>"
        '<p class="test">Test mode: this is devstripe, a local stand-in for Stripe. No real money moves.</p>'
        f"{body}</main></body></html>"
    ).encode()


def checkout_page(
    session: dict, lines: list[dict], *, card: str = "4242 4242 4242 4242", email: str = "", error: str = ""
) -> bytes:
    status = session["status"]
    if status != "open":
        message = (
            "This payment is complete." if status == "complete" else "This checkout session has expired."
        )
        link = session.get("success_url") if status == "complete" else session.get("cancel_url")
        back = f'<p><a href="{escape(link)}">Return to the site</a></p>' if link else ""
        return _page("Checkout", f"<h1>Checkout</h1><p>{message}</p>{back}")

    rows = "".join(
        f'<tr><th scope="row">{escape(line["description"] or "Item")}</th>'
        f"<td>{line['quantity']}</td><td>{escape(money(line['amount_total'], line['currency']))}"
        f"{_interval(line)}</td></tr>"
        for line in lines
    )
    subscription = session["mode"] == "subscription"
    verb = {"donate": "Donate", "book": "Book"}.get(session.get("submit_type") or "", "Pay")
    if subscription:
        verb = "Subscribe"
    email_field = ""
    if not session.get("customer_email") and not session.get("customer"):
        email_field = (
            '<label for="email">Email</label>'
            '<input id="email" name="email" type="email" autocomplete="email" required'
            f' value="{escape(email)}">'
        )
    error_html = ""
    described = ""
    if error:
        error_html = f'<p id="card-error" class="error" role="alert">{escape(error)}</p>'
        described = ' aria-describedby="card-error" aria-invalid="true"'
    cancel = ""
    if session.get("cancel_url"):
        cancel = f'<p><a href="{escape(session["cancel_url"])}">Cancel and return to the site</a></p>'
    body = (
        f"<h1>{'Subscribe' if subscription else 'Pay'}</h1>"
        f'<p class="amount">{escape(money(session["amount_total"], session["currency"]))}'
        f"{'<span> per ' + escape(_first_interval(lines)) + '</span>' if subscription else ''}</p>"
        '<table><caption class="visually-hidden">Items</caption><thead><tr><th scope="col">Item</th>'
        f'<th scope="col">Qty</th><th scope="col">Amount</th></tr></thead><tbody>{rows}</tbody></table>'
        f'<form method="post" action="/checkout/pay/{escape(session["id"])}">{email_field}'
        '<label for="card">Card number</label>'
        f'<input id="card" name="card" inputmode="numeric" autocomplete="cc-number" required'
        f' value="{escape(card)}"{described}>{error_html}'
        f'<button type="submit">{verb} {escape(money(session["amount_total"], session["currency"]))}</button>'
        "</form>"
        f"{cancel}"
        "<h2>Test cards</h2><ul>"
        "<li>4242 4242 4242 4242: succeeds</li>"
        "<li>4000 0000 0000 0002: declined</li>"
        "<li>4000 0000 0000 9995: declined, insufficient funds</li>"
        "<li>4000 0000 0000 0259: succeeds, then the payment is disputed</li></ul>"
    )
    return _page("Checkout", body)


def _interval(line: dict) -> str:
    rec = line["price"].get("recurring")
    return f" / {escape(rec['interval'])}" if rec else ""


def _first_interval(lines: list[dict]) -> str:
    for line in lines:
        if line["price"].get("recurring"):
            return line["price"]["recurring"]["interval"]
    return "month"


def portal_page(portal: dict, customer: dict, subscriptions: list[dict], *, card_last4: str | None,
                message: str = "", error: str = "") -> bytes:  # fmt: skip
    rows = ""
    for sub in subscriptions:
        item = sub["items"]["data"][0]
        price = item["price"]
        state = sub["status"]
        if sub["cancel_at_period_end"]:
            state += " (ends at the end of the period)"
        action = ""
        if sub["status"] in ("active", "past_due") and not sub["cancel_at_period_end"]:
            action = (
                f'<form method="post" action="/billing/{escape(portal["id"])}">'
                '<input type="hidden" name="action" value="cancel">'
                f'<input type="hidden" name="subscription" value="{escape(sub["id"])}">'
                f'<button type="submit">Cancel this subscription</button></form>'
            )
        rows += (
            f'<tr><th scope="row">{escape(money(price["unit_amount"] * item["quantity"], price["currency"]))}'
            f" / {escape((price.get('recurring') or {}).get('interval', 'month'))}</th>"
            f"<td>{escape(state)}</td><td>{action}</td></tr>"
        )
    subs_html = (
        '<table><thead><tr><th scope="col">Subscription</th><th scope="col">Status</th>'
        f'<th scope="col">Action</th></tr></thead><tbody>{rows}</tbody></table>'
        if rows
        else "<p>No subscriptions.</p>"
    )
    notice = f'<p role="status">{escape(message)}</p>' if message else ""
    error_html, described = "", ""
    if error:
        error_html = f'<p id="card-error" class="error" role="alert">{escape(error)}</p>'
        described = ' aria-describedby="card-error" aria-invalid="true"'
    back = ""
    if portal.get("return_url"):
        back = f'<p><a href="{escape(portal["return_url"])}">Return to the site</a></p>'
    body = (
        "<h1>Manage your billing</h1>"
        f"{notice}<p>Signed in as {escape(customer.get('email') or customer['id'])}.</p>"
        f"<h2>Subscriptions</h2>{subs_html}"
        "<h2>Payment method</h2>"
        f"<p>{'Card ending in ' + escape(card_last4) if card_last4 else 'No card on file.'}</p>"
        f'<form method="post" action="/billing/{escape(portal["id"])}">'
        '<input type="hidden" name="action" value="update_card">'
        '<label for="card">New card number</label>'
        f'<input id="card" name="card" inputmode="numeric" autocomplete="cc-number" required'
        f' value="4242 4242 4242 4242"{described}>{error_html}'
        '<button type="submit">Update card</button></form>'
        f"{back}"
    )
    return _page("Billing", body)


def message_page(title: str, message: str, link: str | None = None) -> bytes:
    back = f'<p><a href="{escape(link)}">Return to the site</a></p>' if link else ""
    return _page(title, f"<h1>{escape(title)}</h1><p>{escape(message)}</p>{back}")
