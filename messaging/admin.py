from django.contrib import admin

from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: messages are written by services and retried from /staff/messages/. Bodies are left
    out (a sensitive one holds a secret until it is sent)."""

    list_display = ("id", "kind", "channel", "status", "attempts", "due_at", "sent_at", "created_at")
    list_filter = ("status", "channel", "kind")
    search_fields = ("dedupe_key", "kind")
    exclude = ("body_text", "body_html")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
