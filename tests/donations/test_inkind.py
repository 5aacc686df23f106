"""In-kind needs: staff publish what is needed, supporters pledge (signed in or not), a pledge beyond
what is still needed is refused, drop-off instructions go by email only, staff mark pledges received
(all or part) or cancelled, and a received gift appears in the donor's history with no value."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from core import ways_to_help
from donations import inkind_selectors
from donations.models import InKindNeed, InKindPledge
from donations.services import inkind
from messaging.models import Message
from messaging.services import message_deliver
from tests.factories import CampaignFactory, UserFactory

pytestmark = pytest.mark.django_db

DROPOFF = "Back door of 12 Larkspur Lane, Tuesdays 9–12"


def _need(**overrides) -> InKindNeed:
    values = {
        "title_en": "Winter coats",
        "title_es": "Abrigos de invierno",
        "description_en": "Adult sizes, clean and warm.",
        "quantity_needed": 10,
        "deadline": timezone.localdate() + datetime.timedelta(days=20),
        "dropoff": DROPOFF,
    }
    values.update(overrides)
    return InKindNeed.objects.create(**values)


def deliver() -> list:
    """Deliver what the outbox holds now (the tests' transaction never commits, so nothing was
    published) and return the mail sent."""
    for pk in Message.objects.filter(status="pending").values_list("pk", flat=True):
        message_deliver(message_id=pk)
    return mail.outbox


def _pledge(need, quantity, **kw) -> InKindPledge:
    kw.setdefault("name", "Rosa Field")
    kw.setdefault("email", "rosa@example.org")
    return inkind.inkind_pledge_create(need=need, quantity=quantity, **kw)


def test_a_pledge_beyond_what_is_still_needed_is_refused_with_how_many_are_left(client):
    need = _need(quantity_needed=10)
    _pledge(need, 7)

    response = client.post(
        f"/give/in-kind/{need.public_id}/", {"quantity": "4", "name": "Sam Reyes", "email": "sam@example.org"}
    )

    assert response.status_code == 409
    assert "Only 3 are still needed: please pledge 3 or fewer." in response.content.decode()
    assert InKindPledge.objects.count() == 1  # nothing written
    # the same person pledging what is left succeeds
    response = client.post(
        f"/give/in-kind/{need.public_id}/", {"quantity": "3", "name": "Sam Reyes", "email": "sam@example.org"}
    )
    assert response.status_code == 302
    with pytest.raises(inkind.InKindError, match="Everything needed is already pledged"):
        _pledge(need, 1)


def test_an_anonymous_pledge_validates_name_and_email_and_emails_the_drop_off_address(client):
    need = _need()

    bad = client.post(f"/give/in-kind/{need.public_id}/", {"quantity": "0", "name": " ", "email": "nope"})

    body = bad.content.decode()
    assert bad.status_code == 400
    assert "Enter how many you can bring (at least 1)." in body
    assert "Enter your name, so we know who is coming." in body
    assert "Enter an email address like name@example.org." in body
    assert not InKindPledge.objects.exists()

    good = client.post(
        f"/give/in-kind/{need.public_id}/", {"quantity": "2", "name": "Sam Reyes", "email": "sam@example.org"}
    )

    assert good.status_code == 302
    pledge = InKindPledge.objects.get()
    assert (pledge.quantity, pledge.name, pledge.email, pledge.user) == (
        2,
        "Sam Reyes",
        "sam@example.org",
        None,
    )
    [email] = deliver()
    assert email.to == ["sam@example.org"]
    assert "Winter coats" in email.subject
    assert DROPOFF in email.body and "2 × Winter coats" in email.body
    # and the drop-off address is on no public page
    assert DROPOFF not in client.get("/give/in-kind/").content.decode()
    assert DROPOFF not in client.get(f"/give/in-kind/{need.public_id}/").content.decode()


def test_a_signed_in_supporter_pledges_in_their_language_and_the_email_is_spanish(client):
    user = UserFactory(name="Lucía Prado", email="lucia@example.org", language="es")
    client.force_login(user)
    need = _need()

    client.post(
        f"/give/in-kind/{need.public_id}/?lang=es",
        {"quantity": "1", "name": "Lucía Prado", "email": "lucia@example.org"},
        HTTP_ACCEPT_LANGUAGE="es",
    )

    pledge = InKindPledge.objects.get()
    assert pledge.user == user and pledge.language == "es"
    [email] = deliver()
    assert "Abrigos de invierno" in email.subject
    assert DROPOFF in email.body


def test_the_pledge_form_is_rate_limited_per_ip(client, settings):
    settings.HAVEN_INKIND_PLEDGE_RATE_LIMIT = 3
    need = _need()
    for _ in range(3):
        assert client.post(f"/give/in-kind/{need.public_id}/", {"quantity": "x"}).status_code == 400

    response = client.post(
        f"/give/in-kind/{need.public_id}/", {"quantity": "1", "name": "A", "email": "a@b.org"}
    )

    assert response.status_code == 429
    assert not InKindPledge.objects.exists()


def test_staff_mark_part_received_the_rest_is_free_and_the_donor_sees_it_with_no_value(client, staff_user):
    donor = UserFactory(name="Rosa Field", email="rosa@example.org")
    need = _need(quantity_needed=10)
    pledge = _pledge(need, 5, user=donor)
    deliver()
    mail.outbox.clear()
    client.force_login(staff_user)

    response = client.post(f"/staff/in-kind/pledges/{pledge.pk}/receive/", {"quantity": "3"})

    assert response.status_code == 302
    pledge.refresh_from_db()
    assert (pledge.status, pledge.quantity_received) == ("received", 3)
    [need_row] = inkind_selectors.open_needs()
    assert (need_row.received, need_row.pledged, need_row.remaining) == (3, 0, 7)
    # marking it again changes nothing and sends nothing more
    client.post(f"/staff/in-kind/pledges/{pledge.pk}/receive/", {"quantity": "5"})
    pledge.refresh_from_db()
    assert pledge.quantity_received == 3
    [ack] = deliver()
    assert "3 × Winter coats" in ack.body
    assert "No goods or services were provided in exchange for this gift." in ack.body
    assert "does not assign a value to in-kind gifts" in ack.body
    assert "$" not in ack.body
    [(filename, pdf, mimetype)] = ack.attachments
    assert mimetype == "application/pdf" and pdf.startswith(b"%PDF")

    # the donor's history lists it, with its acknowledgement and no amount
    client.force_login(donor)
    history = client.get("/me/giving/").content.decode()
    assert "Gifts of goods" in history and "3 × Winter coats" in history
    assert "We do not assign a value to gifts of goods" in history
    document = client.get(f"/me/giving/in-kind/{pledge.public_id}.pdf")
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf"
    # someone else cannot open it
    client.force_login(UserFactory())
    assert client.get(f"/me/giving/in-kind/{pledge.public_id}.pdf").status_code == 404


def test_the_acknowledgement_pdf_describes_the_items_and_states_no_value():
    from tests.pdfcheck import text as pdf_text

    need = _need()
    pledge = _pledge(need, 4)
    inkind.inkind_pledge_receive(actor=None, pledge=pledge, quantity=4)
    pledge.refresh_from_db()
    from donations.inkind_pdf import acknowledgement_pdf

    text = " ".join(pdf_text(acknowledgement_pdf(pledge=pledge)).split())

    assert "4 × Winter coats" in text and "Rosa Field" in text
    assert "No goods or services were provided in exchange for this gift." in text
    assert "does not assign a value to in-kind gifts" in text
    with translation.override("es"):
        spanish = " ".join(pdf_text(acknowledgement_pdf(pledge=pledge)).split())
    assert "Abrigos de invierno" in spanish and "no asigna un valor" in spanish


def test_a_cancelled_pledge_frees_its_items_and_cannot_then_be_received(staff_user):
    need = _need(quantity_needed=4)
    pledge = _pledge(need, 4)
    with pytest.raises(inkind.InKindError):
        _pledge(need, 1)

    inkind.inkind_pledge_cancel(actor=staff_user, pledge=pledge)

    assert _pledge(need, 4).quantity == 4
    with pytest.raises(inkind.InKindError, match="cancelled"):
        inkind.inkind_pledge_receive(actor=staff_user, pledge=pledge, quantity=1)


def test_a_received_pledge_cannot_be_over_received_or_cancelled(staff_user):
    pledge = _pledge(_need(), 2)
    with pytest.raises(inkind.InKindError, match="from 1 to 2"):
        inkind.inkind_pledge_receive(actor=staff_user, pledge=pledge, quantity=3)
    inkind.inkind_pledge_receive(actor=staff_user, pledge=pledge, quantity=2)
    with pytest.raises(inkind.InKindError, match="received"):
        inkind.inkind_pledge_cancel(actor=staff_user, pledge=pledge)


def test_closed_needs_take_no_pledges(client):
    past = _need(deadline=timezone.localdate() - datetime.timedelta(days=1))
    draft = _need(is_published=False)

    with pytest.raises(inkind.InKindError, match="closed"):
        _pledge(past, 1)
    assert client.get(f"/give/in-kind/{draft.public_id}/").status_code == 404
    assert "Winter coats" not in client.get("/give/in-kind/").content.decode()


def test_the_public_page_shows_progress_per_item_and_refreshes_after_a_pledge(client):
    need = _need(quantity_needed=10)
    _pledge(need, 2)
    pledge = _pledge(need, 3, email="b@example.org")
    inkind.inkind_pledge_receive(actor=None, pledge=pledge, quantity=3)

    first = client.get("/give/in-kind/")
    body = first.content.decode()
    assert "<strong>3</strong> received and 2 pledged, of 10 needed" in body
    assert "Pledge: 5 still needed" in body
    assert "Rosa Field" not in body and "rosa@example.org" not in body
    assert client.get("/give/in-kind/")["X-Haven-Cache"] == "hit"

    _pledge(need, 5, email="c@example.org")

    again = client.get("/give/in-kind/")
    assert again["X-Haven-Cache"] == "miss"
    assert "Everything needed is pledged. Thank you!" in again.content.decode()


def test_how_you_can_help_lists_needs_in_one_query_and_nothing_when_none(client, public_cache_off):
    assert inkind_selectors.help_section() is None
    for index in range(4):
        _pledge(_need(title_en=f"Bus passes {index}"), 1)
    campaign = CampaignFactory()
    _need(title_en="Hygiene kits", campaign=campaign)

    with CaptureQueriesContext(connection) as queries:
        section = inkind_selectors.help_section()

    assert len(queries) == 1
    assert [item.title for item in section.items][:1] == ["Bus passes 0"]
    assert "Hygiene kits" in client.get("/how-you-can-help/").content.decode()
    assert "in_kind" in ways_to_help._providers


def test_staff_pages_are_for_staff_and_publish_a_translated_need(client, staff_user, volunteer):
    client.force_login(volunteer)
    assert client.get("/staff/in-kind/").status_code == 403
    client.force_login(staff_user)
    deadline = (timezone.localdate() + datetime.timedelta(days=9)).isoformat()

    response = client.post(
        "/staff/in-kind/",
        {
            "title": "Hygiene kits",
            "title_es": "Kits de higiene",
            "description": "Soap, toothbrush, toothpaste.",
            "quantity_needed": "30",
            "deadline": deadline,
            "dropoff": DROPOFF,
            "is_published": "on",
        },
    )

    need = InKindNeed.objects.get()
    assert response.status_code == 302
    assert (need.title_en, need.title_es, need.quantity_needed, need.dropoff) == (
        "Hygiene kits",
        "Kits de higiene",
        30,
        DROPOFF,
    )
    assert client.get(f"/staff/in-kind/{need.pk}/").status_code == 200
    # the need cannot drop below what is promised
    _pledge(need, 20)
    response = client.post(
        f"/staff/in-kind/{need.pk}/",
        {"title": "Hygiene kits", "quantity_needed": "10", "deadline": deadline, "is_published": "on"},
    )
    assert "20 are already pledged or received" in response.content.decode()
    need.refresh_from_db()
    assert need.quantity_needed == 30


def test_messages_are_registered_kinds_in_the_outbox():
    pledge = _pledge(_need(), 1)
    assert (
        Message.objects.filter(kind="donations.inkind_dropoff", about_id=pledge.pk, language="en").count()
        == 1
    )
