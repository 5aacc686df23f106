"""Errors the gift services raise; their messages can be shown to the person as they are."""


class DonationError(Exception):
    """A business rule refused the request; the message can be shown as is."""
