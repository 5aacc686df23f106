"""The donations app's retention rules (accounts/retention.py runs them; the public privacy page states
them from the same settings):

- donors past the tax-record minimum: once HAVEN_RETENTION_DONOR_YEARS full calendar years have
  passed since the year of a donor's last gift (and they have no monthly gift still charging, nor one
  created or ended since), their gifts are anonymised by the very code of an erasure at their request
  (donations.privacy.anonymise): amounts, dates, designations, statuses, Stripe references and receipt
  numbers stay for the books; name, email, tribute and account link go. A donor is an address (lower
  case), whether or not it has an account.
The gifts' emails are outbox messages: the outbox's own rule (messaging/retention.py) empties their
bodies, and their PDFs are never stored on the message (made from the Receipt or Statement row when
the email is sent).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Max, Q
from django.db.models.functions import Lower

from accounts.privacy import erasure_placeholder, is_erased_address
from accounts.retention import RetentionRule, RetentionRun

from .models import Donation, RecurringGift
from .privacy import anonymise


def _spellings(queryset) -> dict[str, set[str]]:
    """lower-case address -> every spelling of it in `queryset`'s donor_email."""
    found: dict[str, set[str]] = defaultdict(set)
    for email in queryset.values_list("donor_email", flat=True).distinct():
        if email and not is_erased_address(email):
            found[email.lower()].add(email)
    return found


def donors_past_minimum(run: RetentionRun) -> dict[str, int]:
    cutoff = run.donor_last_gift_before
    last_gifts = (
        Donation.objects.annotate(address=Lower("donor_email"))
        .values("address")
        .annotate(last=Max("created_at"))
    )
    expired = {row["address"] for row in last_gifts if row["last"] < cutoff}
    # A monthly gift that still charges, or that was set up or ended since the cutoff, keeps its donor.
    recent_monthly = RecurringGift.objects.filter(
        Q(status__in=[RecurringGift.Status.ACTIVE, RecurringGift.Status.PAST_DUE])
        | Q(created_at__gte=cutoff)
        | Q(canceled_at__gte=cutoff)
    )
    expired -= {email.lower() for email in recent_monthly.values_list("donor_email", flat=True)}
    spellings = _spellings(Donation.objects.filter(donor_email__in=_all_spellings(expired)))
    donors = gifts = 0
    for address in sorted(expired):
        emails = sorted(spellings.get(address, ()))
        if not emails:
            continue
        gifts += anonymise(user=None, emails=emails, placeholder=erasure_placeholder())
        donors += 1
    return {"donors_past_retention_anonymised": donors, "gifts_past_retention_anonymised": gifts}


def _all_spellings(addresses: set[str]) -> list[str]:
    # donor_email__in is exact: look the lower-case keys up by their lower-case form instead.
    if not addresses:
        return []
    return list(
        Donation.objects.annotate(address=Lower("donor_email"))
        .filter(address__in=addresses)
        .values_list("donor_email", flat=True)
        .distinct()
    )


RULES = [
    RetentionRule(name="donations.donors_past_minimum", apply=donors_past_minimum),
]
