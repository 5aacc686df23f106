"""Forms for the staff pages (pages and the directory) and the directory's filter. They check the
shape of the input; the services decide (unique address, no street address, fixed pages)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .languages import language_choices
from .models import Page, PartnerService


def _mark_spanish(form: forms.Form) -> None:
    """Spanish inputs say so (lang="es"), for spelling checkers and screen readers."""
    for name, field in form.fields.items():
        if name.endswith("_es"):
            field.widget.attrs["lang"] = "es"


class PageForm(forms.Form):
    slug = forms.SlugField(
        label=_("Address"),
        max_length=80,
        help_text=_("The page's address is /pages/<this>/: lower-case letters, digits and hyphens."),
    )
    title_en = forms.CharField(label=_("Title (English)"), max_length=160)
    summary_en = forms.CharField(
        label=_("Summary (English)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=Page._meta.get_field("summary").help_text,
    )
    body_en = forms.CharField(
        label=_("Text (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=Page._meta.get_field("body").help_text,
    )
    title_es = forms.CharField(
        label=_("Title (Spanish)"),
        max_length=160,
        required=False,
        help_text=_("Optional: English is shown when empty."),
    )
    summary_es = forms.CharField(
        label=_("Summary (Spanish)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional: English is shown when empty."),
    )
    body_es = forms.CharField(
        label=_("Text (Spanish)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Optional: English is shown when empty. Same Markdown as the English text."),
    )
    in_navigation = forms.BooleanField(
        label=_("Link it from the main navigation (once published)"), required=False, initial=True
    )

    ENGLISH = ("title_en", "summary_en", "body_en")
    SPANISH = ("title_es", "summary_es", "body_es")

    def __init__(self, *args, page: Page | None = None, **kwargs):
        if page is not None:
            kwargs.setdefault(
                "initial",
                {name: getattr(page, name) or "" for name in ("slug", *self.ENGLISH, *self.SPANISH)}
                | {"in_navigation": page.in_navigation},
            )
        super().__init__(*args, **kwargs)
        _mark_spanish(self)
        self.page = page
        if page is not None and page.has_purpose:
            self.fields["slug"].disabled = True
            self.fields["slug"].help_text = _(
                "This page has an address of its own (%(url)s), which does not change."
            ) % {"url": page.get_absolute_url()}

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        if self.page is not None and self.page.has_purpose:
            data.pop("slug", None)
        return data

    def unsaved_page(self) -> Page:
        """The page as these fields would make it, for a preview (never saved)."""
        data = self.cleaned_data
        base = self.page
        page = Page(
            purpose=base.purpose if base else Page.Purpose.PAGE,
            slug=data.get("slug") or (base.slug if base else "preview"),
            is_published=base.is_published if base else False,
        )
        for name in (*self.ENGLISH, *self.SPANISH):
            setattr(page, name, data.get(name, ""))
        return page


class PartnerServiceForm(forms.Form):
    need = forms.ChoiceField(label=_("Kind of need"), choices=PartnerService.Need.choices)
    name_en = forms.CharField(label=_("Organisation or service name (English)"), max_length=160)
    name_es = forms.CharField(
        label=_("Organisation or service name (Spanish)"),
        max_length=160,
        required=False,
        help_text=_("Optional: English is shown when empty."),
    )
    description_en = forms.CharField(
        label=_("What they offer (English)"),
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or two sentences, in plain words."),
    )
    description_es = forms.CharField(
        label=_("What they offer (Spanish)"),
        max_length=400,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: English is shown when empty."),
    )
    area_en = forms.CharField(
        label=_("City or area served (English)"),
        max_length=120,
        required=False,
        help_text=PartnerService._meta.get_field("area").help_text,
    )
    area_es = forms.CharField(
        label=_("City or area served (Spanish)"),
        max_length=120,
        required=False,
        help_text=_("Optional: English is shown when empty."),
    )
    website = forms.URLField(
        label=_("Website"),
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text=_("Starting https://"),
    )
    phone = forms.CharField(
        label=_("Public phone number"),
        max_length=40,
        required=False,
        help_text=_("The number the organisation publishes for people seeking help, e.g. 1-800-555-0100."),
    )
    email = forms.EmailField(label=_("Public email"), required=False)
    hours_en = forms.CharField(
        label=_("Hours (English)"),
        max_length=160,
        required=False,
        help_text=PartnerService._meta.get_field("hours").help_text,
    )
    hours_es = forms.CharField(
        label=_("Hours (Spanish)"),
        max_length=160,
        required=False,
        help_text=_("Optional: English is shown when empty."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages they can help in"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    checked_on = forms.DateField(
        label=_("Details last checked on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=PartnerService._meta.get_field("checked_on").help_text,
    )
    is_listed = forms.BooleanField(label=_("Show it in the directory"), required=False, initial=True)

    def __init__(self, *args, service: PartnerService | None = None, **kwargs):
        if service is not None:
            names = [name for name in self.base_fields if name not in ("languages",)]
            kwargs.setdefault(
                "initial",
                {name: getattr(service, name) or "" for name in names}
                | {
                    "languages": service.languages,
                    "is_listed": service.is_listed,
                    "checked_on": service.checked_on,
                },
            )
        super().__init__(*args, **kwargs)
        _mark_spanish(self)
        self.fields["languages"].choices = language_choices()

    def clean(self):
        data = super().clean()
        if not (data.get("website") or data.get("phone") or data.get("email")):
            raise forms.ValidationError(
                _("Give at least one way to reach them: a website, a phone number or an email.")
            )
        return data

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class DirectoryFilterForm(forms.Form):
    """The directory's filters: a GET form that works without JavaScript."""

    hide_optional = True  # a filter: every field is optional, no need to say so

    need = forms.ChoiceField(
        label=_("What help"),
        required=False,
        choices=[("", _("Any kind of help")), *PartnerService.Need.choices],
    )
    language = forms.ChoiceField(label=_("In which language"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Any language")), *language_choices()]

    def offer_languages(self, in_use: list[tuple[str, str]]) -> None:
        """After validation: the list shows only the languages some entry offers (and the one
        chosen, if no entry offers it any more)."""
        chosen = self.cleaned_data.get("language", "") if self.is_bound and self.is_valid() else ""
        offered = list(in_use)
        if chosen and chosen not in {code for code, _name in offered}:
            offered.append((chosen, dict(language_choices()).get(chosen, chosen)))
        self.fields["language"].choices = [("", _("Any language")), *offered]

    def filters(self) -> tuple[str, str]:
        if not self.is_bound or not self.is_valid():
            return "", ""
        return self.cleaned_data.get("need", ""), self.cleaned_data.get("language", "")
