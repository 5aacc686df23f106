"""The notices Haven writes when a shift moves or is cancelled reach each booked person in their own
language (a coordinator's own message stays in the words they wrote)."""

import datetime

import pytest
from django.utils import timezone

from messaging.models import Message
from messaging.services import message_deliver
from tests.factories import BookingFactory, RoleFactory, ShiftFactory, UserFactory
from volunteers import services
from volunteers.models import ShiftMessage

pytestmark = pytest.mark.django_db


def _deliver_shift_messages():
    for message in Message.objects.filter(kind=ShiftMessage.MESSAGE_KIND).order_by("pk"):
        message_deliver(message_id=message.pk)


@pytest.fixture
def shift():
    starts = timezone.make_aware(datetime.datetime(2030, 12, 10, 18, 0))
    role = RoleFactory(name="Meal prep", name_es="Preparación de comidas")
    return ShiftFactory(role=role, starts_at=starts, ends_at=starts + datetime.timedelta(hours=3))


def test_a_cancelled_shift_is_told_to_each_person_in_their_language(shift, mailoutbox):
    lucia = BookingFactory(
        shift=shift, volunteer=UserFactory(language="es", preferred_name="Lucía")
    ).volunteer
    sam = BookingFactory(shift=shift, volunteer=UserFactory(language="en", preferred_name="Sam")).volunteer

    services.shift_cancel(shift=shift, by=UserFactory(), reason="The kitchen is closed for repairs.")
    _deliver_shift_messages()

    by_person = {email.to[0]: email for email in mailoutbox}
    spanish, english = by_person[lucia.email], by_person[sam.email]
    assert spanish.subject == "[Haven] Cancelado: Preparación de comidas"
    assert (
        "El turno de Preparación de comidas del martes, 10 de diciembre de 2030, 18:00 EST está "
        "cancelado, y su reserva también." in spanish.body
    )
    # the coordinator's reason as they wrote it, introduced in the reader's language
    assert "Nota de la persona coordinadora: The kitchen is closed for repairs." in spanish.body
    assert english.subject == "[Haven] Cancelled: Meal prep"
    assert (
        "The Meal prep shift on Tuesday, December 10, 2030 at 6:00 PM EST is cancelled, and your booking "
        "with it." in english.body
    )
    assert "From the coordinator: The kitchen is closed for repairs." in english.body
    # the record keeps the default language's words
    (note,) = ShiftMessage.objects.filter(shift=shift)
    assert note.subject == "Cancelled: Meal prep"


def test_a_moved_shift_gives_the_new_time_in_the_readers_language(shift, mailoutbox):
    BookingFactory(shift=shift, volunteer=UserFactory(language="es"))
    new_start = shift.starts_at + datetime.timedelta(hours=1)

    services.shift_update(
        shift=shift,
        by=UserFactory(),
        starts_at=new_start,
        ends_at=new_start + datetime.timedelta(hours=3),
        capacity=shift.capacity,
        title="",
        description="",
        neighbourhood="",
        address="",
        cancellation_cutoff_hours=24,
    )
    _deliver_shift_messages()

    (email,) = mailoutbox
    assert email.subject == "[Haven] Nuevo horario: Preparación de comidas"
    assert (
        "Su turno de Preparación de comidas cambió de hora. Ahora empieza el martes, 10 de diciembre de "
        "2030, 19:00 EST y termina el martes, 10 de diciembre de 2030, 22:00 EST." in email.body
    )


def test_a_coordinators_own_message_is_sent_as_written(shift, mailoutbox):
    BookingFactory(shift=shift, volunteer=UserFactory(language="es"))

    services.shift_message_send(
        shift=shift, sender=UserFactory(), subject="Parking", body="Use the side door."
    )
    _deliver_shift_messages()

    (email,) = mailoutbox
    assert email.subject == "[Haven] Parking"
    assert "Use the side door." in email.body
