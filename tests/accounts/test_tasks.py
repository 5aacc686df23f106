import pytest

from accounts.tasks import email_send


def test_email_send_sends_text_and_html(mailoutbox):
    email_send.delay(
        subject="[Haven] Sign-in code",
        body="Your code is ABCD-EFGH",
        from_email="Haven <hello@haven.example>",
        to=["donor@example.org"],
        html="<p>Your code is <b>ABCD-EFGH</b></p>",
    )

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["donor@example.org"]
    assert message.alternatives[0][1] == "text/html"


@pytest.mark.django_db
def test_account_mail_is_queued_only_after_commit(client, django_capture_on_commit_callbacks, mailoutbox):
    from tests.factories import UserFactory

    user = UserFactory()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/accounts/password/reset/", {"email": user.email})

    assert mailoutbox == []
    assert len(callbacks) == 1
