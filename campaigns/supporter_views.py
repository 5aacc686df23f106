"""Supporter fundraising pages: the public page and its photo, the supporter's own pages (start,
change, close, /me/fundraisers/), and staff's review queue. Thin: services write, selectors read."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.access import public, role_required, signed_in
from core.public_cache import public_cached

from . import supporter_pages as services
from . import supporter_selectors as selectors
from .models import Campaign, SupporterPage
from .selectors import is_finished
from .supporter_forms import SupporterDeclineForm, SupporterPageForm


def _is_staff(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role("staff"))


def _donate_url(page: SupporterPage) -> str:
    return reverse("donations:campaign_donate", args=[page.campaign.slug]) + f"?fundraiser={page.slug}"


@public
@public_cached("campaigns")
@require_GET
def supporter_page_detail(request, slug: str):
    """The public page (approved only); its owner and staff also see it while it waits for review."""
    page = selectors.supporter_page_for_viewer(slug, request.user)
    if page is None:
        raise Http404("No such page.")
    is_owner = request.user.is_authenticated and page.owner_id == request.user.pk
    context = {
        "supporter_page": page,
        "campaign": page.campaign,
        "progress": selectors.supporter_page_progress(page, live=False),
        "takes_gifts": page.takes_gifts and not is_finished(page.campaign),
        "donate_url": _donate_url(page),
        "is_owner": is_owner,
        "share_url": settings.SITE_URL + reverse("campaigns:supporter_page", args=[page.slug]),
    }
    return render(request, "campaigns/supporter/detail.html", context)


@public
@require_GET
def supporter_page_photo(request, slug: str):
    """The stored (re-encoded, metadata-free) photo; served only where the page itself may be seen.
    Never from MEDIA_ROOT directly: nginx serves no /media/, so an unapproved page's photo stays private."""
    page = selectors.supporter_page_for_viewer(slug, request.user)
    if page is None or not page.photo or not default_storage.exists(page.photo.name):
        raise Http404("No photo.")
    response = FileResponse(default_storage.open(page.photo.name, "rb"), content_type="image/jpeg")
    response["Content-Disposition"] = 'inline; filename="photo.jpg"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@signed_in
@require_http_methods(["GET", "POST"])
def supporter_page_start(request, slug: str):
    campaign = get_object_or_404(Campaign, slug=slug, is_published=True)
    if is_finished(campaign):
        raise Http404("This campaign has ended.")
    form = SupporterPageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.supporter_page_create(
                campaign=campaign,
                owner=request.user,
                title=data["title"],
                display_name=data["display_name"],
                story=data["story"],
                goal_amount=data["goal_amount"],
                photo=data.get("photo"),
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request, _("Thank you. Your page is waiting for review; we will let you know here.")
            )
            return redirect("campaigns:my_supporter_pages")
    status = 400 if form.is_bound else 200
    return render(
        request,
        "campaigns/supporter/form.html",
        {"form": form, "campaign": campaign, "page": None},
        status=status,
    )


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _own(request, pk: int) -> SupporterPage:
    page = get_object_or_404(SupporterPage.objects.select_related("campaign"), pk=pk)
    if page.owner_id != request.user.pk:
        raise Http404("Not your page.")
    return page


@signed_in
@require_GET
def my_supporter_pages(request):
    return render(
        request, "campaigns/supporter/mine.html", {"cards": selectors.supporter_pages_of(request.user)}
    )


@signed_in
@require_http_methods(["GET", "POST"])
def supporter_page_edit(request, pk: int):
    page = _own(request, pk)
    if page.is_closed:
        messages.info(request, _("This page is closed and can no longer be changed."))
        return redirect("campaigns:my_supporter_pages")
    form = SupporterPageForm(request.POST or None, request.FILES or None, page=page)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.supporter_page_edit(
                page=page,
                editor=request.user,
                title=data["title"],
                display_name=data["display_name"],
                story=data["story"],
                goal_amount=data["goal_amount"],
                photo=data.get("photo"),
                remove_photo=bool(data.get("remove_photo")),
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Saved. A changed page waits for review before it is public again."))
            return redirect("campaigns:my_supporter_pages")
    status = 400 if form.is_bound else 200
    return render(
        request,
        "campaigns/supporter/form.html",
        {"form": form, "campaign": page.campaign, "page": page},
        status=status,
    )


@signed_in
@require_http_methods(["GET", "POST"])
def supporter_page_close(request, pk: int):
    page = _own(request, pk)
    if request.method == "POST":
        services.supporter_page_close(page=page, closed_by=request.user)
        messages.success(
            request, _("Your page is closed: it takes no more gifts. Thank you for all you raised.")
        )
        return redirect("campaigns:my_supporter_pages")
    return render(request, "campaigns/supporter/close.html", {"page": page})


@role_required("staff")
@require_GET
def staff_supporter_queue(request):
    return render(
        request,
        "campaigns/supporter/staff_queue.html",
        {
            "pending": selectors.supporter_pages_queue(),
            "reviewed": selectors.supporter_pages_recently_reviewed(),
        },
    )


@role_required("staff")
@require_http_methods(["GET", "POST"])
def staff_supporter_review(request, pk: int):
    page = get_object_or_404(SupporterPage.objects.select_related("campaign", "owner"), pk=pk)
    decline_form = SupporterDeclineForm(request.POST if request.POST.get("action") == "decline" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "approve":
            services.supporter_page_approve(page=page, reviewer=request.user)
            messages.success(request, _("Approved: the page is public."))
            return redirect("campaigns:staff_supporter_queue")
        if action == "decline" and decline_form.is_valid():
            services.supporter_page_decline(
                page=page, reviewer=request.user, reason=decline_form.cleaned_data["reason"]
            )
            messages.success(request, _("Declined: the supporter sees your reason."))
            return redirect("campaigns:staff_supporter_queue")
        if action == "close":
            services.supporter_page_close(page=page, closed_by=request.user)
            messages.success(request, _("Closed: the page takes no more gifts."))
            return redirect("campaigns:staff_supporter_queue")
    return render(
        request,
        "campaigns/supporter/staff_review.html",
        {
            "supporter_page": page,
            "form": decline_form,
            "progress": selectors.supporter_page_progress(page, live=True),
        },
        status=400 if decline_form.is_bound and decline_form.errors else 200,
    )
