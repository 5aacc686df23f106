"""Read-mostly admin views for support; the staff pages are where people work."""

from django.contrib import admin

from .models import (
    Dispute,
    Donation,
    Receipt,
    RecurringAmountChange,
    RecurringGift,
    Refund,
    Statement,
    StripeEvent,
)


@admin.register(Donation)
class DonationAdmin(admin.ModelAdmin):
    list_display = (
        "public_id",
        "donor_email",
        "amount",
        "currency",
        "status",
        "method",
        "needs_review",
        "created_at",
    )
    list_filter = ("status", "method", "frequency", "needs_review", "is_anonymous")
    search_fields = (
        "donor_email",
        "donor_name",
        "public_id",
        "stripe_payment_intent_id",
        "stripe_invoice_id",
    )
    readonly_fields = [f.name for f in Donation._meta.fields]


@admin.register(RecurringGift)
class RecurringGiftAdmin(admin.ModelAdmin):
    list_display = ("public_id", "donor_email", "amount", "status", "stripe_subscription_id")
    list_filter = ("status",)
    search_fields = ("donor_email", "stripe_subscription_id")


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ("stripe_id", "type", "received_at", "processed_at", "outcome")
    list_filter = ("type",)
    search_fields = ("stripe_id", "waiting_for")
    readonly_fields = [f.name for f in StripeEvent._meta.fields]


for model in (RecurringAmountChange, Refund, Dispute, Receipt, Statement):
    admin.site.register(model)
