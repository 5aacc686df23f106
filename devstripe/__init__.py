"""devstripe: a local, in-memory stand-in for the Stripe API, for tests and the demo.

It speaks HTTP to the official `stripe` library (only the API base differs), shapes its objects on
Stripe's published fixtures for the API version the library pins, and sends signed webhook events.
Never used in production. See devstripe/README.md.
"""

from devstripe.objects import API_VERSION, new_id
from devstripe.server import StandIn, StandInError, running_standin
from devstripe.signing import deliver, sign, signed_headers

__all__ = [
    "API_VERSION",
    "StandIn",
    "StandInError",
    "deliver",
    "new_id",
    "running_standin",
    "sign",
    "signed_headers",
]
