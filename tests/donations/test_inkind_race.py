"""Twenty people pledge the last 4 coats at once. Real threads, real PostgreSQL row locks: each pledge
locks its need's row before counting what is promised. The control takes the lock out and makes the
race certain (every thread counts before any inserts): the need is over-pledged, so the first test
would catch a missing lock."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from donations.models import InKindNeed, InKindPledge
from donations.services import inkind

pytestmark = pytest.mark.django_db(transaction=True)


def _need_with_four_left() -> InKindNeed:
    need = InKindNeed.objects.create(
        title_en="Winter coats",
        quantity_needed=10,
        deadline=timezone.localdate() + datetime.timedelta(days=5),
    )
    inkind.inkind_pledge_create(need=need, quantity=6, name="First", email="first@example.org")
    return need


def _pledge_at_once(need, count, quantity=1) -> list:
    start = threading.Barrier(count)
    outcomes, lock = [], threading.Lock()

    def pledge(index):
        try:
            start.wait(timeout=30)
            result = inkind.inkind_pledge_create(
                need=need, quantity=quantity, name=f"Person {index}", email=f"p{index}@example.org"
            ).pk
        except inkind.InKindError as error:
            result = error
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=pledge, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture
def count_then_pause(monkeypatch):
    """Runs `pause()` after a pledge has counted what is promised, before it inserts."""
    promised = inkind.need_promised

    def install(pause):
        def counted_then_pause(*, need_id):
            value = promised(need_id=need_id)
            pause()
            return value

        monkeypatch.setattr(inkind, "need_promised", counted_then_pause)

    return install


def test_twenty_concurrent_pledges_for_the_last_four_give_exactly_four(requires_postgres, count_then_pause):
    need = _need_with_four_left()
    count_then_pause(lambda: __import__("time").sleep(0.005))

    outcomes = _pledge_at_once(need, 20)

    assert len(outcomes) == 20
    assert sum(isinstance(o, int) for o in outcomes) == 4
    assert sum(isinstance(o, inkind.InKindError) for o in outcomes) == 16
    assert sum(InKindPledge.objects.filter(need=need).values_list("quantity", flat=True)) == 10


def test_control_without_the_row_lock_the_same_logic_over_pledges(
    requires_postgres, count_then_pause, monkeypatch
):
    need = _need_with_four_left()
    monkeypatch.setattr(inkind, "need_lock", lambda *, need_id: InKindNeed.objects.get(pk=need_id))
    counted = threading.Barrier(8)
    count_then_pause(lambda: counted.wait(timeout=30))

    outcomes = _pledge_at_once(need, 8)

    assert sum(isinstance(o, int) for o in outcomes) == 8
    assert (
        sum(InKindPledge.objects.filter(need=need).values_list("quantity", flat=True))
        == 14
        > need.quantity_needed
    )
