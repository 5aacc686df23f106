"""Private pages are never stored by a browser or a proxy.

Every response of a view that is not marked `@public` (core.access) is sent with
`Cache-Control: no-store` (Django's `add_never_cache_headers`: `max-age=0, no-cache, no-store,
must-revalidate, private`): the /me/, /staff/ and /coordinate/ pages, receipts, statements, exports,
the demo outbox, and every view that declares no marker at all, which are allauth's pages and the
Django admin. A public page requested by a signed-in person gets the same header, because it may show
them what others do not see (a booked shift's address, their name in the header), unless the view
set a Cache-Control of its own. Only public pages seen anonymously may be cached.

So a private page can only become cacheable by being marked `@public`, which the URL access test
(tests/test_url_access.py) and a reviewer see; forgetting a decorator makes a page more private, never
less. tests/core/test_no_store.py walks every URL pattern."""

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.utils.cache import add_never_cache_headers

from .access import view_access


class PrivatePagesNoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        access = getattr(request, "_haven_view_access", None)
        if access != "public" or not response.has_header("Cache-Control") and _signed_in(request):
            add_never_cache_headers(response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        request._haven_view_access = view_access(view_func)


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware (policy in settings.CONTENT_SECURITY_POLICY), plus the origin of
    STRIPE_API_BASE in form-action when Haven talks to a local stand-in of Stripe: the donate form's
    post is answered with a redirect to the stand-in's hosted checkout page, and browsers check a
    form's redirects against form-action too. Read per response, so a test that points Haven at a
    stand-in started on a free port is covered."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        origin = _origin(getattr(settings, "STRIPE_API_BASE", ""))
        if origin and not report_only:
            parts.update = {**(parts.update or {}), "form-action": [origin]}
        return parts


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


class PermissionsPolicyMiddleware:
    """Permissions-Policy on every response from settings.HAVEN_PERMISSIONS_POLICY
    ({feature: [allowed origins]}, [] for none): camera, microphone, geolocation, payment and the
    rest are off, for Haven's pages and for anything they could ever embed. Written by hand because
    it is one header from one setting."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = permissions_policy_header()
        return response


def permissions_policy_header() -> str:
    return ", ".join(
        f"{feature}=({' '.join(origins)})" for feature, origins in settings.HAVEN_PERMISSIONS_POLICY.items()
    )
