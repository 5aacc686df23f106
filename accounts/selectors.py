from django.contrib.auth.models import Group
from django.db.models import Prefetch, Q, QuerySet

from .models import User


def people_search(*, query: str = "") -> QuerySet[User]:
    """People for the staff page, with their role groups prefetched (one query for all rows)."""
    people = User.objects.prefetch_related(Prefetch("groups", queryset=Group.objects.only("id", "name")))
    query = query.strip()
    if query:
        people = people.filter(Q(email__icontains=query) | Q(name__icontains=query))
    return people.order_by("email")


def audit_entries(*, query: str = "") -> QuerySet:
    """The audit log, newest first, with the actor joined (one query per page)."""
    from .models import AuditEntry

    entries = AuditEntry.objects.select_related("actor")
    query = query.strip()
    if query:
        entries = entries.filter(
            Q(action__icontains=query) | Q(target_repr__icontains=query) | Q(actor__email__icontains=query)
        )
    return entries
