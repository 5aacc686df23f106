"""Read-only in the admin: staff write pages and directory entries at /staff/pages/ and
/staff/find-help/, where every change goes through pages.services and into the audit log."""

from django.contrib import admin

from .models import Page, PartnerService


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Page)
class PageAdmin(ReadOnlyAdmin):
    list_display = ("title", "purpose", "slug", "is_published", "in_navigation", "nav_position", "updated_at")


@admin.register(PartnerService)
class PartnerServiceAdmin(ReadOnlyAdmin):
    list_display = ("name", "need", "area", "is_listed", "position", "checked_on")
    list_filter = ("need", "is_listed")
