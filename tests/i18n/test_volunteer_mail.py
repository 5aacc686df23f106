"""A volunteer reads their shift emails in their account's language, the role's name included."""

import datetime

import pytest
from django.utils import timezone

from messaging.services import message_deliver
from tests.factories import BookingFactory, RoleFactory, ShiftFactory, UserFactory
from volunteers.services.booking import booking_confirmation_queue

pytestmark = pytest.mark.django_db


def send_booking_confirmation(booking):
    """Queue the confirmation as a booking does, and deliver it as its task does after commit."""
    booking_confirmation_queue(booking=booking, volunteer=booking.volunteer)
    from messaging.models import Message

    message_deliver(message_id=Message.objects.get(kind="volunteers.booking_confirmation").pk)


def test_a_spanish_volunteer_gets_the_booking_confirmation_in_spanish(mailoutbox):
    role = RoleFactory(name="Meal prep", name_es="Preparación de comidas")
    starts = timezone.make_aware(datetime.datetime(2026, 12, 8, 18, 0))
    shift = ShiftFactory(role=role, starts_at=starts, ends_at=starts + datetime.timedelta(hours=3))
    booking = BookingFactory(shift=shift, volunteer=UserFactory(language="es", preferred_name="Lucía"))

    send_booking_confirmation(booking)

    (email,) = mailoutbox
    assert email.subject == "[Haven] Reserva confirmada: Preparación de comidas"
    assert "Hola, Lucía:" in email.body
    assert "Tiene una reserva como Preparación de comidas:" in email.body
    assert "martes, 8 de diciembre de 2026, de 18:00 a 21:00 EST." in email.body


def test_an_english_volunteer_reads_it_as_before(mailoutbox):
    starts = timezone.make_aware(datetime.datetime(2026, 12, 8, 18, 0))
    shift = ShiftFactory(
        role=RoleFactory(name="Meal prep"), starts_at=starts, ends_at=starts + datetime.timedelta(hours=3)
    )
    send_booking_confirmation(
        BookingFactory(shift=shift, volunteer=UserFactory(language="en", preferred_name="Sam"))
    )

    (email,) = mailoutbox
    assert email.subject == "[Haven] You are booked: Meal prep"
    assert "You are booked as Meal prep:\nTuesday, December 8, 2026, 6:00 PM to 9:00 PM EST." in email.body


def test_booking_errors_read_in_the_visitors_language():
    from django.utils import translation

    from volunteers.booking_rules import NotOnboarded, ShiftFull

    with translation.override("es"):
        assert str(NotOnboarded()).startswith("Complete su perfil de voluntariado antes de reservar")
    with translation.override("en"):
        assert str(ShiftFull()) == "This shift is full. You can join its waitlist."
