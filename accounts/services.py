from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from .models import AuditEntry, Role, User
from .roles import user_grant_role, user_revoke_role


def audit_record(
    *, actor: User | None, action: str, target: models.Model | None = None, data: dict[str, Any] | None = None
) -> AuditEntry:
    """Records a staff action in the audit log. Call it inside the transaction that makes the change,
    so the entry exists exactly when the change does. `data` must be JSON-serialisable and should
    hold what changed, never a survivor's details."""
    entry = AuditEntry(
        actor=actor if actor is not None and actor.pk else None, action=action, data=data or {}
    )
    if target is not None:
        entry.target_type = target._meta.label_lower
        entry.target_id = str(target.pk)
        entry.target_repr = str(target)[:200]
    entry.save()
    return entry


def user_language_set(*, user: User, language: str) -> None:
    """Save the language a signed-in person chose with the switcher (their messages follow it)."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown language %(language)r.") % {"language": language})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


@transaction.atomic
def staff_role_set(*, actor: User, user: User, role: str, granted: bool) -> None:
    """Staff grant or revoke a role. A staff member cannot take the staff role from themselves, so
    the organisation cannot lock itself out by a slip of the mouse. Changes that change nothing
    (granting a role already held) are not logged."""
    if role not in Role.values:
        raise ValidationError(_("Unknown role %(role)r.") % {"role": role})
    if not granted and role == Role.STAFF and actor.pk == user.pk:
        raise ValidationError(_("You cannot remove your own staff role; ask another staff member."))
    had_role = user.groups.filter(name=role).exists()
    if granted == had_role:
        return
    if granted:
        user_grant_role(user=user, role=role)
    else:
        user_revoke_role(user=user, role=role)
    audit_record(
        actor=actor, action="role.grant" if granted else "role.revoke", target=user, data={"role": role}
    )
