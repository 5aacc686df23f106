from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.i18n import JavaScriptCatalog, set_language

from core.access import public

from .models import Role, User
from .roles import role_required, signed_in
from .selectors import audit_entries, people_search
from .services import staff_role_set, user_language_set

PEOPLE_PER_PAGE = 25
AUDIT_PER_PAGE = 50


@signed_in
def dashboard(request):
    """Where a person lands after signing in: what each of their roles lets them do."""
    return render(request, "accounts/dashboard.html", {"roles": request.user.roles})


@role_required("staff")
def people(request):
    """Staff: find a person and grant or revoke their roles."""
    query = request.GET.get("q", "")
    page = Paginator(people_search(query=query), PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/people.html",
        {"page": page, "query": query, "all_roles": Role.choices},
    )


@role_required("staff")
@require_POST
def people_role(request, pk: int):
    person = get_object_or_404(User, pk=pk)
    role = request.POST.get("role", "")
    action = request.POST.get("action")
    if action not in {"grant", "revoke"}:
        return HttpResponseBadRequest("Unknown action.")
    try:
        staff_role_set(actor=request.user, user=person, role=role, granted=action == "grant")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        values = {"email": person.email, "role": str(Role(role).label).lower()}
        if action == "grant":
            messages.success(request, _("%(email)s now has the %(role)s role.") % values)
        else:
            messages.success(request, _("%(email)s no longer has the %(role)s role.") % values)
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("people:list")


@role_required("staff")
def audit_log(request):
    """Staff: who changed what, newest first."""
    query = request.GET.get("q", "")
    page = Paginator(audit_entries(query=query), AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_log.html", {"page": page, "query": query})


@public
@csrf_exempt
@require_POST
def language_set(request):
    """The switcher on every page (a form that works without JavaScript): Django's set_language, which
    checks `next` stays on this site and stores the choice in the language cookie; a signed-in person's
    choice is also saved on their account, so their messages follow it.

    Anonymous visitors post without a CSRF token: the switcher is on public pages that may be cached,
    which must not carry a token (nor set the CSRF cookie), and a forged post can only change that
    browser's language cookie. A signed-in person's post changes their account, so it must carry a
    valid token (their pages are never cached and include one)."""
    if request.user.is_authenticated:
        refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if refused is not None:
            return refused
    response = set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_language_set(user=request.user, language=language)
    return response


@public
def javascript_catalog(request, *args, **kwargs):
    """The translations of Haven's own JavaScript strings (static/js/…, djangojs.po)."""
    return _JS_CATALOG(request, *args, **kwargs)


_JS_CATALOG = JavaScriptCatalog.as_view(packages=["core"], domain="djangojs")
