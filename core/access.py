"""Every view declares who may open it (ephios-style; tests/test_url_access.py walks every URL and
fails for a view without one of these markers). They live in core so that every app, core's own
pages included, can use them; `accounts.roles` hands them on too.

`role_required` asks the signed-in user's `has_role(role)` (accounts.User): roles are read from
the database on every request."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


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


def view_access(view) -> str | None:
    """The access marker of a resolved view (function, Django class-based view, DRF view or a wrapped
    function), or None for views that declare none (allauth's, the admin's)."""
    for candidate in (
        view,
        getattr(view, "view_class", None),
        getattr(view, "cls", None),
        getattr(view, "__wrapped__", None),
    ):
        if candidate is not None and getattr(candidate, "haven_access", None):
            return candidate.haven_access
    return None
