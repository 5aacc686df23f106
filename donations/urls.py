from django.urls import path

from . import inkind_views, pause_views, statement_views, views

app_name = "donations"

urlpatterns = [
    path("donate/", views.donate, name="donate"),
    path("campaigns/<slug:slug>/donate/", views.donate, name="campaign_donate"),
    path("donations/<uuid:public_id>/thanks/", views.thanks, name="thanks"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("me/giving/", views.my_giving, name="my_giving"),
    path("me/giving/receipts/<str:number>.pdf", views.my_receipt, name="my_receipt"),
    path("me/giving/statements/<int:year>.pdf", statement_views.my_statement, name="my_statement"),
    path(
        "me/giving/statements/fiscal/<int:year>.pdf",
        statement_views.my_statement,
        {"kind": "fiscal"},
        name="my_fiscal_statement",
    ),
    path("me/giving/monthly/<uuid:public_id>/", views.my_monthly, name="my_monthly"),
    path("me/giving/monthly/<uuid:public_id>/cancel/", views.my_monthly_cancel, name="my_monthly_cancel"),
    path("me/giving/monthly/<uuid:public_id>/card/", views.my_monthly_card, name="my_monthly_card"),
    path("me/giving/monthly/<uuid:public_id>/pause/", pause_views.my_monthly_pause, name="my_monthly_pause"),
    path(
        "me/giving/monthly/<uuid:public_id>/resume/", pause_views.my_monthly_resume, name="my_monthly_resume"
    ),
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/donations/", views.staff_gifts, name="staff_gifts"),
    path("staff/donations/review/", views.staff_review, name="staff_review"),
    path("staff/donations/export.csv", views.staff_export, name="staff_export"),
    path("staff/donations/offline/", views.staff_offline, name="staff_offline"),
    path("staff/donations/receipts/<str:number>.pdf", views.staff_receipt, name="staff_receipt"),
    path("staff/donations/<uuid:public_id>/", views.staff_gift, name="staff_gift"),
    # In-kind needs.
    path("give/in-kind/", inkind_views.needs, name="inkind_needs"),
    path("give/in-kind/<uuid:public_id>/", inkind_views.pledge, name="inkind_pledge"),
    path("me/giving/in-kind/<uuid:public_id>.pdf", inkind_views.my_acknowledgement, name="my_inkind_pdf"),
    path("staff/in-kind/", inkind_views.staff_needs, name="staff_inkind"),
    path("staff/in-kind/<int:pk>/", inkind_views.staff_need, name="staff_inkind_need"),
    path(
        "staff/in-kind/pledges/<int:pk>/receive/",
        inkind_views.staff_pledge_receive,
        name="staff_inkind_receive",
    ),
    path(
        "staff/in-kind/pledges/<int:pk>/cancel/", inkind_views.staff_pledge_cancel, name="staff_inkind_cancel"
    ),
]
