"""The service letter: a PDF a volunteer downloads for a school, an employer or a court, stating
the hours and roles they gave over a chosen period (core/pdf.py lays it out). It names the volunteer,
the organisation, the roles and the hours, and nothing about where or with whom they worked."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.pdf import Column, Document, Row

from . import selectors


def _day(value: datetime.date) -> str:
    return dateformat.format(value, "F j, Y")


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.2f}"


def service_letter_pdf(*, volunteer: User, date_from: datetime.date, date_to: datetime.date) -> bytes:
    org = settings.HAVEN_ORG_LEGAL_NAME or settings.HAVEN_ORG_NAME
    rows = selectors.hours_by_volunteer_role_month(date_from=date_from, date_to=date_to, volunteer=volunteer)
    by_role: dict[str, dict[str, int]] = defaultdict(lambda: {"shifts": 0, "roster": 0, "reported": 0})
    for row in rows:
        totals = by_role[row.role_name]
        totals["shifts"] += row.shifts
        totals["roster"] += row.roster_minutes
        totals["reported"] += row.reported_minutes
    total = sum(t["roster"] + t["reported"] for t in by_role.values())
    name = volunteer.name or volunteer.email
    period = {"start": _day(date_from), "end": _day(date_to)}

    doc = Document(
        title=_("Volunteer service letter: %(name)s") % {"name": name},
        author=org,
        footer=_("%(org)s · volunteer service letter") % {"org": org},
        page_label=_("Page {page} of {pages}"),
    )
    doc.letterhead(org, [line for line in (settings.HAVEN_ORG_ADDRESS, settings.SITE_URL) if line])
    doc.title(_("Volunteer service letter"))
    doc.key_values(
        [
            (_("Volunteer"), name),
            (_("Period"), _("%(start)s to %(end)s") % period),
            (_("Total hours"), _hours(total)),
            (_("Issued"), _day(timezone.localdate())),
        ]
    )
    doc.space(4)
    doc.text(_("To whom it may concern,"), after=2)
    if total:
        doc.text(
            _(
                "This letter confirms that %(name)s volunteered with %(org)s from %(start)s to %(end)s, "
                "giving %(hours)s hours in the roles below."
            )
            % {"name": name, "org": org, "hours": _hours(total), **period},
            after=3,
        )
        lines = [
            Row(
                [
                    role,
                    str(t["shifts"]),
                    _hours(t["roster"]),
                    _hours(t["reported"]),
                    _hours(t["roster"] + t["reported"]),
                ]
            )
            for role, t in sorted(by_role.items())
        ]
        lines.append(Row([_("Total"), "", "", "", _hours(total)], bold=True, rule_above=True))
        doc.table(
            [
                Column(_("Role"), wrap=True),
                Column(_("Shifts"), align="RIGHT"),
                Column(_("Shift hours"), align="RIGHT"),
                Column(_("Other hours"), align="RIGHT"),
                Column(_("Hours"), align="RIGHT"),
            ],
            lines,
        )
    else:
        doc.text(
            _("%(org)s has no hours recorded for %(name)s from %(start)s to %(end)s.")
            % {"name": name, "org": org, **period},
            after=3,
        )
    doc.space(5)
    doc.text(
        _(
            "Shift hours are recorded at check-in and check-out, or by the shift's coordinator. Other "
            "hours are time the volunteer reported outside the roster and a coordinator of the role "
            "approved."
        ),
        size=9,
        muted=True,
        after=4,
    )
    doc.text(_("With thanks,"))
    doc.text(_("Volunteer coordination, %(org)s") % {"org": org}, bold=True)
    return doc.output()
