"""Built into every template (TEMPLATES OPTIONS "builtins"):
`{{ shift.starts_at|date_as:"HAVEN_SHORT_DAY_TIME" }}` formats with the active language's named
format (core/formats/<lang>/formats.py), so English and Spanish each read naturally
("Tue, Dec 1, 7:30 PM" / "mar 1 de dic, 19:30"). Django's own names (DATE_FORMAT, ...) work too."""

from django import template
from django.template.defaultfilters import date as date_filter

from core.i18n import local_format

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date_as(value, name):
    return date_filter(value, local_format(name))
