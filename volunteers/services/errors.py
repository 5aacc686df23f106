"""Errors of the coordinator side, in words the coordinator reads. (What a volunteer is told when
they cannot book is `volunteers.booking_rules.BookingError`.)"""


class CoordinationError(Exception):
    """A coordinator action that cannot be done, in words the coordinator reads."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)

    def __str__(self):
        return self.message


class CapacityBelowBooked(CoordinationError):
    pass
