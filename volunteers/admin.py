"""Admin views for support staff. Coordinators work on /coordinate/; the admin is a fallback."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import (
    Agreement,
    AgreementSignature,
    Booking,
    CalendarToken,
    Requirement,
    RequirementVerification,
    Role,
    RoleApplication,
    RoleApproval,
    Shift,
    ShiftMessage,
    ShiftSeries,
    VolunteerProfile,
    WaitlistEntry,
)


# Roles, requirements and the agreement are written by staff in each language (volunteers/translation.py):
# TranslationAdmin shows one input per language (English required, Spanish falls back to English).
@admin.register(Role)
class RoleAdmin(TranslationAdmin):
    list_display = ["name", "requires_approval", "requires_agreement", "allows_groups", "is_active"]
    filter_horizontal = ["requirements", "coordinators"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Requirement)
class RequirementAdmin(TranslationAdmin):
    list_display = ["name", "kind"]


@admin.register(Agreement)
class AgreementAdmin(TranslationAdmin):
    list_display = ["__str__", "published_at"]


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["__str__", "role", "starts_at", "capacity", "is_cancelled"]
    list_filter = ["role", "is_cancelled"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["series"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["volunteer", "shift", "status", "source", "minutes"]
    list_filter = ["status", "source"]
    raw_id_fields = ["volunteer", "shift"]


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    list_display = ["volunteer", "shift", "status", "offer_expires_at"]
    list_filter = ["status"]
    raw_id_fields = ["volunteer", "shift"]


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    readonly_fields = ["token_hash"]
    raw_id_fields = ["user"]


for model in (
    AgreementSignature,
    RequirementVerification,
    RoleApproval,
    RoleApplication,
    ShiftSeries,
    VolunteerProfile,
    ShiftMessage,
):
    admin.site.register(model)
