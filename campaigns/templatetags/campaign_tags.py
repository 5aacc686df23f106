from django import template

register = template.Library()


@register.filter
def bps_percent(bps):
    """2500 -> "25%", 3333 -> "33.33%"."""
    value = int(bps or 0) / 100
    return f"{value:g}%"
