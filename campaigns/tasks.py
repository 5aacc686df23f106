"""Thin Celery tasks for campaigns."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def totals_recompute_all_task() -> int:
    """Safety net from beat: refresh every campaign's and fund's cached totals, in case an
    after-commit refresh was lost (a crash between commit and callback). Idempotent."""
    return services.totals_recompute_all()


@shared_task(acks_late=True)
def totals_refresh_due_task() -> int:
    """Refresh the totals that gifts' changes marked out of date (queued once per window after a change,
    and from beat every minute for marks whose task was lost)."""
    return services.totals_refresh_due()
