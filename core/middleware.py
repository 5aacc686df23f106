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
