"""The donor pauses a monthly gift for 1–3 months, or resumes it early (thin views over
donations.services.pauses; the forms are on the monthly gift's page, /me/giving/monthly/<id>/)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import signed_in
from core.i18n import local_format

from . import selectors, services, stripe_gateway
from .forms import PauseForm, ResumeForm


def resume_dates(recurring) -> dict[int, str]:
    """Each pause length, with the date it would resume on if chosen now, as the page shows it."""
    now = timezone.now()
    return {
        months: dateformat.format(
            timezone.localtime(
                services.pause_resumes_at(now=now, months=months, next_charge=recurring.current_period_end)
            ),
            local_format("HAVEN_LONG_DATE"),
        )
        for months in services.PAUSE_MONTHS
    }


def pause_forms(recurring) -> dict:
    """The page's pause or resume form, each with a fresh nonce."""
    if not recurring.is_live or not recurring.stripe_subscription_id:
        return {}
    if recurring.is_paused:
        return {"resume_form": ResumeForm(initial={"nonce": uuid.uuid4()})}
    return {"pause_form": PauseForm(initial={"nonce": uuid.uuid4()}, resume_dates=resume_dates(recurring))}


def _own(request, public_id):
    recurring = selectors.recurring_gifts_for_user(user=request.user).filter(public_id=public_id).first()
    if recurring is None:
        raise Http404
    return recurring


def _back(recurring):
    return redirect("donations:my_monthly", public_id=recurring.public_id)


@signed_in
@require_POST
def my_monthly_pause(request, public_id: uuid.UUID):
    recurring = _own(request, public_id)
    form = PauseForm(request.POST, resume_dates=resume_dates(recurring))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(recurring)
    try:
        recurring = services.recurring_pause(
            user=request.user,
            recurring_id=recurring.pk,
            months=form.cleaned_data["months"],
            nonce=form.cleaned_data["nonce"],
        )
    except (services.DonationError, stripe_gateway.GatewayError) as exc:
        messages.error(request, _("We could not pause it: %(reason)s") % {"reason": exc})
    else:
        if recurring.paused_until:
            when = dateformat.format(
                timezone.localtime(recurring.paused_until), local_format("HAVEN_LONG_DATE")
            )
            messages.success(
                request,
                _("Your monthly gift is paused until %(date)s: no payment before then. We emailed you.")
                % {"date": when},
            )
        else:
            messages.success(request, _("Your monthly gift is paused. We emailed you."))
    return _back(recurring)


@signed_in
@require_POST
def my_monthly_resume(request, public_id: uuid.UUID):
    recurring = _own(request, public_id)
    form = ResumeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete: nothing changed. Please try again."))
        return _back(recurring)
    try:
        services.recurring_resume(
            user=request.user, recurring_id=recurring.pk, nonce=form.cleaned_data["nonce"]
        )
    except (services.DonationError, stripe_gateway.GatewayError) as exc:
        messages.error(request, _("We could not resume it: %(reason)s") % {"reason": exc})
    else:
        messages.success(request, _("Your monthly gift is active again. We emailed you."))
    return _back(recurring)
