import logging

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Role, User
from .roles import user_grant_role, user_revoke_role

logger = logging.getLogger("haven.audit")


@transaction.atomic
def staff_role_set(*, actor: User, user: User, role: str, granted: bool) -> None:
    """Staff grant or revoke a role. A staff member cannot take the staff role from themselves, so
    the organisation cannot lock itself out by a slip of the mouse."""
    if role not in Role.values:
        raise ValidationError(f"Unknown role {role!r}.")
    if not granted and role == Role.STAFF and actor.pk == user.pk:
        raise ValidationError("You cannot remove your own staff role; ask another staff member.")
    if granted:
        user_grant_role(user=user, role=role)
    else:
        user_revoke_role(user=user, role=role)
    verb = "granted" if granted else "revoked"
    logger.info("role %s %s user=%s by actor=%s", role, verb, user.pk, actor.pk)
