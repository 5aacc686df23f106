"""Staff grant and revoke roles on /staff/people/; the change applies on the next request."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _role_url(person):
    return reverse("people:role", args=[person.pk])


def test_only_staff_reach_the_people_page(client, volunteer, coordinator, staff_user):
    url = reverse("people:list")

    assert client.get(url).status_code == 302  # anonymous → sign in
    client.force_login(volunteer)
    assert client.get(url).status_code == 403
    client.force_login(coordinator)
    assert client.get(url).status_code == 403
    client.force_login(staff_user)
    assert client.get(url).status_code == 200


def test_a_403_page_says_so_and_keeps_the_hotline(client, volunteer):
    client.force_login(volunteer)

    response = client.get(reverse("people:list"))

    assert response.status_code == 403
    body = response.content.decode()
    assert "You can&#x27;t open this page" in body or "You can't open this page" in body
    assert "1-888-373-7888" in body


def test_staff_search_people_by_email_or_name(client, staff_user):
    UserFactory(email="maria@example.org", name="Maria Lopez")
    UserFactory(email="sam@example.org", name="Sam Okafor")
    client.force_login(staff_user)

    by_name = client.get(reverse("people:list"), {"q": "okafor"})
    by_email = client.get(reverse("people:list"), {"q": "maria@"})

    assert [p.email for p in by_name.context["page"].object_list] == ["sam@example.org"]
    assert [p.email for p in by_email.context["page"].object_list] == ["maria@example.org"]


def test_the_people_page_is_paginated_with_a_fixed_number_of_queries(
    client, staff_user, django_assert_max_num_queries
):
    UserFactory.create_batch(30, roles=["volunteer"])
    client.force_login(staff_user)

    # Roles come prefetched: the query count does not grow with the rows on the page
    with django_assert_max_num_queries(10):
        first = client.get(reverse("people:list"))
    second = client.get(reverse("people:list"), {"page": 2})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 31 - 25
    assert "Page 1 of 2" in first.content.decode()


def test_staff_grant_a_role_and_it_applies_at_once(client, staff_user):
    # Given a volunteer who cannot reach a coordinator page
    person = UserFactory(roles=["volunteer"])

    # When staff grant them the staff role
    client.force_login(staff_user)
    response = client.post(_role_url(person), {"role": "staff", "action": "grant"})
    assert response.status_code == 302

    # Then their very next request gets in
    client.force_login(person)
    assert client.get(reverse("people:list")).status_code == 200


def test_revoking_a_role_takes_effect_on_the_next_request(client, staff_user):
    # Given a second staff member, signed in, using a staff page
    colleague = UserFactory(roles=["staff"])
    colleague_client = client.__class__()
    colleague_client.force_login(colleague)
    assert colleague_client.get(reverse("people:list")).status_code == 200

    # When staff revoke the role while the colleague's session is still open
    client.force_login(staff_user)
    client.post(_role_url(colleague), {"role": "staff", "action": "revoke"})

    # Then the colleague's next request is refused, without signing out
    assert colleague_client.get(reverse("people:list")).status_code == 403
    colleague.refresh_from_db()
    assert not colleague.has_role("staff")


def test_staff_cannot_revoke_their_own_staff_role(client, staff_user):
    client.force_login(staff_user)

    response = client.post(_role_url(staff_user), {"role": "staff", "action": "revoke"}, follow=True)

    assert staff_user.has_role("staff")
    assert "cannot remove your own staff role" in response.content.decode()


def test_an_unknown_role_is_refused(client, staff_user):
    person = UserFactory()
    client.force_login(staff_user)

    response = client.post(_role_url(person), {"role": "superhero", "action": "grant"}, follow=True)

    assert "Unknown role" in response.content.decode()
    assert person.groups.count() == 0


def test_role_changes_are_post_only(client, staff_user):
    person = UserFactory()
    client.force_login(staff_user)

    assert client.get(_role_url(person), {"role": "staff", "action": "grant"}).status_code == 405
    assert not person.groups.exists()


def test_a_volunteer_cannot_grant_themselves_a_role(client, volunteer):
    client.force_login(volunteer)

    response = client.post(_role_url(volunteer), {"role": "staff", "action": "grant"})

    assert response.status_code == 403
    assert not volunteer.groups.filter(name="staff").exists()


def test_a_redirect_back_never_leaves_the_site(client, staff_user):
    person = UserFactory()
    client.force_login(staff_user)

    response = client.post(_role_url(person), {"role": "donor", "action": "grant", "next": "//evil.example/"})

    assert response["Location"] == reverse("people:list")
