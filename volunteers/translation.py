"""Which fields of the volunteer app staff write in each language (django-modeltranslation discovers
this module): roles, their requirements, and the confidentiality agreement. English is required
wherever the field itself is; Spanish falls back to English when empty. Unique names keep NULL for
an empty translation, so two empty ones do not collide."""

from modeltranslation.translator import TranslationOptions, register

from .models import Agreement, Requirement, Role


@register(Role)
class RoleTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en",)
    empty_values = {"name": None}


@register(Requirement)
class RequirementTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en",)
    empty_values = {"name": None}


@register(Agreement)
class AgreementTranslation(TranslationOptions):
    fields = ("title", "text")
    required_languages = ("en",)
