"""The demo's public face (About us and the Find help directory) in Spanish as well as English."""

import pytest

from pages import demo
from pages.models import Page, PartnerService

pytestmark = pytest.mark.django_db


def test_the_demo_about_page_and_directory_read_in_spanish(client):
    demo.seed()
    demo.seed()  # a second run creates nothing

    about = client.get("/pages/about-us/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    find_help = client.get("/find-help/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert Page.objects.filter(slug="about-us").count() == 1
    assert "<h1>Quiénes somos</h1>" in about
    assert "<h2>En qué creemos</h2>" in about
    assert "<h1>Buscar ayuda</h1>" in find_help
    assert "Habitaciones de emergencia esa misma noche" in find_help
    assert "24 horas, todos los días" in find_help
    assert PartnerService.objects.filter(description_es="").count() == 0
