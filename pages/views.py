"""The site's own pages: home, learn the signs, how you can help, find help, the pages staff write,
the privacy page, the health check and the error pages (403, 404, 429, 500, CSRF failure)."""

from urllib.parse import quote, urlencode

from celery import current_app
from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.retention import RetentionPolicy
from campaigns.models import Campaign
from core import ways_to_help
from core.access import public
from core.public_cache import public_cached

from . import selectors
from .context_processors import HOTLINE
from .forms import DirectoryFilterForm
from .models import Page


@public
@public_cached("campaigns", "shifts")
@require_safe
def home(request):
    page = selectors.page_for_purpose(Page.Purpose.HOME)
    campaigns = Campaign.objects.filter(is_published=True).select_related("fund")[:3]
    return render(request, "home.html", {"page": page, "campaigns": campaigns})


@public
@public_cached("pages")
@require_safe
def learn_the_signs(request):
    page = selectors.page_for_purpose(Page.Purpose.LEARN_THE_SIGNS)
    return render(
        request,
        "pages/learn_the_signs.html",
        {"page": page, "share": share_links(page, "pages:learn_the_signs")},
    )


@public
@public_cached("campaigns", "shifts", "inkind")
@require_safe
def how_you_can_help(request):
    pages = selectors.pages_for_purposes(Page.Purpose.HOW_YOU_CAN_HELP, Page.Purpose.LEARN_THE_SIGNS)
    page = pages.get(Page.Purpose.HOW_YOU_CAN_HELP)
    context = {
        "page": page,
        "campaigns": selectors.campaigns_needing_money(),
        "shifts": selectors.shifts_needing_people(),
        "more_ways": ways_to_help.sections(),
        "share": share_links(page, "pages:how_you_can_help"),
        "signs_share": share_links(pages.get(Page.Purpose.LEARN_THE_SIGNS), "pages:learn_the_signs"),
    }
    return render(request, "pages/how_you_can_help.html", context)


@public
@public_cached("pages")
@require_safe
def find_help(request):
    page = selectors.page_for_purpose(Page.Purpose.FIND_HELP)
    form = DirectoryFilterForm(request.GET or None)
    need, language = form.filters()
    found = selectors.directory(need=need, language=language)
    form.offer_languages(found.languages)
    return render(
        request,
        "pages/find_help.html",
        {"page": page, "form": form, "directory": found, "filtered": bool(need or language)},
    )


@public
@public_cached("pages")
@require_safe
def page_detail(request, slug: str):
    page = selectors.page_published(slug=slug)
    if page.has_purpose:
        return redirect(page.get_absolute_url())
    return render(request, "pages/page.html", {"page": page, "share": share_links(page, None)})


def share_links(page: Page | None, url_name: str | None) -> dict:
    """Plain links to share a page: an email the visitor writes themselves, and the address to
    copy. No sharing buttons and no third-party script, so sharing tells nobody else anything.
    The address is the site's configured public one (HAVEN_SITE_URL), not the request's Host."""
    path = reverse(url_name) if url_name else (page.get_absolute_url() if page else "/")
    url = settings.SITE_URL + path
    title = page.title if page else settings.HAVEN_ORG_NAME
    summary = page.summary if page else ""
    body = f"{summary}\n\n{url}" if summary else url
    return {
        "url": url,
        "mailto": "mailto:?" + urlencode({"subject": title, "body": body}, quote_via=quote),
    }


@public
@never_cache
def healthz(request):
    """Database and broker status; 503 if either is down. The broker check is bounded by timeouts."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _check_broker() -> str:
    # The URL is read from settings on every call (not from the app's cached config), so the check
    # reports the broker that tasks are actually sent to. Socket timeouts bound it to a few seconds.
    try:
        with current_app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.transport_options = {
                **conn.transport_options,
                "socket_connect_timeout": 1,
                "socket_timeout": 1,
            }
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"
    return "ok"


@public
@public_cached("pages")
@require_safe
def browsing_safely(request):
    """How to visit this site without leaving traces on a shared or watched device, and what the
    quick exit does and does not do."""
    return render(request, "pages/browsing_safely.html", {"quick_exit_url": settings.HAVEN_QUICK_EXIT_URL})


@public
@public_cached("pages")
@require_safe
def accessibility(request):
    """The accessibility statement: what we aim for, how we check it, what we know is not right yet."""
    return render(request, "pages/accessibility.html", {"org_address": settings.HAVEN_ORG_ADDRESS})


@public
@require_safe
def favicon(request):
    """/favicon.ico, which browsers and feed readers ask for whatever the page's <link rel=icon>
    says: the static icon itself (nginx may serve the same file first)."""
    icon = settings.BASE_DIR / "static" / "img" / "favicon.ico"
    response = HttpResponse(icon.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@public
@public_cached("pages")
def privacy(request):
    """What Haven keeps, who sees it and for how long, stated from the same settings the daily
    retention task applies (accounts/retention.py), so the page cannot promise what is not done."""
    return render(
        request,
        "pages/privacy.html",
        {
            "policy": RetentionPolicy.from_settings(),
            "org_address": settings.HAVEN_ORG_ADDRESS,
            "waitlist_offer_hours": settings.HAVEN_WAITLIST_OFFER_HOURS,
            "privacy_url": reverse("accounts:privacy"),
        },
    )


@public
def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


@public
def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


@public
def too_many_requests(request, exception=None):
    """Every rate limit's answer (allauth's, through config.urls.handler429): status 429, in our layout.
    A paused password sign-in leaves sign-in by emailed code open, and the page says so: knowing
    someone's address must never be enough to keep them out of their account."""
    match = getattr(request, "resolver_match", None)
    signing_in = match is not None and match.url_name in {"account_login", "account_reauthenticate"}
    return render(request, "errors/429.html", {"signing_in": signing_in}, status=429)


@public
def csrf_failure(request, reason=""):
    """Django's CSRF failure page, in our layout (with the hotline) instead of a bare technical page."""
    return render(request, "errors/csrf.html", status=403)


@public
def server_error(request):
    """The 500 page must render even when what broke is the database (the nav reads the user's
    roles): fall back to the bare layout, which still carries the hotline."""
    try:
        return render(request, "errors/500.html", status=500)
    except Exception:  # noqa: BLE001 - anything here would turn our page into Django's bare one
        html = loader.get_template("errors/500.html").render(
            {
                "hotline": HOTLINE,
                "org_name": settings.HAVEN_ORG_NAME,
                "quick_exit_url": settings.HAVEN_QUICK_EXIT_URL,
            }
        )
        return HttpResponseServerError(html)
