"""Staff see failed and stuck messages at /staff/messages/ and send them again (audit-logged);
a sensitive message's body is never shown."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import AuditEntry
from messaging.models import Message
from tests.factories import MessageFactory, UserFactory

pytestmark = pytest.mark.django_db


def _failed(**fields):
    return MessageFactory(
        status=Message.Status.FAILED, attempts=8, last_error="SMTPServerDisconnected: gone", **fields
    )


def test_only_staff_open_the_messages_page(client, volunteer, coordinator):
    assert client.get("/staff/messages/").status_code == 302  # to sign-in
    for person in (volunteer, coordinator):
        client.force_login(person)
        assert client.get("/staff/messages/").status_code == 403
        assert client.post(f"/staff/messages/{_failed().pk}/retry/").status_code == 403


def test_staff_see_failed_and_stuck_messages_with_their_errors(client, staff_user):
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    failed = _failed()
    stuck = MessageFactory(due_at=an_hour_ago, queued_at=an_hour_ago)
    fresh = MessageFactory()
    sent = MessageFactory(status=Message.Status.SENT, sent_at=timezone.now(), attempts=1)
    client.force_login(staff_user)

    response = client.get("/staff/messages/")
    assert response.status_code == 200
    assert response.context["counts"] == {"failed": 1, "stuck": 1}
    assert {m.pk for m in response.context["page"]} == {failed.pk, stuck.pk, fresh.pk, sent.pk}
    assert response.context["stuck_ids"] == {stuck.pk}
    assert "SMTPServerDisconnected: gone" in response.content.decode()

    failed_only = client.get("/staff/messages/?status=failed")
    assert [m.pk for m in failed_only.context["page"]] == [failed.pk]
    stuck_only = client.get("/staff/messages/?status=stuck")
    assert [m.pk for m in stuck_only.context["page"]] == [stuck.pk]


def test_the_list_filters_by_kind(client, staff_user):
    receipt = MessageFactory(kind="donations.receipt")
    MessageFactory(kind="volunteers.reminder")
    client.force_login(staff_user)

    response = client.get("/staff/messages/?kind=donations.receipt")

    assert [m.pk for m in response.context["page"]] == [receipt.pk]
    assert response.context["kinds"] == ["donations.receipt", "volunteers.reminder"]


def test_the_list_costs_the_same_queries_for_many_messages(client, staff_user, django_assert_max_num_queries):
    people = UserFactory.create_batch(5)
    for index in range(40):
        _failed(user=people[index % 5], about=people[index % 5])
    client.force_login(staff_user)

    with django_assert_max_num_queries(9):
        response = client.get("/staff/messages/")
    assert len(response.context["page"]) == 40


def test_retry_sends_a_failed_message_and_is_audit_logged(
    client, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    person = UserFactory()
    failed = _failed(recipient=person.email, about=person)
    client.force_login(staff_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/staff/messages/{failed.pk}/retry/", {"next": "/staff/messages/?status=failed"}
        )

    assert response.status_code == 302
    assert response.url == "/staff/messages/?status=failed"
    failed.refresh_from_db()
    assert failed.status == Message.Status.SENT
    assert failed.attempts == 1  # a fresh set of attempts
    assert [m.to for m in mailoutbox] == [[person.email]]
    entry = AuditEntry.objects.get(action="message.retry")
    assert entry.actor == staff_user
    assert entry.target_id == str(failed.pk)
    assert entry.data == {"kind": "tests.greeting", "status": "failed", "attempts": 8}


def test_retry_refuses_a_message_that_is_fine(client, staff_user):
    waiting = MessageFactory(due_at=timezone.now() + datetime.timedelta(hours=3))
    client.force_login(staff_user)

    response = client.post(f"/staff/messages/{waiting.pk}/retry/", follow=True)

    assert "Only a failed or stuck message can be sent again" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Message.Status.PENDING
    assert not AuditEntry.objects.filter(action="message.retry").exists()


def test_a_sensitive_message_body_is_never_shown(client, staff_user):
    secret = _failed(
        kind="tests.secret",
        sensitive=True,
        prerendered=True,
        subject="Your sign-in code",
        body_text="Your code is KX7-PQ2",
    )
    open_one = MessageFactory(
        status=Message.Status.SENT,
        sent_at=timezone.now(),
        subject="Thanks",
        body_text="Thank you for the gift",
    )
    client.force_login(staff_user)

    list_page = client.get("/staff/messages/").content.decode()
    detail = client.get(f"/staff/messages/{secret.pk}/").content.decode()
    other = client.get(f"/staff/messages/{open_one.pk}/").content.decode()

    assert "KX7-PQ2" not in list_page
    assert "KX7-PQ2" not in detail
    assert "carries a secret" in detail
    assert "Thank you for the gift" in other


def test_a_wiped_secret_cannot_be_sent_again(client, staff_user):
    wiped = _failed(kind="tests.secret", sensitive=True, prerendered=True, subject="Your sign-in code")
    client.force_login(staff_user)

    response = client.post(f"/staff/messages/{wiped.pk}/retry/", follow=True)

    assert "the person can ask for a new one" in response.content.decode()
    wiped.refresh_from_db()
    assert wiped.status == Message.Status.FAILED
    assert mail.outbox == []
