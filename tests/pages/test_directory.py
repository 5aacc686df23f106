"""The "Find help" directory: public contact details only and never an address, the hotline
always first, grouped by kind of need, filterable by need and language without JavaScript, and a
fixed number of queries however many entries it lists."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEntry
from pages import services
from pages.models import PartnerService
from tests.factories import PartnerServiceFactory

pytestmark = pytest.mark.django_db

HOTLINE = "1-888-373-7888"


def _create(staff_user, **extra):
    values = {
        "need": PartnerService.Need.LEGAL,
        "name_en": "Justice Bridge Legal Aid",
        "description_en": "Free lawyers for immigration relief and protective orders.",
        "area_en": "Statewide",
        "phone": "1-800-555-0156",
        "languages": ["es", "en"],
    } | extra
    return services.partner_service_create(actor=staff_user, **values)


def test_an_entry_has_no_address_field_at_all():
    names = {field.name for field in PartnerService._meta.get_fields()}

    assert not {name for name in names if "address" in name or "street" in name or "zip" in name}
    assert "area" in names  # a city or an area at most


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("area_en", "12 Maple Street"),
        ("area_en", "400 N. 5th Ave, Riverside"),
        ("description_en", "Come to 9 Elm St. after dark"),
        ("hours_en", "PO Box 7 for letters"),
        ("area_es", "Calle Ocho 1200"),
        ("name_es", "Casa Refugio, Avenida Juárez 45"),
        ("area_en", "Unit 3, 77 Harbor Road"),
    ],
)
def test_text_that_looks_like_a_street_address_is_refused(staff_user, field, text):
    with pytest.raises(ValidationError) as error:
        _create(staff_user, **{field: text})

    assert field in error.value.error_dict
    assert "street address" in str(error.value.error_dict[field])
    assert not PartnerService.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="partner_service").exists()


@pytest.mark.parametrize(
    "text", ["Riverside County", "Statewide", "By phone", "24 hours, every day", "Mon–Fri 9–5"]
)
def test_cities_areas_and_hours_are_fine(staff_user, text):
    service = _create(staff_user, area_en=text, hours_en=text)

    assert service.area_en == text


def test_an_edit_cannot_slip_an_address_in_either(staff_user):
    service = _create(staff_user)

    with pytest.raises(ValidationError):
        services.partner_service_update(
            actor=staff_user, service=service, data={"area_en": "12 Maple Street"}
        )

    service.refresh_from_db()
    assert service.area_en == "Statewide"


def test_an_entry_needs_one_way_to_reach_them(staff_user):
    with pytest.raises(ValidationError):
        _create(staff_user, phone="", email="", website="")


def test_only_web_addresses_are_accepted_as_websites(staff_user):
    with pytest.raises(ValidationError) as error:
        _create(staff_user, website="javascript:alert(1)")

    assert "website" in error.value.error_dict


def test_languages_are_known_codes_kept_in_one_order(staff_user):
    service = _create(staff_user, languages=["vi", "es", "en", "es"])

    assert service.languages == ["en", "es", "vi"]
    with pytest.raises(ValidationError):
        _create(staff_user, languages=["klingon"])


def test_create_edit_move_and_delete_are_audit_logged(staff_user):
    first = _create(staff_user)
    second = _create(staff_user, name_en="Second legal clinic")

    services.partner_service_update(actor=staff_user, service=first, data={"hours_en": "Mon–Fri 9–6"})
    services.partner_service_reorder(actor=staff_user, service=second, direction="up")
    services.partner_service_delete(actor=staff_user, service=first)

    actions = list(
        AuditEntry.objects.filter(action__startswith="partner_service")
        .order_by("id")
        .values_list("action", "data")
    )
    assert actions == [
        ("partner_service.create", {"need": "legal"}),
        ("partner_service.create", {"need": "legal"}),
        ("partner_service.update", {"changed": ["hours_en"]}),
        ("partner_service.reorder", {"need": "legal", "from": 2, "to": 1}),
        ("partner_service.delete", {"need": "legal", "name": "Justice Bridge Legal Aid"}),
    ]


def test_reordering_stays_within_the_kind_of_need(staff_user):
    housing = _create(staff_user, need="housing", name_en="Shelter network")
    a = _create(staff_user, name_en="Legal A")
    b = _create(staff_user, name_en="Legal B")

    services.partner_service_reorder(actor=staff_user, service=b, direction="up")
    services.partner_service_reorder(actor=staff_user, service=a, direction="down")  # already last: no change

    legal = list(
        PartnerService.objects.filter(need="legal").order_by("position").values_list("name_en", flat=True)
    )
    assert legal == ["Legal B", "Legal A"]
    housing.refresh_from_db()
    assert housing.position == 10


# --- The public page -------------------------------------------------------------------------------------


def _body(client, query=""):
    response = client.get("/find-help/" + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_hotline_comes_before_every_entry_whatever_the_filter(client):
    PartnerServiceFactory(need="housing", name_en="Harbor Light Shelter Network")

    for query in ("", "?need=housing", "?language=es", "?need=legal&language=vi"):
        body = _body(client, query)
        main = body[body.index('id="main"') :]
        assert HOTLINE in main
        assert "TTY 711" in main and "233733" in main
        if "Harbor Light" in main:
            assert main.index(HOTLINE) < main.index("Harbor Light")


def test_entries_are_grouped_by_need_in_a_fixed_order_with_their_contact_details(client):
    PartnerServiceFactory(need="community", name_en="Circle of Survivors", languages=["en"])
    PartnerServiceFactory(
        need="housing",
        name_en="Harbor Light",
        phone="1-800-555-0141",
        email="intake@harborlight.example.org",
        website="https://harborlight.example.org/",
        hours_en="24 hours, every day",
        area_en="Riverside County",
        languages=["vi", "es"],
    )

    body = _body(client)

    assert body.index("Emergency and long-term safe housing") < body.index("Community and peer support")
    assert body.index("Harbor Light") < body.index("Circle of Survivors")
    assert 'href="tel:18005550141"' in body
    assert 'href="mailto:intake@harborlight.example.org"' in body
    assert 'href="https://harborlight.example.org/" rel="noopener noreferrer"' in body
    assert "24 hours, every day" in body and "Riverside County" in body
    assert "Spanish, Vietnamese" in body or "Vietnamese, Spanish" in body


def test_unlisted_entries_are_not_shown(client):
    PartnerServiceFactory(name_en="Kept for staff", is_listed=False)

    assert "Kept for staff" not in _body(client)


def test_filtering_by_need_and_by_language(client):
    PartnerServiceFactory(need="legal", name_en="Legal in Spanish", languages=["en", "es"])
    PartnerServiceFactory(need="legal", name_en="Legal in Vietnamese", languages=["vi"])
    PartnerServiceFactory(need="medical", name_en="Clinic in Spanish", languages=["es"])

    by_need = _body(client, "?need=legal")
    by_language = _body(client, "?language=es")
    both = _body(client, "?need=legal&language=vi")

    assert (
        "Legal in Spanish" in by_need
        and "Legal in Vietnamese" in by_need
        and "Clinic in Spanish" not in by_need
    )
    assert "Legal in Spanish" in by_language and "Clinic in Spanish" in by_language
    assert "Legal in Vietnamese" not in by_language
    assert "Legal in Vietnamese" in both and "Legal in Spanish" not in both
    assert "1 service listed" in both


def test_the_filter_is_a_plain_get_form_offering_the_languages_in_use(client):
    PartnerServiceFactory(languages=["vi"])

    body = _body(client)

    assert '<form method="get"' in body
    assert '<option value="vi">Vietnamese</option>' in body
    assert 'value="ko"' not in body  # nobody offers Korean, so it is not offered


def test_a_filter_matching_nothing_says_so_and_offers_everything_again(client):
    PartnerServiceFactory(need="legal", languages=["en"])

    body = _body(client, "?need=medical")

    assert "No service in the directory matches" in body
    assert 'href="/find-help/"' in body


def test_a_nonsense_filter_shows_everything_and_an_error(client):
    PartnerServiceFactory(name_en="Still listed")

    body = _body(client, "?need=bogus")

    assert "Still listed" in body
    assert "errorlist" in body


def test_the_directory_makes_the_same_queries_for_3_or_60_entries(client, django_assert_max_num_queries):
    PartnerServiceFactory.create_batch(3)
    client.get("/find-help/")  # warm the navigation cache, as every page after the first finds it
    with django_assert_max_num_queries(2) as few:
        client.get("/find-help/?language=es")

    for need in PartnerService.Need.values:
        PartnerServiceFactory.create_batch(10, need=need)
    with django_assert_max_num_queries(2) as many:
        body = client.get("/find-help/?language=es").content.decode()

    assert len(few.captured_queries) == len(many.captured_queries)
    assert "63 services listed" in body
