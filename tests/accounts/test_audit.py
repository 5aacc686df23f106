"""Staff actions leave an audit trail that staff (and only staff) can read."""

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from accounts.services import audit_record, staff_role_set
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_granting_and_revoking_a_role_is_recorded_with_who_and_what(staff_user):
    person = UserFactory(email="maria@example.org")

    staff_role_set(actor=staff_user, user=person, role="coordinator", granted=True)
    staff_role_set(actor=staff_user, user=person, role="coordinator", granted=False)

    entries = list(AuditEntry.objects.order_by("id").values_list("actor", "action", "target_repr", "data"))
    assert entries == [
        (staff_user.pk, "role.grant", "maria@example.org", {"role": "coordinator"}),
        (staff_user.pk, "role.revoke", "maria@example.org", {"role": "coordinator"}),
    ]


def test_a_change_that_changes_nothing_is_not_logged(staff_user):
    person = UserFactory(roles=["volunteer"])

    staff_role_set(actor=staff_user, user=person, role="volunteer", granted=True)
    staff_role_set(actor=staff_user, user=person, role="staff", granted=False)

    assert not AuditEntry.objects.exists()


def test_a_refused_change_leaves_no_entry(staff_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        staff_role_set(actor=staff_user, user=staff_user, role="staff", granted=False)

    assert not AuditEntry.objects.exists()


def test_audit_record_points_at_any_object(staff_user):
    from tests.factories import CampaignFactory

    campaign = CampaignFactory(title="Safe Nights")

    entry = audit_record(
        actor=staff_user, action="campaign.publish", target=campaign, data={"published": True}
    )

    assert (entry.target_type, entry.target_id, entry.target_repr) == (
        "campaigns.campaign",
        str(campaign.pk),
        str(campaign),
    )


def test_the_audit_page_is_for_staff_only(client, volunteer, coordinator):
    for person in (volunteer, coordinator):
        client.force_login(person)
        assert client.get(reverse("people:audit")).status_code == 403


def test_staff_read_and_search_the_audit_log_in_few_queries(
    client, staff_user, django_assert_max_num_queries
):
    for n in range(30):
        staff_role_set(
            actor=staff_user, user=UserFactory(email=f"p{n}@example.org"), role="donor", granted=True
        )
    client.force_login(staff_user)

    with django_assert_max_num_queries(8):
        page = client.get(reverse("people:audit"))
    found = client.get(reverse("people:audit"), {"q": "p7@"})

    assert page.status_code == 200
    assert len(page.context["page"].object_list) == 30
    assert [e.target_repr for e in found.context["page"].object_list] == ["p7@example.org"]
    assert "role.grant" in page.content.decode()


def test_the_staff_page_writes_the_entry(client, staff_user):
    person = UserFactory()
    client.force_login(staff_user)

    client.post(reverse("people:role", args=[person.pk]), {"role": "coordinator", "action": "grant"})

    assert AuditEntry.objects.get().action == "role.grant"
