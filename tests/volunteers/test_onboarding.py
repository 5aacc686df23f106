import pytest
from django.utils import timezone

from tests.factories import AgreementFactory, ShiftFactory, UserFactory
from volunteers import services
from volunteers.booking_rules import AgreementNotSigned, NotOnboarded
from volunteers.models import Agreement, AgreementSignature, VolunteerProfile

pytestmark = pytest.mark.django_db

PROFILE = {
    "skills": ["cooking"],
    "languages": "English, Spanish",
    "availability": ["0-morning", "5-evening"],
    "emergency_contact_name": "Ana Contact",
    "emergency_contact_phone": "+1 555 010 0100",
    "emergency_contact_relationship": "Sister",
    "phone": "+1 555 010 0199",
}


def test_onboarding_saves_profile_signs_agreement_and_grants_volunteer_role(client, agreement):
    # given a new signed-in person without the volunteer role
    person = UserFactory()
    client.force_login(person)

    # when they fill in the onboarding profile and accept the agreement
    response = client.post("/me/volunteer/profile/", {**PROFILE, "accept_agreement": "on"})

    # then the profile is complete, the signature keeps the version, and they are a volunteer
    assert response.status_code == 302
    profile = VolunteerProfile.objects.get(user=person)
    assert profile.languages == ["English", "Spanish"]
    assert profile.availability == ["0-morning", "5-evening"]
    assert profile.phone == "+1 555 010 0199"
    assert profile.is_onboarded
    signature = AgreementSignature.objects.get(volunteer=person)
    assert signature.version == 1
    person.refresh_from_db()
    assert "volunteer" in person.roles


def test_onboarding_requires_the_agreement_and_shows_errors_next_to_fields(client, agreement):
    person = UserFactory()
    client.force_login(person)

    response = client.post("/me/volunteer/profile/", {**PROFILE, "emergency_contact_phone": "12"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "at least 7 digits" in body
    assert "This field is required" in body  # the agreement box
    assert not VolunteerProfile.objects.filter(user=person).exists()
    assert "volunteer" not in person.roles


def test_onboarding_page_shows_the_current_agreement_text(client, agreement):
    client.force_login(UserFactory())

    response = client.get("/me/volunteer/profile/")

    assert agreement.text in response.content.decode()


def test_a_new_agreement_version_must_be_signed_again_before_booking(ready):
    # given a volunteer who signed version 1 and a published version 2
    AgreementFactory(version=2, text="Updated terms.", published_at=timezone.now())
    shift = ShiftFactory()

    # when they try to book, then they are told to sign again
    with pytest.raises(AgreementNotSigned, match="changed"):
        services.shift_book(shift=shift, volunteer=ready)

    # and after signing version 2 they can book
    services.agreement_sign(volunteer=ready, agreement=Agreement.current())
    booking = services.shift_book(shift=shift, volunteer=ready)
    assert booking.pk
    assert list(ready.agreement_signatures.order_by("version").values_list("version", flat=True)) == [1, 2]


def test_agreement_page_signs_the_current_version(client, ready):
    v2 = AgreementFactory(version=2, text="Updated terms.", published_at=timezone.now())
    client.force_login(ready)

    assert "Sign version 2" in client.get("/me/volunteer/agreement/").content.decode()
    client.post("/me/volunteer/agreement/", {"accept": "on"})

    assert AgreementSignature.objects.filter(volunteer=ready, agreement=v2, version=2).exists()


def test_someone_without_a_profile_cannot_book(agreement):
    with pytest.raises(NotOnboarded):
        services.shift_book(shift=ShiftFactory(), volunteer=UserFactory())


def test_anonymous_shift_list_invites_to_volunteer_with_signup_then_onboarding(client):
    body = client.get("/shifts/").content.decode()

    assert "Volunteer with us" in body
    assert "/accounts/signup/?as=volunteer&amp;next=/me/volunteer/profile/" in body


def test_my_shifts_asks_to_sign_a_new_agreement_version(client, ready):
    client.force_login(ready)
    assert "new version" not in client.get("/me/shifts/").content.decode()

    AgreementFactory(version=2, text="Updated terms.", published_at=timezone.now())

    assert "new version" in client.get("/me/shifts/").content.decode()


def test_the_profile_page_renders_each_field_once_with_the_ids_it_points_at(client, agreement):
    # given a volunteer whose phone is on file (the page once rendered "Your phone" twice, so the
    # browser sent two values and the empty second one won)
    import re

    person = UserFactory()
    client.force_login(person)
    client.post("/me/volunteer/profile/", {**PROFILE, "accept_agreement": "on"})

    # when they open the profile page
    body = client.get("/me/volunteer/profile/").content.decode()

    # then every input name and id appears once, and aria-describedby names ids that exist
    form = body[body.index('<form method="post" class="stack-form"') :]
    form = form[: form.index("</form>")]
    assert form.count('name="phone"') == 1
    assert 'type="tel"' in form and 'value="+1 555 010 0199"' in form
    ids = re.findall(r'\sid="([^"]+)"', form)
    assert len(ids) == len(set(ids))
    for described in re.findall(r'aria-describedby="([^"]+)"', form):
        assert set(described.split()) <= set(ids), described
