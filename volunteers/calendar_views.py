"""/shifts/ as a week and as a month: server-rendered, without script, usable on a phone, with the
same filters as the list (role, free places). The week is a list of days; the month is a table of
weeks (Monday first) that becomes a list of days on a narrow screen (CSS only)."""

import calendar
import datetime
from collections import defaultdict

from django.http import QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import public
from core.public_cache import public_cached

from . import selectors
from .booking_rules import VolunteerStanding
from .forms import ShiftFilterForm

MAX_SHIFTS = 500


def _parse_day(value: str | None, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _filters(request) -> tuple[ShiftFilterForm, selectors.ShiftFilters]:
    form = ShiftFilterForm(request.GET or None)
    filters = selectors.ShiftFilters()
    if form.is_valid():
        filters = selectors.ShiftFilters(
            role=form.cleaned_data["role"], has_free_places=form.cleaned_data["free"]
        )
    return form, filters


def _query(request, **changes) -> str:
    """The page's query with `changes` (the filters are kept, dates replaced)."""
    query: QueryDict = request.GET.copy()
    for key in ("page", "date_from", "date_to", *changes):
        query.pop(key, None)
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


def _days(request, first: datetime.date, last: datetime.date, filters: selectors.ShiftFilters):
    filters.date_from, filters.date_to = first, last
    shifts = list(selectors.shift_list_open(filters=filters, user=request.user)[:MAX_SHIFTS])
    by_day = defaultdict(list)
    for shift in shifts:
        by_day[timezone.localtime(shift.starts_at).date()].append(shift)
    return by_day, len(shifts) == MAX_SHIFTS


@public
@public_cached("shifts")
def shift_week(request):
    today = timezone.localdate()
    day = _parse_day(request.GET.get("week"), today)
    monday = day - datetime.timedelta(days=day.weekday())
    form, filters = _filters(request)
    by_day, truncated = _days(request, monday, monday + datetime.timedelta(days=6), filters)
    days = [(monday + datetime.timedelta(days=i)) for i in range(7)]
    return render(
        request,
        "volunteers/shift_week.html",
        {
            "form": form,
            "days": [(d, by_day.get(d, []), d == today) for d in days],
            "monday": monday,
            "sunday": days[-1],
            "previous_query": _query(request, week=(monday - datetime.timedelta(days=7)).isoformat()),
            "next_query": _query(request, week=(monday + datetime.timedelta(days=7)).isoformat()),
            "filter_query": _query(request),
            "truncated": truncated,
            "standing": VolunteerStanding.load(request.user),
            "view": "week",
        },
    )


@public
@public_cached("shifts")
def shift_month(request):
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        first = datetime.date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    form, filters = _filters(request)
    by_day, truncated = _days(request, first, last, filters)
    weeks = [
        [(d, by_day.get(d, []), d.month == first.month, d == today) for d in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = last + datetime.timedelta(days=1)
    return render(
        request,
        "volunteers/shift_month.html",
        {
            "form": form,
            "weeks": weeks,
            "first": first,
            "weekday_names": [_(calendar.day_name[i]) for i in range(7)],
            "previous_query": _query(request, month=previous.strftime("%Y-%m")),
            "next_query": _query(request, month=following.strftime("%Y-%m")),
            "filter_query": _query(request),
            "truncated": truncated,
            "count": sum(len(v) for v in by_day.values()),
            "view": "month",
        },
    )
