import json

import pytest
from openapi_spec_validator import validate

from tests.factories import DonationFactory, ExpenditureFactory

from .conftest import refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture
def books(campaign, categories):
    DonationFactory(campaign=campaign, amount=5000, donor_name="Private Person", show_name_publicly=True)
    refresh(campaign)
    ExpenditureFactory(campaign=campaign, category=categories["emergency-housing"])
    return campaign


def _resolve(schema, node):
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def _check_fields(schema, node, value, where):
    """Every key in the response is a documented property, recursively."""
    node = _resolve(schema, node)
    if node.get("type") == "array":
        assert isinstance(value, list), where
        for item in value:
            _check_fields(schema, node["items"], item, where + "[]")
    elif node.get("type") == "object" or "properties" in node:
        assert isinstance(value, dict), where
        assert set(value) <= set(node["properties"]), (
            f"undocumented fields at {where}: {set(value) - set(node['properties'])}"
        )
        assert set(node.get("required", [])) <= set(value), where
        for key, item in value.items():
            _check_fields(schema, node["properties"][key], item, f"{where}.{key}")


def test_the_openapi_schema_is_valid_and_documents_only_the_api(schema):
    validate(schema)

    assert set(schema["paths"]) == {
        "/api/v1/campaigns/",
        "/api/v1/campaigns/{slug}/",
        "/api/v1/planned-split/",
        "/api/v1/spending/",
        "/api/v1/funds/",
        "/api/v1/income/",
    }


def test_every_api_response_has_only_documented_fields(client, schema, books):
    for path, operations in schema["paths"].items():
        url = path.replace("{slug}", books.slug)
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.json()
        assert body, f"{url} returned nothing to check"
        documented = operations["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        _check_fields(schema, documented, body, url)


def test_campaign_api_gives_progress_plan_and_spending_in_minor_units(client, books):
    body = client.get(f"/api/v1/campaigns/{books.slug}/").json()

    assert body["raised"] == 5000
    assert body["goal"] == 5_000_000
    assert body["currency"] == "usd"
    assert body["donor_count"] == 1
    assert {line["category_slug"]: line["share_basis_points"] for line in body["planned_split"]} == {
        "emergency-housing": 6000,
        "medical-care": 2500,
        "crisis-counseling": 1500,
    }
    assert body["spending_by_category"] == [
        {"category": "Emergency housing", "category_slug": "emergency-housing", "amount": 25000}
    ]
    assert "Private" not in json.dumps(body)


def test_api_is_read_only(client, books):
    assert client.post("/api/v1/campaigns/", {}).status_code == 405
    assert client.delete(f"/api/v1/campaigns/{books.slug}/").status_code == 405


def test_unpublished_campaign_is_not_in_the_api(client, campaign):
    campaign.is_published = False
    campaign.save()

    assert client.get(f"/api/v1/campaigns/{campaign.slug}/").status_code == 404
    assert client.get("/api/v1/campaigns/").json() == []
