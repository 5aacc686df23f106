"""Thin views: parse input, call a service or selector, render."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models.functions import Coalesce
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.roles import public, role_required, signed_in
from campaigns.models import Campaign, UpdateConsent
from campaigns.selectors import suggested_amounts_with_impact
from campaigns.subscriptions import update_subscription_opt_in
from core.csv import csv_writer
from core.http import client_ip
from core.money import format_basis_points, format_money, major_amount_text

from . import selectors, services, stripe_gateway, webhooks
from .forms import (
    ChangeAmountForm,
    DonateForm,
    GiftAmountForm,
    GiftFilterForm,
    OfflineGiftForm,
    RefundForm,
    resolve_designation,
)
from .fundraiser_giving import fundraiser_context, fundraiser_limit, fundraiser_of, fundraiser_resolve
from .inkind_selectors import received_gifts_for_user
from .models import Donation, Receipt, Refund
from .pause_views import pause_forms
from .statement_views import statement_context

DONATE_ATTEMPTS_PER_WINDOW = 10
DONATE_WINDOW_SECONDS = 600


def _too_many_attempts(request) -> bool:
    """Card testers hammer donation forms with stolen numbers. Count attempts per IP in a fixed window:
    cache.add creates the counter atomically, incr is atomic in Redis (no get-then-set race)."""
    limit = getattr(settings, "DONATION_RATE_LIMIT", DONATE_ATTEMPTS_PER_WINDOW)
    key = f"donate-attempts:{client_ip(request)}"
    cache.add(key, 0, timeout=DONATE_WINDOW_SECONDS)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=DONATE_WINDOW_SECONDS)
        attempts = 1
    return attempts > limit


# The thank-you pages this browser session may see: {public id: when the gift was started (epoch s)}.
THANKS_SESSION_KEY = "haven_gifts_given"


def _remember_gift(request, donation: Donation) -> None:
    """Bind the gift's thank-you page to this browser session (see `thanks`)."""
    given = request.session.get(THANKS_SESSION_KEY) or {}
    horizon = timezone.now().timestamp() - settings.HAVEN_THANKS_PAGE_MINUTES * 60
    given = {key: at for key, at in given.items() if at >= horizon}
    given[str(donation.public_id)] = timezone.now().timestamp()
    request.session[THANKS_SESSION_KEY] = given


def _gift_given_here(request, public_id: uuid.UUID) -> bool:
    at = (request.session.get(THANKS_SESSION_KEY) or {}).get(str(public_id))
    if at is None:
        return False
    return timezone.now().timestamp() - at <= settings.HAVEN_THANKS_PAGE_MINUTES * 60


def _carry(post, *, skip) -> list[tuple[str, str]]:
    """What the donor chose on the other step, carried in hidden inputs (no server-side state until
    they pay)."""
    return [
        (name, value)
        for name in DonateForm.base_fields
        if name not in skip
        for value in post.getlist(name)[:1]
    ]


def _amount_page(request, campaign, form, *, status=200):
    """Step one: how often, how much, the card fee."""
    context = {
        "form": form,
        "campaign": campaign,
        "fee_bps": settings.STRIPE_FEE_BPS,
        "fee_fixed": settings.STRIPE_FEE_FIXED,
        "fee_rate": format_basis_points(settings.STRIPE_FEE_BPS),
        "fee_fixed_text": format_money(settings.STRIPE_FEE_FIXED, settings.HAVEN_CURRENCY),
        "currency": settings.HAVEN_CURRENCY,
        "min_amount": format_money(settings.DONATION_MIN_AMOUNT, settings.HAVEN_CURRENCY),
        "max_amount": format_money(settings.DONATION_MAX_AMOUNT, settings.HAVEN_CURRENCY),
        "carry": _carry(request.POST, skip=DonateForm.AMOUNT_FIELDS) if request.method == "POST" else [],
    }
    fundraiser_limit(request, form)
    context.update(fundraiser_context(request))
    return render(request, "donations/donate.html", context, status=status)


def _details_page(request, campaign, form: DonateForm, amount: dict, *, status=200):
    """Step two: exactly what will be charged, then who gives and the optional choices, then pay."""
    data = amount
    fee = services.fee_for(net=data["amount"]) if data["cover_fee"] else 0
    context = {
        "form": form,
        "campaign": campaign,
        "charge": {
            "amount": data["amount"],
            "fee": fee,
            "total": data["amount"] + fee,
            "monthly": data["frequency"] == Donation.Frequency.MONTHLY,
            "currency": form.currency,
        },
        "statement_text": stripe_gateway.card_statement_text(),
        "carry": _carry(request.POST, skip=DonateForm.detail_fields()),
        "options_open": form.is_bound
        and any(
            name in form.errors
            for name in ("designation", "recognition", "public_name", "tribute_type", "tribute_name",
                         "tribute_notify", "tribute_notify_email")
        ),
    }  # fmt: skip
    fundraiser_limit(request, form)
    context.update(fundraiser_context(request))
    return render(request, "donations/donate_details.html", context, status=status)


@public
def donate(request, slug: str | None = None):
    """Giving in two steps, each one phone screen: (1) how often and how much; (2) exactly what will be
    charged, who gives and the optional choices, and "Pay" (`confirm`), which writes the pending gift
    and sends the donor to Stripe Checkout. `edit` goes back to step one with everything kept."""
    campaign = (
        get_object_or_404(Campaign.objects.select_related("fund"), slug=slug, is_published=True)
        if slug
        else None
    )
    # One query: each suggested amount's impact unit, shown on its tile.
    impacts = dict(suggested_amounts_with_impact(campaign)) if campaign else {}
    fundraiser_resolve(request, campaign)  # ?fundraiser=<slug>: a gift through a supporter's page
    if request.method != "POST":
        return _amount_page(request, campaign, GiftAmountForm(campaign=campaign, impacts=impacts))
    post = request.POST
    if "edit" in post:
        return _amount_page(request, campaign, GiftAmountForm(post, campaign=campaign, impacts=impacts))
    if _too_many_attempts(request):
        form = GiftAmountForm(post, campaign=campaign, impacts=impacts)
        form.is_valid()
        form.add_error(
            None, _("Too many attempts from your connection. Please wait ten minutes and try again.")
        )
        return _amount_page(request, campaign, form, status=429)
    if "confirm" not in post:
        amount_form = GiftAmountForm(post, campaign=campaign, impacts=impacts)
        if not amount_form.is_valid():
            return _amount_page(request, campaign, amount_form, status=400)
        # The details keep what the donor already typed (coming back from step one), or start from
        # their account.
        typed = {
            name: post[name]
            for name in DonateForm.base_fields
            if name in post and name not in DonateForm.AMOUNT_FIELDS
        }
        details = DonateForm(initial=typed, campaign=campaign, user=None if typed else request.user)
        return _details_page(request, campaign, details, amount_form.cleaned_data)
    form = DonateForm(post, campaign=campaign, impacts=impacts)
    if not form.is_valid():
        if form.has_amount_errors():
            amount_form = GiftAmountForm(post, campaign=campaign, impacts=impacts)
            amount_form.is_valid()
            return _amount_page(request, campaign, amount_form, status=400)
        return _details_page(request, campaign, form, form.cleaned_data, status=400)
    data = form.cleaned_data
    try:
        donation = services.donation_create(
            amount=data["amount"],
            cover_fee=data["cover_fee"],
            monthly=data["frequency"] == Donation.Frequency.MONTHLY,
            designation=resolve_designation(data["designation"]),
            email=data["email"],
            name=data["name"],
            is_anonymous=data["is_anonymous"],
            show_name_publicly=data["show_name_publicly"],
            public_name=data["public_name"],
            tribute_type=data.get("tribute_type") or "",
            tribute_name=data["tribute_name"],
            tribute_notify_email=data.get("tribute_notify_email") or "",
            donor=request.user if request.user.is_authenticated else None,
            supporter_page=fundraiser_of(request),
        )
        _remember_gift(request, donation)
        if data.get("updates_opt_in"):
            # The words exactly as shown beside the box, in the language of the page.
            update_subscription_opt_in(
                email=data["email"],
                wording=str(form.fields["updates_opt_in"].label),
                source=UpdateConsent.Source.DONATE_FORM,
                campaign=campaign,
                user=request.user,
                language=translation.get_language(),
            )
        checkout_url = services.donation_checkout_start(donation=donation)
    except services.DonationError as exc:
        form.add_error(None, str(exc))
        return _details_page(request, campaign, form, form.cleaned_data, status=502)
    return redirect(checkout_url)


@public
@never_cache
def thanks(request, public_id: uuid.UUID):
    """The page Stripe sends the donor back to. It names the gift (amount, name to show) only in the
    browser session that gave it, for HAVEN_THANKS_PAGE_MINUTES: a shared, forwarded or later-opened
    link shows a neutral page, the same for every id (so it tells nobody whether a gift exists)."""
    donation = None
    if _gift_given_here(request, public_id):
        donation = Donation.objects.select_related("campaign", "fund").filter(public_id=public_id).first()
    if donation is None:
        return render(request, "donations/thanks_neutral.html")
    return render(request, "donations/thanks.html", {"donation": donation})


@public
@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's calls. 400 for a body or signature we cannot trust (nothing is written), 500 when no
    secret is configured (Stripe retries), 200 otherwise — also for event types we do not handle."""
    try:
        event = stripe_gateway.webhook_event(
            payload=request.body, signature_header=request.headers.get("Stripe-Signature")
        )
    except stripe_gateway.WebhookNotConfigured:
        return HttpResponse("Webhook secret not configured.", status=500, content_type="text/plain")
    except stripe_gateway.WebhookVerificationError:
        return HttpResponseBadRequest("Invalid payload or signature.", content_type="text/plain")
    try:
        outcome = webhooks.stripe_event_handle(event=event)
    except webhooks.MalformedEvent as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain")
    return JsonResponse({"received": True, "outcome": outcome})


# --- the donor's account ---------------------------------------------------------------------------


@signed_in
def my_giving(request):
    user = request.user
    donations = list(selectors.donations_for_user(user=user))
    emails = selectors.verified_emails(user=user)
    context = {
        "donations": donations,
        "recurring_gifts": list(selectors.recurring_gifts_for_user(user=user)),
        "emails": emails,
        **statement_context(request, emails=emails),
        "inkind_gifts": list(received_gifts_for_user(user=user)),
    }
    return render(request, "donations/my_giving.html", context)


@signed_in
def my_receipt(request, number: str):
    receipt = selectors.receipt_for_user(user=request.user, number=number)
    if receipt is None:
        raise Http404
    content = services.receipt_pdf(receipt=receipt)
    return HttpResponse(
        content,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="receipt-{receipt.number}.pdf"'},
    )


def _own_recurring(request, public_id):
    recurring = selectors.recurring_gifts_for_user(user=request.user).filter(public_id=public_id).first()
    if recurring is None:
        raise Http404
    return recurring


@signed_in
def my_monthly(request, public_id: uuid.UUID):
    recurring = _own_recurring(request, public_id)
    form = ChangeAmountForm(
        initial={
            "amount": major_amount_text(recurring.amount, recurring.currency),
            "cover_fee": bool(recurring.fee_covered),
        }
    )
    if request.method == "POST":
        form = ChangeAmountForm(request.POST)
        if form.is_valid():
            try:
                services.recurring_change_amount(
                    user=request.user,
                    recurring_id=recurring.pk,
                    amount=form.cleaned_data["amount"],
                    cover_fee=form.cleaned_data["cover_fee"],
                )
            except (services.DonationError, stripe_gateway.GatewayError) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, _("Your monthly gift is changed from the next payment on. Thank you.")
                )
                return redirect("donations:my_monthly", public_id=recurring.public_id)
    gifts = (
        recurring.donations.select_related("receipt")
        .annotate(shown_at=Coalesce("succeeded_at", "created_at"))
        .order_by("-shown_at", "-pk")
    )
    context = {
        "recurring": recurring,
        "form": form,
        "gifts": gifts,
        "pending_change": selectors.recurring_pending_change(recurring=recurring),
        **pause_forms(recurring),
    }
    return render(request, "donations/my_monthly.html", context)


@signed_in
def my_monthly_cancel(request, public_id: uuid.UUID):
    """GET: a page that says what cancelling means and asks to confirm; POST (its button): cancel."""
    recurring = _own_recurring(request, public_id)
    if request.method != "POST":
        if not recurring.is_live:
            return redirect("donations:my_monthly", public_id=recurring.public_id)
        return render(request, "donations/my_monthly_cancel.html", {"recurring": recurring})
    try:
        services.recurring_cancel(user=request.user, recurring_id=recurring.pk)
    except (services.DonationError, stripe_gateway.GatewayError) as exc:
        messages.error(request, _("We could not cancel it: %(reason)s") % {"reason": exc})
    else:
        messages.success(
            request,
            _("Your monthly gift is cancelled: no further payments. We emailed you a confirmation."),
        )
    return redirect("donations:my_monthly", public_id=recurring.public_id)


@signed_in
@require_POST
def my_monthly_card(request, public_id: uuid.UUID):
    recurring = _own_recurring(request, public_id)
    try:
        url = services.recurring_card_update_url(user=request.user, recurring_id=recurring.pk)
    except (services.DonationError, stripe_gateway.GatewayError) as exc:
        messages.error(request, _("We could not open the card page: %(reason)s") % {"reason": exc})
        return redirect("donations:my_monthly", public_id=recurring.public_id)
    return redirect(url)


# --- staff -----------------------------------------------------------------------------------------


@role_required("staff")
def staff_home(request):
    totals = selectors.staff_totals()
    return render(request, "donations/staff/home.html", {"totals": totals})


@role_required("staff")
def staff_gifts(request):
    form = GiftFilterForm(request.GET or None)
    gifts = selectors.staff_gifts(filters=form.filters())
    page = Paginator(gifts, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "donations/staff/gifts.html",
        {"form": form, "page": page, "query": query.urlencode(), "review": False},
    )


@role_required("staff")
def staff_review(request):
    gifts = selectors.staff_gifts(filters=selectors.GiftFilters(needs_review=True))
    page = Paginator(gifts, 50).get_page(request.GET.get("page"))
    return render(
        request, "donations/staff/gifts.html", {"form": None, "page": page, "query": "", "review": True}
    )


class _Echo:
    def write(self, value):
        return value


CSV_HEADER = [
    "gift_id", "created_at", "succeeded_at", "status", "needs_review", "method", "frequency", "amount",
    "fee_covered", "amount_refunded", "net", "currency", "campaign", "fund", "donor_name", "donor_email",
    "anonymous", "tribute", "receipt", "reference",
]  # fmt: skip


def _csv_rows(gifts):
    tz = timezone.get_current_timezone()
    yield CSV_HEADER
    for gift in gifts.iterator(chunk_size=500):
        receipt = getattr(gift, "receipt", None) if hasattr(gift, "receipt") else None
        yield [
            str(gift.public_id),
            gift.created_at.astimezone(tz).isoformat(timespec="seconds"),
            gift.succeeded_at.astimezone(tz).isoformat(timespec="seconds") if gift.succeeded_at else "",
            gift.status,
            "yes" if gift.needs_review else "",
            gift.method,
            gift.frequency,
            major_amount_text(gift.amount, gift.currency),
            major_amount_text(gift.fee_covered, gift.currency),
            major_amount_text(gift.amount_refunded, gift.currency),
            major_amount_text(gift.net_amount, gift.currency),
            gift.currency,
            gift.campaign.title if gift.campaign_id else "",
            gift.fund.name,
            gift.donor_name,
            gift.donor_email,
            "yes" if gift.is_anonymous else "",
            f"{gift.get_tribute_type_display()} {gift.tribute_name}" if gift.tribute_type else "",
            receipt.number if receipt else "",
            gift.offline_reference,
        ]


@role_required("staff")
def staff_export(request):
    """Streams rows from a server-side iterator: the whole table is never in memory."""
    form = GiftFilterForm(request.GET or None)
    gifts = selectors.staff_gifts(filters=form.filters())
    writer = csv_writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _csv_rows(gifts)), content_type="text/csv"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="gifts-{stamp}.csv"'
    return response


def _refund_confirm_page(request, gift, form: RefundForm, *, status: int = 200):
    amount = form.cleaned_data["amount"]
    context = {
        "gift": gift,
        "form": form,
        "amount": amount,
        "left_after": max(gift.charged_amount - gift.amount_refunded - amount, 0),
    }
    return render(request, "donations/staff/refund_confirm.html", context, status=status)


@role_required("staff")
def staff_gift(request, public_id: uuid.UUID):
    gift = selectors.staff_gift(public_id=public_id)
    if gift is None:
        raise Http404
    refund_form = RefundForm(
        initial={
            "amount": major_amount_text(max(gift.charged_amount - gift.amount_refunded, 0), gift.currency)
        }
    )
    if request.method == "POST" and request.POST.get("action") == "refund":
        refund_form = RefundForm(request.POST)
        left = gift.charged_amount - gift.amount_refunded
        if refund_form.is_valid() and refund_form.cleaned_data["amount"] > left:
            refund_form.add_error("amount", _("The refund is more than what is left of the gift."))
        if refund_form.is_valid() and "confirm" not in request.POST:
            # A refund cannot be undone: first a page that says exactly what will happen.
            return _refund_confirm_page(request, gift, refund_form)
        if refund_form.is_valid():
            try:
                services.refund_request(
                    donation_id=gift.pk,
                    amount=refund_form.cleaned_data["amount"],
                    requested_by=request.user,
                    reason=refund_form.cleaned_data["reason"],
                )
            except services.DonationError as exc:
                refund_form.add_error(None, str(exc))
                return _refund_confirm_page(request, gift, refund_form)
            messages.success(
                request, _("Refund requested. Stripe confirms it in a moment; the gift updates then.")
            )
            return redirect("donations:staff_gift", public_id=gift.public_id)
    elif request.method == "POST" and request.POST.get("action") == "release":
        try:
            services.donation_review_release(donation_id=gift.pk, released_by=request.user)
        except services.DonationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Released: the gift is counted and its receipt is on its way."))
        return redirect("donations:staff_gift", public_id=gift.public_id)
    context = {
        "gift": gift,
        "refund_form": refund_form,
        "refunds": list(gift.refunds.all()),
        "disputes": list(gift.disputes.all()),
        "refund_requested": any(r.status == Refund.Status.REQUESTED for r in gift.refunds.all()),
        "receipt_message": selectors.receipt_message(donation=gift),
    }
    return render(request, "donations/staff/gift.html", context)


@role_required("staff")
def staff_offline(request):
    if request.method == "POST":
        form = OfflineGiftForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                gift, created = services.donation_record_offline(
                    nonce=data["nonce"],
                    amount=data["amount"],
                    method=data["method"],
                    designation=resolve_designation(data["designation"]),
                    email=data["email"],
                    name=data["name"],
                    received_on=data["received_on"],
                    reference=data["reference"],
                    is_anonymous=data["is_anonymous"],
                    recorded_by=request.user,
                )
            except services.DonationError as exc:
                form.add_error(None, str(exc))
            else:
                if created:
                    messages.success(
                        request,
                        _("Gift recorded; receipt %(number)s is being emailed.")
                        % {"number": gift.receipt.number},
                    )
                else:
                    messages.info(request, _("This form was already submitted; the gift was recorded once."))
                return redirect("donations:staff_gift", public_id=gift.public_id)
    else:
        form = OfflineGiftForm(initial={"nonce": uuid.uuid4(), "received_on": timezone.localdate()})
    return render(request, "donations/staff/offline.html", {"form": form})


@role_required("staff")
def staff_receipt(request, number: str):
    receipt = get_object_or_404(Receipt.objects.select_related("donation"), number=number)
    content = services.receipt_pdf(receipt=receipt)
    return FileResponse(iter([content]), content_type="application/pdf", filename=f"receipt-{number}.pdf")
