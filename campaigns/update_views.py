"""Campaign updates by email: the one-click unsubscribe (no sign-in) and a person's own choices on
/me/updates/. Thin: parse, call campaigns.subscriptions, render."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.roles import public, signed_in

from . import subscriptions
from .models import UpdateSubscription

Source = subscriptions.Source


@public
@never_cache
# Exempt from CSRF on purpose: RFC 8058's one-click unsubscribe is a POST from the person's mail
# program, which has no session and no token. The signed token in the address is the proof, and the
# only thing a forged POST can do is stop update emails to the address the token was made for.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET shows a confirm button (link scanners follow links, and must not unsubscribe anyone); POST
    unsubscribes: the confirm button, or a mail program's one-click `List-Unsubscribe=One-Click`."""
    subscription = subscriptions.subscription_for_token(token)
    if subscription is None:
        return render(request, "campaigns/unsubscribe_invalid.html", status=400)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        subscriptions.update_subscription_opt_out(
            subscription=subscription, source=Source.ONE_CLICK if one_click else Source.UNSUBSCRIBE_LINK
        )
        return render(request, "campaigns/unsubscribe_done.html")
    return render(
        request,
        "campaigns/unsubscribe_confirm.html",
        {"subscription": subscription, "already": not subscription.is_active},
    )


@signed_in
@require_http_methods(["GET", "POST"])
def my_updates(request):
    """The person's update emails (for their account's address): subscribe to every campaign's, or
    stop them all."""
    user = request.user
    mine = UpdateSubscription.objects.filter(email=user.email.strip().lower()).select_related("campaign")
    if request.method == "POST":
        if request.POST.get("action") == "subscribe":
            wording = request.POST.get("wording", "")
            if wording != subscriptions.opt_in_wording(None):
                # The page changed language or wording since it was shown: show it again.
                messages.error(request, _("Please tick the box again: the wording has changed."))
                return redirect("campaigns:my_updates")
            if request.POST.get("consent") != "on":
                messages.error(request, _("Tick the box to subscribe."))
                return redirect("campaigns:my_updates")
            subscriptions.update_subscription_opt_in(
                email=user.email,
                wording=wording,
                source=Source.ACCOUNT,
                user=user,
                language=translation.get_language(),
            )
            messages.success(request, _("You are subscribed to campaign updates by email."))
        elif request.POST.get("action") == "unsubscribe":
            first = mine.filter(unsubscribed_at__isnull=True).first()
            if first is not None:
                subscriptions.update_subscription_opt_out(subscription=first, source=Source.ACCOUNT)
            messages.success(request, _("You will get no more campaign updates by email."))
        return redirect("campaigns:my_updates")
    active = [s for s in mine if s.is_active]
    context = {
        "active": active,
        "subscribed_to_all": any(s.campaign_id is None for s in active),
        "wording": subscriptions.opt_in_wording(None),
        "email": user.email,
    }
    return render(request, "campaigns/my_updates.html", context)
