"""Builders give Stripe-shaped dicts with consistent defaults; forms parse Stripe's bracket notation."""

import re

import pytest

from devstripe import objects as o
from devstripe.forms import parse_form

BUILDERS = [
    (o.customer, "customer", "cus_"),
    (o.price, "price", "price_"),
    (o.product, "product", "prod_"),
    (o.checkout_session, "checkout.session", "cs_test_"),
    (o.payment_intent, "payment_intent", "pi_"),
    (o.charge, "charge", "ch_"),
    (o.refund, "refund", "re_"),
    (o.invoice, "invoice", "in_"),
    (o.subscription, "subscription", "sub_"),
    (o.dispute, "dispute", "dp_"),
    (o.billing_portal_session, "billing_portal.session", "bps_"),
]


@pytest.mark.parametrize(("builder", "object_name", "prefix"), BUILDERS)
def test_builders_give_stripe_object_names_prefixes_and_test_mode_defaults(builder, object_name, prefix):
    # when
    obj = builder()
    # then
    assert obj["object"] == object_name
    assert re.fullmatch(re.escape(prefix) + r"[A-Za-z0-9]{24,58}", obj["id"])
    assert obj.get("livemode", False) is False  # refunds have no livemode field
    assert isinstance(obj["created"], int)
    if "currency" in obj and obj["currency"] is not None:
        assert obj["currency"] == "usd"


def test_ids_are_unique_and_keep_the_prefix():
    ids = {o.new_id("pi") for _ in range(200)}
    assert len(ids) == 200
    assert all(i.startswith("pi_") for i in ids)
    assert o.new_id("evt_").startswith("evt_") and not o.new_id("evt_").startswith("evt__")


def test_overrides_replace_top_level_keys_and_typos_are_refused():
    # given / when
    session = o.checkout_session(mode="subscription", metadata={"donation_id": "7"}, amount_total=4147)
    # then
    assert (session["mode"], session["metadata"], session["amount_total"]) == (
        "subscription",
        {"donation_id": "7"},
        4147,
    )
    with pytest.raises(TypeError, match="amount_totl"):
        o.checkout_session(amount_totl=1)


def test_invoice_links_its_subscription_the_way_the_pinned_api_version_does():
    # when
    invoice = o.invoice(parent=o.subscription_parent("sub_123", {"donation_id": "9"}), total=2500)
    # then
    assert invoice["parent"]["subscription_details"] == {
        "metadata": {"donation_id": "9"},
        "subscription": "sub_123",
    }
    assert invoice["subscription"] is None
    assert "payments" not in invoice  # includable only when expanded
    assert invoice["amount_due"] == invoice["total"] == 2500


def test_subscription_has_its_period_on_items_and_the_item_links_back():
    sub = o.subscription()
    item = sub["items"]["data"][0]
    assert item["id"].startswith("si_") and item["subscription"] == sub["id"]
    assert item["current_period_end"] > item["current_period_start"]
    assert item["price"]["recurring"]["interval"] == "month"
    assert "current_period_end" not in sub


def test_event_carries_a_copy_of_the_object_and_previous_attributes():
    # given
    charge = o.charge(amount=500)
    # when
    event = o.event("charge.refunded", charge, previous_attributes={"refunded": False}, created=1700000000)
    charge["amount"] = 1
    # then
    assert event["object"] == "event" and event["id"].startswith("evt_")
    assert event["api_version"] == o.API_VERSION and event["livemode"] is False
    assert event["data"]["object"]["amount"] == 500
    assert event["data"]["previous_attributes"] == {"refunded": False}
    assert event["created"] == 1700000000
    assert set(event) == {
        "id",
        "object",
        "api_version",
        "created",
        "data",
        "livemode",
        "pending_webhooks",
        "request",
        "type",
    }
    assert "previous_attributes" not in o.event("charge.succeeded", charge)["data"]


def test_monthly_periods_clamp_to_the_end_of_short_months():
    jan_31 = 1738281600  # 2025-01-31T00:00:00Z
    assert o.add_interval(jan_31, "month") == 1740700800  # 2025-02-28T00:00:00Z
    assert o.add_interval(jan_31, "year") == 1769817600  # 2026-01-31T00:00:00Z


def test_bracket_notation_nests_dicts_and_lists():
    # when
    parsed = parse_form(
        "line_items[0][price_data][recurring][interval]=month&line_items[0][quantity]=1"
        "&line_items[1][price]=price_1&metadata[donation_id]=42&metadata[0]=zero&expand[]=a&expand[]=b"
        "&items[0][id]=si_1&mode=payment&empty="
    )
    # then
    assert parsed["line_items"] == [
        {"price_data": {"recurring": {"interval": "month"}}, "quantity": "1"},
        {"price": "price_1"},
    ]
    assert parsed["metadata"] == {"donation_id": "42", "0": "zero"}
    assert parsed["expand"] == ["a", "b"]
    assert parsed["items"] == [{"id": "si_1"}]
    assert parsed["mode"] == "payment" and parsed["empty"] == ""
