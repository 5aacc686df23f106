"""Retention that runs by itself: what Haven keeps, and for how long, applied every day by beat.

The policy is written in settings (all from the environment), and the public privacy page
(/privacy/, pages.views.privacy) states it from the same settings, so the page and the practice
cannot drift apart:

- `HAVEN_RETENTION_VOLUNTEER_INACTIVE_MONTHS` (24): the volunteer data of a person who has not signed
  in for that long and has had no shift in that time (profile, emergency contact, agreement
  signatures, verifications, approvals, applications, calendar feed) is deleted, by the same code as
  an erasure at their request (volunteers/privacy.py). Past bookings stay, for the hours of each
  shift; the account itself stays.
- `HAVEN_RETENTION_DONOR_YEARS` (7): once this many full calendar years have passed since the year of
  a donor's last gift, their gifts are anonymised as an erasure does it (donations/privacy.py): the
  amounts, dates and designations stay in the books, name, email, tribute and account link go.
- `HAVEN_RETENTION_MESSAGE_BODY_DAYS` (90): the text of a message this long after it was sent (or
  given up on) is emptied; the outbox keeps that it was sent, to whom and when.
- At once, on every run: expired sessions (and the sign-in codes they hold), expired email
  confirmation keys, calendar feed secrets of deactivated accounts, waitlist places of shifts that
  have ended.

Each app plugs its part in with `retention_rule_register(RetentionRule(...))` from its
`AppConfig.ready()` (as with the privacy parts), so this module knows only the account's own data.
`retention_apply` runs every rule, each in its own transaction, and writes one audit entry with the
counts. A run holds a cache lock, so two beat workers never run it at once; every rule is safe to run
again (what it removed is gone, what it anonymised is no longer found).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from allauth.account.models import EmailConfirmation
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .services import audit_record

logger = logging.getLogger(__name__)

LOCK_KEY = "haven:retention:running"
LOCK_SECONDS = 3600


@dataclass(frozen=True)
class RetentionPolicy:
    volunteer_inactive_months: int
    donor_years: int
    message_body_days: int

    @classmethod
    def from_settings(cls) -> RetentionPolicy:
        return cls(
            volunteer_inactive_months=settings.HAVEN_RETENTION_VOLUNTEER_INACTIVE_MONTHS,
            donor_years=settings.HAVEN_RETENTION_DONOR_YEARS,
            message_body_days=settings.HAVEN_RETENTION_MESSAGE_BODY_DAYS,
        )


@dataclass(frozen=True)
class RetentionRun:
    """What every rule is given: the moment of the run and the policy."""

    now: datetime.datetime
    policy: RetentionPolicy

    @property
    def volunteer_inactive_before(self) -> datetime.datetime:
        return months_before(self.now, self.policy.volunteer_inactive_months)

    @property
    def donor_last_gift_before(self) -> datetime.datetime:
        """Gifts before 1 January of the year `donor_years` ago (local time) are past the minimum:
        with 7, in 2034 a donor whose last gift was in 2026 has had 2027 to 2033 kept."""
        year = timezone.localtime(self.now).year - self.policy.donor_years
        return timezone.make_aware(datetime.datetime(year, 1, 1))

    @property
    def message_body_before(self) -> datetime.datetime:
        return self.now - datetime.timedelta(days=self.policy.message_body_days)


@dataclass(frozen=True)
class RetentionRule:
    """One app's rule: `apply(run)` removes or anonymises what the policy no longer allows, inside
    the transaction it is given, and returns counts (for the audit entry)."""

    name: str
    apply: Callable[[RetentionRun], dict[str, int]]


_rules: dict[str, RetentionRule] = {}


def retention_rule_register(rule: RetentionRule) -> None:
    """Plug a rule in (from `AppConfig.ready()`); registering a name again replaces it."""
    _rules[rule.name] = rule


def retention_rules() -> list[RetentionRule]:
    return list(_rules.values())


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day and time `months` calendar months earlier (the last day of a shorter month)."""
    total = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for day in range(moment.day, 0, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError(moment)  # pragma: no cover - day 1 always exists


def sessions_and_keys_expire(run: RetentionRun) -> dict[str, int]:
    """The account's own rule: expired sessions (sign-in codes and half-finished sign-ins live in the
    session) and expired email confirmation keys."""
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore
    sessions = 0
    model = getattr(store, "get_model_class", None)
    if model is not None:  # database sessions: count what goes
        expired = model().objects.filter(expire_date__lt=run.now)
        sessions = expired.count()
        expired.delete()
    else:  # cache or cookie sessions expire by themselves
        store.clear_expired()
    confirmations = EmailConfirmation.objects.all_expired()
    confirmation_count = confirmations.count()
    confirmations.delete()
    return {"sessions_expired": sessions, "email_confirmations_expired": confirmation_count}


retention_rule_register(RetentionRule(name="accounts.sessions_and_keys", apply=sessions_and_keys_expire))


def retention_apply(*, now: datetime.datetime | None = None) -> dict[str, int] | None:
    """Apply the retention policy once: every registered rule, each in its own transaction (one
    rule's failure does not undo another's work, and is logged and raised after the others ran).
    Returns the counts, or None if another run holds the lock."""
    if not cache.add(LOCK_KEY, True, timeout=LOCK_SECONDS):
        return None
    try:
        run = RetentionRun(now=now or timezone.now(), policy=RetentionPolicy.from_settings())
        counts: dict[str, int] = {}
        failed: list[str] = []
        for rule in retention_rules():
            try:
                with transaction.atomic():
                    counts.update(rule.apply(run))
            except Exception:  # noqa: BLE001 - the other rules still run; this one is reported below
                logger.exception("Retention rule %s failed", rule.name)
                failed.append(rule.name)
        if any(counts.values()):
            audit_record(actor=None, action="retention.apply", data=counts)
        if failed:
            raise RuntimeError(f"Retention rules failed: {', '.join(failed)} (see the log).")
        return counts
    finally:
        cache.delete(LOCK_KEY)
