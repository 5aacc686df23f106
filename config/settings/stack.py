"""`make stack` (deploy/stack.py): production settings, unchanged, plus the one thing this machine
lacks: Stripe. The stripe library talks to the local stand-in at STRIPE_API_BASE instead (the gateway
refuses that with a live key). Everything else, from HTTPS and secure cookies to the required
variables, is config.settings.production."""

from .production import *  # noqa: F403
from .production import required

STRIPE_API_BASE = required("STRIPE_API_BASE")
