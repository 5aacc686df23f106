"""Granting and revoking roles. The view guards that check them (`public`, `signed_in`,
`role_required`) are defined in core.access and handed on from here."""

from django.contrib.auth.models import Group

from core.access import public, role_required, signed_in

from .models import Role, User

__all__ = ["SIGNUP_ROLES", "public", "role_required", "signed_in", "user_grant_role", "user_revoke_role"]

# Roles a person may pick for themselves when signing up; coordinator and staff are granted by staff.
SIGNUP_ROLES = ("donor", "volunteer")


def user_grant_role(*, user: User, role: str) -> None:
    """Gives `user` the role (idempotent). Other apps call this, e.g. volunteer onboarding."""
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}")
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    user.__dict__.pop("_role_cache", None)


def user_revoke_role(*, user: User, role: str) -> None:
    """Takes the role away (idempotent). Effective on the person's next request: roles are read
    from the database for every request, never stored in the session."""
    user.groups.remove(*Group.objects.filter(name=role))
    user.__dict__.pop("_role_cache", None)
