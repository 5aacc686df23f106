"""Where campaign and fund totals read their gifts from.

The donations app owns the gifts and depends on campaigns, so campaigns never imports it: donations
plugs its counted gifts in from `DonationsConfig.ready()` with `counted_gifts_source_set(...)`. The
source returns a queryset of the gifts whose money the organisation holds, with the fields the
totals read: `campaign_id`, `fund_id`, `currency`, `amount` and `amount_refunded` (integer minor
units), `succeeded_at`, `created_at`, `donor_email`, `donor_name`, `show_name_publicly`,
`public_name` (what the donor asked to be shown as), `is_anonymous` and `supporter_page_id` (the
supporter fundraising page the gift was made through, or None).
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

_source: Callable[[], QuerySet] | None = None


def counted_gifts_source_set(source: Callable[[], QuerySet]) -> None:
    global _source  # noqa: PLW0603  (one source for the whole process, set once at start-up)
    _source = source


def counted_gifts() -> QuerySet:
    """The counted gifts (succeeded, net of refunds) from the registered source."""
    if _source is None:
        raise ImproperlyConfigured(
            "No source of counted gifts is registered; the donations app sets it in its ready()."
        )
    return _source()
