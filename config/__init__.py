# Celery's app is imported here so that @shared_task binds to it (cookiecutter-django's layout).
from .celery import app as celery_app

__all__ = ("celery_app",)
