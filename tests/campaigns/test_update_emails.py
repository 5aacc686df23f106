"""Campaign updates by email, with consent: the opt-in when giving (unticked, recorded with its time,
words and language), one email per subscriber per update (publishing twice sends once), each in the
person's language, written in one INSERT; the one-click unsubscribe (RFC 8058 headers, POST without
sign-in or CSRF token, GET only confirms, bad tokens refused) and /me/updates/."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns import services, subscriptions
from campaigns.models import UpdateConsent, UpdateSubscription
from messaging.models import Message
from messaging.services import message_deliver
from tests.factories import CampaignFactory, UserFactory

pytestmark = pytest.mark.django_db


def deliver() -> list:
    for pk in Message.objects.filter(status="pending").values_list("pk", flat=True):
        message_deliver(message_id=pk)
    return mail.outbox


def _subscribe(email, campaign=None, language="en"):
    return subscriptions.update_subscription_opt_in(
        email=email,
        wording=subscriptions.opt_in_wording(campaign),
        source=UpdateConsent.Source.DONATE_FORM,
        campaign=campaign,
        language=language,
    )


def _post(campaign, **kw):
    kw.setdefault("title", "Twelve more nights")
    kw.setdefault("body", "Thanks to you, twelve more nights of safe rooms.")
    kw.setdefault("title_es", "Doce noches más")
    kw.setdefault("body_es", "Gracias a usted, doce noches más de habitaciones seguras.")
    return services.campaign_update_post(campaign=campaign, **kw)


def test_one_email_per_subscriber_per_update_and_publishing_twice_sends_once():
    campaign = CampaignFactory()
    other = CampaignFactory()
    _subscribe("both@example.org", campaign)
    _subscribe("both@example.org")  # every campaign as well: still one email
    _subscribe("es@example.org", campaign, language="es")
    _subscribe("general@example.org")
    _subscribe("other@example.org", other)  # another campaign's: none
    gone = _subscribe("gone@example.org", campaign)
    subscriptions.update_subscription_opt_out(subscription=gone, source=UpdateConsent.Source.ACCOUNT)

    update = _post(campaign)
    services.campaign_update_edit(
        update=update,
        title="Twelve more nights",
        body=update.body_en,
        is_published=True,
        title_es="Doce noches más",
        body_es=update.body_es,
    )

    sent = deliver()
    assert sorted(email.to[0] for email in sent) == [
        "both@example.org",
        "es@example.org",
        "general@example.org",
    ]
    spanish = next(email for email in sent if email.to == ["es@example.org"])
    assert "Doce noches más" in spanish.subject and "Gracias a usted" in spanish.body
    assert Message.objects.filter(kind="campaigns.update").count() == 3


def test_the_announcement_is_one_insert_however_many_subscribers():
    campaign = CampaignFactory()
    for index in range(30):
        _subscribe(f"person{index}@example.org", campaign)
    update = _post(campaign, is_published=False)
    update.is_published = True

    with CaptureQueriesContext(connection) as queries:
        count = subscriptions.campaign_update_announce(update=update)

    assert count == 30
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert len(queries) <= 6  # campaign check, subscribers, existing keys, savepoint + insert


def test_a_draft_sends_nothing_and_a_scheduled_update_waits_for_its_time():
    campaign = CampaignFactory()
    _subscribe("a@example.org", campaign)

    _post(campaign, is_published=False)
    assert not Message.objects.exists()

    later = timezone.now() + datetime.timedelta(days=2)
    _post(campaign, title="Next week", published_at=later)
    message = Message.objects.get()
    assert message.due_at == later and deliver() == []


def test_the_email_has_the_rfc_8058_headers_and_the_link_unsubscribes_with_one_post():
    campaign = CampaignFactory()
    subscription = _subscribe("ana@example.org", campaign)
    _post(campaign)

    [email] = deliver()

    link = subscriptions.unsubscribe_url(subscription)
    assert email.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in email.body
    message = email.message()
    assert message["List-Unsubscribe"] == f"<{link}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # a mail program's one-click POST: no session, no CSRF token
    path = link.removeprefix("http://testserver")
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None
    assert subscription.consents.filter(action="opt_out", source="one_click").exists()
    # the next update does not go to them
    mail.outbox.clear()
    _post(campaign, title="Another")
    assert deliver() == []


def test_get_only_shows_a_confirm_page_and_a_bad_token_is_refused(client):
    campaign = CampaignFactory()
    subscription = _subscribe("ana@example.org", campaign)
    path = subscriptions.unsubscribe_url(subscription).removeprefix("http://testserver")

    page = client.get(path)

    assert page.status_code == 200
    assert "Unsubscribe from campaign updates" in page.content.decode()
    assert '<form method="post"' in page.content.decode()
    subscription.refresh_from_db()
    assert subscription.is_active  # a link scanner's GET changes nothing

    assert client.post(path).status_code == 200  # the confirm button
    subscription.refresh_from_db()
    assert not subscription.is_active
    assert subscription.consents.filter(action="opt_out", source="unsubscribe_link").exists()

    tampered = path.replace(path.split("/")[-2], path.split("/")[-2][:-2] + "xx")
    for bad in (tampered, "/updates/unsubscribe/not-a-token/"):
        assert client.get(bad).status_code == 400
        assert client.post(bad).status_code == 400


def test_a_token_for_another_purpose_does_not_unsubscribe(client):
    from django.core import signing

    subscription = _subscribe("ana@example.org")
    forged = signing.dumps(subscription.pk, salt="something.else")

    assert client.post(f"/updates/unsubscribe/{forged}/").status_code == 400
    subscription.refresh_from_db()
    assert subscription.is_active


def test_a_signed_in_person_opts_in_and_out_from_their_account(client):
    user = UserFactory(email="lee@example.org")
    client.force_login(user)

    page = client.get("/me/updates/").content.decode()
    wording = subscriptions.opt_in_wording(None)
    assert wording in page.replace("&#x27;", "'").replace("&rsquo;", "’")

    client.post("/me/updates/", {"action": "subscribe", "wording": wording})  # box not ticked
    assert not UpdateSubscription.objects.exists()
    client.post("/me/updates/", {"action": "subscribe", "wording": wording, "consent": "on"})
    subscription = UpdateSubscription.objects.get()
    assert subscription.is_active and subscription.campaign is None and subscription.user == user
    assert subscription.consents.get().source == "account"

    client.post("/me/updates/", {"action": "unsubscribe"})
    subscription.refresh_from_db()
    assert not subscription.is_active
    assert client.get("/me/updates/", follow=True).status_code == 200


def test_me_updates_needs_sign_in(client):
    assert client.get("/me/updates/").status_code == 302
