"""ephios-style: walk every URL and require each of our views to declare who may open it
(@public, @signed_in or @role_required from accounts/roles.py). Views of allauth, the admin and
drf-spectacular check access themselves and are exempt by module."""

from django.urls import URLPattern, URLResolver, get_resolver

OURS = ("accounts", "campaigns", "donations", "volunteers", "config", "messaging")
EXEMPT = ("allauth", "django.contrib.admin", "django.contrib.auth", "drf_spectacular", "rest_framework")


def _walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def _access_marker(callback):
    for candidate in (
        callback,
        getattr(callback, "view_class", None),  # Django class-based views
        getattr(callback, "cls", None),  # DRF views and viewsets
        getattr(callback, "__wrapped__", None),
    ):
        if candidate is not None and getattr(candidate, "haven_access", None):
            return candidate.haven_access
    return None


def _module(callback) -> str:
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    return (view_class or callback).__module__


def _our_views():
    for route, callback in _walk(get_resolver().url_patterns):
        module = _module(callback)
        if module.startswith(EXEMPT):
            continue
        if module.split(".")[0] in OURS:
            yield route, callback, module


def test_every_one_of_our_views_declares_its_access():
    unmarked = [
        f"{route}  ->  {module}.{getattr(callback, '__qualname__', callback)}"
        for route, callback, module in _our_views()
        if _access_marker(callback) is None
    ]

    assert not unmarked, (
        "These views carry no access marker; decorate them with @public, @signed_in or "
        "@role_required(...) from accounts.roles:\n  " + "\n  ".join(unmarked)
    )


def test_the_walk_sees_our_views_and_their_markers():
    # Guards the test above against walking nothing.
    markers = {route: _access_marker(callback) for route, callback, _ in _our_views()}

    assert markers["healthz"] == "public"
    assert markers["me/"] == "signed_in"
    assert markers["staff/people/"] == "roles:staff"
    assert markers["staff/people/<int:pk>/roles/"] == "roles:staff"


def test_markers_are_not_forgeable_by_a_decorator_order_slip():
    # @role_required wraps login_required: an anonymous caller never reaches the role check.
    from accounts.roles import role_required

    @role_required("staff")
    def view(request):
        return None

    assert view.haven_access == "roles:staff"
