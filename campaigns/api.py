"""The public, read-only open-books API (/api/v1/). Every field is an aggregate or something staff
published; amounts are integer minor units with a currency code. No personal data, ever."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors


class CampaignSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary = serializers.CharField()
    fund = serializers.SlugField(help_text="Slug of the fund gifts to this campaign go to.")
    currency = serializers.CharField(help_text="ISO 4217 code, lower case.")
    goal = serializers.IntegerField(help_text="Minor units.")
    raised = serializers.IntegerField(help_text="Net of refunds, minor units.")
    donor_count = serializers.IntegerField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)
    is_finished = serializers.BooleanField()


class PlanLineSerializer(serializers.Serializer):
    category = serializers.CharField()
    category_slug = serializers.SlugField()
    share_basis_points = serializers.IntegerField(help_text="10000 = 100%.")


class CategorySpendingSerializer(serializers.Serializer):
    category = serializers.CharField()
    category_slug = serializers.SlugField()
    amount = serializers.IntegerField(help_text="Published spending so far, minor units.")


class ImpactUnitSerializer(serializers.Serializer):
    amount = serializers.IntegerField(help_text="Minor units.")
    currency = serializers.CharField()
    description = serializers.CharField()


class CampaignDetailSerializer(CampaignSerializer):
    planned_split = PlanLineSerializer(many=True)
    spending_by_category = CategorySpendingSerializer(many=True)
    impact_units = ImpactUnitSerializer(many=True)


class AllocationSerializer(PlanLineSerializer):
    campaign = serializers.SlugField()


class SpendingSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM; only months already published.")
    category = serializers.CharField()
    category_slug = serializers.SlugField()
    currency = serializers.CharField()
    amount = serializers.IntegerField(help_text="Minor units.")


class FundSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    is_restricted = serializers.BooleanField()
    currency = serializers.CharField()
    raised = serializers.IntegerField(help_text="Net of refunds, minor units.")
    donor_count = serializers.IntegerField()
    spent_published = serializers.IntegerField(help_text="Spending in published months, minor units.")


class IncomeSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    fund = serializers.SlugField()
    currency = serializers.CharField()
    amount = serializers.IntegerField(help_text="Net gifts received that month, minor units.")


class _ReadOnly(APIView):
    authentication_classes: list = []
    permission_classes: list = []
    http_method_names = ["get", "head", "options"]


class CampaignListView(_ReadOnly):
    @extend_schema(responses=CampaignSerializer(many=True), summary="Published campaigns with progress")
    def get(self, request):
        return Response(CampaignSerializer(selectors.campaigns_open_data(), many=True).data)


class CampaignDetailView(_ReadOnly):
    @extend_schema(responses=CampaignDetailSerializer, summary="One campaign: progress, plan, spending")
    def get(self, request, slug: str):
        campaign = selectors.campaign_for_page(slug)
        if campaign is None:
            raise Http404
        page = selectors.campaign_page(campaign)
        data = {
            **selectors.campaign_open_data(campaign),
            "planned_split": [
                {
                    "category": u.category.name,
                    "category_slug": u.category.slug,
                    "share_basis_points": u.planned_bps,
                }
                for u in page.uses
                if u.planned_bps
            ],
            "spending_by_category": [
                {"category": u.category.name, "category_slug": u.category.slug, "amount": u.spent}
                for u in page.uses
                if u.spent
            ],
            "impact_units": [
                {"amount": unit.amount, "currency": unit.currency, "description": unit.description}
                for unit in page.impact_units
            ],
        }
        return Response(CampaignDetailSerializer(data).data)


class AllocationListView(_ReadOnly):
    @extend_schema(responses=AllocationSerializer(many=True), summary="Planned split of every campaign")
    def get(self, request):
        return Response(AllocationSerializer(selectors.allocation_open_data(), many=True).data)


class SpendingListView(_ReadOnly):
    @extend_schema(
        responses=SpendingSerializer(many=True), summary="Spending by category and published month"
    )
    def get(self, request):
        rows = [{**r, "month": r["month"].strftime("%Y-%m")} for r in selectors.spending_by_category_month()]
        return Response(SpendingSerializer(rows, many=True).data)


class FundListView(_ReadOnly):
    @extend_schema(responses=FundSerializer(many=True), summary="Funds: income and published spending")
    def get(self, request):
        rows = [
            {
                "slug": b.fund.slug,
                "name": b.fund.name,
                "is_restricted": b.fund.is_restricted,
                "currency": b.currency,
                "raised": b.raised,
                "donor_count": b.donor_count,
                "spent_published": b.spent,
            }
            for b in selectors.fund_books()
        ]
        return Response(FundSerializer(rows, many=True).data)


class IncomeListView(_ReadOnly):
    @extend_schema(responses=IncomeSerializer(many=True), summary="Income by fund and month")
    def get(self, request):
        rows = [
            {
                "month": r["month"].strftime("%Y-%m"),
                "fund": r["fund_slug"],
                "currency": r["currency"],
                "amount": r["amount"],
            }
            for r in selectors.income_by_fund_month()
        ]
        return Response(IncomeSerializer(rows, many=True).data)
