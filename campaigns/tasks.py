"""Thin Celery tasks for campaigns."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def totals_recompute_all_task() -> int:
    """Safety net from beat: refresh every campaign's and fund's cached totals, in case an
    after-commit refresh was lost (a crash between commit and callback). Idempotent."""
    return services.totals_recompute_all()


@shared_task(acks_late=True)
def public_totals_publish_task() -> bool:
    """Beat, every minute: publish the public figures if HAVEN_PUBLIC_TOTALS_INTERVAL_MINUTES has
    passed since the last publication (the service decides, so extra runs publish nothing)."""
    return services.public_totals_publish()
