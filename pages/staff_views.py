"""Staff pages for the pages staff write and for the "Find help" directory. Thin: forms check the
input's shape, services write (and audit-log), a service's ValidationError lands on the form.

Every button works without JavaScript: moving a row up or down, publishing, previewing and deleting
are ordinary form posts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.roles import role_required

from . import selectors, services
from .forms import PageForm, PartnerServiceForm
from .models import Page, PartnerService


def _apply(form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the matching fields (or on top of the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _direction(request) -> str | None:
    direction = request.POST.get("direction")
    return direction if direction in ("up", "down") else None


# --- Pages -------------------------------------------------------------------------------------------


@role_required("staff")
@require_safe
def page_list(request):
    pages = list(selectors.pages_for_staff())
    return render(request, "pages/staff/page_list.html", {"pages": pages, "last_index": len(pages) - 1})


def _render_previews(page: Page, languages: list[str]) -> list[dict]:
    """The page rendered as the public sees it, once per language (Spanish falls back to English
    where a translation is empty, exactly as on the public page)."""
    previews = []
    for language in languages:
        with translation.override(language):
            html = render_to_string("pages/_article.html", {"page": page, "preview": True})
        previews.append({"language": language, "html": html})
    return previews


def _previews(form: PageForm, action: str) -> list[dict]:
    languages = ["en", "es"] if action == "preview" else [action.removeprefix("preview_")]
    return _render_previews(form.unsaved_page(), languages)


def _page_form(request, *, page: Page | None):
    form = PageForm(request.POST or None, page=page)
    previews = []
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if form.is_valid() and action in ("preview", "preview_en", "preview_es"):
            previews = _previews(form, action)
        elif form.is_valid():
            try:
                if page is None:
                    page = services.page_create(actor=request.user, **form.service_kwargs())
                    messages.success(request, _("Draft saved. Check it here, then publish it."))
                else:
                    services.page_update(actor=request.user, page=page, data=form.service_kwargs())
                    messages.success(request, _("Page saved."))
            except ValidationError as exc:
                _apply(form, exc)
            else:
                return redirect("pages:staff_page_preview", pk=page.pk)
    return render(request, "pages/staff/page_form.html", {"form": form, "page": page, "previews": previews})


@role_required("staff")
@require_http_methods(["GET", "HEAD", "POST"])
def page_create(request):
    return _page_form(request, page=None)


@role_required("staff")
@require_http_methods(["GET", "HEAD", "POST"])
def page_edit(request, pk: int):
    return _page_form(request, page=get_object_or_404(Page, pk=pk))


@role_required("staff")
@require_safe
def page_preview(request, pk: int):
    """A saved page, published or not, as the public sees (or will see) it, in both languages."""
    page = get_object_or_404(Page, pk=pk)
    previews = _render_previews(page, ["en", "es"])
    return render(request, "pages/staff/page_preview.html", {"page": page, "previews": previews})


@role_required("staff")
@require_POST
def page_publish(request, pk: int):
    page = get_object_or_404(Page, pk=pk)
    services.page_publish(actor=request.user, page=page)
    messages.success(request, _("“%(title)s” is published.") % {"title": page.title})
    if request.POST.get("back") == "preview":
        return redirect("pages:staff_page_preview", pk=page.pk)
    return redirect(reverse("pages:staff_page_list") + f"#page-{page.pk}")


@role_required("staff")
@require_POST
def page_unpublish(request, pk: int):
    page = get_object_or_404(Page, pk=pk)
    try:
        services.page_unpublish(actor=request.user, page=page)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("“%(title)s” is back to draft: the public no longer sees it.") % {"title": page.title}
        )
    return redirect("pages:staff_page_list")


@role_required("staff")
@require_POST
def page_move(request, pk: int):
    page = get_object_or_404(Page, pk=pk)
    direction = _direction(request)
    if direction is None:
        return HttpResponseBadRequest("direction must be up or down")
    services.page_reorder(actor=request.user, page=page, direction=direction)
    return redirect(reverse("pages:staff_page_list") + f"#page-{page.pk}")


@role_required("staff")
@require_http_methods(["GET", "HEAD", "POST"])
def page_delete(request, pk: int):
    page = get_object_or_404(Page, pk=pk)
    if request.method == "POST":
        try:
            services.page_delete(actor=request.user, page=page)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("“%(title)s” is deleted.") % {"title": page.title})
        return redirect("pages:staff_page_list")
    return render(request, "pages/staff/page_delete.html", {"page": page})


# --- The directory ----------------------------------------------------------------------------------------


@role_required("staff")
@require_safe
def directory_list(request):
    return render(
        request, "pages/staff/directory_list.html", {"groups": selectors.partner_services_for_staff()}
    )


def _directory_form(request, *, service: PartnerService | None):
    form = PartnerServiceForm(request.POST or None, service=service)
    if request.method == "POST" and form.is_valid():
        try:
            if service is None:
                service = services.partner_service_create(actor=request.user, **form.service_kwargs())
                messages.success(request, _("“%(name)s” is added to the directory.") % {"name": service.name})
            else:
                services.partner_service_update(
                    actor=request.user, service=service, data=form.service_kwargs()
                )
                messages.success(request, _("“%(name)s” is saved.") % {"name": service.name})
        except ValidationError as exc:
            _apply(form, exc)
        else:
            return redirect(reverse("pages:staff_directory") + f"#service-{service.pk}")
    return render(request, "pages/staff/directory_form.html", {"form": form, "service": service})


@role_required("staff")
@require_http_methods(["GET", "HEAD", "POST"])
def directory_create(request):
    return _directory_form(request, service=None)


@role_required("staff")
@require_http_methods(["GET", "HEAD", "POST"])
def directory_edit(request, pk: int):
    return _directory_form(request, service=get_object_or_404(PartnerService, pk=pk))


@role_required("staff")
@require_POST
def directory_move(request, pk: int):
    service = get_object_or_404(PartnerService, pk=pk)
    direction = _direction(request)
    if direction is None:
        return HttpResponseBadRequest("direction must be up or down")
    services.partner_service_reorder(actor=request.user, service=service, direction=direction)
    return redirect(reverse("pages:staff_directory") + f"#service-{service.pk}")


@role_required("staff")
@require_http_methods(["GET", "HEAD", "POST"])
def directory_delete(request, pk: int):
    service = get_object_or_404(PartnerService, pk=pk)
    if request.method == "POST":
        services.partner_service_delete(actor=request.user, service=service)
        messages.success(request, _("“%(name)s” is removed from the directory.") % {"name": service.name})
        return redirect("pages:staff_directory")
    return render(request, "pages/staff/directory_delete.html", {"service": service})
