"""The suite's PostgreSQL backend empties the database between transactional tests with DELETE
instead of TRUNCATE (tests/postgresql/base.py). Emptying must still leave nothing behind, whatever
order the tables come in, and that holds only while every foreign key is checked at commit."""

import pytest
from django.core.management import call_command
from django.db import connection

from tests.factories import (
    BookingFactory,
    CampaignFactory,
    DonationFactory,
    MessageFactory,
    ReceiptFactory,
    ShiftFactory,
    UserFactory,
)

pytestmark = pytest.mark.postgres

# What Django's post_migrate handlers write back after every flush, as they do after TRUNCATE.
REFILLED = {"django_content_type", "auth_permission", "django_site"}


def _row_counts() -> dict[str, int]:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def test_every_foreign_key_is_checked_at_commit(requires_postgres):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE contype = 'f' AND NOT (condeferrable AND condeferred)"
        )
        immediate = cursor.fetchall()
    assert immediate == [], "a foreign key checked at once would make the tests' DELETE order matter"


@pytest.mark.django_db(transaction=True)
def test_the_flush_between_transactional_tests_leaves_every_table_empty(requires_postgres):
    # given rows that refer to each other across the apps
    user = UserFactory(roles=["volunteer"])
    booking = BookingFactory(volunteer=user, shift=ShiftFactory())
    gift = DonationFactory(campaign=CampaignFactory())
    ReceiptFactory(donation=gift)
    MessageFactory()
    assert booking.pk and _row_counts()["volunteers_booking"] == 1

    # when the database is emptied as pytest-django does after a transactional test
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False, allow_cascade=False)

    # then no table keeps a row, but for what Django writes back after any flush
    left = {table: count for table, count in _row_counts().items() if count and table not in REFILLED}
    assert left == {}
    assert connection.vendor == "postgresql" and type(connection.ops).__module__ == "tests.postgresql.base"
