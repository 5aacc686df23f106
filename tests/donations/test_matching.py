"""Matching gifts: a sponsor's offer matches qualifying gifts when Stripe's webhook confirms them, the
match follows refunds and disputes, the cap's last dollars are matched once under concurrency, and
the donor's receipt and statement never count the match as theirs."""

from __future__ import annotations

import datetime
import threading
import time
import uuid

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from campaigns.matching import match_offer_create, match_offer_end
from campaigns.models import MatchOffer
from donations import services
from donations.models import Donation, MatchAllocation, Receipt
from donations.services import locks, matching
from messaging.models import Message
from tests import pdfcheck
from tests.factories import CampaignFactory, PendingDonationFactory, RecurringGiftFactory

from .conftest import FirstMonthlyPayment, OneTimePayment, post_event

pytestmark = pytest.mark.django_db


def _offer(
    campaign, *, ratio=1, cap=100_000, qualifies="both", starts=-1, ends=30, sponsor="Northwind Foundation"
):
    now = timezone.now()
    return match_offer_create(
        campaign=campaign,
        sponsor_name=sponsor,
        ratio=ratio,
        cap=cap,
        starts_at=now + datetime.timedelta(days=starts),
        ends_at=now + datetime.timedelta(days=ends),
        qualifies=qualifies,
    )


def _pay(send_event, donation) -> OneTimePayment:
    payment = OneTimePayment(donation)
    assert send_event(payment.completed()).status_code == 200
    return payment


def _matched(donation) -> int | None:
    allocation = MatchAllocation.objects.filter(donation=donation).first()
    return None if allocation is None else allocation.amount


@pytest.fixture
def campaign(db):
    return CampaignFactory(slug="safe-nights", title="Safe Nights")


# --- matching when a gift succeeds --------------------------------------------------------------------


def test_a_one_time_gift_is_matched_at_the_offers_ratio_when_the_webhook_confirms_it(send_event, campaign):
    offer = _offer(campaign, ratio=2, cap=100_000)
    donation = PendingDonationFactory(campaign=campaign, amount=4000, fee_covered=150)

    _pay(send_event, donation)

    # 2:1 on the gift (the covered fee is not the gift)
    allocation = MatchAllocation.objects.get(donation=donation)
    assert (allocation.granted, allocation.amount, allocation.is_held) == (8000, 8000, False)
    offer.refresh_from_db()
    assert (offer.matched, offer.held, offer.remaining) == (8000, 0, 92_000)
    assert offer.published_matched == 8000  # tests publish live


def test_a_pending_gift_is_not_matched_before_stripe_confirms_it(campaign):
    _offer(campaign)
    donation = PendingDonationFactory(campaign=campaign, amount=4000)
    assert _matched(donation) is None
    assert MatchOffer.objects.get().matched == 0


def test_duplicate_and_overlapping_webhooks_match_a_gift_once(send_event, campaign):
    offer = _offer(campaign, cap=100_000)
    donation = PendingDonationFactory(campaign=campaign, amount=4000)
    payment = OneTimePayment(donation)
    completed = payment.completed()

    for event in (completed, completed, payment.intent_succeeded(), completed):
        assert send_event(event).status_code == 200

    assert MatchAllocation.objects.filter(donation=donation).count() == 1
    offer.refresh_from_db()
    assert offer.matched == 4000


def test_the_last_gift_under_the_cap_gets_what_is_left_and_the_next_gets_nothing(send_event, campaign):
    offer = _offer(campaign, cap=10_000)
    gifts = [PendingDonationFactory(campaign=campaign, amount=6000) for _ in range(3)]

    for gift in gifts:
        _pay(send_event, gift)

    assert [_matched(g) for g in gifts] == [6000, 4000, None]
    offer.refresh_from_db()
    assert (offer.matched, offer.remaining) == (10_000, 0)
    assert all(Donation.objects.get(pk=g.pk).status == "succeeded" for g in gifts)


def test_gifts_outside_the_window_or_after_staff_ended_the_match_are_not_matched(send_event, campaign):
    later = _offer(campaign, starts=2, ends=10, sponsor="Later Sponsor")
    early = PendingDonationFactory(campaign=campaign, amount=4000)
    _pay(send_event, early)
    assert _matched(early) is None

    other = CampaignFactory()
    ended = _offer(other, starts=-5, ends=5)
    matched = PendingDonationFactory(campaign=other, amount=1000)
    _pay(send_event, matched)
    match_offer_end(offer=ended)
    after_end = PendingDonationFactory(campaign=other, amount=1000)
    _pay(send_event, after_end)

    assert _matched(matched) == 1000
    assert _matched(after_end) is None
    ended.refresh_from_db()
    assert ended.ended_at is not None and ended.matched == 1000
    later.refresh_from_db()
    assert later.matched == 0


def test_a_gift_to_another_campaign_or_to_no_campaign_is_not_matched(send_event, campaign):
    _offer(campaign)
    elsewhere = PendingDonationFactory(amount=4000)
    general = PendingDonationFactory(campaign=None, fund=campaign.fund, amount=4000)
    _pay(send_event, elsewhere)
    _pay(send_event, general)
    assert MatchAllocation.objects.count() == 0


def _monthly(campaign, amount=2500):
    recurring = RecurringGiftFactory(campaign=campaign, fund=campaign.fund, amount=amount)
    first = PendingDonationFactory(
        campaign=campaign, fund=campaign.fund, amount=amount, recurring_gift=recurring, frequency="monthly"
    )
    return recurring, first


def _pay_monthly(send_event, first) -> FirstMonthlyPayment:
    payment = FirstMonthlyPayment(first)
    for event in (payment.completed(), payment.invoice_paid()):
        assert send_event(event).status_code == 200
    return payment


def test_an_offer_for_one_time_gifts_does_not_match_a_monthly_gift(send_event, campaign):
    _offer(campaign, qualifies="one_time")
    _, first = _monthly(campaign)
    _pay_monthly(send_event, first)
    assert Donation.objects.get(pk=first.pk).status == "succeeded"
    assert _matched(first) is None


def test_an_offer_for_first_monthly_payments_matches_the_first_payment_only(send_event, campaign):
    offer = _offer(campaign, qualifies="first_monthly", ratio=2)
    one_time = PendingDonationFactory(campaign=campaign, amount=4000)
    _pay(send_event, one_time)
    recurring, first = _monthly(campaign, amount=2500)
    payment = _pay_monthly(send_event, first)

    assert send_event(payment.renewal_invoice(paid=True)).status_code == 200

    renewal = recurring.donations.exclude(pk=first.pk).get()
    assert renewal.status == "succeeded"
    assert _matched(one_time) is None
    assert _matched(first) == 5000
    assert _matched(renewal) is None
    offer.refresh_from_db()
    assert offer.matched == 5000


def test_an_offer_for_both_matches_one_time_gifts_and_first_monthly_payments(send_event, campaign):
    _offer(campaign, qualifies="both")
    one_time = PendingDonationFactory(campaign=campaign, amount=4000)
    _pay(send_event, one_time)
    _, first = _monthly(campaign, amount=2500)
    _pay_monthly(send_event, first)
    assert (_matched(one_time), _matched(first)) == (4000, 2500)


def test_an_offline_gift_is_not_matched(campaign):
    _offer(campaign)
    gift, _ = services.donation_record_offline(
        nonce=uuid.uuid4(),
        amount=5000,
        method="cheque",
        designation=services.Designation(campaign=campaign, fund=campaign.fund),
        email="cheque@example.org",
        name="Cheque Giver",
        received_on=timezone.localdate(),
    )
    assert gift.status == "succeeded"
    assert _matched(gift) is None


# --- undone by refunds and lost disputes -----------------------------------------------------------


def test_a_full_refund_undoes_the_match_and_gives_the_cap_back(send_event, campaign):
    offer = _offer(campaign, ratio=2, cap=100_000)
    donation = PendingDonationFactory(campaign=campaign, amount=4000)
    payment = _pay(send_event, donation)

    event, _ = payment.refunded(4000)
    assert send_event(event).status_code == 200
    assert send_event(event).status_code == 200  # a duplicate changes nothing

    allocation = MatchAllocation.objects.get(donation=donation)
    assert (allocation.granted, allocation.amount) == (8000, 0)
    offer.refresh_from_db()
    assert (offer.matched, offer.remaining, offer.published_matched) == (0, 100_000, 0)


def test_partial_refunds_take_back_the_same_share_of_the_match(send_event, campaign):
    offer = _offer(campaign, ratio=2, cap=100_000)
    donation = PendingDonationFactory(campaign=campaign, amount=4000)
    payment = _pay(send_event, donation)

    first, (quarter,) = payment.refunded(1000)  # a quarter of the gift
    send_event(first)
    assert _matched(donation) == 6000
    both, (another,) = payment.refunded(1000)  # a second refund: half of the gift back in all
    charge = both["data"]["object"]
    charge["refunds"]["data"] = [quarter, another]
    charge["amount_refunded"] = 2000
    send_event(both)

    assert _matched(donation) == 4000
    offer.refresh_from_db()
    assert offer.matched == 4000


def test_a_proportional_share_rounds_down_to_whole_cents(send_event, campaign):
    _offer(campaign, ratio=1)
    donation = PendingDonationFactory(campaign=campaign, amount=3333)
    payment = _pay(send_event, donation)
    event, _ = payment.refunded(1000)
    send_event(event)
    assert _matched(donation) == 2333  # 3333 * 2333 / 3333


def test_the_cap_a_refund_gives_back_is_matched_to_later_gifts(send_event, campaign):
    offer = _offer(campaign, cap=5000)
    first = PendingDonationFactory(campaign=campaign, amount=5000)
    payment = _pay(send_event, first)
    event, _ = payment.refunded(5000)
    send_event(event)
    second = PendingDonationFactory(campaign=campaign, amount=3000)
    _pay(send_event, second)

    assert (_matched(first), _matched(second)) == (0, 3000)
    offer.refresh_from_db()
    assert (offer.matched, offer.remaining) == (3000, 2000)


def test_an_open_dispute_holds_the_match_a_lost_one_undoes_it(send_event, campaign):
    offer = _offer(campaign, cap=100_000)
    donation = PendingDonationFactory(campaign=campaign, amount=4000)
    payment = _pay(send_event, donation)

    send_event(payment.dispute("needs_response", dispute_id="dp_match_1"))
    offer.refresh_from_db()
    allocation = MatchAllocation.objects.get(donation=donation)
    assert (allocation.amount, allocation.is_held) == (4000, True)
    assert (offer.matched, offer.held, offer.remaining) == (0, 4000, 96_000)

    send_event(payment.dispute("lost", dispute_id="dp_match_1"))

    allocation.refresh_from_db()
    offer.refresh_from_db()
    assert Donation.objects.get(pk=donation.pk).status == "dispute_lost"
    assert (allocation.amount, allocation.is_held) == (0, False)
    assert (offer.matched, offer.held, offer.remaining) == (0, 0, 100_000)


def test_a_won_dispute_makes_the_held_match_owed_again(send_event, campaign):
    offer = _offer(campaign, cap=100_000)
    donation = PendingDonationFactory(campaign=campaign, amount=4000)
    payment = _pay(send_event, donation)
    send_event(payment.dispute("needs_response", dispute_id="dp_match_2"))
    send_event(payment.dispute("won", dispute_id="dp_match_2"))
    offer.refresh_from_db()
    assert (offer.matched, offer.held) == (4000, 0)
    assert _matched(donation) == 4000


def test_the_database_refuses_a_match_above_the_cap(campaign):
    from django.db import IntegrityError

    offer = _offer(campaign, cap=1000)
    with pytest.raises(IntegrityError), transaction.atomic():
        MatchOffer.objects.filter(pk=offer.pk).update(matched=800, held=300)


def test_the_offer_is_locked_after_the_gift_and_before_the_receipt_counter(campaign):
    offer = _offer(campaign)
    donation = PendingDonationFactory(campaign=campaign)
    with transaction.atomic():
        locks.lock_donation(donation.pk)
        locks.lock_match_offer(offer.pk)
        locks.receipt_number_take(2026)
    with pytest.raises(locks.LockOrderError), transaction.atomic():
        locks.lock_match_offer(offer.pk)
        locks.lock_donation(donation.pk)
    assert locks.ORDER.index(MatchOffer) == locks.ORDER.index(locks.Refund) + 1


# --- the donor's receipt and statement ------------------------------------------------------------------


def test_the_receipt_says_matched_by_the_sponsor_and_never_counts_the_match(send_event, campaign):
    _offer(campaign, ratio=3, sponsor="Northwind Foundation")
    donation = PendingDonationFactory(campaign=campaign, amount=4000, donor_name="Rosa Diaz")
    mail.outbox = []

    _pay(send_event, donation)

    (email,) = [m for m in mail.outbox if "receipt" in m.subject.lower()]
    assert "Your gift of $40.00 to Safe Nights" in email.body
    assert "matched by Northwind Foundation" in email.body
    assert "$120" not in email.body  # the 3:1 match is nowhere on the donor's receipt
    html = email.alternatives[0][0]
    assert "matched by Northwind Foundation" in html and "$120" not in html
    (_, content, _) = email.attachments[0]
    words = pdfcheck.text(content)
    assert "Matched by Northwind Foundation" in words
    assert "$40.00" in words and "$120" not in words and "$160" not in words


def test_a_receipt_without_a_match_says_nothing_of_matching(send_event, campaign):
    donation = PendingDonationFactory(campaign=campaign, amount=4000)
    mail.outbox = []
    _pay(send_event, donation)
    (email,) = [m for m in mail.outbox if "receipt" in m.subject.lower()]
    assert "matched" not in email.body.lower()
    assert "Matched" not in pdfcheck.text(bytes(Receipt.objects.get(donation=donation).pdf))


def test_the_donors_statement_counts_their_gift_only(send_event, campaign):
    from donations.selectors import donations_for_statement

    _offer(campaign, ratio=2)
    donation = PendingDonationFactory(campaign=campaign, amount=4000, donor_email="rosa@example.org")
    _pay(send_event, donation)
    year = timezone.localtime(Donation.objects.get(pk=donation.pk).succeeded_at).year

    gifts = list(donations_for_statement(emails=["rosa@example.org"], year=year))
    assert [g.amount - g.amount_refunded for g in gifts] == [4000]
    statement = services.statement_issue(email="rosa@example.org", year=year)
    assert statement.total == 4000


# --- concurrency: the cap's last dollars, once ---------------------------------------------------------


def _concurrent_gifts(campaign, *, count: int, amount: int, cap: int, slow_seconds: float, monkeypatch):
    """`count` gifts confirmed by webhooks delivered at the same moment, one thread and connection
    each. Reading the offer is slowed down so the transactions overlap for certain."""
    offer = _offer(campaign, cap=cap)
    gifts = [PendingDonationFactory(campaign=campaign, amount=amount) for _ in range(count)]
    events = [OneTimePayment(g).completed() for g in gifts]
    real = matching._offer_for_update

    def slow(offer_id):
        found = real(offer_id)
        time.sleep(slow_seconds)
        return found

    monkeypatch.setattr(matching, "_offer_for_update", slow)
    barrier = threading.Barrier(count)
    codes: list = [None] * count

    def deliver(index):
        try:
            barrier.wait(timeout=10)
            codes[index] = post_event(Client(raise_request_exception=False), events[index]).status_code
        except Exception as exc:  # reported through `codes`
            codes[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    offer.refresh_from_db()
    return offer, gifts, codes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_gifts_match_the_last_dollars_of_the_cap_exactly_once(requires_postgres, monkeypatch):
    campaign = CampaignFactory()
    # 8 gifts of $40 at once against a $100 cap: $100 matched in all, whatever the order
    offer, gifts, codes = _concurrent_gifts(
        campaign, count=8, amount=4000, cap=10_000, slow_seconds=0.05, monkeypatch=monkeypatch
    )

    assert codes == [200] * 8
    assert all(Donation.objects.get(pk=g.pk).status == "succeeded" for g in gifts)
    allocations = sorted(MatchAllocation.objects.values_list("granted", flat=True), reverse=True)
    assert allocations == [4000, 4000, 2000]
    assert offer.matched == 10_000 == sum(allocations)
    assert offer.remaining == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_without_the_offer_lock_the_same_gifts_are_matched_beyond_the_cap(
    requires_postgres, monkeypatch
):
    """The same test with the offer's row lock switched off: each transaction reads the cap as it
    was before the others wrote, and the sponsor is committed to more than they pledged."""
    monkeypatch.setattr(matching, "LOCK_OFFERS", False)
    campaign = CampaignFactory()
    offer, _, codes = _concurrent_gifts(
        campaign, count=8, amount=4000, cap=10_000, slow_seconds=0.05, monkeypatch=monkeypatch
    )

    assert codes == [200] * 8
    granted = sum(MatchAllocation.objects.values_list("granted", flat=True))
    assert granted > offer.cap  # over-matched: what the lock prevents
    assert offer.matched < granted  # and the offer's counter lost updates


def test_the_receipt_email_is_one_message_even_with_a_match(send_event, campaign):
    _offer(campaign)
    donation = PendingDonationFactory(campaign=campaign, amount=4000)
    payment = _pay(send_event, donation)
    send_event(payment.completed())
    assert Message.objects.filter(kind="donations.receipt").count() == 1


def test_a_matched_gift_costs_three_queries_more_and_does_not_grow_with_the_matched_gifts(client, campaign):
    from django.test.utils import CaptureQueriesContext

    from .test_webhook_queries import QUERIES_NEW_EVENT

    _offer(campaign, cap=10_000_000)
    post_event(client, OneTimePayment(PendingDonationFactory(campaign=campaign)).completed())  # warm

    def queries():
        event = OneTimePayment(PendingDonationFactory(campaign=campaign)).completed()
        with CaptureQueriesContext(connection) as executed:
            assert post_event(client, event).status_code == 200
        return len(executed.captured_queries)

    first = queries()
    for _ in range(20):
        post_event(client, OneTimePayment(PendingDonationFactory(campaign=campaign)).completed())
    assert first == QUERIES_NEW_EVENT + 3
    assert queries() == first
    assert MatchAllocation.objects.count() == 23


def test_a_long_sponsor_name_on_the_receipt_pdf_wraps_without_overlap():
    from donations import pdf
    from tests.donations.pdf_samples import sample_receipt

    content = pdf.receipt_pdf(
        receipt=sample_receipt(),
        matched_by="The Very Long Name Community Foundation for Safe Housing and Legal Aid",
    )
    assert pdfcheck.overlapping_words(content) == []
    assert pdfcheck.words_outside(content, margin_mm=10) == []
    assert "Matched by The Very Long Name Community Foundation" in " ".join(pdfcheck.text(content).split())
