"""The SMS provider's inbound webhook: verify the signature, act on STOP and START, answer TwiML.

Verify, record, dispatch (docs/STYLE.md): 403 for a missing or wrong signature, 500 when no auth token
is configured (the provider retries), 200 with an empty TwiML response otherwise. The body of any
other text is not stored: a reply could hold anything, and nobody reads this number."""

import logging

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.access import public

from .sms import keyword_of, sms_keyword, twilio_signature_valid

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def webhook_url(request) -> str:
    """The URL the provider signed: the site's public address and this path, with its query."""
    return settings.SITE_URL + request.get_full_path()


@public  # called by the SMS provider; only requests with a valid signature are read
@csrf_exempt
@require_POST
def inbound(request):
    token = settings.HAVEN_SMS_AUTH_TOKEN
    if not token:
        logger.error("An inbound text arrived but HAVEN_SMS_AUTH_TOKEN is not set.")
        return HttpResponse("SMS webhook not configured", status=500, content_type="text/plain")
    params = {name: request.POST.getlist(name) for name in request.POST}
    signature = request.headers.get("X-Twilio-Signature", "")
    if not twilio_signature_valid(
        url=webhook_url(request), params=params, auth_token=token, signature=signature
    ):
        return HttpResponseForbidden("Invalid signature", content_type="text/plain")
    number = request.POST.get("From", "")
    keyword = keyword_of(request.POST.get("Body", ""))
    if keyword and number:
        sms_keyword.send(sender=inbound, number=number, keyword=keyword, source="reply")
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
