"""Row locks for gifts, and the one order they are taken in.

A transaction that locks more than one of these rows takes them in this order, and two rows of one
kind in primary-key order:

    1. StripeEvent      the webhook event being applied
    2. RecurringGift    a monthly gift
    3. Donation         one gift (one payment)
    4. Refund           a refund of that gift
    5. MatchOffer       a sponsor's match of a campaign's gifts (campaigns app; services/matching.py)
    6. ReceiptCounter   the year's receipt numbers

Disputes and refunds reported by Stripe are written only while their gift is locked, so they need no
lock of their own.

Why this order. A webhook event is locked before anything it touches, so a duplicate delivery waits
on the event row and then finds it processed without touching a gift. A monthly gift comes before its
payments because a subscription's events decide which month's gift they concern. The receipt counter
comes last: every confirmation takes it, so it is held only for the end of a transaction. A match
offer is taken by a gift's transitions (its confirmation, refunds, disputes) after the gift and its
refund, so many gifts to one campaign wait on the offer only for the few statements that match them,
and before the receipt counter, which the confirmation takes after matching.

What is never done: locking a StripeEvent while holding anything else. An event that waited for its
payment (a refund or dispute that overtook the checkout events) is applied after the transaction that
placed the payment has committed, in a transaction of its own that starts by locking that event
(`webhooks.stripe_events_release`). Before, the payment's transaction locked the waiting events while
holding the gift — the opposite order of a redelivered waiting event, which locks itself and then the
gift — and concurrent deliveries deadlocked (PostgreSQL cancelled one and Stripe got a 500).

Campaign and fund totals (campaigns app) are locked after commit, in their own transaction; a
Receipt row is locked alone, when its PDF is made.

The helpers check the order as they go: a lock that comes before one already held in the same
transaction raises LockOrderError, so a path that could deadlock under concurrency fails the first
time it runs, in the tests, rather than once in a hundred concurrent deliveries.
"""

from __future__ import annotations

from django.db import models, transaction
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.db.transaction import TransactionManagementError

from campaigns.models import MatchOffer
from core.sql import QueryTemplate

from ..models import Donation, ReceiptCounter, RecurringGift, Refund, StripeEvent

ORDER: tuple[type[models.Model], ...] = (
    StripeEvent,
    RecurringGift,
    Donation,
    Refund,
    MatchOffer,
    ReceiptCounter,
)
_RANK = {model: rank for rank, model in enumerate(ORDER)}


class LockOrderError(RuntimeError):
    """A row was locked out of ORDER: under concurrency this path could deadlock."""


def _state() -> tuple:
    """(on-commit list, savepoint id, [(rank, pk) held], {(rank, pk): instance locked}) of the current
    business transaction.

    A transaction is told apart by Django's list of on-commit callbacks (a new list after every commit
    and rollback) and, inside a test's wrapping transaction, by the outermost block that is not the
    test's own: that block object and its savepoint id (None for `atomic(savepoint=False)`, so the
    object tells two such blocks apart; the state holds it, so its id is not reused meanwhile)."""
    conn = transaction.get_connection()
    business = [i for i, block in enumerate(conn.atomic_blocks) if not block._from_testcase]
    if not business:
        raise TransactionManagementError("Row locks need transaction.atomic() around them.")
    first = business[0]
    outermost = (conn.atomic_blocks[first], conn.savepoint_ids[first - 1] if first else None)
    state = getattr(conn, "_haven_gift_locks", None)
    if (
        state is None
        or state[0] is not conn.run_on_commit
        or state[1][0] is not outermost[0]
        or state[1][1] != outermost[1]
    ):
        state = (conn.run_on_commit, outermost, [], {})
        conn._haven_gift_locks = state
    return state


def _held() -> list[tuple[int, int]]:
    """(rank, pk) of the rows locked through these helpers in the current transaction."""
    return _state()[2]


def _note(model: type[models.Model], pk) -> None:
    held = _held()
    key = (_RANK[model], pk)
    if key in held:
        return
    if held and key < max(held):
        rank, top_pk = max(held)
        raise LockOrderError(
            f"{model.__name__} {pk} locked while holding {ORDER[rank].__name__} {top_pk}: "
            "see donations/services/locks.py for the order."
        )
    held.append(key)


# Compiled once per process and model (core.sql.QueryTemplate): every lock of a model is the same
# SELECT … FOR UPDATE but for the key, and a webhook takes several.
_LOCK_SQL = {
    model: QueryTemplate(
        lambda pk, model=model: model.objects.select_for_update().filter(pk=pk).order_by(), pk=int
    )
    for model in ORDER
}


def _lock(model: type[models.Model], pk):
    _note(model, pk)
    if type(pk) is int:
        rows = _LOCK_SQL[model].objects(pk=pk)
        if not rows:
            raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
        (row,) = rows
    else:
        row = model.objects.select_for_update().get(pk=pk)
    _state()[3][(_RANK[model], pk)] = row
    return row


def held_or_lock(instance: models.Model) -> models.Model:
    """The locked row of `instance`, read once per transaction: `instance` itself when it is the very
    object this transaction locked (a webhook locks its gift once and hands that object to every step,
    which writes through it), otherwise a fresh locked read, as `lock_<model>(pk)` does."""
    model = type(instance)
    if _state()[3].get((_RANK[model], instance.pk)) is instance:
        return instance
    return _lock(model, instance.pk)


def event_record_locked(*, stripe_id: str, type: str, payload: dict, livemode: bool) -> StripeEvent:
    """Record a webhook event once and lock it, in one statement: INSERT … ON CONFLICT (stripe_id) DO
    UPDATE (a no-op update) RETURNING every column. The statement locks the row it returns, the new
    one or the one recorded before; a concurrent delivery of the same event waits on it and then reads
    the committed row (its `processed_at` set)."""
    _held()  # inside a transaction, or raise
    connection = transaction.get_connection()
    opts = StripeEvent._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    query = InsertQuery(
        StripeEvent,
        on_conflict=OnConflict.UPDATE,
        update_fields=[opts.get_field("stripe_id")],
        unique_fields=[opts.get_field("stripe_id")],
    )
    query.insert_values(
        fields, [StripeEvent(stripe_id=stripe_id, type=type, payload=payload, livemode=livemode)]
    )
    returning = list(opts.concrete_fields)
    (values,) = query.get_compiler(connection=connection).execute_sql(returning_fields=returning)
    row = StripeEvent.from_db(connection.alias, [f.attname for f in returning], values)
    _note(StripeEvent, row.pk)
    _state()[3][(_RANK[StripeEvent], row.pk)] = row
    return row


def lock_event(event_id: int) -> StripeEvent:
    return _lock(StripeEvent, event_id)


def lock_recurring(recurring_id: int) -> RecurringGift:
    return _lock(RecurringGift, recurring_id)


def lock_donation(donation_id: int) -> Donation:
    return _lock(Donation, donation_id)


def lock_refund(refund_id: int) -> Refund:
    return _lock(Refund, refund_id)


def lock_match_offer(offer_id: int) -> MatchOffer:
    return _lock(MatchOffer, offer_id)


def receipt_number_take(year: int) -> int:
    """The next receipt number of `year`: one UPDATE … RETURNING, which locks the year's counter row
    until the transaction ends (so numbers have no gaps and no repeats, as with lock_receipt_counter)
    in one statement instead of four. The row is made at the year's first receipt."""
    _note(ReceiptCounter, year)
    connection = transaction.get_connection()
    table = connection.ops.quote_name(ReceiptCounter._meta.db_table)
    for _ in range(2):
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET last_number = last_number + 1 WHERE year = %s RETURNING last_number",  # noqa: S608 - our own table name
                [year],
            )
            row = cursor.fetchone()
        if row is not None:
            return row[0]
        ReceiptCounter.objects.get_or_create(year=year)
    raise RuntimeError(f"No receipt counter row for {year}.")


def lock_receipt_counter(year: int) -> ReceiptCounter:
    ReceiptCounter.objects.get_or_create(year=year)
    return _lock(ReceiptCounter, year)


def refresh_from_locked(instance: models.Model, locked: models.Model) -> None:
    """Give the caller's instance the values read (and written) under the lock, as refresh_from_db()
    would, without another query (nothing to do when the caller handed in the locked row itself)."""
    if instance is locked:
        return
    for field in type(locked)._meta.concrete_fields:
        setattr(instance, field.attname, getattr(locked, field.attname))
