"""Only the API routes, so the OpenAPI schema documents the API and nothing else."""

from django.urls import path

from . import api

urlpatterns = [
    path("api/v1/campaigns/", api.CampaignListView.as_view()),
    path("api/v1/campaigns/<slug:slug>/", api.CampaignDetailView.as_view()),
    path("api/v1/planned-split/", api.AllocationListView.as_view()),
    path("api/v1/spending/", api.SpendingListView.as_view()),
    path("api/v1/funds/", api.FundListView.as_view()),
    path("api/v1/income/", api.IncomeListView.as_view()),
]
