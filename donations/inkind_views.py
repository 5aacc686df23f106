"""In-kind needs' pages: the public list with progress (served from the shared cache), the pledge form,
the supporter's printable acknowledgement, and the staff's needs and pledges. Thin: parse, call a
service or selector, render."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.roles import public, role_required, signed_in
from core.http import client_ip
from core.public_cache import public_cached

from . import inkind_selectors as selectors
from .inkind_forms import NeedForm, PledgeForm, ReceiveForm
from .inkind_pdf import acknowledgement_pdf
from .models import InKindNeed, InKindPledge
from .services import inkind

PLEDGES_PER_WINDOW = 10
PLEDGE_WINDOW_SECONDS = 600


def _too_many_pledges(request) -> bool:
    """Pledges per IP in a fixed window, counted as the donation form counts its attempts."""
    limit = getattr(settings, "HAVEN_INKIND_PLEDGE_RATE_LIMIT", PLEDGES_PER_WINDOW)
    key = f"inkind-pledges:{client_ip(request)}"
    cache.add(key, 0, timeout=PLEDGE_WINDOW_SECONDS)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=PLEDGE_WINDOW_SECONDS)
        attempts = 1
    return attempts > limit


def _apply(form, error: inkind.InKindError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@public
@public_cached("inkind", "campaigns")
@require_safe
def needs(request):
    return render(request, "donations/inkind/needs.html", {"needs": selectors.open_needs()})


@public
@require_http_methods(["GET", "POST"])
def pledge(request, public_id: uuid.UUID):
    need = selectors.open_need(public_id)
    if need is None:
        raise Http404
    form = PledgeForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if _too_many_pledges(request):
            form.is_valid()
            form.add_error(
                None, _("Too many attempts from your connection. Please wait ten minutes and try again.")
            )
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                inkind.inkind_pledge_create(
                    need=need,
                    quantity=data["quantity"],
                    name=data["name"],
                    email=data["email"],
                    user=request.user,
                    language=translation.get_language(),
                )
            except inkind.InKindError as exc:
                form.add_error("quantity", exc.messages)
                need = selectors.open_need(public_id) or need
                status = 409
            else:
                messages.success(
                    request,
                    _("Thank you! We have emailed you where and when to bring the items."),
                )
                return redirect("donations:inkind_needs")
        else:
            status = 400
    return render(request, "donations/inkind/pledge.html", {"need": need, "form": form}, status=status)


@signed_in
def my_acknowledgement(request, public_id: uuid.UUID):
    pledge = selectors.received_gifts_for_user(user=request.user).filter(public_id=public_id).first()
    if pledge is None:
        raise Http404
    return HttpResponse(
        acknowledgement_pdf(pledge=pledge),
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="in-kind-gift-{pledge.public_id}.pdf"'},
    )


# --- staff ------------------------------------------------------------------------------------------


@role_required("staff")
@require_http_methods(["GET", "POST"])
def staff_needs(request):
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            need = inkind.inkind_need_create(actor=request.user, **form.cleaned_data)
        except inkind.InKindError as exc:
            _apply(form, exc)
        else:
            messages.success(
                request, _("Need published.") if need.is_published else _("Need saved as a draft.")
            )
            return redirect("donations:staff_inkind_need", pk=need.pk)
    return render(
        request,
        "donations/inkind/staff_needs.html",
        {"form": form, "needs": selectors.staff_needs(), "section": "inkind"},
    )


@role_required("staff")
@require_http_methods(["GET", "POST"])
def staff_need(request, pk: int):
    need = get_object_or_404(InKindNeed, pk=pk)
    form = NeedForm(request.POST or None, initial=NeedForm.initial_for(need))
    if request.method == "POST" and form.is_valid():
        try:
            inkind.inkind_need_edit(actor=request.user, need=need, **form.cleaned_data)
        except inkind.InKindError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Need saved."))
            return redirect("donations:staff_inkind_need", pk=need.pk)
    progress = selectors.needs_with_progress(InKindNeed.objects.filter(pk=pk)).get()
    context = {
        "need": selectors._progress(progress),
        "form": form,
        "pledges": selectors.staff_pledges(need=need),
        "receive_form": ReceiveForm(),
        "section": "inkind",
    }
    return render(request, "donations/inkind/staff_need.html", context)


@role_required("staff")
@require_POST
def staff_pledge_receive(request, pk: int):
    pledge = get_object_or_404(InKindPledge, pk=pk)
    form = ReceiveForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Enter how many arrived: from 1 to %(count)s.") % {"count": pledge.quantity}
        )
    else:
        try:
            inkind.inkind_pledge_receive(
                actor=request.user, pledge=pledge, quantity=form.cleaned_data["quantity"]
            )
        except inkind.InKindError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Marked received; the supporter is sent an acknowledgement."))
    return redirect("donations:staff_inkind_need", pk=pledge.need_id)


@role_required("staff")
@require_POST
def staff_pledge_cancel(request, pk: int):
    pledge = get_object_or_404(InKindPledge, pk=pk)
    try:
        inkind.inkind_pledge_cancel(actor=request.user, pledge=pledge)
    except inkind.InKindError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Pledge cancelled; its items are free for others to pledge."))
    return redirect("donations:staff_inkind_need", pk=pledge.need_id)
