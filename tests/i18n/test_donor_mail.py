"""A donor reads their receipt, its PDF, and their statement in their language: the account's, or the
language of the page an anonymous gift was made on. English stays as it was."""

import pytest
from django.utils import translation

from donations import services
from tests import pdfcheck
from tests.factories import PendingDonationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _confirm(donation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.donation_mark_succeeded(
            donation=donation, amount_paid=donation.charged_amount, currency=donation.currency
        )


def test_a_spanish_account_gets_its_receipt_and_pdf_in_spanish(
    mailoutbox, django_capture_on_commit_callbacks
):
    donor = UserFactory(language="es")
    donation = PendingDonationFactory(
        donor=donor, donor_email=donor.email, donor_name="Ana Pérez", amount=4000
    )

    with translation.override("en"):  # the webhook's request is in English: the account decides
        _confirm(donation, django_capture_on_commit_callbacks)

    (email,) = mailoutbox
    assert email.subject.startswith("Su recibo ")
    assert "Gracias, Ana Pérez." in email.body
    assert "Recibimos su donación de 40,00\xa0US$" in email.body
    html = email.alternatives[0][0]
    assert 'lang="es"' in html
    (name, content, mimetype) = email.attachments[0]
    words = pdfcheck.text(content)
    assert "Recibo oficial de donación" in words
    assert "Su donación" in words
    assert "Official donation receipt" not in words


def test_an_anonymous_gift_made_in_spanish_is_receipted_in_spanish(
    mailoutbox, django_capture_on_commit_callbacks
):
    donation = PendingDonationFactory(donor=None, language="es")

    _confirm(donation, django_capture_on_commit_callbacks)

    assert mailoutbox[0].subject.startswith("Su recibo ")


def test_an_english_receipt_reads_as_before(mailoutbox, django_capture_on_commit_callbacks):
    donation = PendingDonationFactory(donor=None, donor_name="Sam Lee", amount=4000, language="en")

    with translation.override("es"):
        _confirm(donation, django_capture_on_commit_callbacks)

    (email,) = mailoutbox
    assert email.subject.startswith("Your receipt ")
    assert "Thank you, Sam Lee." in email.body
    assert "Your gift of $40.00" in email.body
    assert "Official donation receipt" in pdfcheck.text(email.attachments[0][1])
