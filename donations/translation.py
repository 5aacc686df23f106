"""Staff-written text of the donations app in each language (django-modeltranslation discovers this
module): the in-kind needs people are asked to bring. English is required, Spanish falls back to it."""

from modeltranslation.translator import TranslationOptions, register

from .models import InKindNeed


@register(InKindNeed)
class InKindNeedTranslation(TranslationOptions):
    fields = ("title", "description")
    required_languages = ("en",)
