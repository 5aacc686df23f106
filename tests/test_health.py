"""/healthz reports the database and the broker; 503 when either is down, within a few seconds."""

import socket
import time

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    # Bind to an ephemeral port and close it: nothing listens there afterwards.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_health_is_ok_with_a_working_database_and_broker(client):
    response = client.get(reverse("pages:healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_checks_a_real_redis_broker_when_configured(client, settings):
    redis_url = settings.REDIS_URL
    if not redis_url:
        pytest.skip("REDIS_URL not set (CI sets it)")
    settings.CELERY_BROKER_URL = redis_url

    assert client.get(reverse("pages:healthz")).json()["broker"] == "ok"


def test_health_is_degraded_and_fast_when_the_broker_is_unreachable(client, settings):
    # Given the broker points at a port where nothing listens
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/0"

    # When the load balancer asks
    started = time.monotonic()
    response = client.get(reverse("pages:healthz"))
    elapsed = time.monotonic() - started

    # Then it hears 503 within a few seconds, and which part is down
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error:")
    assert elapsed < 5, f"health check took {elapsed:.1f}s"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_container_health_check_asks_healthz_like_the_proxy_would(live_server, monkeypatch):
    from config.healthcheck import main

    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "localhost,haven.example.org")

    assert main(live_server.url + "/healthz") == 0
    assert main(f"http://127.0.0.1:{_closed_port()}/healthz") == 1
