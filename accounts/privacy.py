"""Data protection: a person downloads everything Haven holds about them, or has it erased.

This module knows only the account. Every other app plugs its part in from its `AppConfig.ready()`
with `privacy_part_register(PrivacyPart(...))` (its `<app>/privacy.py` says what it holds, how it is
erased, and what must happen before erasure may run); this module puts the account around the parts
and runs erasure as one transaction. Parts run in the order their apps are installed.

Erasure rule: the user row is kept, deactivated and scrubbed, never deleted. Volunteer bookings point
at it with a non-null foreign key (deleting it would delete past bookings and change coordinators'
hour totals per shift), and the audit log keeps its actor links. Gifts stay for the books and the
tax-receipt law, anonymised (see donations/privacy.py). A monthly gift that still charges the card
must be cancelled by the person first: cancelling talks to Stripe, which must not happen inside this
transaction, and the person should see it stop on the "My giving" page.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Replace
from django.utils import timezone

from .models import AuditEntry, User
from .services import audit_record

ERASED_DOMAIN = "invalid"  # RFC 2606: a name that can never receive mail


class ErasureRefused(Exception):
    """Erasure cannot happen yet; the message says what the person must do first."""


@dataclass(frozen=True)
class Erasure:
    """What every part's erasure is given: the person (row locked), the addresses they verified,
    and the one placeholder address that replaces theirs everywhere (so counts by address hold)."""

    user: User
    emails: list[str]
    placeholder: str


@dataclass(frozen=True)
class PrivacyPart:
    """One app's share of a person's data.

    - `section`: its key in the download (e.g. "giving").
    - `export(user)`: its data, JSON-ready, in a fixed number of queries.
    - `erase(erasure)`: erases it inside the erasure's transaction (and queues after commit whatever
      must follow, e.g. recomputing cached totals); returns counts for the audit entry.
    - `erasure_refusal(erasure)`: why erasure must wait (the person must act first), or None.
    """

    section: str
    export: Callable[[User], Any]
    erase: Callable[[Erasure], dict[str, int]]
    erasure_refusal: Callable[[Erasure], str | None] | None = None


_parts: dict[str, PrivacyPart] = {}


def privacy_part_register(part: PrivacyPart) -> None:
    """Plug an app's part in (from its `AppConfig.ready()`). Registering a section again replaces it,
    so a reloaded app config does not count twice."""
    if part.section in {"exported_at", "account"}:
        raise ValueError(f"{part.section!r} is the account's own section.")
    _parts[part.section] = part


def privacy_parts() -> list[PrivacyPart]:
    return list(_parts.values())


def erasure_placeholder() -> str:
    """A fresh address that stands in for an erased person's everywhere (one per person, so counts by
    address hold) and can never receive mail."""
    return f"erased-{uuid.uuid4().hex}@{ERASED_DOMAIN}"


def is_erased_address(email: str) -> bool:
    return email.startswith("erased-") and email.endswith("@" + ERASED_DOMAIN)


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
        **{part.section: part.export(user) for part in privacy_parts()},
    }


def personal_data_erase(*, user: User) -> bool:
    """Erase `user`'s personal data at their request. Returns False if it was already erased (a
    second call changes nothing). Raises ErasureRefused while a monthly gift still charges them.

    In one transaction: every registered part erases its data (gifts anonymised by donations,
    volunteer data deleted and upcoming bookings cancelled by volunteers), then the account is
    deactivated with its email replaced by a placeholder, name blanked, password unusable (which also
    ends every other session: Django checks each session against the password hash), roles, email
    addresses and two-factor devices removed; the person's address in audit log descriptions
    replaced; one audit entry "personal data erased" with the parts' counts only."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if is_erased(user):
            return False
        erasure = Erasure(
            user=user,
            emails=_verified_emails(user),
            placeholder=erasure_placeholder(),
        )
        for part in privacy_parts():
            refusal = part.erasure_refusal(erasure) if part.erasure_refusal else None
            if refusal:
                raise ErasureRefused(refusal)
        counts: dict[str, int] = {}
        for part in privacy_parts():
            counts.update(part.erase(erasure))
        emails, placeholder = erasure.emails, erasure.placeholder

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
            data=counts,
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
