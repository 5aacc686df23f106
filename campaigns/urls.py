from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from accounts.roles import public
from core.public_cache import public_cached

from . import api, feeds, match_staff_views, staff_views, supporter_views, update_views, views

app_name = "campaigns"


def api_page(view):
    """The open-data API: public, and served from the shared cache while campaigns are unchanged."""
    return public_cached("campaigns")(public(view))


urlpatterns = [
    # Public pages. /campaigns/<slug>/donate/ belongs to the donations app.
    path("campaigns/", views.campaign_list, name="list"),
    path("campaigns/finished/", views.campaign_finished_list, name="finished"),
    path("campaigns/<slug:slug>/", views.campaign_detail, name="detail"),
    path("campaigns/<slug:slug>/updates.atom", feeds.campaign_updates_feed, name="updates_feed"),
    path("transparency/", views.transparency, name="transparency"),
    path("transparency/campaigns.csv", views.campaigns_csv, name="campaigns_csv"),
    path("transparency/planned-split.csv", views.allocations_csv, name="allocations_csv"),
    path("transparency/spending.csv", views.spending_csv, name="spending_csv"),
    path("transparency/funds.csv", views.funds_csv, name="funds_csv"),
    path("transparency/income.csv", views.income_csv, name="income_csv"),
    # The public, read-only data API.
    path("api/v1/campaigns/", api_page(api.CampaignListView.as_view()), name="api_campaigns"),
    path("api/v1/campaigns/<slug:slug>/", api_page(api.CampaignDetailView.as_view()), name="api_campaign"),
    path("api/v1/planned-split/", api_page(api.AllocationListView.as_view()), name="api_allocations"),
    path("api/v1/spending/", api_page(api.SpendingListView.as_view()), name="api_spending"),
    path("api/v1/funds/", api_page(api.FundListView.as_view()), name="api_funds"),
    path("api/v1/income/", api_page(api.IncomeListView.as_view()), name="api_income"),
    path(
        "api/v1/schema/", public(SpectacularAPIView.as_view(urlconf="campaigns.api_urls")), name="api_schema"
    ),
    # Update emails: one-click unsubscribe (no sign-in), and a person's own choices.
    path("updates/unsubscribe/<str:token>/", update_views.unsubscribe, name="unsubscribe"),
    path("me/updates/", update_views.my_updates, name="my_updates"),
    # Supporter fundraising pages (peer-to-peer).
    path("fundraisers/<slug:slug>/", supporter_views.supporter_page_detail, name="supporter_page"),
    path(
        "fundraisers/<slug:slug>/photo.jpg", supporter_views.supporter_page_photo, name="supporter_page_photo"
    ),
    path(
        "campaigns/<slug:slug>/fundraisers/new/",
        supporter_views.supporter_page_start,
        name="supporter_page_start",
    ),
    path("me/fundraisers/", supporter_views.my_supporter_pages, name="my_supporter_pages"),
    path("me/fundraisers/<int:pk>/", supporter_views.supporter_page_edit, name="supporter_page_edit"),
    path("me/fundraisers/<int:pk>/close/", supporter_views.supporter_page_close, name="supporter_page_close"),
    path("staff/fundraisers/", supporter_views.staff_supporter_queue, name="staff_supporter_queue"),
    path(
        "staff/fundraisers/<int:pk>/", supporter_views.staff_supporter_review, name="staff_supporter_review"
    ),
    # Staff.
    path("staff/campaigns/", staff_views.campaign_list, name="staff_campaign_list"),
    path("staff/campaigns/new/", staff_views.campaign_create, name="staff_campaign_create"),
    path("staff/campaigns/<int:pk>/", staff_views.campaign_edit, name="staff_campaign_edit"),
    path("staff/campaigns/<int:pk>/plan/", staff_views.allocation_plan_edit, name="staff_plan"),
    path("staff/campaigns/<int:pk>/impact/", staff_views.impact_units_edit, name="staff_impact"),
    path("staff/campaigns/<int:pk>/updates/", staff_views.campaign_updates, name="staff_updates"),
    path(
        "staff/campaigns/<int:pk>/updates/<int:update_pk>/",
        staff_views.campaign_update_edit,
        name="staff_update_edit",
    ),
    path("staff/campaigns/<int:pk>/matches/", match_staff_views.match_offers, name="staff_matches"),
    path(
        "staff/campaigns/<int:pk>/matches/<int:offer_pk>/",
        match_staff_views.match_offer_edit,
        name="staff_match_edit",
    ),
    path(
        "staff/campaigns/<int:pk>/matches/<int:offer_pk>/end/",
        match_staff_views.match_offer_end,
        name="staff_match_end",
    ),
    path("staff/expenditures/", staff_views.expenditure_list, name="staff_expenditure_list"),
    path("staff/expenditures/new/", staff_views.expenditure_create, name="staff_expenditure_create"),
    path("staff/expenditures/<int:pk>/", staff_views.expenditure_edit, name="staff_expenditure_edit"),
    path(
        "staff/expenditures/<int:pk>/delete/", staff_views.expenditure_delete, name="staff_expenditure_delete"
    ),
    path(
        "staff/expenditures/<int:pk>/document/",
        staff_views.expenditure_document,
        name="staff_expenditure_document",
    ),
    path("staff/categories/", staff_views.category_list, name="staff_category_list"),
    path("staff/categories/<int:pk>/", staff_views.category_edit, name="staff_category_edit"),
    path("staff/funds/", staff_views.fund_list, name="staff_fund_list"),
    path("staff/funds/<int:pk>/", staff_views.fund_edit, name="staff_fund_edit"),
]
