"""Gunicorn's settings for Haven (`gunicorn -c config/gunicorn.py config.wsgi:application`), used by
docker-compose's web service and by `make stack`.

The application is loaded once in the master (preload) and warmed there (config/warmup.py) before the
workers fork, so each worker starts with URLconfs, views, templates and translations loaded and
answers its first request as fast as its hundredth."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Workers from the environment (gunicorn's own convention); 2 per core is a good start.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads in each worker: a request waiting on a dead broker's timeout (up to ~2 s, see
# CELERY_BROKER_CONNECTION_TIMEOUT) holds one thread, not the whole worker, so webhooks keep flowing
# while the broker is blackholed (tests/stack/test_broker_faults.py).
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms fwd="%({x-forwarded-for}i)s"'
# The access and error logs with the secrets of URLs redacted (core/secret_urls.py).
logger_class = "core.secret_urls.RedactingGunicornLogger"
# Only the proxy in front may say the request came over HTTPS (Django reads the header itself, through
# SECURE_PROXY_SSL_HEADER; this is gunicorn's own view of the scheme).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def pre_fork(server, worker):
    """A connection opened in the master would be shared by every worker: close any (warm-up opens
    none; this keeps it so if something in the import chain ever does)."""
    from django.db import connections

    connections.close_all()


def post_worker_init(worker):
    """Each worker opens its own database connection before it takes traffic (kept for
    DATABASE_CONN_MAX_AGE seconds), so its first request does not pay for the connect. A database that
    is down now is not fatal here: the first request tries again and answers as it would anyway."""
    from django.db import connections

    try:
        connections["default"].ensure_connection()
    except Exception as exc:  # noqa: BLE001 - any failure is the first request's to report
        worker.log.warning("No database connection before the first request: %s", exc)
