import pytest
from allauth.account.models import EmailAddress

from accounts import demo
from accounts.models import User

pytestmark = pytest.mark.django_db


def test_demo_seed_creates_the_demo_people_and_is_idempotent():
    # When the seed runs twice
    demo.seed()
    demo.seed()

    # Then each demo person exists once, verified, with the password and roles the README promises
    assert User.objects.filter(email__endswith="@haven.example").count() == len(demo.DEMO_PEOPLE) + 1
    for email, _name, roles in demo.DEMO_PEOPLE:
        user = User.objects.get(email=email)
        assert user.check_password("haven-demo-2026")
        assert set(roles) <= user.roles
        assert EmailAddress.objects.get(user=user).verified
    admin = User.objects.get(email="admin@haven.example")
    assert admin.is_superuser and admin.is_staff


def test_a_demo_person_signs_in_with_the_demo_password(client):
    demo.seed()

    response = client.post(
        "/accounts/login/", {"login": "volunteer1@haven.example", "password": "haven-demo-2026"}
    )

    assert response.status_code == 302
    assert client.get("/me/").status_code == 200
