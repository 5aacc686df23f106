"""Forms of supporter fundraising pages: they check the shape of input; services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.money import major_amount

from .forms import MoneyField
from .models import SUPPORTER_DISPLAY_NAME_MAX_LENGTH, SUPPORTER_STORY_MAX_LENGTH, SupporterPage
from .supporter_photos import PHOTO_MAX_BYTES


class SupporterPageForm(forms.Form):
    title = forms.CharField(
        label=_("Title of your page"),
        max_length=120,
        help_text=_("For example “Maria’s birthday for Safe Nights” or “Running 10 km for Safe Nights”."),
    )
    display_name = forms.CharField(
        label=_("Organised by"),
        max_length=SUPPORTER_DISPLAY_NAME_MAX_LENGTH,
        help_text=_(
            "Shown on the page exactly as you write it, for example “Maria L.”. Your email is never shown."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    story = forms.CharField(
        label=_("Why you are raising money"),
        max_length=SUPPORTER_STORY_MAX_LENGTH,
        help_text=_("A few sentences in your own words, about you and why this campaign matters to you."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    goal_amount = MoneyField(label=_("Your goal (dollars)"), min_value=1)
    photo = forms.FileField(
        label=_("A photo"),
        required=False,
        help_text=_(
            "JPEG, PNG, WebP or GIF, up to 5 MB. We re-save it at a smaller size and remove everything "
            "stored inside the file besides the picture, such as the place it was taken."
        ),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    no_survivor_content = forms.BooleanField(
        label=_("No survivor’s story, name or image appears on my page."),
        error_messages={
            "required": _(
                "Please confirm that no survivor’s story, name or image appears on your page. Staff decline "
                "any page that has one."
            )
        },
    )

    def __init__(self, *args, page: SupporterPage | None = None, **kwargs):
        if page is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "title": page.title,
                "display_name": page.display_name,
                "story": page.story,
                "goal_amount": major_amount(page.goal_amount, page.currency),
            }
        super().__init__(*args, **kwargs)
        self.page = page
        if page is not None and page.photo:
            self.fields["remove_photo"] = forms.BooleanField(
                label=_("Remove the current photo"), required=False
            )

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > PHOTO_MAX_BYTES:
            raise forms.ValidationError(_("The photo is larger than 5 MB. Please choose a smaller one."))
        return photo


class SupporterDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (the supporter sees this)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why, so the supporter can change the page.")},
    )
