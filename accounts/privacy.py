"""Data protection: a person downloads everything Haven holds about them, or has it erased.

Each app says what it holds through its own `privacy.py` (`export_for(user)`, `erase_for(...)`); this
module puts the account around them and runs erasure as one transaction.

Erasure rule: the user row is kept, deactivated and scrubbed, never deleted. Volunteer bookings point
at it with a non-null foreign key (deleting it would delete past bookings and change coordinators'
hour totals per shift), and the audit log keeps its actor links. Gifts stay for the books and the
tax-receipt law, anonymised (see donations/privacy.py). A monthly gift that still charges the card
must be cancelled by the person first: cancelling talks to Stripe, which must not happen inside this
transaction, and the person should see it stop on the "My giving" page.
"""

from __future__ import annotations

import uuid
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Replace
from django.utils import timezone

from campaigns.services import totals_refresh
from donations import privacy as donations_privacy
from volunteers import privacy as volunteers_privacy

from .models import AuditEntry, User
from .services import audit_record

ERASED_DOMAIN = "invalid"  # RFC 2606: a name that can never receive mail


class ErasureRefused(Exception):
    """Erasure cannot happen yet; the message says what the person must do first."""


def is_erased(user: User) -> bool:
    return (
        not user.is_active and user.email.startswith("erased-") and user.email.endswith("@" + ERASED_DOMAIN)
    )


def _verified_emails(user: User) -> list[str]:
    return sorted(
        {
            e.lower()
            for e in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
        }
    )


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything Haven holds about `user`, as JSON-ready data. A fixed number of queries, however
    many gifts or bookings the person has."""
    addresses = list(EmailAddress.objects.filter(user=user).order_by("email"))
    account = {
        "email": user.email,
        "name": user.name,
        "preferred_name": user.preferred_name,
        "roles": sorted(user.roles),
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary} for a in addresses
        ],
        "two_factor_enabled": Authenticator.objects.filter(user=user).exists(),
    }
    return {
        "exported_at": timezone.now().isoformat(),
        "account": account,
        "giving": donations_privacy.export_for(user),
        "volunteering": volunteers_privacy.export_for(user),
    }


def personal_data_erase(*, user: User) -> bool:
    """Erase `user`'s personal data at their request. Returns False if it was already erased (a
    second call changes nothing). Raises ErasureRefused while a monthly gift still charges them.

    In one transaction: gifts anonymised (donations/privacy.py), volunteer data deleted and upcoming
    bookings cancelled (volunteers/privacy.py), the account deactivated with its email replaced by
    a placeholder, name blanked, password unusable (which also ends every other session: Django
    checks each session against the password hash), roles, email addresses and two-factor devices
    removed; the person's address in audit log descriptions replaced; one audit entry "personal data
    erased" with counts only. After commit, the cached totals of every affected campaign and fund are
    recomputed, because they hold the names of opted-in supporters."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if is_erased(user):
            return False
        emails = _verified_emails(user)
        live = donations_privacy.live_monthly_gifts(user=user, emails=emails)
        if live:
            raise ErasureRefused(
                "You still have an active monthly gift. Please cancel it on your giving page first "
                "(/me/giving/), then come back to erase your data."
            )
        placeholder = f"erased-{uuid.uuid4().hex}@{ERASED_DOMAIN}"
        gifts, affected = donations_privacy.erase_for(user=user, emails=emails, placeholder=placeholder)
        volunteering = volunteers_privacy.erase_for(user=user)

        old_addresses = sorted({*emails, user.email.lower(), user.email})
        _scrub_audit_descriptions(user=user, addresses=old_addresses, placeholder=placeholder)
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        user.groups.clear()
        user.email = placeholder
        user.name = ""
        user.preferred_name = ""
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.set_unusable_password()
        user.save()
        user.__dict__.pop("_role_cache", None)
        audit_record(
            actor=user,
            action="personal_data.erase",
            target=user,
            data={"gifts_anonymised": gifts, **volunteering},
        )
        for campaign_id, fund_id in sorted(affected, key=lambda pair: (pair[0] or 0, pair[1])):
            transaction.on_commit(
                lambda c=campaign_id, f=fund_id: totals_refresh(campaign_id=c, fund_id=f), robust=True
            )
    return True


def _scrub_audit_descriptions(*, user: User, addresses: list[str], placeholder: str) -> None:
    """Audit entries keep what was done, by whom (the account id), to what; the person's address
    inside the short description of the target is replaced."""
    target = F("target_repr")
    match = Q(target_type=User._meta.label_lower, target_id=str(user.pk))
    for address in addresses:
        target = Replace(target, Value(address), Value(placeholder))
        match |= Q(target_repr__contains=address)
    AuditEntry.objects.filter(match).update(target_repr=target)
