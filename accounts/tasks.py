from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
)
def email_send(
    *, subject: str, body: str, from_email: str, to: list[str], html: str | None = None, headers=None
) -> None:
    """Sends an account email (verification, sign-in code, password reset) rendered by the adapter.
    Retries only network errors (OSError covers SMTP connection failures). Redelivery after a
    worker crash may send a second copy, which is harmless for these messages."""
    message = EmailMultiAlternatives(subject, body, from_email, to, headers=headers or {})
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


@shared_task
def retention_apply() -> dict | None:
    """Beat, daily: apply the written retention policy (accounts/retention.py). A second run at the
    same time finds the lock taken and does nothing."""
    from .retention import retention_apply as apply  # noqa: PLC0415

    return apply()
