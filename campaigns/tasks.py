"""Thin Celery tasks for campaigns."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def totals_recompute_all_task() -> int:
    """Safety net from beat: refresh every campaign's and fund's cached totals, in case an
    after-commit refresh was lost (a crash between commit and callback). Idempotent."""
    return services.totals_recompute_all()
