"""One way to render a form field, everywhere.

FORM_RENDERER points here: `{{ form }}`, `{{ field.as_field_group }}` and
`{% include "includes/form_field.html" with field=form.x %}` all render through
templates/includes/form_field.html, so a page cannot give two inputs the same id, point
aria-describedby at an id that does not exist, or lose a field in a hand-written loop.

The bound field adds what the error summary needs (`anchor_id`: the id of the first input, for
checkbox and radio groups too). `autocomplete` tokens (WCAG 1.3.5) are set by each form on the
fields about the person filling it in (allauth's forms set their own)."""

from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import ChoiceWidget, TextInput


class FormField(BoundField):
    @property
    def anchor_id(self) -> str:
        """The id a link in the error summary goes to: the field's (first) input."""
        widget = self.field.widget
        id_ = widget.attrs.get("id") or self.auto_id
        if not id_:
            return ""
        if isinstance(widget, ChoiceWidget) and widget.use_fieldset:  # radio buttons, checkboxes
            return f"{id_}_0"
        return widget.id_for_label(id_) or f"{id_}_0"  # MultiWidget: its first part

    @property
    def is_checkbox(self) -> bool:
        widget = self.field.widget
        return getattr(widget, "input_type", None) == "checkbox" and not getattr(
            widget, "allow_multiple_selected", False
        )


class FormRenderer(TemplatesSetting):
    form_template_name = "includes/form.html"
    field_template_name = "includes/form_field.html"
    bound_field_class = FormField


class PhoneInput(TextInput):
    """A phone number: the phone keypad on mobiles (type=tel), no format imposed."""

    input_type = "tel"
