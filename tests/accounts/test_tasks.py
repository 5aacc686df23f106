"""Account mail goes through the outbox: the reset link lives on the message row, the task carries
only the row's id, and the body is wiped once the email is out."""

import pytest

from messaging import publish
from messaging.models import Message
from tests.factories import UserFactory


@pytest.mark.django_db
def test_a_password_reset_is_an_outbox_row_and_the_task_carries_only_its_id(
    client, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    user = UserFactory()
    published = []
    real_publish = publish.task_publish

    def recording_publish(name, *args):
        published.append((name, args))
        return real_publish(name, *args)

    monkeypatch.setattr(publish, "task_publish", recording_publish)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/accounts/password/reset/", {"email": user.email})

    message = Message.objects.get(kind="accounts.mail")
    assert message.recipient == user.email
    assert message.sensitive and message.prerendered
    assert "/accounts/password/reset/key/" in message.body_text
    assert mailoutbox == []  # nothing leaves before commit

    for callback in callbacks:
        callback()

    assert published == [("messaging.tasks.message_deliver", (message.pk,))]
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [user.email]
    assert "/accounts/password/reset/key/" in mailoutbox[0].body
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.body_text == ""  # the link does not outlive the send
