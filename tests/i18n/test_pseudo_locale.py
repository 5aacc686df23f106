"""Issue 12's guard: rendered in a pseudo-locale that wraps every translated string in ⁅markers⁆
(tests/i18n/pseudo.py), no page, email or PDF shows a word outside them.

The template lint (test_translatable.py) reads template sources; this reads what a person receives,
so it also catches untagged strings in Python (views, forms, messages, PDFs) and strings tagged but
missing from the catalogues. What is not the site's to translate is recognised, not listed: the
database's text (tests/i18n/world.py records it after making the world with the factories and
services), the organisation's settings, the time zone's abbreviation, and anything without letters
(numbers, amounts, dates' digits, punctuation). Dates' month names and "p.m." come from Django's
catalogue, so they are marked like the rest.

Pages: every URL of the resolver (Django's admin aside: a tool of its own, in Django's words),
fetched with GET, redirects not followed, as the public, a donor, a volunteer, a coordinator and staff
(each reader its view's access marker lets in; the public only where it is let in, or sent to sign
in). Emails: every kind of messaging.registry, through message_deliver, as the worker sends them.
PDFs: the receipt, the statement and the service letter, from their pages and attachments.

What is allowed to stay untranslated is in PENDING, with why; the list only shrinks (an entry
nothing needs any more fails the test)."""

from __future__ import annotations

import datetime
import itertools
import re
import time
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext, pgettext

from .pseudo import (
    MARK_OPEN,
    PSEUDO,
    KnownContent,
    pdf_lines,
    pseudo_locale,
    untranslated,
    visible_texts,
    wrap,
)
from .world import World, build_world, known_content

pytestmark = pytest.mark.django_db

ROLES = ("public", "donor", "volunteer", "coordinator", "staff")
SIGNED_IN = ROLES[1:]
# Django's admin: its own pages in Django's own (translated) words, for the few who run the site.
SKIPPED_MODULES = ("django.contrib.admin", "django.contrib.contenttypes")

# Routes added on main after this guard was written whose objects the world (world.py) does not make
# yet: read only as their "not found" answer (that page's text is checked). Only shrinks: a route
# that renders (200) fails here until it is removed, so give it its object in world.py and _value.
NOT_IN_WORLD: set[str] = set()

# route (as the resolver spells it) -> why its untranslated text is allowed. Only shrinks: an entry
# no longer needed fails.
PENDING: dict[str, str] = {
    # The audit log shows each entry's stored details (the fields a staff action changed, as
    # "role: 1, status: approved"): a record of what was written, kept as written, for staff only.
    "staff/people/audit/": "accounts/views.py, audit_log.html: an entry's stored details shown as keys",
}

# email kind -> why, as above
PENDING_EMAILS: dict[str, str] = {}


# --- the pseudo-locale itself ---------------------------------------------------------------------


def test_the_pseudo_locale_marks_every_catalogued_string_and_keeps_placeholders():
    with pseudo_locale():
        assert translation.get_language() == PSEUDO
        assert gettext("Give now") == wrap("Give now")
        assert pgettext("donation frequency", "Once") == wrap("Once")
        assert ngettext("%(number)s donor", "%(number)s donors", 3) % {"number": 3} == wrap("3 donors")
        assert ngettext("%(number)s donor", "%(number)s donors", 1) % {"number": 1} == wrap("1 donor")
        assert gettext("Page {page} of {pages}").format(page=1, pages=2) == wrap("Page 1 of 2")
        # Django's and allauth's own strings (form errors, sign-in) are marked too
        assert gettext("This field is required.") == wrap("This field is required.")
        assert gettext("Sign In") == wrap("Sign In")


def test_the_pseudo_locale_leaves_nothing_behind():
    with pseudo_locale():
        gettext("Give now")
    assert translation.get_language() == "en-us"
    assert gettext("Give now") == "Give now"
    with translation.override("es"):
        assert gettext("Give now") != "Give now" and MARK_OPEN not in gettext("Give now")
    assert PSEUDO not in dict(settings.LANGUAGES)
    assert translation.get_supported_language_variant(PSEUDO) == "en"  # English, as any en-* code
    assert PSEUDO not in translation.trans_real._translations


def test_the_check_finds_words_outside_markers_but_not_content_or_numbers():
    html = f"""<html><head><title>{wrap("Give")}</title><style>p {{ color: red }}</style></head>
    <body><h1>{wrap("Thank you, Ann Lee.")}</h1><p>Ann Lee &amp; {wrap("more")}</p>
    <img alt="A lonely alt"><input type="submit" value="Send now"><input type="text" value="typed">
    <button name="action" value="check_in">{wrap("Check in")}</button>
    <script>const words = "not text";</script><p>$1,234.00 · 12/01/2026 — 3 {wrap("p.m.")} EST</p>
    <p>{wrap("Hello %(name)s")}</p><p>Plain words here</p>
    <span title="{wrap("Fine")}">x</span></body></html>"""
    known = KnownContent(["EST"])
    known.add("Ann Lee")

    found = untranslated(visible_texts(html), known)

    assert found == ["Plain words here", "A lonely alt", "Send now"]


def test_known_content_is_matched_whole_not_as_loose_words():
    known = KnownContent()
    known.add(
        "Campaign 1", "Safe rooms for the night someone leaves.", "Some **words** here.", "email", "Driver"
    )

    assert untranslated(
        ["Campaign 1", "words", "Safe rooms", "night", "email", "Your email address"], known
    ) == [
        "Safe rooms",
        "night",
        "Your email address",
    ]  # "words" is a whole text node of the rendered Markdown; the code "email" only counts whole
    assert untranslated(["/pages/about-us/ · https://partner.example.org/help"], known) == []


# --- every page -----------------------------------------------------------------------------------


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _view(entry):
    callback = entry.callback
    return getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback


def _access(entry) -> str | None:
    callback = entry.callback
    for candidate in (callback, _view(entry), getattr(callback, "__wrapped__", None)):
        if candidate is not None and getattr(candidate, "haven_access", None):
            return candidate.haven_access
    return None


def readers_for(entry) -> tuple[str, ...]:
    """Who reads the page: those its access marker lets in (views without one, allauth's, check
    access themselves: everyone). Anyone else is sent to sign in or refused (the refusal page is
    read on the pages that refuse, e.g. a volunteer's booking as the donor)."""
    access = _access(entry)
    if access in (None, "public"):
        return ROLES
    if access == "signed_in":
        return SIGNED_IN
    allowed = access.removeprefix("roles:").split(",")
    return tuple(role for role in ROLES if role in allowed)


def _pk_by_route(route: str, world: World):
    prefixes = {
        "staff/pages/": world.objects["page"],
        "staff/find-help/": world.objects["partner"],
        "staff/people/": world.readers["volunteer"],
        "staff/messages/": world.objects["message"],
        "staff/campaigns/": world.objects["campaign"],
        "staff/expenditures/": world.objects["expenditure"],
        "staff/categories/": world.objects["category"],
        "staff/funds/": world.objects["fund"],
        "me/fundraisers/": world.objects["fundraiser"],
        "staff/fundraisers/": world.objects["fundraiser"],
        "staff/in-kind/pledges/": world.objects["pledge"],
        "staff/in-kind/": world.objects["need"],
    }
    for prefix, obj in prefixes.items():
        if route.startswith(prefix):
            return obj.pk
    if route in NOT_IN_WORLD:
        return 999999
    raise LookupError(route)


def _value(route: str, name: str, world: World) -> str:
    o = world.objects
    if name == "pk":
        return str(_pk_by_route(route, world))
    if name == "offer_pk":
        return str(o["match"].pk)
    if route in NOT_IN_WORLD and name in ("slug", "public_id", "token"):
        return {"slug": "no-such-page", "public_id": str(uuid.UUID(int=0)), "token": "no-such-token"}[name]
    if name == "slug" and route.startswith("fundraisers/"):
        return o["fundraiser"].slug
    if name == "public_id" and route.startswith(("give/in-kind/", "me/giving/in-kind/")):
        return str((o["need"] if route.startswith("give/") else o["received_pledge"]).public_id)
    if name == "slug":
        return o["page"].slug if route.startswith("pages/") else o["campaign"].slug
    if name == "public_id":
        return str((o["monthly"] if "monthly" in route else o["gift"]).public_id)
    if name == "token":
        for prefix, token in (
            ("calendar/", "calendar"),
            ("waitlist/", "waitlist_offer"),
            ("shifts/swaps/", "swap"),
            ("updates/unsubscribe/", "unsubscribe"),
        ):
            if route.startswith(prefix):
                return world.tokens[token]
        raise LookupError(route)
    values = {
        "update_pk": lambda: o["update"].pk,
        "shift_id": lambda: o["shift"].pk,
        "booking_id": lambda: o["booking"].pk,
        "entry_id": lambda: o["waitlist_entry"].pk,
        "role_id": lambda: o["role"].pk,
        "offer_id": lambda: o["swap"].pk,
        "kiosk_id": lambda: o["kiosk"].pk,
        "report_id": lambda: o["hours_report"].pk,
        "volunteer_id": lambda: world.readers["volunteer"].pk,
        "application_id": lambda: o["application"].pk,
        "number": lambda: o["receipt"].number,
        "year": lambda: o["statement"].year,
        "code": lambda: o["shift"].check_in_code,
        # allauth's links with a key: an expired or wrong key has a page of its own
        "key": lambda: "no-such-key",
        "uidb36": lambda: "1",
    }
    return str(values[name]())


def concrete(route: str, world: World) -> str:
    """The route filled with the world's objects. A new kind of parameter fails here: say what fills it."""

    def fill(match):
        return _value(route, match.group("name"), world)

    url = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", fill, route)  # a regex route's groups
    url = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", fill, url)
    url = url.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + url


def _queries(route: str) -> list[dict]:
    """Query strings a page is also read with: the form on it sent with GET (the service letter's
    period gives its PDF)."""
    if route == "me/volunteer/hours/letter/":
        today = timezone.localdate()
        return [
            {"date_from": (today - datetime.timedelta(days=30)).isoformat(), "date_to": today.isoformat()}
        ]
    return []


def _clients(world: World) -> dict[str, Client]:
    clients = {}
    for role, user in world.readers.items():
        client = Client(raise_request_exception=False)
        client.cookies["django_language"] = PSEUDO
        if user is not None:
            client.force_login(user)
        clients[role] = client
    return clients


def _texts(response) -> tuple[str, list[str]] | None:
    kind = response.get("Content-Type", "").split(";")[0]
    body = b"".join(response) if response.streaming else response.content
    if kind == "text/html":
        return kind, visible_texts(body.decode("utf-8", "replace"))
    if kind == "application/pdf":
        return kind, pdf_lines(body)
    return None  # CSV, JSON, feeds, calendars: data, not pages


@pytest.fixture
def world():
    return build_world()


def test_every_page_shows_only_translated_text(world):
    started, cpu = time.monotonic(), time.process_time()
    known = known_content()
    known.add(*(u.email for u in world.readers.values() if u is not None))
    findings: dict[str, dict[str, list[str]]] = {}
    errors, rendered, pdfs, requests = [], set(), set(), 0
    with pseudo_locale():
        clients = _clients(world)
        for route, entry in _walk(get_resolver().url_patterns):
            if route.startswith("admin/") or _view(entry).__module__.startswith(SKIPPED_MODULES):
                continue
            url = concrete(route, world)
            for role, query in itertools.product(readers_for(entry), [{}, *_queries(route)]):
                response = clients[role].get(url, query)
                requests += 1
                if response.status_code >= 500:
                    errors.append(f"{url} as {role}: {response.status_code}")
                    continue
                got = _texts(response)
                if got is None:
                    continue
                kind, texts = got
                if response.status_code == 200:
                    (pdfs if kind == "application/pdf" else rendered).add(route)
                words = untranslated(texts, known)
                if words:
                    findings.setdefault(route, {})[role] = words
    elapsed, cpu = time.monotonic() - started, time.process_time() - cpu

    assert not errors, "Pages that fail in the pseudo-locale:\n  " + "\n  ".join(errors)
    new = {route: by_role for route, by_role in findings.items() if route not in PENDING}
    assert not new, "Text outside translation (tag it, then `manage.py catalogue update`):\n" + "\n".join(
        f"  /{route} as {role}: {' | '.join(words[:8])}"
        for route, by_role in sorted(new.items())
        for role, words in by_role.items()
    )
    made = sorted(NOT_IN_WORLD & (rendered | pdfs))
    assert not made, f"These pages render now: remove them from NOT_IN_WORLD: {made}"
    unneeded = sorted(set(PENDING) - set(findings))
    assert not unneeded, f"These pages are fully translated now: remove them from PENDING: {unneeded}"
    # the walk really rendered the site, and the PDFs from their pages
    assert len(rendered) >= 90, sorted(rendered)
    for needed in (
        "",
        "campaigns/<slug:slug>/",
        "accounts/login/",
        "me/",
        "me/giving/",
        "me/shifts/",
        "coordinate/",
    ):
        assert needed in rendered, needed
    assert {
        "staff/",
        "staff/people/",
        "coordinate/shifts/<int:shift_id>/",
        "waitlist/offers/<str:token>/",
    } <= rendered
    # the fundraising, in-kind, match and unsubscribe pages are read rendered, with their objects (their
    # POST-only actions answer a GET with 405, and the fundraiser's photo is an image: not read)
    assert {
        "fundraisers/<slug:slug>/",
        "me/fundraisers/<int:pk>/",
        "me/fundraisers/<int:pk>/close/",
        "staff/fundraisers/<int:pk>/",
        "give/in-kind/<uuid:public_id>/",
        "staff/in-kind/<int:pk>/",
        "staff/campaigns/<int:pk>/matches/<int:offer_pk>/",
        "updates/unsubscribe/<str:token>/",
    } <= rendered
    assert "me/giving/in-kind/<uuid:public_id>.pdf" in pdfs
    assert {
        "me/giving/receipts/<str:number>.pdf",
        "me/giving/statements/<int:year>.pdf",
        "staff/donations/receipts/<str:number>.pdf",
        "me/volunteer/hours/letter/",
    } <= pdfs, pdfs
    for route in sorted(PENDING):  # what is still waiting, for whoever empties PENDING
        print(f"PENDING /{route}: {findings[route]}")
    print(
        f"\npseudo-locale walk: {requests} requests, {len(rendered)} pages and {len(pdfs)} PDFs read "
        f"in {elapsed:.1f} s ({cpu:.1f} s CPU)"
    )


def test_concrete_urls_fill_every_parameter():
    world = World(
        readers={"volunteer": _Obj(pk=7)},
        objects={"shift": _Obj(pk=3, check_in_code="abc"), "gift": _Obj(public_id=uuid.UUID(int=1))},
    )

    assert concrete("shifts/<int:shift_id>/check-in/<str:code>/", world) == "/shifts/3/check-in/abc/"
    assert concrete("donations/<uuid:public_id>/thanks/", world) == f"/donations/{uuid.UUID(int=1)}/thanks/"
    assert (
        concrete("accounts/^confirm-email/(?P<key>[-:\\w]+)/$", world)
        == "/accounts/confirm-email/no-such-key/"
    )


class _Obj:
    def __init__(self, **values):
        self.__dict__.update(values)
