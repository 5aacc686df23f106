"""A person's campaign-update subscriptions, for the data export and for erasure (the
"update_emails" part of accounts/privacy.py, registered from CampaignsConfig.ready()). Theirs: linked
to their account or made with an address they verified. Erasure deletes the subscriptions and their
consent records: nothing is sent to the address again, so there is no consent left to prove."""

from __future__ import annotations

from django.db.models import Q

from accounts.privacy import Erasure, PrivacyPart

from .models import UpdateSubscription


def _theirs(*, user, emails: list[str]):
    match = Q(user=user)
    if emails:
        match |= Q(email__in=[email.strip().lower() for email in emails])
    return UpdateSubscription.objects.filter(match)


def _emails(user) -> list[str]:
    from allauth.account.models import EmailAddress  # noqa: PLC0415

    return list(EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))


def export_for(user) -> list[dict]:
    rows = _theirs(user=user, emails=_emails(user)).select_related("campaign").prefetch_related("consents")
    return [
        {
            "email": s.email,
            "campaign": s.campaign.title if s.campaign else None,
            "language": s.language,
            "subscribed_at": s.subscribed_at.isoformat(),
            "unsubscribed_at": s.unsubscribed_at.isoformat() if s.unsubscribed_at else None,
            "consents": [
                {
                    "action": c.action,
                    "source": c.source,
                    "wording": c.wording,
                    "language": c.language,
                    "recorded_at": c.recorded_at.isoformat(),
                }
                for c in s.consents.all()
            ],
        }
        for s in rows.order_by("pk")
    ]


def erase(erasure: Erasure) -> dict[str, int]:
    subscriptions = _theirs(user=erasure.user, emails=erasure.emails)
    count = subscriptions.count()
    subscriptions.delete()
    return {"update_subscriptions_deleted": count}


PART = PrivacyPart(section="update_emails", export=export_for, erase=erase)
