"""{% page_form as f %}: the form a page's error summary and "Error:" title are about, the context's
"error_form" if the view names one, else its "form" (missing on most pages: then None)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_form(context):
    form = context.get("error_form") or context.get("form")
    return form if hasattr(form, "errors") else None
