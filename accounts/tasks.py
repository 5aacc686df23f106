from celery import shared_task


@shared_task
def retention_apply() -> dict | None:
    """Beat, daily: apply the written retention policy (accounts/retention.py). A second run at the
    same time finds the lock taken and does nothing."""
    from .retention import retention_apply as apply  # noqa: PLC0415

    return apply()
