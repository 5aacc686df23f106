import factory
from django.utils import timezone

from pages.models import Page, PartnerService


class PageFactory(factory.django.DjangoModelFactory):
    """An ordinary published page (English only unless given `title_es` and so on)."""

    class Meta:
        model = Page

    slug = factory.Sequence(lambda n: f"page-{n}")
    title_en = factory.Sequence(lambda n: f"Page {n}")
    summary_en = "A page staff wrote."
    body_en = "Some **words** staff wrote."
    is_published = True
    published_at = factory.LazyFunction(timezone.now)
    nav_position = factory.Sequence(lambda n: 100 + n * 10)


class PartnerServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerService

    need = PartnerService.Need.LEGAL
    name_en = factory.Sequence(lambda n: f"Partner service {n}")
    description_en = "Free help, in plain words."
    area_en = "Statewide"
    phone = "1-800-555-0100"
    email = factory.Sequence(lambda n: f"help{n}@partner.example.org")
    website = "https://partner.example.org"
    hours_en = "Mon–Fri 9–5"
    languages = factory.LazyFunction(lambda: ["en", "es"])
    position = factory.Sequence(lambda n: n * 10)
