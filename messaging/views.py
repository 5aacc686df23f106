"""Staff: the outbox page (failed and stuck messages first, every message filterable) and its retry."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import role_required

from .models import Message
from .selectors import STUCK, message_kinds, messages_attention_counts, messages_for_staff
from .services import message_retry

MESSAGES_PER_PAGE = 50


@role_required("staff")
def staff_messages(request):
    now = timezone.now()
    statuses = [(STUCK, _("Stuck (not sent in time)")), *Message.Status.choices]
    status = request.GET.get("status", "")
    if status not in {value for value, _label in statuses}:
        status = ""
    kinds = message_kinds()
    kind = request.GET.get("kind", "")
    if kind not in kinds:
        kind = ""
    page = Paginator(messages_for_staff(now=now, status=status, kind=kind), MESSAGES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "messaging/staff_messages.html",
        {
            "page": page,
            "now": now,
            "status": status,
            "statuses": statuses,
            "kind": kind,
            "kinds": kinds,
            "counts": messages_attention_counts(now=now),
            "stuck_ids": set(
                Message.objects.stuck(now).filter(pk__in=[m.pk for m in page]).values_list("pk", flat=True)
            ),
        },
    )


@role_required("staff")
def staff_message(request, pk: int):
    message = get_object_or_404(Message.objects.select_related("about_type", "user"), pk=pk)
    now = timezone.now()
    return render(
        request,
        "messaging/staff_message.html",
        {"message": message, "stuck": Message.objects.stuck(now).filter(pk=pk).exists()},
    )


@role_required("staff")
@require_POST
def staff_message_retry(request, pk: int):
    message = get_object_or_404(Message, pk=pk)
    try:
        message_retry(actor=request.user, message=message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Message #%(id)s will be sent again.") % {"id": message.pk})
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("messaging:staff_list")
