import pytest

pytestmark = pytest.mark.django_db


def test_home_page_says_what_we_fund_and_shows_the_hotline(client):
    response = client.get("/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Emergency housing" in body
    assert "1-888-373-7888" in body
    assert "233733" in body
