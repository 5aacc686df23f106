"""core.sql.QueryTemplate: a queryset compiled once, run with new values, the ORM's rows."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from core.sql import QueryTemplate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _joined_since(user_id, since):
    return User.objects.filter(pk=user_id, date_joined__gte=since).values("pk", "email", "is_active")


def test_it_runs_the_orms_sql_with_each_call_s_values(requires_postgres):
    template = QueryTemplate(_joined_since, user_id=int, since=datetime.datetime)
    first, second = UserFactory(), UserFactory()
    past = timezone.now() - datetime.timedelta(days=1)

    with CaptureQueriesContext(connection) as executed:
        rows = template.rows(user_id=first.pk, since=past)
    assert rows == list(_joined_since(first.pk, past))
    assert rows == [{"pk": first.pk, "email": first.email, "is_active": True}]
    assert template.rows(user_id=second.pk, since=past) == list(_joined_since(second.pk, past))
    assert template.rows(user_id=second.pk, since=timezone.now() + datetime.timedelta(days=1)) == []
    assert len(executed.captured_queries) == 1
    sql, params = _joined_since(first.pk, past).query.sql_with_params()
    assert executed.captured_queries[0]["sql"].split(" WHERE ")[0] == sql.split(" WHERE ")[0]


def test_it_compiles_once_per_database(requires_postgres):
    calls = []

    def build(user_id):
        calls.append(user_id)
        return User.objects.filter(pk=user_id).values("pk")

    template = QueryTemplate(build, user_id=int)
    for user in UserFactory.create_batch(3):
        assert template.rows(user_id=user.pk) == [{"pk": user.pk}]
    assert len(calls) == 1


def test_a_value_the_query_does_not_use_is_refused_at_the_first_call(requires_postgres):
    template = QueryTemplate(
        lambda user_id, since: User.objects.filter(pk=user_id).values("pk"),
        user_id=int,
        since=datetime.datetime,
    )
    with pytest.raises(ValueError, match="since"):
        template.rows(user_id=1, since=timezone.now())


def test_on_another_database_it_runs_the_queryset_through_the_orm(monkeypatch):
    # the demo's SQLite adapts a datetime to text before it becomes a parameter: nothing is compiled
    # there, the queryset is evaluated with the real values
    from django.db import connections

    calls = []

    def build(user_id, since):
        calls.append(user_id)
        return _joined_since(user_id, since)

    template = QueryTemplate(build, user_id=int, since=datetime.datetime)
    user = UserFactory()
    past = timezone.now() - datetime.timedelta(days=1)
    monkeypatch.setattr(connections["default"], "vendor", "sqlite")

    assert template.rows(user_id=user.pk, since=past) == [
        {"pk": user.pk, "email": user.email, "is_active": True}
    ]
    assert template.rows(user_id=user.pk, since=timezone.now() + datetime.timedelta(days=1)) == []
    assert calls == [user.pk, user.pk] and template._compiled == {}
    with pytest.raises(TypeError, match="None"):
        template.rows(user_id=None, since=past)


def test_the_values_must_be_the_slots():
    template = QueryTemplate(lambda user_id: User.objects.filter(pk=user_id).values("pk"), user_id=int)
    with pytest.raises(TypeError):
        template.rows(user=1)
    with pytest.raises(TypeError, match="None"):
        template.rows(user_id=None)


def test_the_rows_go_through_the_fields_converters():
    from tests.factories.volunteers import VolunteerProfileFactory
    from volunteers.models import VolunteerProfile

    profile = VolunteerProfileFactory(skills=["cooking", "driving"])
    template = QueryTemplate(
        lambda user_id: VolunteerProfile.objects.filter(user_id=user_id).values("skills", "onboarded_at"),
        user_id=int,
    )

    assert template.rows(user_id=profile.user_id) == list(
        VolunteerProfile.objects.filter(user_id=profile.user_id).values("skills", "onboarded_at")
    )
    assert template.rows(user_id=profile.user_id)[0]["skills"] == ["cooking", "driving"]


def test_objects_are_the_orms_instances():
    from donations.models import Donation
    from tests.factories import DonationFactory

    gift = DonationFactory()
    template = QueryTemplate(
        lambda public_id: Donation.objects.filter(public_id=public_id).order_by()[:1], public_id=uuid.UUID
    )

    (found,) = template.objects(public_id=gift.public_id)
    orm = Donation.objects.get(pk=gift.pk)
    assert type(found) is Donation and found.pk == gift.pk and not found._state.adding
    assert {f.attname: getattr(found, f.attname) for f in Donation._meta.concrete_fields} == {
        f.attname: getattr(orm, f.attname) for f in Donation._meta.concrete_fields
    }
    assert template.objects(public_id=uuid.uuid4()) == []


def test_objects_refuses_a_queryset_with_related_rows(requires_postgres):
    from volunteers.models import VolunteerProfile

    template = QueryTemplate(
        lambda user_id: VolunteerProfile.objects.filter(user_id=user_id).select_related("user"), user_id=int
    )
    with pytest.raises(ValueError, match="plain queryset"):
        template.objects(user_id=1)
