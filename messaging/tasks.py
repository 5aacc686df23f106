"""Thin tasks: they take a row id (never content, never a secret) and call a service. Both are safe to
run twice at once: delivery claims its row atomically, the sweeper takes rows with skip_locked."""

from celery import shared_task

from . import services


# The hard limit stays under the claim timeout (60 s by default): a worker still busy with a message
# is stopped before the sweeper may consider its claim abandoned (prefork pools enforce it).
@shared_task(name="messaging.tasks.message_deliver", acks_late=True, soft_time_limit=40, time_limit=50)
def message_deliver(message_id: int) -> str:
    return services.message_deliver(message_id=message_id)


@shared_task(name="messaging.tasks.messages_sweep", acks_late=True, soft_time_limit=40, time_limit=50)
def messages_sweep() -> int:
    return services.messages_sweep()
