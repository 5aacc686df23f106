"""`python -m devstripe --port 12111 --webhook-url URL --webhook-secret SECRET`: run the stand-in in the
foreground (for the demo), logging each request and webhook delivery, until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading

from devstripe.server import StandIn, make_server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devstripe", description="Local Stripe API stand-in (test mode)."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--webhook-url", default=os.environ.get("DEVSTRIPE_WEBHOOK_URL"))
    parser.add_argument(
        "--webhook-secret",
        default=os.environ.get("DEVSTRIPE_WEBHOOK_SECRET") or os.environ.get("STRIPE_WEBHOOK_SECRET"),
        help="the secret webhook payloads are signed with (the app's STRIPE_WEBHOOK_SECRET)",
    )
    parser.add_argument("--public-url", default=None, help="base URL browsers use, if not http://HOST:PORT")
    args = parser.parse_args(argv)
    if not args.webhook_secret:
        parser.error("--webhook-secret is required (or set DEVSTRIPE_WEBHOOK_SECRET)")

    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(asctime)s devstripe %(message)s")
    standin = StandIn(
        webhook_secret=args.webhook_secret, webhook_url=args.webhook_url, public_url=args.public_url
    )
    server = make_server(standin, args.host, args.port)

    def stop(signum: int, frame: object) -> None:
        # shutdown() waits for serve_forever() to return, so it must run off the serving thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    logging.getLogger("devstripe").info(
        "listening on %s (API base for the stripe library); webhooks to %s",
        standin.base_url,
        args.webhook_url or "nowhere (recorded only)",
    )
    sys.stdout.flush()
    try:
        server.serve_forever()
    finally:
        server.server_close()
        standin.close()
    logging.getLogger("devstripe").info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
