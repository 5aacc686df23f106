"""Hours: a volunteer reports off-roster time and downloads a service letter; a coordinator of the
role approves or declines reported time; staff see hours per volunteer, role and month (page and
streamed CSV). Thin: parse input, call a service or selector, render."""

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import role_required, signed_in
from core.csv import csv_writer

from . import selectors, services
from .hours_forms import HoursReportForm, HoursSummaryFilterForm, PeriodForm
from .letters import service_letter_pdf
from .services import HoursError

coordinator_required = role_required("coordinator", "staff")
staff_required = role_required("staff")


@signed_in
def hours_report(request):
    form = HoursReportForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.hours_report(volunteer=request.user, **form.cleaned_data)
        except HoursError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Thank you. A coordinator of the role will look at it."))
            return redirect("volunteers:hours")
    return render(request, "volunteers/hours_report.html", {"form": form}, status=400 if form.errors else 200)


@signed_in
def service_letter(request):
    """GET with no dates: choose the period. With dates: the PDF."""
    if "date_from" not in request.GET:
        form = PeriodForm(initial=PeriodForm.default_initial())
        return render(request, "volunteers/service_letter.html", {"form": form})
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return render(request, "volunteers/service_letter.html", {"form": form}, status=400)
    start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    pdf = service_letter_pdf(volunteer=request.user, date_from=start, date_to=end)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="service-letter-{start}-{end}.pdf"'
    return response


@coordinator_required
def hours_pending(request):
    return render(
        request,
        "volunteers/coordinate/hours_pending.html",
        {"reports": selectors.coordinator_hours_pending(user=request.user)},
    )


@coordinator_required
@require_POST
def hours_decide(request, report_id: int):
    report = selectors.coordinator_hours_report_get(user=request.user, report_id=report_id)
    approve = request.POST.get("decision") == "approve"
    try:
        services.hours_report_decide(report=report, by=request.user, approve=approve)
    except HoursError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Approved.") if approve else _("Declined."))
    return redirect("volunteers:coordinate:hours_pending")


def _summary_filters(request):
    query = request.GET if "date_from" in request.GET else None
    form = HoursSummaryFilterForm(query, initial=HoursSummaryFilterForm.default_initial())
    if query is None:
        initial = HoursSummaryFilterForm.default_initial()
        return form, initial["date_from"], initial["date_to"], None
    if not form.is_valid():
        return form, None, None, None
    data = form.cleaned_data
    return form, data["date_from"], data["date_to"], data["role"]


@staff_required
def hours_summary(request):
    form, start, end, role = _summary_filters(request)
    rows = selectors.hours_by_volunteer_role_month(date_from=start, date_to=end, role=role) if start else []
    return render(
        request,
        "volunteers/coordinate/hours_summary.html",
        {
            "form": form,
            "rows": rows,
            "total_hours": round(sum(r.total_minutes for r in rows) / 60, 2),
            "query": request.GET.urlencode(),
        },
        status=200 if start else 400,
    )


class _Echo:
    def write(self, value):
        return value


@staff_required
def hours_summary_csv(request):
    """The same rows as CSV, streamed row by row."""
    form, start, end, role = _summary_filters(request)
    if start is None:
        return HttpResponse(_("Choose a valid period."), status=400, content_type="text/plain")
    writer = csv_writer(_Echo())

    def lines():
        yield writer.writerow(
            [
                _("Month"),
                _("Volunteer"),
                _("Email"),
                _("Role"),
                _("Shifts"),
                _("Shift hours"),
                _("Other hours"),
                _("Hours"),
            ]
        )
        for row in selectors.hours_by_volunteer_role_month(date_from=start, date_to=end, role=role):
            yield writer.writerow(
                [
                    row.month.strftime("%Y-%m"),
                    row.volunteer_name,
                    row.volunteer_email,
                    row.role_name,
                    row.shifts,
                    f"{row.roster_minutes / 60:.2f}",
                    f"{row.reported_minutes / 60:.2f}",
                    f"{row.total_minutes / 60:.2f}",
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="volunteer-hours-{start}-{end}.csv"'
    return response
