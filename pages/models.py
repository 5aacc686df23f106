"""Pages that staff write and publish, and the directory of partner services ("Find help").

Text that staff write has one column per language (django-modeltranslation, registered in
pages/translation.py): `title_en` is required, `title_es` may stay empty and then shows the English.
Every write goes through pages.services, which records it in the audit log."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Page(models.Model):
    """A page of text in Markdown. Most pages are ordinary (`/pages/<slug>/`); four have a purpose
    and a fixed address of their own, where the site shows their text next to live data: the home
    page, "Learn the signs", "How you can help" and "Find help". A page with a purpose always exists
    (seeded by a migration) and is always published: staff change its words, not whether it is there."""

    class Purpose(models.TextChoices):
        PAGE = "page", _("Ordinary page")
        HOME = "home", _("Home page")
        LEARN_THE_SIGNS = "learn_the_signs", _("Learn the signs")
        HOW_YOU_CAN_HELP = "how_you_can_help", _("How you can help")
        FIND_HELP = "find_help", _("Find help")

    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.PAGE, editable=False)
    slug = models.SlugField(
        _("address"),
        max_length=80,
        unique=True,
        help_text=_("The last part of the page's web address: lower-case letters, digits and hyphens."),
    )
    title = models.CharField(_("title"), max_length=160)
    summary = models.CharField(
        _("summary"),
        max_length=300,
        help_text=_("One or two sentences: shown under the title, in the news feed and in share previews."),
    )
    body = models.TextField(
        _("body"),
        blank=True,
        help_text=_(
            "Markdown: a blank line between paragraphs, ## for a heading, - for a list item, "
            "[words](https://example.org) for a link. Pictures, embedded videos and scripts are not allowed."
        ),
    )
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(null=True, blank=True, help_text=_("When it was first published."))
    in_navigation = models.BooleanField(
        _("in the main navigation"),
        default=True,
        help_text=_("Published pages marked so are linked from the top of every page, in the list's order."),
    )
    nav_position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["nav_position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose"], condition=~Q(purpose="page"), name="one_page_per_purpose"
            ),
            models.CheckConstraint(
                condition=Q(purpose="page") | Q(is_published=True), name="page_with_purpose_is_published"
            ),
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(published_at__isnull=False),
                name="published_page_has_time",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return page_url(self.purpose, self.slug)

    @property
    def has_purpose(self) -> bool:
        return self.purpose != self.Purpose.PAGE


PURPOSE_URL_NAMES = {
    Page.Purpose.HOME: "pages:home",
    Page.Purpose.LEARN_THE_SIGNS: "pages:learn_the_signs",
    Page.Purpose.HOW_YOU_CAN_HELP: "pages:how_you_can_help",
    Page.Purpose.FIND_HELP: "pages:find_help",
}


def page_url(purpose: str, slug: str) -> str:
    if purpose in PURPOSE_URL_NAMES:
        return reverse(PURPOSE_URL_NAMES[purpose])
    return reverse("pages:page", args=[slug])


# --- The directory of partner services -------------------------------------------------------------

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ().\-]{5,30}[0-9]$",
    _("Enter a phone number of digits, spaces, brackets and hyphens, e.g. 1-800-555-0100."),
)


class PartnerService(models.Model):
    """One service that a partner organisation offers, under one kind of need, with the
    organisation's public contact details.

    There is deliberately no street address: a directory that lists where a shelter is can lead
    someone to a survivor. `area` says where the service is offered (a city, a county, "statewide",
    "by phone"), nothing more precise, and pages.services refuses text that looks like a street
    address in any field."""

    class Need(models.TextChoices):
        # In the order the directory lists them.
        HOUSING = "housing", _("Emergency and long-term safe housing")
        MEDICAL = "medical", _("Medical care")
        MENTAL_HEALTH = "mental_health", _("Mental health and crisis counselling")
        LEGAL = "legal", _("Legal help and advocacy")
        EDUCATION = "education", _("Education and job training")
        COMMUNITY = "community", _("Community and peer support")

    need = models.CharField(_("kind of need"), max_length=20, choices=Need.choices)
    name = models.CharField(_("organisation or service name"), max_length=160)
    description = models.CharField(
        _("what they offer"), max_length=400, help_text=_("One or two sentences, in plain words.")
    )
    area = models.CharField(
        _("city or area served"),
        max_length=120,
        blank=True,
        help_text=_(
            "A city, county or region at most (or “by phone”, “online”). Never a street address: "
            "where a shelter or safe house is must stay private."
        ),
    )
    website = models.URLField(
        _("website"), blank=True, validators=[URLValidator(schemes=["http", "https"])], max_length=300
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[phone_validator])
    email = models.EmailField(_("email"), blank=True)
    hours = models.CharField(
        _("hours"), max_length=160, blank=True, help_text=_("E.g. “24 hours, every day” or “Mon–Fri 9–5”.")
    )
    languages = models.JSONField(
        _("languages"),
        default=list,
        blank=True,
        help_text=_('Language codes the service can help in, e.g. ["en", "es"].'),
    )
    is_listed = models.BooleanField(
        _("listed"), default=True, help_text=_("Unlisted entries are kept for staff but not shown.")
    )
    position = models.PositiveIntegerField(default=0)
    checked_on = models.DateField(
        _("details last checked"),
        null=True,
        blank=True,
        help_text=_("When staff last confirmed these contact details with the organisation."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["need", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(website="") | ~Q(phone="") | ~Q(email=""),
                name="partner_service_has_a_contact",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if not (self.website or self.phone or self.email):
            raise ValidationError(
                _("Give at least one way to reach them: a website, a phone number or an email.")
            )

    @property
    def phone_href(self) -> str:
        digits = "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")
        return f"tel:{digits}" if digits else ""
