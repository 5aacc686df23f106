"""Queueing: one row per fact, written in the caller's transaction, published only after commit,
rendered at send time in the recipient's language."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from messaging.models import Message
from messaging.registry import Rendered
from messaging.services import message_draft, message_queue, messages_cancel, messages_queue, messages_sweep

pytestmark = pytest.mark.django_db


def _greet(person, **overrides):
    options = {
        "kind": "tests.greeting",
        "recipient": person.email,
        "user": person,
        "about": person,
        "dedupe_key": f"tests.greeting:{person.pk}",
    }
    return message_queue(**(options | overrides))


def test_queueing_the_same_fact_twice_makes_one_message(user, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        first = _greet(user)
        second = _greet(user, recipient="someone-else@example.org")

    assert Message.objects.count() == 1
    assert second.pk == first.pk
    assert len(callbacks) == 1  # the duplicate publishes nothing
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [user.email]


def test_a_message_is_published_only_after_the_transaction_commits(
    user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            message = _greet(user)
        assert mailoutbox == []
    assert len(callbacks) == 1

    callbacks[0]()  # the commit

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.sent_at is not None
    assert message.attempts == 1
    assert len(mailoutbox) == 1


def test_a_rolled_back_transaction_leaves_no_message(user, mailoutbox, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _greet(user)
        raise RuntimeError("the booking failed")

    assert Message.objects.count() == 0
    assert callbacks == []
    assert mailoutbox == []


def test_the_message_is_rendered_at_send_time_in_its_language(
    user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = _greet(user, language="es", data={"note": "welcome"})

    assert mailoutbox[0].body == "Hello in es, welcome"
    assert mailoutbox[0].alternatives == [("<p>Hello in es</p>", "text/html")]
    message.refresh_from_db()
    assert message.body_text == "Hello in es, welcome"  # kept for staff
    assert message.subject == f"Hello {user.get_short_name()}"


def test_a_message_no_longer_relevant_is_skipped_not_sent(
    user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = _greet(user)
    user.is_active = False
    user.save()

    callbacks[0]()

    message.refresh_from_db()
    assert message.status == Message.Status.SKIPPED
    assert message.status_reason == "the account is closed"
    assert mailoutbox == []


def test_a_message_due_later_goes_out_when_the_sweeper_finds_it_due(
    user, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = _greet(user, due_at=start + datetime.timedelta(hours=48))
    assert callbacks == []  # nothing to publish yet

    time_machine.move_to(start + datetime.timedelta(hours=47, minutes=59), tick=False)
    assert messages_sweep() == 0

    time_machine.move_to(start + datetime.timedelta(hours=48), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert messages_sweep() == 1

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert len(mailoutbox) == 1


def test_stored_secret_content_is_sent_then_wiped(user, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = message_queue(
            kind="tests.secret",
            recipient=user.email,
            user=user,
            dedupe_key="tests.secret:1",
            content=Rendered(
                subject="Your sign-in code", text="Your code is KX7-PQ2", headers={"X-Tag": "code"}
            ),
        )

    assert mailoutbox[0].body == "Your code is KX7-PQ2"
    assert mailoutbox[0].extra_headers == {"X-Tag": "code"}
    message.refresh_from_db()
    assert message.sensitive and message.prerendered
    assert message.status == Message.Status.SENT
    assert message.body_text == "" and message.body_html == ""
    assert message.subject == "Your sign-in code"


def test_the_task_carries_only_the_row_id(user, django_capture_on_commit_callbacks, monkeypatch):
    from config.celery import app

    published = []
    monkeypatch.setattr(
        app.tasks["messaging.tasks.message_deliver"],
        "apply_async",
        lambda args=None, kwargs=None, **options: published.append((args, kwargs)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        message = message_queue(
            kind="tests.secret",
            recipient=user.email,
            dedupe_key="tests.secret:2",
            content=Rendered(subject="Reset your password", text="https://example.org/reset/SECRET"),
        )

    assert published == [((message.pk,), None)]


def test_content_is_stored_only_for_kinds_that_need_it(user):
    with pytest.raises(ValueError, match="rendered when it is sent"):
        _greet(user, content=Rendered(subject="s", text="t"))
    with pytest.raises(ValueError, match="pass content"):
        message_queue(kind="tests.secret", recipient=user.email, dedupe_key="tests.secret:3")
    with pytest.raises(LookupError, match="No message kind"):
        _greet(user, kind="tests.unknown")
    with pytest.raises(ValueError, match="channel"):
        _greet(user, channel="pigeon")
    with pytest.raises(ValueError, match="aware"):
        _greet(user, due_at=datetime.datetime(2030, 1, 1, 9))
    assert Message.objects.count() == 0


def test_cancelling_the_messages_about_an_object(user, mailoutbox, django_capture_on_commit_callbacks):
    later = timezone.now() + datetime.timedelta(days=2)
    reminder = _greet(user, dedupe_key="tests.greeting:48h", due_at=later)

    assert messages_cancel(about=user, reason="the booking was cancelled") == 1

    reminder.refresh_from_db()
    assert reminder.status == Message.Status.CANCELLED
    assert reminder.status_reason == "the booking was cancelled"


def _greeting_draft(person, key: str, **overrides):
    options = {
        "kind": "tests.greeting",
        "recipient": person.email,
        "user": person,
        "about": person,
        "dedupe_key": key,
    }
    return message_draft(**(options | overrides))


def test_several_messages_queued_in_one_insert_keep_their_keys_and_publish_after_commit(
    user, mailoutbox, django_capture_on_commit_callbacks, django_assert_num_queries
):
    later = timezone.now() + datetime.timedelta(days=2)
    drafts = [
        _greeting_draft(user, "tests.greeting:now"),
        _greeting_draft(user, "tests.greeting:later", due_at=later),
        _greeting_draft(user, "tests.greeting:now", recipient="twice-in-one-batch@example.org"),
    ]
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),
        django_assert_num_queries(1),
    ):
        now, due_later, twice = messages_queue(drafts)

    assert Message.objects.count() == 2
    assert twice.pk == now.pk  # the same key twice in one batch is one message
    assert len(callbacks) == 1  # only the message due now is published; the sweeper sends the other
    assert [m.to for m in mailoutbox] == [[user.email]]
    assert Message.objects.get(pk=due_later.pk).status == Message.Status.PENDING


def test_a_batch_with_keys_already_queued_returns_their_rows_and_publishes_only_the_new_ones(
    user, django_capture_on_commit_callbacks
):
    first = _greet(user, dedupe_key="tests.greeting:a")
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        again, new = messages_queue(
            [_greeting_draft(user, "tests.greeting:a"), _greeting_draft(user, "tests.greeting:b")]
        )
        # The duplicate did not break the transaction: it goes on.
        assert Message.objects.filter(dedupe_key="tests.greeting:b").exists()

    assert again.pk == first.pk
    assert again.recipient == first.recipient
    assert new.pk and new.pk != first.pk
    assert len(callbacks) == 1


def test_a_rolled_back_batch_leaves_no_message(user, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        messages_queue([_greeting_draft(user, f"tests.greeting:{n}") for n in range(3)])
        raise RuntimeError("the booking failed")

    assert not Message.objects.exists()
    assert callbacks == []
