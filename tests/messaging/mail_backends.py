"""Email backends for the outbox tests, plugged in through settings.EMAIL_BACKEND like any other."""

import os
import signal
import smtplib

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FlakyBackend(LocmemBackend):
    """The mail server refuses the first `failures_left` messages (as an SMTP server that is down or
    says 421), then accepts them into django.core.mail.outbox."""

    failures_left = 0
    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).failures_left > 0:
            type(self).failures_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class DyingBackend(LocmemBackend):
    """The worker process is killed (SIGKILL: no cleanup, no except clause runs) before the message
    reaches the mail server."""

    def send_messages(self, messages):
        os.kill(os.getpid(), signal.SIGKILL)
