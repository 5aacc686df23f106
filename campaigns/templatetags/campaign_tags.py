from django import template

from campaigns.money import format_money

register = template.Library()


@register.filter
def money(minor, currency="usd"):
    """{{ amount|money:campaign.currency }}"""
    return format_money(minor, currency)


@register.filter
def money_cents(minor, currency="usd"):
    return format_money(minor, currency, cents=True)


@register.filter
def bps_percent(bps):
    """2500 -> "25%", 3333 -> "33.33%"."""
    value = int(bps or 0) / 100
    return f"{value:g}%"


@register.filter
def abs_money(minor, currency="usd"):
    return format_money(abs(int(minor or 0)), currency)
