"""Which fields of the pages app staff write in each language (django-modeltranslation discovers
this module). English is required wherever the field itself is; Spanish may stay empty and then
falls back to English."""

from modeltranslation.translator import TranslationOptions, register

from .models import Page, PartnerService


@register(Page)
class PageTranslation(TranslationOptions):
    fields = ("title", "summary", "body")
    required_languages = ("en",)


@register(PartnerService)
class PartnerServiceTranslation(TranslationOptions):
    fields = ("name", "description", "area", "hours")
    required_languages = ("en",)
