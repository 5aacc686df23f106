"""The Celery app. Settings come from Django settings under the CELERY_ namespace."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("haven")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _logging_from_django(**_kwargs) -> None:
    """The worker and beat log through Django's LOGGING (its one handler redacts the secrets of URLs,
    core/secret_urls.py) instead of handlers of Celery's own."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
