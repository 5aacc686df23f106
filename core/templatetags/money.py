"""`{% load money %}`: `{{ gift.amount|money:gift.currency }}` ("$40.00", cents always) and
`{{ totals.raised|money_headline:campaign.currency }}` ("$1,500": ".00" dropped). The rule for
which to use is in core/money.py."""

from django import template

from core.money import Cents, format_money

register = template.Library()


@register.filter
def money(minor, currency=None):
    return format_money(minor, currency)


@register.filter
def money_headline(minor, currency=None):
    return format_money(minor, currency, cents=Cents.IF_ANY)
