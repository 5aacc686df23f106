"""A volunteer's private calendar feed: a resettable secret of which only the hash is stored."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from ..models import CalendarToken


def calendar_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_token_reset(*, user: User) -> str:
    """Create or replace the volunteer's calendar secret and return it (shown once: only its hash is
    stored, so the old feed URL stops working at once)."""
    token = secrets.token_urlsafe(32)
    CalendarToken.objects.update_or_create(
        user=user, defaults={"token_hash": calendar_token_hash(token), "created_at": timezone.now()}
    )
    return token


@transaction.atomic
def calendar_token_revoke(*, user: User) -> None:
    CalendarToken.objects.filter(user=user).delete()


def calendar_user_for_token(token: str) -> User | None:
    """The active user whose feed this secret opens, or None (deactivated users' feeds stop working)."""
    row = CalendarToken.objects.select_related("user").filter(token_hash=calendar_token_hash(token)).first()
    if row is None or not row.user.is_active:
        return None
    return row.user
