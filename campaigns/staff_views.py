"""Staff pages for campaigns, plans, impact units, updates, spending, categories and funds.
Thin: forms check input shape, services write, ValidationErrors from services land on the form."""

from __future__ import annotations

import pathlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.roles import role_required
from core.money import major_amount

from . import selectors, services
from .forms import (
    CampaignForm,
    CampaignUpdateForm,
    ExpenditureFilterForm,
    ExpenditureForm,
    FundForm,
    ImpactUnitFormSet,
    SpendingCategoryForm,
    allocation_formset,
)
from .models import Campaign, CampaignUpdate, Expenditure, Fund, SpendingCategory


def _apply(form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the matching fields (or on top of the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- Campaigns -----------------------------------------------------------------------------------------


@role_required("staff")
@require_GET
def campaign_list(request):
    campaigns = Campaign.objects.select_related("fund", "totals").order_by("-starts_on", "title")
    rows = [(c, selectors.campaign_progress(c, live=True)) for c in campaigns]
    return render(request, "campaigns/staff/campaign_list.html", {"rows": rows})


@role_required("staff")
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(**form.service_kwargs())
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(
                request,
                _("Campaign “%(title)s” created. Now set its planned split.") % {"title": campaign.title},
            )
            return redirect("campaigns:staff_plan", pk=campaign.pk)
    return render(request, "campaigns/staff/campaign_form.html", {"form": form, "campaign": None})


@role_required("staff")
@require_http_methods(["GET", "POST"])
def campaign_edit(request, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    form = CampaignForm(request.POST or None, initial=CampaignForm.initial_for(campaign))
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_edit(campaign=campaign, data=form.service_kwargs())
        except ValidationError as exc:
            campaign.refresh_from_db()
            _apply(form, exc)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("campaigns:staff_campaign_list")
    return render(request, "campaigns/staff/campaign_form.html", {"form": form, "campaign": campaign})


@role_required("staff")
@require_http_methods(["GET", "POST"])
def allocation_plan_edit(request, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    initial = [
        {"category": line.category_id, "percent": line.share_bps / 100}
        for line in campaign.allocation_lines.select_related("category")
    ]
    formset = allocation_formset(lines=len(initial))(request.POST or None, initial=initial, prefix="plan")
    if request.method == "POST" and formset.is_valid():
        try:
            services.allocation_plan_set(campaign=campaign, lines=formset.lines())
        except ValidationError as exc:
            formset._non_form_errors = formset.error_class(exc.messages)
        else:
            messages.success(request, _("Planned split saved."))
            return redirect("campaigns:staff_campaign_list")
    return render(request, "campaigns/staff/plan_form.html", {"formset": formset, "campaign": campaign})


@role_required("staff")
@require_http_methods(["GET", "POST"])
def impact_units_edit(request, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    initial = [
        {
            "amount": major_amount(u.amount, u.currency),
            "description": u.description_en,
            "description_es": u.description_es or "",
        }
        for u in selectors.impact_units_for(campaign)
    ]
    formset = ImpactUnitFormSet(request.POST or None, initial=initial, prefix="impact")
    if request.method == "POST" and formset.is_valid():
        try:
            services.impact_units_set(campaign=campaign, units=formset.units())
        except ValidationError as exc:
            formset._non_form_errors = formset.error_class(exc.messages)
        else:
            messages.success(request, _("Impact units saved."))
            return redirect("campaigns:staff_campaign_list")
    return render(request, "campaigns/staff/impact_form.html", {"formset": formset, "campaign": campaign})


@role_required("staff")
@require_http_methods(["GET", "POST"])
def campaign_updates(request, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    form = CampaignUpdateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update_post(campaign=campaign, author=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Update posted."))
            return redirect("campaigns:staff_updates", pk=campaign.pk)
    updates = CampaignUpdate.objects.filter(campaign=campaign).order_by("-published_at")
    return render(
        request, "campaigns/staff/updates.html", {"form": form, "campaign": campaign, "updates": updates}
    )


@role_required("staff")
@require_http_methods(["GET", "POST"])
def campaign_update_edit(request, pk: int, update_pk: int):
    update = get_object_or_404(CampaignUpdate, pk=update_pk, campaign_id=pk)
    form = CampaignUpdateForm(
        request.POST or None,
        initial=CampaignUpdateForm.initial_for(update),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update_edit(update=update, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Update saved."))
            return redirect("campaigns:staff_updates", pk=pk)
    return render(
        request,
        "campaigns/staff/update_form.html",
        {"form": form, "campaign": update.campaign, "update": update},
    )


# --- Expenditures ---------------------------------------------------------------------------------------


@role_required("staff")
@require_GET
def expenditure_list(request):
    filters = ExpenditureFilterForm(request.GET or None)
    expenditures = Expenditure.objects.select_related("category", "fund", "campaign", "recorded_by")
    if filters.is_valid():
        data = filters.cleaned_data
        if data.get("month"):
            month = data["month"]
            expenditures = expenditures.filter(spent_on__gte=month, spent_on__lt=selectors.next_month(month))
        if data.get("category"):
            expenditures = expenditures.filter(category=data["category"])
        if data.get("fund"):
            expenditures = expenditures.filter(fund=data["fund"])
    total = expenditures.aggregate(total=Sum("amount"))["total"] or 0
    page = Paginator(expenditures.order_by("-spent_on", "-pk"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "campaigns/staff/expenditure_list.html",
        {
            "filters": filters,
            "page": page,
            "total": total,
            "query": query.urlencode(),
            "published_before": selectors.spending_published_before(),
        },
    )


@role_required("staff")
@require_http_methods(["GET", "POST"])
def expenditure_create(request):
    form = ExpenditureForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.expenditure_record(recorded_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Expenditure recorded."))
            return redirect("campaigns:staff_expenditure_list")
    return render(request, "campaigns/staff/expenditure_form.html", {"form": form, "expenditure": None})


@role_required("staff")
@require_http_methods(["GET", "POST"])
def expenditure_edit(request, pk: int):
    expenditure = get_object_or_404(Expenditure.objects.select_related("campaign", "fund"), pk=pk)
    form = ExpenditureForm(
        request.POST or None, request.FILES or None, initial=ExpenditureForm.initial_for(expenditure)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not data.get("document"):
            data.pop("document", None)  # keep the stored document unless a new one is uploaded
        try:
            services.expenditure_edit(expenditure=expenditure, data=data)
        except ValidationError as exc:
            expenditure.refresh_from_db()
            _apply(form, exc)
        else:
            messages.success(request, _("Expenditure saved."))
            return redirect("campaigns:staff_expenditure_list")
    return render(
        request, "campaigns/staff/expenditure_form.html", {"form": form, "expenditure": expenditure}
    )


@role_required("staff")
@require_http_methods(["POST"])
def expenditure_delete(request, pk: int):
    expenditure = get_object_or_404(Expenditure, pk=pk)
    services.expenditure_delete(expenditure=expenditure)
    messages.success(request, _("Expenditure deleted."))
    return redirect("campaigns:staff_expenditure_list")


@role_required("staff")
@require_GET
def expenditure_document(request, pk: int):
    expenditure = get_object_or_404(Expenditure, pk=pk)
    if not expenditure.document:
        raise Http404("No document.")
    return FileResponse(
        expenditure.document.open("rb"),
        as_attachment=True,
        filename=f"expenditure-{expenditure.pk}{_suffix(expenditure.document.name)}",
    )


def _suffix(name: str) -> str:
    return pathlib.Path(name).suffix


# --- Categories and funds --------------------------------------------------------------------------------


@role_required("staff")
@require_http_methods(["GET", "POST"])
def category_list(request):
    form = SpendingCategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.spending_category_save(**form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Category added."))
            return redirect("campaigns:staff_category_list")
    categories = SpendingCategory.objects.all()
    return render(request, "campaigns/staff/category_list.html", {"form": form, "categories": categories})


@role_required("staff")
@require_http_methods(["GET", "POST"])
def category_edit(request, pk: int):
    category = get_object_or_404(SpendingCategory, pk=pk)
    initial = {
        f: getattr(category, f) or ""
        for f in ("name_en", "slug", "description_en", "name_es", "description_es", "position", "is_active")
    }
    initial["name"], initial["description"] = initial.pop("name_en"), initial.pop("description_en")
    initial["position"] = category.position
    form = SpendingCategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.spending_category_save(category=category, **form.cleaned_data)
        except ValidationError as exc:
            category.refresh_from_db()
            _apply(form, exc)
        else:
            messages.success(request, _("Category saved."))
            return redirect("campaigns:staff_category_list")
    return render(
        request,
        "campaigns/staff/simple_form.html",
        {"form": form, "heading": _("Edit %(name)s") % {"name": category}},
    )


@role_required("staff")
@require_http_methods(["GET", "POST"])
def fund_list(request):
    form = FundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.fund_save(**form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Fund added."))
            return redirect("campaigns:staff_fund_list")
    books = selectors.fund_books(live=True)
    inactive = Fund.objects.filter(is_active=False)
    return render(
        request, "campaigns/staff/fund_list.html", {"form": form, "books": books, "inactive": inactive}
    )


@role_required("staff")
@require_http_methods(["GET", "POST"])
def fund_edit(request, pk: int):
    fund = get_object_or_404(Fund, pk=pk)
    initial = {
        f: getattr(fund, f) or ""
        for f in (
            "name_en",
            "slug",
            "description_en",
            "name_es",
            "description_es",
            "is_restricted",
            "is_active",
        )
    }
    initial["name"], initial["description"] = initial.pop("name_en"), initial.pop("description_en")
    initial["is_restricted"], initial["is_active"] = fund.is_restricted, fund.is_active
    initial["allowed_categories"] = list(fund.allowed_categories.values_list("pk", flat=True))
    form = FundForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.fund_save(fund=fund, **form.cleaned_data)
        except ValidationError as exc:
            fund.refresh_from_db()
            _apply(form, exc)
        else:
            messages.success(request, _("Fund saved."))
            return redirect("campaigns:staff_fund_list")
    return render(
        request,
        "campaigns/staff/simple_form.html",
        {"form": form, "heading": _("Edit %(name)s") % {"name": fund}},
    )
