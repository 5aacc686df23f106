"""Swaps: a booked volunteer offers their place to a named colleague cleared for the role; the
colleague takes it by the emailed link before the cut-off and the booking moves atomically, and the
volunteer who offered is told. Under concurrency exactly one thing happens: the owner cancels while
the colleague accepts; the owner offers the place to a second colleague while the first accepts; two
colleagues' offers of overlapping shifts are accepted at once; the colleague presses twice.

Each race but the last has a control: the same run with every row lock taken out
(`without_select_for_update`) and a barrier after the checks, which shows the double outcome the
locks prevent. Pressing twice needs no lock to stay single: the database's one-active-booking-per-
shift constraint refuses the second booking either way (its control shows that too)."""

import datetime
import re
import threading
import time

import pytest
from django.db import connection
from django.urls import reverse

from messaging import sms
from messaging.models import Message
from tests.factories import AgreementFactory, RequirementFactory, RoleFactory, ShiftFactory, ready_volunteer
from volunteers import services
from volunteers.booking_rules import BookingError
from volunteers.models import Booking, SwapOffer
from volunteers.services import locks


@pytest.fixture
def people(agreement):
    return ready_volunteer(name="Ada Lovelace", email="ada@example.org"), ready_volunteer(
        name="Grace Hopper", email="grace@example.org"
    )


@pytest.fixture
def booked(people):
    shift = ShiftFactory(capacity=2)
    return services.shift_book(shift=shift, volunteer=people[0])


def _offer(booked, people):
    return services.swap_offer_make(booking=booked, volunteer=people[0], colleague_email="GRACE@example.org")


@pytest.mark.django_db
def test_the_colleague_takes_the_place_by_link_and_the_booking_moves(
    client, booked, people, django_capture_on_commit_callbacks
):
    ada, grace = people
    with django_capture_on_commit_callbacks(execute=True):
        offer = _offer(booked, people)
    email = Message.objects.get(kind="volunteers.swap_offer")
    link = re.search(r"http://testserver(/shifts/swaps/\S+/)", email.body_text).group(1)
    assert email.recipient == "grace@example.org" and booked.shift.address not in email.body_text
    client.force_login(grace)

    shown = client.get(link)
    taken = client.post(link, {"action": "accept"})

    assert shown.status_code == 200 and "Ada offers you their place" in shown.content.decode()
    assert taken.status_code == 302
    booked.refresh_from_db()
    offer.refresh_from_db()
    assert booked.status == Booking.Status.CANCELLED
    new = Booking.objects.get(shift=booked.shift, volunteer=grace)
    assert new.status == Booking.Status.BOOKED and new.source == Booking.Source.SWAP
    assert offer.status == SwapOffer.Status.ACCEPTED and offer.new_booking == new
    assert Booking.objects.filter(shift=booked.shift, status__in=Booking.ACTIVE_STATUSES).count() == 1


@pytest.mark.django_db
def test_the_volunteer_who_offered_is_told_by_email_and_text_when_the_colleague_accepts(
    booked, people, django_capture_on_commit_callbacks
):
    ada, grace = people
    services.sms_opt_in(volunteer=ada, number="+12015550123", wording=services.consent_wording())
    offer = _offer(booked, people)
    sms.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.swap_offer_accept(offer=offer, volunteer=grace)

    email = Message.objects.get(kind="volunteers.swap_accepted")
    text = Message.objects.get(kind="volunteers.swap_accepted_text")
    assert email.recipient == "ada@example.org" and email.user == ada and email.status == Message.Status.SENT
    assert "Grace accepted the place you offered them" in email.body_text
    assert "no longer booked" in email.body_text and "Grace took your place" in email.subject
    assert text.channel == "sms" and text.recipient == "+12015550123" and text.status == Message.Status.SENT
    assert "Grace took your place" in sms.outbox[-1]["body"] and "Reply STOP" in sms.outbox[-1]["body"]
    shift = booked.shift
    for body in (email.subject, email.body_text, text.body_text):
        assert shift.address not in body and "grace@example.org" not in body


@pytest.mark.django_db
def test_the_notice_is_queued_with_the_move_and_not_without_it(booked, people):
    ada, grace = people
    offer = _offer(booked, people)
    grace.volunteer_profile.delete()  # she can no longer take it: the move is refused

    with pytest.raises(BookingError):
        services.swap_offer_accept(offer=offer, volunteer=grace)

    assert not Message.objects.filter(kind__startswith="volunteers.swap_accepted").exists()


@pytest.mark.django_db
def test_the_notice_is_in_the_volunteers_language_and_only_by_email_without_texts(
    booked, people, django_capture_on_commit_callbacks
):
    ada, grace = people
    ada.language = "es"
    ada.save(update_fields=["language"])
    offer = _offer(booked, people)

    with django_capture_on_commit_callbacks(execute=True):
        services.swap_offer_accept(offer=offer, volunteer=grace)

    email = Message.objects.get(kind="volunteers.swap_accepted")
    assert email.language == "es" and "Grace aceptó el lugar que usted le ofreció" in email.body_text
    assert not Message.objects.filter(kind="volunteers.swap_accepted_text").exists()


@pytest.mark.django_db
def test_only_the_named_colleague_can_open_the_link(client, booked, people, agreement):
    offer = _offer(booked, people)
    client.force_login(ready_volunteer())

    response = client.get(reverse("volunteers:swap_confirm", args=[services.swap_offer_token(offer)]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_a_colleague_not_cleared_for_the_role_cannot_be_offered_the_place(people, agreement):
    role = RoleFactory(requirements=[RequirementFactory(name="Food safety")])
    shift = ShiftFactory(role=role)
    from tests.factories import RequirementVerificationFactory

    RequirementVerificationFactory(volunteer=people[0], requirement=role.requirements.get())
    booking = services.shift_book(shift=shift, volunteer=people[0])

    with pytest.raises(services.SwapError, match="cleared for the role"):
        services.swap_offer_make(booking=booking, volunteer=people[0], colleague_email="grace@example.org")
    with pytest.raises(services.SwapError, match="cleared for the role"):
        services.swap_offer_make(booking=booking, volunteer=people[0], colleague_email="nobody@example.org")
    assert not SwapOffer.objects.exists()


@pytest.mark.django_db
def test_the_offer_closes_at_the_cut_off(time_machine, booked, people):
    offer = _offer(booked, people)
    time_machine.move_to(booked.shift.starts_at - datetime.timedelta(hours=1), tick=False)

    with pytest.raises(services.SwapError, match="closed"):
        services.swap_offer_accept(offer=offer, volunteer=people[1])
    booked.refresh_from_db()
    assert booked.status == Booking.Status.BOOKED
    assert SwapOffer.objects.get(pk=offer.pk).status == SwapOffer.Status.EXPIRED


@pytest.mark.django_db
def test_cancelling_withdraws_the_offer(booked, people):
    offer = _offer(booked, people)

    services.booking_cancel(booking=booked, volunteer=people[0])

    with pytest.raises(services.SwapError, match="no longer open"):
        services.swap_offer_accept(offer=offer, volunteer=people[1])
    assert not Booking.objects.filter(volunteer=people[1]).exists()


@pytest.mark.django_db
def test_declining_leaves_the_place_with_its_owner(client, booked, people):
    offer = _offer(booked, people)
    client.force_login(people[1])

    client.post(
        reverse("volunteers:swap_confirm", args=[services.swap_offer_token(offer)]), {"action": "decline"}
    )

    offer.refresh_from_db()
    booked.refresh_from_db()
    assert offer.status == SwapOffer.Status.DECLINED and booked.status == Booking.Status.BOOKED


# --- under concurrency ------------------------------------------------------------------------------


def _together(*actions):
    start = threading.Barrier(len(actions))
    outcomes = []
    lock = threading.Lock()

    def run(action):
        try:
            start.wait(timeout=30)
            result = action()
        except BookingError as error:
            result = error
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture
def slow_locks(monkeypatch):
    """Hold each lock a moment after taking it, so the two transactions overlap."""
    take = locks.lock_profile_then_shift

    def take_then_wait(*, volunteer, shift):
        taken = take(volunteer=volunteer, shift=shift)
        time.sleep(0.05)
        return taken

    monkeypatch.setattr(locks, "lock_profile_then_shift", take_then_wait)


def _setup():
    AgreementFactory(version=1)
    ada, grace = ready_volunteer(), ready_volunteer()
    ShiftFactory(capacity=1)
    booking = services.shift_book(shift=ShiftFactory(capacity=1), volunteer=ada)
    offer = services.swap_offer_make(booking=booking, volunteer=ada, colleague_email=grace.email)
    return ada, grace, booking, offer


def _cancel_and_accept_at_once():
    ada, grace, booking, offer = _setup()

    outcomes = _together(
        lambda: services.booking_cancel(booking=booking, volunteer=ada),
        lambda: services.swap_offer_accept(offer=offer, volunteer=grace),
    )

    errors = [o for o in outcomes if isinstance(o, BookingError)]
    assert len(errors) == 1  # exactly one of the two happened
    active = Booking.objects.filter(shift=booking.shift, status__in=Booking.ACTIVE_STATUSES)
    offer.refresh_from_db()
    if offer.status == SwapOffer.Status.ACCEPTED:
        assert list(active.values_list("volunteer", flat=True)) == [grace.pk]
    else:
        assert not active.exists() and offer.status == SwapOffer.Status.WITHDRAWN
    assert active.count() <= booking.shift.capacity
    return offer.status


@pytest.mark.django_db(transaction=True)
def test_the_owner_cancelling_while_the_colleague_accepts_gives_one_outcome(requires_postgres, slow_locks):
    outcomes = {_cancel_and_accept_at_once() for _round in range(3)}

    assert outcomes <= {SwapOffer.Status.ACCEPTED, SwapOffer.Status.WITHDRAWN}


@pytest.mark.django_db(transaction=True)
def test_control_without_the_locks_the_owner_cancels_and_the_colleague_takes_the_place_too(
    requires_postgres, without_select_for_update, pause_after_the_checks
):
    ada, grace, booking, offer = _setup()
    without_select_for_update()
    both_read = threading.Barrier(2)
    pause_after_the_checks(lambda: both_read.wait(timeout=30))

    outcomes = _together(
        lambda: services.booking_cancel(booking=booking, volunteer=ada),
        lambda: services.swap_offer_accept(offer=offer, volunteer=grace),
    )

    # both "happened": Ada was told her booking is cancelled and the place freed, and Grace that
    # the place is hers; the test above, with the locks, sees exactly one of them
    assert [o for o in outcomes if isinstance(o, BookingError)] == []
    assert Booking.objects.filter(shift=booking.shift, volunteer=grace, status="booked").exists()


def _second_colleague():
    """Ada's offer to Grace is pending; Bob is cleared too."""
    ada, grace, booking, offer = _setup()
    return ada, grace, ready_volunteer(), booking, offer


def _offer_to_bob_while_grace_accepts(ada, grace, bob, booking, offer):
    outcomes = _together(
        lambda: services.swap_offer_make(booking=booking, volunteer=ada, colleague_email=bob.email),
        lambda: services.swap_offer_accept(offer=offer, volunteer=grace),
    )
    pending_to_bob = SwapOffer.objects.filter(booking=booking, to_volunteer=bob, status="pending")
    grace_booked = Booking.objects.filter(shift=booking.shift, volunteer=grace, status="booked")
    return outcomes, pending_to_bob.exists(), grace_booked.exists()


@pytest.mark.django_db(transaction=True)
def test_offering_the_place_to_a_second_colleague_while_the_first_accepts_gives_one_outcome(
    requires_postgres, slow_locks
):
    for _round in range(3):
        outcomes, offered_to_bob, grace_booked = _offer_to_bob_while_grace_accepts(*_second_colleague())

        assert sum(isinstance(o, BookingError) for o in outcomes) == 1
        # either Grace took the place (and Bob was never offered it) or Bob was (and Grace refused)
        assert grace_booked != offered_to_bob


@pytest.mark.django_db(transaction=True)
def test_control_without_the_locks_the_place_moves_and_is_offered_again(
    requires_postgres, without_select_for_update, pause_after_the_checks
):
    people_and_offer = _second_colleague()
    without_select_for_update()
    both_read = threading.Barrier(2)
    pause_after_the_checks(lambda: both_read.wait(timeout=30))

    outcomes, offered_to_bob, grace_booked = _offer_to_bob_while_grace_accepts(*people_and_offer)

    # Grace has the place, and Bob holds an offer of it too (his email invites him to take it)
    assert [o for o in outcomes if isinstance(o, BookingError)] == []
    assert grace_booked and offered_to_bob


def _two_colleagues_offer_grace_overlapping_shifts():
    AgreementFactory(version=1)
    ada, bob, grace = ready_volunteer(), ready_volunteer(), ready_volunteer()
    first = ShiftFactory(capacity=1)
    second = ShiftFactory(capacity=1, starts_at=first.starts_at, ends_at=first.ends_at)
    offers = []
    for owner, shift in ((ada, first), (bob, second)):
        booking = services.shift_book(shift=shift, volunteer=owner)
        offers.append(services.swap_offer_make(booking=booking, volunteer=owner, colleague_email=grace.email))
    return grace, offers


def _grace_accepts_both(grace, offers):
    return _together(*[lambda o=o: services.swap_offer_accept(offer=o, volunteer=grace) for o in offers])


@pytest.mark.django_db(transaction=True)
def test_two_colleagues_offers_of_overlapping_shifts_accepted_at_once_give_one_place(
    requires_postgres, slow_locks
):
    grace, offers = _two_colleagues_offer_grace_overlapping_shifts()

    outcomes = _grace_accepts_both(grace, offers)

    assert sum(isinstance(o, Booking) for o in outcomes) == 1
    assert Booking.objects.filter(volunteer=grace, status="booked").count() == 1


@pytest.mark.django_db(transaction=True)
def test_control_without_the_locks_one_colleague_takes_two_overlapping_places(
    requires_postgres, without_select_for_update, pause_after_the_checks
):
    grace, offers = _two_colleagues_offer_grace_overlapping_shifts()
    without_select_for_update()
    both_checked = threading.Barrier(2)  # both looked for an overlapping booking before either moves
    pause_after_the_checks(lambda: both_checked.wait(timeout=30), before_the_move=True)

    outcomes = _grace_accepts_both(grace, offers)

    # Grace is booked on two shifts at the same time: the profile lock is what stops it above
    assert sum(isinstance(o, Booking) for o in outcomes) == 2
    assert Booking.objects.filter(volunteer=grace, status="booked").count() == 2


@pytest.mark.django_db(transaction=True)
def test_accepting_twice_at_once_moves_the_booking_once(requires_postgres, slow_locks):
    ada, grace, booking, offer = _setup()

    outcomes = _together(
        *[lambda: services.swap_offer_accept(offer=offer, volunteer=grace) for _ in range(4)]
    )

    assert sum(isinstance(o, Booking) for o in outcomes) == 1
    assert Booking.objects.filter(shift=booking.shift, volunteer=grace).count() == 1
    assert Booking.objects.filter(shift=booking.shift, status__in=Booking.ACTIVE_STATUSES).count() == 1


@pytest.mark.django_db(transaction=True)
def test_control_without_the_locks_pressing_twice_is_still_one_move_the_constraint_holds_it(
    requires_postgres, without_select_for_update, pause_after_the_checks
):
    ada, grace, booking, offer = _setup()
    without_select_for_update()
    all_read = threading.Barrier(2)
    pause_after_the_checks(lambda: all_read.wait(timeout=30))

    accept = lambda: services.swap_offer_accept(offer=offer, volunteer=grace)  # noqa: E731
    outcomes = _together(accept, accept)

    # without any lock both pass their checks, and the second insert meets the partial unique
    # constraint (one active booking per volunteer and shift): still one move
    assert sum(isinstance(o, Booking) for o in outcomes) == 1
    assert Booking.objects.filter(shift=booking.shift, status__in=Booking.ACTIVE_STATUSES).count() == 1
