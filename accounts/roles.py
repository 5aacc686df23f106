"""Granting and revoking roles, and the view guard that checks them."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from .models import Role, User

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


def role_required(*roles: str):
    """A view decorator: signed in, and holding at least one of `roles` (else 403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not any(request.user.has_role(role) for role in roles):
                raise PermissionDenied("You do not have the role needed for this page.")
            return view(request, *args, **kwargs)

        wrapped.haven_access = "roles:" + ",".join(roles)  # read by the URL access test
        return wrapped

    return decorator


def signed_in(view):
    """A view decorator: any signed-in person (objects they may see are still checked by the view)."""
    wrapped = login_required(view)
    wrapped.haven_access = "signed_in"
    return wrapped


def public(view):
    """Marks a view as deliberately open to everyone (checked by the URL access test)."""
    view.haven_access = "public"
    return view
