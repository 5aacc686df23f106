"""Pausing a subscription's collection (`pause_collection`), as Stripe does it: the status stays
active, renewals while paused are invoiced and voided (never charged), and collection resumes by
itself at `resumes_at`, or at once when `pause_collection` is unset."""

import json

import pytest
import stripe

from devstripe import objects as o
from tests.devstripe.conftest import monthly_session
from tests.devstripe.test_api import call

DAY = 86400


@pytest.fixture
def monthly(client, standin, inbox):
    done = standin.complete_checkout(monthly_session(client).id)
    inbox.clear()
    return standin.get(done["subscription"])


def _pause(client, sub_id, resumes_at, **options):
    return client.v1.subscriptions.update(
        sub_id,
        params={"pause_collection": {"behavior": "void", "resumes_at": resumes_at}},
        options=options,
    )


def test_pausing_sends_updated_and_keeps_the_status(client, standin, inbox, monthly):
    resumes_at = o.now() + 60 * DAY

    paused = _pause(client, monthly["id"], resumes_at)
    standin.flush()

    assert paused.status == "active"
    assert paused.pause_collection.to_dict() == {"behavior": "void", "resumes_at": resumes_at}
    assert inbox.types == ["customer.subscription.updated"]
    assert inbox.events[0].data.previous_attributes.to_dict() == {"pause_collection": None}


def test_a_renewal_while_paused_is_voided_and_charges_nothing(client, standin, inbox, monthly):
    _pause(client, monthly["id"], o.now() + 90 * DAY)
    standin.flush()
    inbox.clear()
    charges_before = len(standin.all("charge"))

    invoice = standin.renew_subscription(monthly["id"])

    assert invoice["status"] == "void" and invoice["amount_paid"] == 0
    assert inbox.types == ["customer.subscription.updated", "invoice.created", "invoice.voided"]
    assert len(standin.all("charge")) == charges_before
    assert standin.get(monthly["id"])["status"] == "active"


def test_unsetting_pause_collection_resumes_now(client, standin, inbox, monthly):
    _pause(client, monthly["id"], o.now() + 30 * DAY)
    standin.flush()
    inbox.clear()

    resumed = client.v1.subscriptions.update(monthly["id"], params={"pause_collection": ""})
    standin.flush()

    assert resumed.pause_collection is None
    assert inbox.types == ["customer.subscription.updated"]
    assert inbox.events[0].data.previous_attributes.pause_collection.behavior == "void"
    # and the next renewal is charged again
    assert standin.renew_subscription(monthly["id"])["status"] == "paid"


def test_collection_resumes_by_itself_at_resumes_at(client, standin, inbox, monthly):
    resumes_at = o.now() + 30 * DAY
    _pause(client, monthly["id"], resumes_at)
    standin.flush()
    inbox.clear()

    assert standin.resume_due_collections(at=resumes_at - 1) == []
    assert standin.resume_due_collections(at=resumes_at) == [monthly["id"]]

    assert standin.get(monthly["id"])["pause_collection"] is None
    assert inbox.types == ["customer.subscription.updated"]
    assert inbox.events[0].data.previous_attributes.pause_collection.resumes_at == resumes_at


def test_a_renewal_at_or_after_resumes_at_resumes_first_and_is_charged(client, standin, inbox, monthly):
    period_end = monthly["items"]["data"][0]["current_period_end"]
    _pause(client, monthly["id"], period_end)
    standin.flush()
    inbox.clear()

    invoice = standin.renew_subscription(monthly["id"])

    assert invoice["status"] == "paid"
    assert inbox.types[0] == "customer.subscription.updated"
    assert inbox.events[0].data.previous_attributes.to_dict() == {
        "pause_collection": {"behavior": "void", "resumes_at": period_end}
    }


def test_resume_due_over_http(client, standin, inbox, monthly):
    resumes_at = o.now() + 5 * DAY
    _pause(client, monthly["id"], resumes_at)
    standin.flush()

    status, _, body = call(f"{standin.base_url}/_standin/subscriptions/resume_due", {"at": str(resumes_at)})

    assert status == 200 and json.loads(body) == {"resumed": [monthly["id"]]}


@pytest.mark.parametrize(
    ("pause_collection", "param"),
    [
        ({"resumes_at": 4102444800}, "pause_collection[behavior]"),
        ({"behavior": "skip", "resumes_at": 4102444800}, "pause_collection[behavior]"),
        ({"behavior": "void", "resumes_at": 1000}, "pause_collection[resumes_at]"),
        ({"behavior": "void", "until": 4102444800}, "pause_collection[until]"),
    ],
)
def test_bad_pause_parameters_are_refused_and_change_nothing(
    client, standin, inbox, monthly, pause_collection, param
):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.subscriptions.update(monthly["id"], params={"pause_collection": pause_collection})
    standin.flush()

    assert raised.value.param == param
    assert standin.get(monthly["id"])["pause_collection"] is None
    assert inbox.types == []


def test_the_same_pause_sent_twice_with_one_key_pauses_once(client, standin, inbox, monthly):
    resumes_at = o.now() + 30 * DAY

    first = _pause(client, monthly["id"], resumes_at, idempotency_key="pause-1")
    second = _pause(client, monthly["id"], resumes_at, idempotency_key="pause-1")
    standin.flush()

    assert first.to_dict() == second.to_dict()
    assert inbox.types == ["customer.subscription.updated"]


def test_a_cancelled_subscription_cannot_be_paused(client, standin, monthly):
    client.v1.subscriptions.cancel(monthly["id"])
    with pytest.raises(stripe.InvalidRequestError):
        _pause(client, monthly["id"], o.now() + 30 * DAY)
