from django import template

from donations.formatting import money as format_money

register = template.Library()


@register.filter
def money(amount, currency="usd"):
    return format_money(amount, currency)
