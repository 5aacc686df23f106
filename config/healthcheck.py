"""Container health check for the web service: asks gunicorn for /healthz the way the proxy would
(allowed Host, X-Forwarded-Proto https, so the HTTPS redirect does not answer instead).
Usage: python -m config.healthcheck [url]. Exit 0 when healthy, 1 otherwise."""

import os
import sys
import urllib.error
import urllib.request


def main(url: str = "http://127.0.0.1:8000/healthz") -> int:
    host = (os.environ.get("DJANGO_ALLOWED_HOSTS") or "localhost").split(",")[0].strip()
    request = urllib.request.Request(url, headers={"Host": host, "X-Forwarded-Proto": "https"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - our own loopback URL
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError):
        return 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
