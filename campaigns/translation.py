"""Which fields of campaigns staff write in each language (django-modeltranslation discovers this
module). English is required wherever the field itself is; Spanish may stay empty and then falls back
to English. Unique names keep NULL for an empty translation, so two empty ones do not collide."""

from modeltranslation.translator import TranslationOptions, register

from .models import Campaign, CampaignUpdate, Fund, ImpactUnit, SpendingCategory


@register(Campaign)
class CampaignTranslation(TranslationOptions):
    fields = ("title", "summary", "story")
    required_languages = ("en",)


@register(CampaignUpdate)
class CampaignUpdateTranslation(TranslationOptions):
    fields = ("title", "body")
    required_languages = ("en",)


@register(ImpactUnit)
class ImpactUnitTranslation(TranslationOptions):
    fields = ("description",)
    required_languages = ("en",)


@register(Fund)
class FundTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en",)
    empty_values = {"name": None}


@register(SpendingCategory)
class SpendingCategoryTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en",)
    empty_values = {"name": None}
